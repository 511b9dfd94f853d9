// Which shard of the CI's machines a run is: --shard K/N, the CI's own
// variables (GitLab, CircleCI, Buildkite, a Kubernetes Indexed Job with
// --shards), GoogleTest's and Bazel's, how they must agree, and what the
// command line makes of them (--partition, `redqueen list`, `config`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "queen/config_command.h"
#include "queen/options.h"
#include "queen/run_environment.h"
#include "tests/queen/parse_args.h"

namespace redqueen::queen {
namespace {

using testing::HasSubstr;

using Variables = std::map<std::string, std::string>;

/// getenv over a map.
GetEnv Env(Variables values) {
  auto shared = std::make_shared<Variables>(std::move(values));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

/// ResolveShard's answer: the shard, or the error.
struct Resolved {
  bool ok = false;
  ShardSpec shard;
  std::string error;
};

Resolved Resolve(Variables env, const std::string& shard_option = "", int shards = 0) {
  Resolved resolved;
  resolved.ok = ResolveShard(shard_option, shards, Env(std::move(env)), &resolved.shard,
                             &resolved.error);
  return resolved;
}

/// Expects the shard `index` (from 0) of `total`, from `from`, named `source`.
void ExpectShard(const Resolved& resolved, int index, int total, ShardFrom from,
                 const std::string& source) {
  ASSERT_TRUE(resolved.ok) << resolved.error;
  EXPECT_EQ(resolved.shard.index, index) << source;
  EXPECT_EQ(resolved.shard.total, total) << source;
  EXPECT_EQ(resolved.shard.from, from) << source;
  EXPECT_EQ(resolved.shard.source, source);
}

/// Expects ResolveShard to refuse with exactly `message`, on one line.
void ExpectRefused(const Resolved& resolved, const std::string& message) {
  EXPECT_FALSE(resolved.ok) << message;
  EXPECT_EQ(resolved.error, message);
  EXPECT_EQ(resolved.error.find('\n'), std::string::npos);
}

TEST(CiShardTest, NoSourceIsOneShardOfOne) {
  ExpectShard(Resolve({}), 0, 1, ShardFrom::kNone, "");
}

TEST(CiShardTest, EachSourceIsReadAsItCounts) {
  ExpectShard(Resolve({}, "3/4"), 2, 4, ShardFrom::kCommandLine, "--shard 3/4");
  ExpectShard(Resolve({}, "1/1"), 0, 1, ShardFrom::kCommandLine, "--shard 1/1");
  // GitLab counts from 1; CircleCI, Buildkite and Kubernetes from 0.
  ExpectShard(Resolve({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "4"}}), 1, 4,
              ShardFrom::kCi, "GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=4");
  ExpectShard(Resolve({{"CIRCLE_NODE_INDEX", "2"}, {"CIRCLE_NODE_TOTAL", "4"}}), 2, 4,
              ShardFrom::kCi, "CircleCI CIRCLE_NODE_INDEX=2, CIRCLE_NODE_TOTAL=4");
  ExpectShard(
      Resolve({{"BUILDKITE_PARALLEL_JOB", "0"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "3"}}),
      0, 3, ShardFrom::kCi,
      "Buildkite BUILDKITE_PARALLEL_JOB=0, BUILDKITE_PARALLEL_JOB_COUNT=3");
  ExpectShard(Resolve({{"JOB_COMPLETION_INDEX", "4"}}, "", 5), 4, 5, ShardFrom::kCi,
              "Kubernetes JOB_COMPLETION_INDEX=4, --shards 5");
  ExpectShard(Resolve({{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "3"}}), 1, 3,
              ShardFrom::kTestRunner, "GTEST_SHARD_INDEX=1, GTEST_TOTAL_SHARDS=3");
  ExpectShard(Resolve({{"TEST_SHARD_INDEX", "0"}, {"TEST_TOTAL_SHARDS", "2"}}), 0, 2,
              ShardFrom::kTestRunner, "TEST_SHARD_INDEX=0, TEST_TOTAL_SHARDS=2");
}

TEST(CiShardTest, ACiJobThatIsNotParallelIsNoShard) {
  // GitLab sets CI_NODE_TOTAL=1 in every job; CircleCI may say 0 of 1.
  ExpectShard(Resolve({{"CI_NODE_TOTAL", "1"}}), 0, 1, ShardFrom::kNone, "");
  ExpectShard(Resolve({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "1"}}), 0, 1,
              ShardFrom::kNone, "");
  ExpectShard(Resolve({{"CIRCLE_NODE_INDEX", "0"}, {"CIRCLE_NODE_TOTAL", "1"}}), 0, 1,
              ShardFrom::kNone, "");
  // So it cannot disagree with ctest's or Bazel's shard.
  ExpectShard(Resolve({{"CI_NODE_TOTAL", "1"},
                       {"CIRCLE_NODE_INDEX", "0"},
                       {"CIRCLE_NODE_TOTAL", "1"},
                       {"GTEST_SHARD_INDEX", "2"},
                       {"GTEST_TOTAL_SHARDS", "3"}}),
              2, 3, ShardFrom::kTestRunner, "GTEST_SHARD_INDEX=2, GTEST_TOTAL_SHARDS=3");
  // One of one is still checked.
  ExpectRefused(Resolve({{"CIRCLE_NODE_INDEX", "1"}, {"CIRCLE_NODE_TOTAL", "1"}}),
                "CIRCLE_NODE_INDEX=1 is not a shard of CIRCLE_NODE_TOTAL=1 (the index "
                "runs from 0 to 0)");
}

TEST(CiShardTest, SourcesThatAgreeAreOneShardWithEverySourceListed) {
  ExpectShard(Resolve({{"CI_NODE_INDEX", "2"},
                       {"CI_NODE_TOTAL", "4"},
                       {"GTEST_SHARD_INDEX", "1"},
                       {"GTEST_TOTAL_SHARDS", "4"}},
                      "2/4"),
              1, 4, ShardFrom::kCommandLine,
              "--shard 2/4 and GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=4 and "
              "GTEST_SHARD_INDEX=1, GTEST_TOTAL_SHARDS=4");
  // A CI's shard with ctest's is the CI's: a test runner's stands alone.
  ExpectShard(Resolve({{"BUILDKITE_PARALLEL_JOB", "1"},
                       {"BUILDKITE_PARALLEL_JOB_COUNT", "2"},
                       {"TEST_SHARD_INDEX", "1"},
                       {"TEST_TOTAL_SHARDS", "2"}}),
              1, 2, ShardFrom::kCi,
              "Buildkite BUILDKITE_PARALLEL_JOB=1, BUILDKITE_PARALLEL_JOB_COUNT=2 and "
              "TEST_SHARD_INDEX=1, TEST_TOTAL_SHARDS=2");
  ExpectShard(Resolve({{"JOB_COMPLETION_INDEX", "0"}}, "1/3", 3), 0, 3,
              ShardFrom::kCommandLine,
              "--shard 1/3 and Kubernetes JOB_COMPLETION_INDEX=0, --shards 3");
}

TEST(CiShardTest, SourcesThatNameDifferentShardsAreAnError) {
  ExpectRefused(Resolve({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "2"}}, "1/2"),
                "the shard sources disagree: --shard 1/2 is shard 1 of 2 but GitLab "
                "CI_NODE_INDEX=2, CI_NODE_TOTAL=2 is shard 2 of 2 (drop --shard, or make "
                "it 2/2)");
  ExpectRefused(
      Resolve({{"CI_NODE_INDEX", "1"},
               {"CI_NODE_TOTAL", "2"},
               {"GTEST_SHARD_INDEX", "1"},
               {"GTEST_TOTAL_SHARDS", "2"}}),
      "the shard sources disagree: GitLab CI_NODE_INDEX=1, CI_NODE_TOTAL=2 is shard 1 of "
      "2 but GTEST_SHARD_INDEX=1, GTEST_TOTAL_SHARDS=2 is shard 2 of 2 (unset one of "
      "them)");
  // The same index of a different total is another shard.
  ExpectRefused(
      Resolve({{"CIRCLE_NODE_INDEX", "0"},
               {"CIRCLE_NODE_TOTAL", "2"},
               {"BUILDKITE_PARALLEL_JOB", "0"},
               {"BUILDKITE_PARALLEL_JOB_COUNT", "3"}}),
      "the shard sources disagree: CircleCI CIRCLE_NODE_INDEX=0, "
      "CIRCLE_NODE_TOTAL=2 is shard 1 of 2 but Buildkite "
      "BUILDKITE_PARALLEL_JOB=0, BUILDKITE_PARALLEL_JOB_COUNT=3 is shard 1 of 3 "
      "(unset one of them)");
  ExpectRefused(Resolve({{"JOB_COMPLETION_INDEX", "1"}}, "2/4", 3),
                "the shard sources disagree: --shard 2/4 is shard 2 of 4 but Kubernetes "
                "JOB_COMPLETION_INDEX=1, --shards 3 is shard 2 of 3 (drop --shard, or "
                "make it 2/3)");
  // The test runner's own two pairs keep their message.
  ExpectRefused(Resolve({{"GTEST_SHARD_INDEX", "0"},
                         {"GTEST_TOTAL_SHARDS", "2"},
                         {"TEST_SHARD_INDEX", "1"},
                         {"TEST_TOTAL_SHARDS", "2"}}),
                "the shard variables disagree: GTEST_SHARD_INDEX=0, GTEST_TOTAL_SHARDS=2 "
                "but TEST_SHARD_INDEX=1, TEST_TOTAL_SHARDS=2 (unset one pair)");
}

