// One suite split over CI machines: N redqueen processes, each with its own
// folder and store as a CI job has, run their --shard K/N at once. Together
// they must run every test the single run runs, each exactly once, with the
// single run's verdicts, whatever the partition; `redqueen merge` joins
// their stores into the single run's, and refuses shards that do not add up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
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

/// Runs `sql` on the store `db`, writing.
void Execute(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK) << db;
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
      << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(handle);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The totals of a JUnit report (its <testsuites> line without the time),
/// or of a JSON one (its "total_tests" to "tests_skipped").
std::string ReportTotals(const std::string& report, const std::string& from,
                         const std::string& to) {
  const size_t begin = report.find(from);
  const size_t end = report.find(to, begin);
  if (begin == std::string::npos || end == std::string::npos) return "";
  return report.substr(begin, end - begin);
}

constexpr const char* kTotals =
    "SELECT total_tests, tests_passed, tests_failed, tests_skipped FROM runs "
    "WHERE id = (SELECT max(id) FROM runs)";

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

  /// The partition the shards' runs record: a plan's is time.
  std::string Partition() const { return GetParam() == "plan" ? "time" : GetParam(); }

  std::string ShardStore(int k) const {
    return scratch_.Path("shard_" + std::to_string(k) + "/redqueen.db");
  }

  /// `redqueen merge STORES... --db OUT`.
  static Outcome Merge(const std::vector<std::string>& stores, const std::string& out) {
    std::vector<std::string> args = {"merge"};
    args.insert(args.end(), stores.begin(), stores.end());
    args.insert(args.end(), {"--db", out});
    return RunRedqueen(args);
  }

  /// A copy of shard `k`'s store, to spoil.
  std::string CopyOfShard(int k, const std::string& name) const {
    const std::string copy = scratch_.Path(name);
    std::filesystem::copy_file(ShardStore(k), copy);
    if (std::filesystem::exists(ShardStore(k) + "-wal")) {
      std::filesystem::copy_file(ShardStore(k) + "-wal", copy + "-wal");
    }
    return copy;
  }

  void ExpectTheMergeIsTheSingleRun(const std::string& single_db, const Verdicts& single);
  void ExpectMergesOfShardsThatDoNotAddUpAreRefused();

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
                  {std::to_string(k - 1), std::to_string(kShards), Partition(), "1"}}));
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
  ExpectTheMergeIsTheSingleRun(scratch_.Path("single.db"), single);
  ExpectMergesOfShardsThatDoNotAddUpAreRefused();
}

void CiSplitTest::ExpectTheMergeIsTheSingleRun(const std::string& single_db,
                                               const Verdicts& single) {
  const std::string out = scratch_.Path("merged.db");
  const Outcome merge = Merge({ShardStore(1), ShardStore(2), ShardStore(3)}, out);
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_THAT(merge.out, testing::HasSubstr("redqueen: merged 3 shards into run 1"));
  EXPECT_EQ(Db(out).Rows(kTotals), Db(single_db).Rows(kTotals));
  EXPECT_EQ(Db(out).Rows("SELECT status, shard_index, shard_count, partition, "
                         "length(host) > 2 FROM runs"),
            (std::vector<std::vector<std::string>>{
                {"failed", "-1", std::to_string(kShards), Partition(), "1"}}));
  const auto rows = Finals(out);
  EXPECT_EQ(rows.size(), single.size());
  Verdicts verdicts;
  for (const auto& row : rows) verdicts[row[0]] = row[1];
  EXPECT_EQ(verdicts, single);
  EXPECT_EQ(Db(out).Value("SELECT group_concat(shard) FROM (SELECT DISTINCT shard FROM "
                          "executions ORDER BY shard)"),
            "1,2,3");
  // One report of the whole pipeline, as the single run's.
  for (const std::string& db : {single_db, out}) {
    const Outcome exported = RunRedqueen(
        {"export", "--db", db, "--junit", db + ".xml", "--json", db + ".json"});
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    const Outcome report = RunRedqueen({"report", "--db", db, "-o", db + ".html"});
    EXPECT_EQ(report.exit_code, 0) << report.err;
  }
  const std::string junit = ReportTotals(Slurp(out + ".xml"), "<testsuites", " time=");
  EXPECT_THAT(junit, testing::HasSubstr("tests=\"" + std::to_string(single.size())));
  EXPECT_EQ(junit, ReportTotals(Slurp(single_db + ".xml"), "<testsuites", " time="));
  const std::string json = ReportTotals(Slurp(out + ".json"), "\"tests_failed\"", "}");
  EXPECT_FALSE(json.empty());
  EXPECT_EQ(json, ReportTotals(Slurp(single_db + ".json"), "\"tests_failed\"", "}"));
  const std::string name =
      single.begin()->first.substr(single.begin()->first.rfind(' ') + 1);
  const std::string html = Slurp(out + ".html");
  EXPECT_THAT(html, testing::HasSubstr(name)) << "the report names tests";
  EXPECT_THAT(html, testing::HasSubstr("\"shard\":3"))
      << "a timeline row per shard's pawn";
}

