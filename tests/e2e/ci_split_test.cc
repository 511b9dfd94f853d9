// One suite split over CI machines: N redqueen processes, each with its own
// folder and store as a CI job has, run their --shard K/N at once. Together
// they must run every test the single run runs, each exactly once, with the
// single run's verdicts, whatever the partition.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

constexpr int kShards = 3;

/// "binary test" → final status, of every final execution in a store.
using Verdicts = std::map<std::string, std::string>;

std::vector<std::vector<std::string>> Finals(const std::string& db) {
  return Db(db).Rows(
      "SELECT t.binary || ' ' || t.name, e.status FROM executions e JOIN tests t ON "
      "t.id = e.test_id WHERE e.final = 1");
}

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

class CiSplitTest : public testing::TestWithParam<std::string> {
 protected:
  std::vector<std::string> Binaries() const {
    return {Fixture("shards"), Fixture("failing")};
  }

  /// The single machine's run, in `db`.
  Verdicts SingleRun(const std::string& db) {
    std::vector<std::string> args = {"run", "-j", "2", "--db", db};
    for (const std::string& binary : Binaries()) args.push_back(binary);
    const Outcome run = RunRedqueen(args);
    EXPECT_EQ(run.exit_code, 1) << run.err;  // The failing fixture fails.
    Verdicts verdicts;
    for (const auto& row : Finals(db)) verdicts[row[0]] = row[1];
    return verdicts;
  }

  /// Every shard at once, in folder shard_K with store shard_K/redqueen.db
  /// (a copy of `seed` when given); their exit codes, by shard.
  std::vector<int> RunShards(const std::string& seed) {
    std::string script;
    for (int k = 1; k <= kShards; ++k) {
      const std::string dir = scratch_.Path("shard_" + std::to_string(k));
      std::filesystem::create_directories(dir);
      if (!seed.empty()) std::filesystem::copy_file(seed, dir + "/redqueen.db");
      script += "(cd " + Quoted(dir) + " && " + Quoted(REDQUEEN_BINARY) +
                " run -j 1 --db redqueen.db --shard " + std::to_string(k) + "/" +
                std::to_string(kShards) +
                (GetParam() == "plan" ? " --plan " + Quoted(scratch_.Path("plan.json"))
                                      : " --partition " + GetParam());
      for (const std::string& binary : Binaries()) script += " " + Quoted(binary);
      script += " >out 2>err; echo $? >code) &\n";
    }
    script += "wait\n";
    const Outcome all = RunProgram("/bin/sh", Launch{{"-c", script}});
    EXPECT_EQ(all.exit_code, 0) << all.err;
    std::vector<int> codes;
    for (int k = 1; k <= kShards; ++k) {
      const std::string dir = scratch_.Path("shard_" + std::to_string(k));
      codes.push_back(std::stoi(ReadFirstLine(dir + "/code")));
    }
    return codes;
  }

  static std::string ReadAll(const std::string& path) {
    std::string text;
    if (std::FILE* in = std::fopen(path.c_str(), "r")) {
      char buffer[4096];
      for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, in)) > 0;)
        text.append(buffer, n);
      std::fclose(in);
    }
    return text;
  }

  static std::string ReadFirstLine(const std::string& path) {
    std::FILE* in = std::fopen(path.c_str(), "r");
    char line[64] = "-1";
    if (in) {
      if (!std::fgets(line, sizeof line, in)) line[0] = '\0';
      std::fclose(in);
    }
    return line;
  }

  Scratch scratch_;
};