TEST(CiShardTest, ABadCiVariableSaysWhatIsWrong) {
  const std::vector<std::pair<Variables, std::string>> cases = {
      {{{"CI_NODE_INDEX", "1"}},
       "CI_NODE_INDEX is set but CI_NODE_TOTAL is not (set both, as GitLab does, or "
       "neither)"},
      {{{"CI_NODE_TOTAL", "4"}},
       "CI_NODE_TOTAL is set but CI_NODE_INDEX is not (set both, as GitLab does, or "
       "neither)"},
      {{{"CIRCLE_NODE_INDEX", "0"}},
       "CIRCLE_NODE_INDEX is set but CIRCLE_NODE_TOTAL is not (set both, as CircleCI "
       "does, or neither)"},
      {{{"BUILDKITE_PARALLEL_JOB_COUNT", "3"}},
       "BUILDKITE_PARALLEL_JOB_COUNT is set but BUILDKITE_PARALLEL_JOB is not (set both, "
       "as Buildkite does, or neither)"},
      {{{"CI_NODE_INDEX", "two"}, {"CI_NODE_TOTAL", "4"}},
       "CI_NODE_INDEX='two' is not a whole number"},
      {{{"CIRCLE_NODE_INDEX", "0"}, {"CIRCLE_NODE_TOTAL", ""}},
       "CIRCLE_NODE_TOTAL='' is not a whole number"},
      {{{"CI_NODE_INDEX", "-1"}, {"CI_NODE_TOTAL", "-1"}},
       "CI_NODE_INDEX=-1 is not a shard of CI_NODE_TOTAL=-1 (the index runs from 1 to "
       "TOTAL, and TOTAL is at least 1)"},
      // GitLab's first shard is 1, its last the total.
      {{{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "4"}},
       "CI_NODE_INDEX=0 is not a shard of CI_NODE_TOTAL=4 (the index runs from 1 to 4)"},
      {{{"CI_NODE_INDEX", "5"}, {"CI_NODE_TOTAL", "4"}},
       "CI_NODE_INDEX=5 is not a shard of CI_NODE_TOTAL=4 (the index runs from 1 to 4)"},
      {{{"CIRCLE_NODE_INDEX", "4"}, {"CIRCLE_NODE_TOTAL", "4"}},
       "CIRCLE_NODE_INDEX=4 is not a shard of CIRCLE_NODE_TOTAL=4 (the index runs from 0 "
       "to 3)"},
      {{{"BUILDKITE_PARALLEL_JOB", "0"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "0"}},
       "BUILDKITE_PARALLEL_JOB=0 is not a shard of BUILDKITE_PARALLEL_JOB_COUNT=0 (the "
       "index runs from 0 to TOTAL - 1, and TOTAL is at least 1)"},
  };
  for (const auto& [env, message] : cases) ExpectRefused(Resolve(env), message);
}