void CiSplitTest::ExpectMergesOfShardsThatDoNotAddUpAreRefused() {
  auto refused = [this](const std::vector<std::string>& stores, const std::string& why) {
    const std::string out = scratch_.Path("refused.db");
    const Outcome merge = Merge(stores, out);
    EXPECT_EQ(merge.exit_code, 3) << why;
    EXPECT_THAT(merge.err, testing::HasSubstr(why));
    EXPECT_FALSE(std::filesystem::exists(out)) << why << ": nothing is written";
  };
  refused({ShardStore(1), ShardStore(2)},
          "redqueen: error: shard 3 of 3 is missing: pass every shard's store");
  refused({ShardStore(1), ShardStore(2), ShardStore(2), ShardStore(3)},
          "' are both shard 2 of 3: pass each shard's store once");
  refused({ShardStore(1), scratch_.Path("none.db")},
          "shard store '" + scratch_.Path("none.db") + "' does not exist");

  const std::string altered = CopyOfShard(2, "altered.db");
  Execute(altered,
          "UPDATE runs SET history_digest = 'x' WHERE id = (SELECT max(id) "
          "FROM runs)");
  refused({ShardStore(1), altered, ShardStore(3)},
          "shards 1 and 2 split by different histories (digests ");

  // A test shard 1 ran, run again on shard 2.
  const std::string twice = CopyOfShard(2, "twice.db");
  const std::string run = Db(ShardStore(1)).Value("SELECT max(id) FROM runs");
  const auto ran = Db(ShardStore(1))
                       .Rows(
                           "SELECT t.binary, t.name FROM executions e JOIN tests t ON "
                           "t.id = e.test_id "
                           "WHERE e.final = 1 AND e.run_id = " +
                           run + " ORDER BY e.id LIMIT 1");
  ASSERT_EQ(ran.size(), 1u);
  Execute(twice,
          "INSERT INTO execution_rows (run_id, test_id, attempt, status, duration_us, "
          "finished_us, pawn, skip_message, crash, output) SELECT (SELECT max(id) FROM "
          "runs), id, 1, 'PASSED', 1, 1, 0, '', '', '' FROM tests WHERE binary = " +
              Quoted(ran[0][0]) + " AND name = " + Quoted(ran[0][1]));
  refused({ShardStore(1), twice, ShardStore(3)}, "1 test ran in more than one shard (" +
                                                     ran[0][0] + ": " + ran[0][1] +
                                                     " (shards 1 and 2))");
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
  EXPECT_EQ(no_store.exit_code, 0) << "a first pipeline plans by hash";
  EXPECT_THAT(no_store.err, testing::HasSubstr("warning: no result store"));
  EXPECT_THAT(no_store.out, testing::HasSubstr("\"without_history\": [\n  {"));
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
  // Its tests take microseconds: one shard ends in time, and runs them all.
  EXPECT_EQ(plan.out, "{\"include\":[{\"shard\":\"1/1\"}]}\n");
  EXPECT_THAT(plan.err, testing::StartsWith("redqueen: 1 shard: "));
  const Outcome run =
      RunRedqueen({"run", Fixture("passing"), "--plan", scratch.Path("plan.json"),
                   "--shard", "1/1", "--db", db});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Db(db).Count("SELECT total_tests FROM runs ORDER BY id DESC LIMIT 1"),
            Db(db).Count("SELECT total_tests FROM runs ORDER BY id LIMIT 1"));
}

}  // namespace
}  // namespace redqueen::e2e