TEST_P(CiSplitTest, TheShardsRunEveryTestOnceWithTheSingleRunsVerdicts) {
  const Verdicts single = SingleRun(scratch_.Path("single.db"));
  ASSERT_GT(single.size(), 20u);
  // Each machine restores the same store (a cached one): with history, time
  // splits by it; count and hash do not read it. With a plan, the machines
  // start from nothing: the plan made from the single run's store decides.
  std::string seed = scratch_.Path("single.db");
  if (GetParam() == "plan") {
    std::vector<std::string> args = {
        "plan", "--shards", std::to_string(kShards),   "--db",
        seed,   "-o",       scratch_.Path("plan.json")};
    for (const std::string& binary : Binaries()) args.push_back(binary);
    const Outcome plan = RunRedqueen(args);
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    seed.clear();
  }
  const std::vector<int> codes = RunShards(seed);
  Verdicts merged;
  size_t executions = 0;
  bool any_failed = false;
  for (int k = 1; k <= kShards; ++k) {
    const std::string db = scratch_.Path("shard_" + std::to_string(k) + "/redqueen.db");
    const std::string run = Db(db).Value("SELECT max(id) FROM runs");
    const auto rows = Db(db).Rows(
        "SELECT t.binary || ' ' || t.name, e.status FROM executions e JOIN tests t ON "
        "t.id = e.test_id WHERE e.final = 1 AND e.run_id = " +
        run);
    EXPECT_FALSE(rows.empty()) << "shard " << k << " ran nothing";
    const std::string partition = GetParam() == "plan" ? "time as " : GetParam();
    EXPECT_THAT(ReadAll(scratch_.Path("shard_" + std::to_string(k) + "/out")),
                testing::HasSubstr("redqueen: shard " + std::to_string(k) +
                                   " of 3 (from --shard " + std::to_string(k) +
                                   "/3), by " + partition));
    EXPECT_EQ(Db(db).Rows("SELECT shard_index, shard_count, partition, host != '' FROM "
                          "runs WHERE id = " +
                          run),
              (std::vector<std::vector<std::string>>{
                  {std::to_string(k - 1), std::to_string(kShards),
                   GetParam() == "plan" ? "time" : GetParam(), "1"}}));
    EXPECT_EQ(static_cast<size_t>(
                  Db(db).Count("SELECT count(*) FROM shard_tests WHERE run_id = " + run)),
              single.size())
        << "each shard keeps every test it had to split";
    bool failed = false;
    for (const auto& row : rows) {
      EXPECT_EQ(merged.count(row[0]), 0u) << row[0] << " ran on two shards";
      merged[row[0]] = row[1];
      failed = failed || row[1] == "FAILED";
    }
    executions += rows.size();
    EXPECT_EQ(codes[static_cast<size_t>(k - 1)], failed ? 1 : 0) << "shard " << k;
    any_failed = any_failed || failed;
  }
  EXPECT_EQ(executions, single.size());
  EXPECT_EQ(merged, single);
  EXPECT_TRUE(any_failed);
}

INSTANTIATE_TEST_SUITE_P(Partitions, CiSplitTest,
                         testing::Values("count", "hash", "time", "plan"),
                         [](const auto& info) { return info.param; });

/// The passing fixture run once, then planned for two shards: the plan's
/// path ("" when either failed).
std::string PlanOfPassing(const Scratch& scratch) {
  const std::string db = scratch.Path("redqueen.db");
  const std::string plan = scratch.Path("plan.json");
  if (RunRedqueen({"run", Fixture("passing"), "--db", db}).exit_code != 0 ||
      RunRedqueen({"plan", Fixture("passing"), "--shards", "2", "--db", db, "-o", plan})
              .exit_code != 0) {
    return "";
  }
  return plan;
}

TEST(CiPlanTest, APlanForOtherShardsOrNoPlanAtAllIsBadUsage) {
  Scratch scratch;
  const std::string plan = PlanOfPassing(scratch);
  ASSERT_FALSE(plan.empty());
  const Outcome other = RunRedqueen({"run", Fixture("passing"), "--plan", plan, "--shard",
                                     "1/3", "--db", scratch.Path("other.db")});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, testing::HasSubstr(
                             "splits the tests over 2 shards, but this is shard 1 of 3"));
  const std::string bad = scratch.Path("bad.json");
  std::FILE* out = std::fopen(bad.c_str(), "w");
  std::fputs("{\"format\": \"something else\"}", out);
  std::fclose(out);
  const Outcome malformed =
      RunRedqueen({"run", Fixture("passing"), "--plan", bad, "--shard", "1/2"});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.err, testing::HasSubstr("is not a plan of this redqueen"));
  const Outcome no_store = RunRedqueen(
      {"plan", Fixture("passing"), "--shards", "2", "--db", scratch.Path("none.db")});
  EXPECT_EQ(no_store.exit_code, 3);
  EXPECT_THAT(no_store.err, testing::HasSubstr("no result store"));
}

TEST(CiPlanTest, PlannedTestsARunDidNotSelectAreCountedNotAnError) {
  Scratch scratch;
  const std::string plan = PlanOfPassing(scratch);
  ASSERT_FALSE(plan.empty());
  const Outcome narrower =
      RunRedqueen({"run", Fixture("passing"), "--plan", plan, "--shard", "1/2",
                   "--gtest_filter=Passing.One", "--db", scratch.Path("shard.db")});
  EXPECT_EQ(narrower.exit_code, 0) << narrower.err;
  EXPECT_THAT(narrower.out,
              testing::ContainsRegex("plan: [0-9]+ tests? of .*fixture_passing"
                                     ".* not in this run"));
}

TEST(CiPlanTest, TargetTimeChoosesTheShardsAndPrintsAMatrix) {
  Scratch scratch;
  const std::string db = scratch.Path("redqueen.db");
  ASSERT_EQ(RunRedqueen({"run", Fixture("passing"), "--db", db}).exit_code, 0);
  const Outcome plan = RunRedqueen({"plan", Fixture("passing"), "--target-time", "10s",
                                    "--db", db, "-o", scratch.Path("plan.json")});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  // Its tests take microseconds: one shard ends in time.
  EXPECT_EQ(plan.out, "{\"include\":[{\"shard\":\"1/1\"}]}\n");
  EXPECT_THAT(plan.err, testing::StartsWith("redqueen: 1 shard: "));
}

}  // namespace
}  // namespace redqueen::e2e