TEST(CiShardTest, OffLeavesTheCisVariablesAloneButNotTheTestRunners) {
  ExpectShard(Resolve({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "4"}}, "off"), 0, 1,
              ShardFrom::kNone, "");
  ExpectShard(
      Resolve({{"BUILDKITE_PARALLEL_JOB", "1"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "3"}},
              "off"),
      0, 1, ShardFrom::kNone, "");
  ExpectShard(Resolve({{"GTEST_SHARD_INDEX", "1"},
                       {"GTEST_TOTAL_SHARDS", "2"},
                       {"CIRCLE_NODE_INDEX", "0"},
                       {"CIRCLE_NODE_TOTAL", "3"}},
                      "off"),
              1, 2, ShardFrom::kTestRunner, "GTEST_SHARD_INDEX=1, GTEST_TOTAL_SHARDS=2");
}

TEST(CiShardTest, NoMoreThanTheMostShards) {
  ExpectRefused(Resolve({}, "1/1025"),
                "--shard must be K/N with N at most 1024, not '1/1025'");
  ExpectRefused(Resolve({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "5000"}}),
                "GitLab CI_NODE_INDEX=1, CI_NODE_TOTAL=5000 is shard 1 of 5000, but "
                "redqueen splits a suite into at most 1024 shards");
}

TEST(CiShardTest, AnIndexedJobsIndexNeedsShardsAndShardsNeedAnIndex) {
  // Without --shards, an Indexed Job's pod runs the whole suite.
  ExpectShard(Resolve({{"JOB_COMPLETION_INDEX", "2"}}), 0, 1, ShardFrom::kNone, "");
  ExpectRefused(Resolve({{"JOB_COMPLETION_INDEX", "3"}}, "", 3),
                "JOB_COMPLETION_INDEX=3 is not a shard of --shards 3 (the index runs "
                "from 0 to 2)");
  ExpectRefused(Resolve({{"JOB_COMPLETION_INDEX", "x"}}, "", 3),
                "JOB_COMPLETION_INDEX='x' is not a whole number");
  ExpectRefused(Resolve({}, "", 4),
                "--shards 4 says how many shards there are, but nothing says which this "
                "is (pass --shard K/4, or run in a Kubernetes Indexed Job, which sets "
                "JOB_COMPLETION_INDEX)");
  // With another source, --shards is its total, or wrong.
  ExpectShard(Resolve({}, "2/4", 4), 1, 4, ShardFrom::kCommandLine, "--shard 2/4");
  ExpectShard(Resolve({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "4"}}, "", 4), 1, 4,
              ShardFrom::kCi, "GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=4");
  ExpectRefused(
      Resolve({}, "2/4", 3),
      "--shards 3 but --shard 2/4 is shard 2 of 4 (drop --shards, or make it 4)");
  ExpectRefused(Resolve({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "4"}}, "", 2),
                "--shards 2 but GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=4 is shard 2 of 4 "
                "(drop --shards, or make it 4)");
}

TEST(CiShardTest, ShardOptionIsKOfNCountedFromOne) {
  EXPECT_EQ(CheckShardOption("1/1"), "");
  EXPECT_EQ(CheckShardOption("4/4"), "");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"3/2", "must be K/N with K from 1 to N (1 to 2 here), not '3/2'"},
      {"0/2", "must be K/N with K from 1 to N (1 to 2 here), not '0/2'"},
      {"1/0", "must be K/N with N at least 1, not '1/0'"},
      {"2", "must be K/N, shard K of N (e.g. 1/4, the first of four), not '2'"},
      {"a/b", "must be K/N, shard K of N (e.g. 1/4, the first of four), not 'a/b'"},
      {"1/2/3", "must be K/N, shard K of N (e.g. 1/4, the first of four), not '1/2/3'"},
      {"-1/2", "must be K/N, shard K of N (e.g. 1/4, the first of four), not '-1/2'"},
      {"/2", "must be K/N, shard K of N (e.g. 1/4, the first of four), not '/2'"},
      {"1/99999999999",
       "must be K/N, shard K of N (e.g. 1/4, the first of four), not '1/99999999999'"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_EQ(CheckShardOption(text), message);
    ExpectRefused(Resolve({}, text), "--shard " + message);
  }
}

TEST(CiShardTest, PawnsNeverSeeTheCiShardVariables) {
  const std::vector<std::string>& names = RunVariables();
  for (const char* name : {"CI_NODE_INDEX", "CI_NODE_TOTAL", "CIRCLE_NODE_INDEX",
                           "CIRCLE_NODE_TOTAL", "BUILDKITE_PARALLEL_JOB",
                           "BUILDKITE_PARALLEL_JOB_COUNT", "JOB_COMPLETION_INDEX"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

TEST(CiShardTest, PawnsSeeTheCisVariablesWhenTheyNamedNoShardOfThisRun) {
  auto hides = [](ShardFrom from, const char* name) {
    ShardSpec shard;
    shard.from = from;
    const std::vector<std::string> hidden = HiddenFromPawns(shard);
    return std::find(hidden.begin(), hidden.end(), name) != hidden.end();
  };
  for (const char* name :
       {"CI_NODE_INDEX", "CIRCLE_NODE_TOTAL", "JOB_COMPLETION_INDEX"}) {
    EXPECT_TRUE(hides(ShardFrom::kCi, name)) << name;
    EXPECT_TRUE(hides(ShardFrom::kCommandLine, name)) << name;
    EXPECT_FALSE(hides(ShardFrom::kNone, name)) << name;
    EXPECT_FALSE(hides(ShardFrom::kTestRunner, name)) << name;
  }
  for (ShardFrom from : {ShardFrom::kNone, ShardFrom::kCi, ShardFrom::kTestRunner}) {
    EXPECT_TRUE(hides(from, "GTEST_SHARD_INDEX")) << "gtest would shard again";
  }
}

/// The command line with the CI's variables set: in a fresh folder (no
/// settings file) with every shard variable unset but those a test sets.
class ShardCommandLineTest : public testing::Test {
 protected:
  void SetUp() override {
    old_cwd_ = std::filesystem::current_path();
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("ci_shard_test_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::current_path(dir_);
    UnsetAll();
  }
  void TearDown() override {
    UnsetAll();
    std::filesystem::current_path(old_cwd_);
    std::filesystem::remove_all(dir_);
  }

  static void UnsetAll() {
    for (const std::string& name : RunVariables()) unsetenv(name.c_str());
    unsetenv("REDQUEEN_JOBS");
    unsetenv("REDQUEEN_DB");
  }

  /// Parses "redqueen ARGS" with `env` set, and no other shard variable;
  /// the exit code when it says not to run, else -1.
  int Parse(std::vector<std::string> args, const Variables& env = {}) {
    UnsetAll();
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    return ParseArgs(std::move(args), &options_);
  }

  /// What `redqueen config ARGS` prints, with `env` set.
  std::string Config(std::vector<std::string> args, const Variables& env = {}) {
    args.insert(args.begin(), "config");
    if (Parse(std::move(args), env) != -1) return "(refused)";
    testing::internal::CaptureStdout();
    PrintConfig(options_);
    std::fflush(stdout);
    return testing::internal::GetCapturedStdout();
  }

  RunOptions options_;
  std::filesystem::path dir_;
  std::filesystem::path old_cwd_;
};

TEST_F(ShardCommandLineTest, RunTakesTheShardAndThePartition) {
  ASSERT_EQ(Parse({"run", "bin", "--shard", "2/4", "--partition", "hash"}), -1);
  EXPECT_EQ(options_.shard_option, "2/4");
  EXPECT_EQ(options_.shard.index, 1);
  EXPECT_EQ(options_.shard.total, 4);
  EXPECT_EQ(options_.shard.from, ShardFrom::kCommandLine);
  EXPECT_EQ(options_.partition, "hash");
  ASSERT_EQ(Parse({"run", "bin"}, {{"JOB_COMPLETION_INDEX", "1"}}), -1);
  EXPECT_EQ(options_.shard.total, 1) << "no --shards: no shard";
  ASSERT_EQ(Parse({"run", "bin", "--shards", "3"}), 2);
  ASSERT_EQ(Parse({"run", "bin", "--shards", "3"}, {{"JOB_COMPLETION_INDEX", "1"}}), -1);
  EXPECT_EQ(options_.shards, 3);
  EXPECT_EQ(options_.shard.index, 1);
  EXPECT_EQ(options_.shard.source, "Kubernetes JOB_COMPLETION_INDEX=1, --shards 3");
  EXPECT_EQ(options_.partition, "");
}

TEST_F(ShardCommandLineTest, BadShardOptionsOrDisagreeingSourcesAreBadUsage) {
  EXPECT_EQ(Parse({"run", "bin", "--shard", "3/2"}), 2);
  EXPECT_EQ(Parse({"run", "bin", "--shard", "1/0"}), 2);
  EXPECT_EQ(Parse({"run", "bin", "--shards", "0"}), 2);
  EXPECT_EQ(Parse({"run", "bin", "--partition", "size"}), 2);
  EXPECT_EQ(Parse({"run", "bin", "--shard", "1/2"},
                  {{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "2"}}),
            2);
  EXPECT_EQ(Parse({"run", "bin"}, {{"CI_NODE_INDEX", "3"}, {"CI_NODE_TOTAL", "2"}}), 2);
  EXPECT_EQ(Parse({"run", "bin", "--shard", "2/2"},
                  {{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "2"}}),
            -1);
}

TEST_F(ShardCommandLineTest, AListingTakesTheShardButNotAPartitionByHistory) {
  ASSERT_EQ(Parse({"list", "bin", "--shard", "1/2", "--partition", "hash"}), -1);
  EXPECT_EQ(options_.shard.total, 2);
  EXPECT_EQ(Parse({"list", "bin", "--partition", "count"}), -1);
  EXPECT_EQ(Parse({"list", "bin", "--shard", "1/2", "--partition", "time"}), 2);
  EXPECT_EQ(Parse({"run", "bin", "--shard", "1/2", "--partition", "time"}), -1);
}

TEST_F(ShardCommandLineTest, APlanTakesItsShardsAndTheirPawnsButNoShardOfItsOwn) {
  ASSERT_EQ(Parse({"plan", "bin", "--shards", "3", "--shard-jobs", "4,2,2"}), -1);
  EXPECT_TRUE(options_.plan_only);
  EXPECT_EQ(options_.shards, 3);
  EXPECT_EQ(options_.shard_jobs, (std::vector<int>{4, 2, 2}));
  EXPECT_EQ(options_.shard.total, 1) << "a plan's --shards is how many it plans";
  EXPECT_EQ(Parse({"plan", "bin", "--shards", "2", "--shard-jobs", "4,2,2"}), 2);
  EXPECT_EQ(Parse({"plan", "bin", "--target-time", "5m", "--shard-jobs", "4"}), 2);
  EXPECT_EQ(Parse({"plan", "bin"}), 2) << "how many shards?";
  EXPECT_EQ(Parse({"plan", "bin", "--shards", "2", "--target-time", "5m"}), 2);
  EXPECT_EQ(Parse({"plan", "bin", "--shards", "2", "--shard", "1/2"}), 2);
  EXPECT_EQ(Parse({"run", "bin", "--shard-jobs", "2,2"}), 2) << "for plan alone";
  EXPECT_EQ(Parse({"run", "bin", "-o", "plan.json"}), 2) << "for plan alone";
}

TEST_F(ShardCommandLineTest, ConfigSaysWhichShardFromWhereAndHowItIsSplit) {
  EXPECT_THAT(Config({}, {{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "4"}}),
              HasSubstr("# shard 2 of 4 of each binary's selected tests, from GitLab "
                        "CI_NODE_INDEX=2, CI_NODE_TOTAL=4; partition by time, or by hash "
                        "without history\n"));
  EXPECT_THAT(
      Config({}, {{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "2"}}),
      HasSubstr("# shard 1 of 2 of each binary's selected tests, from "
                "GTEST_SHARD_INDEX=0, GTEST_TOTAL_SHARDS=2; partition by count, as "
                "GoogleTest shards\n"));
  const std::string given = Config({"--shard", "3/3", "--partition", "hash"});
  EXPECT_THAT(given, HasSubstr("# shard 3 of 3 of each binary's selected tests, from "
                               "--shard 3/3; partition by hash\n"));
  EXPECT_THAT(given, testing::ContainsRegex("partition = \"hash\" +# command line"));
  EXPECT_THAT(Config({}), testing::Not(HasSubstr("# shard")));
}

}  // namespace
}  // namespace redqueen::queen
