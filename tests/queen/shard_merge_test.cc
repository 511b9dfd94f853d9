#include "queen/shard_merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bishop/suite.h"

namespace redqueen::queen {
namespace {

using testing::AllOf;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::Not;

/// A.a, A.b, ...
std::vector<proto::TestInfo> Tests(size_t n = 4) {
  std::vector<proto::TestInfo> tests;
  for (size_t i = 0; i < n; ++i) {
    tests.push_back({"A." + std::string(1, static_cast<char>('a' + i)), "a.cc",
                     static_cast<int32_t>(i + 1), "", ""});
  }
  return tests;
}

/// One shard's store as a --shard run writes it.
struct Shard {
  int index = 0;
  int count = 2;
  size_t tests = 4;  ///< How many of Tests() the binary has.
  std::string partition = "hash";
  std::string digest = "0";
  std::string status = "passed";  ///< "running": never finished.
  std::vector<size_t> ran;        ///< Indexes into Tests(); default: by index mod count.
  std::vector<size_t> selected;   ///< Default: every test.
  std::vector<TestResult> extra;  ///< More executions (`index` into Tests()).
  TestStatus status_of_ran = TestStatus::kPassed;
};

TestResult Result(uint32_t index, TestStatus status, uint64_t us) {
  TestResult result;
  result.index = index;
  result.status = status;
  result.duration_us = us;
  result.finished_us = 1'000'000 + index;
  return result;
}

class ShardMergeTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("shard_merge_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<bishop::Store> Open(const std::string& name) {
    std::string error;
    auto store = bishop::Store::Open((dir_ / name).string(), &error);
    EXPECT_TRUE(store) << error;
    return store;
  }

  /// Writes `shard` into the store `name`; returns its path.
  std::string Write(const std::string& name, Shard shard) {
    const std::vector<proto::TestInfo> tests = Tests(shard.tests);
    const bool by_index = shard.ran.empty();
    const bool every_test = shard.selected.empty();
    for (size_t i = 0; i < tests.size(); ++i) {
      if (by_index && static_cast<int>(i) % shard.count == shard.index) {
        shard.ran.push_back(i);
      }
      if (every_test) shard.selected.push_back(i);
    }
    auto store = Open(name);
    const int64_t run =
        store->BeginRun({"2026-01-01T00:00:0" + std::to_string(shard.index) + ".000Z",
                         "redqueen run --shard", 2});
    const std::vector<int64_t> ids = store->AddTests("bin/a", tests);
    store->RecordShard(run, {shard.index, shard.count, shard.partition, shard.digest,
                             "host" + std::to_string(shard.index)});
    std::vector<int64_t> selected;
    for (size_t i : shard.selected) selected.push_back(ids[i]);
    store->RecordShardTests(run, selected);
    for (size_t i : shard.ran) {
      store->AddExecution(run, ids[i],
                          Result(static_cast<uint32_t>(i), shard.status_of_ran, 100 + i));
    }
    for (const TestResult& e : shard.extra) store->AddExecution(run, ids[e.index], e);
    store->SaveSuite("bin/a", "", 0, run,
                     bishop::EncodeSuite(proto::ListHash(tests), tests, ids, {}));
    if (shard.status == "running") {
      store->Flush();
    } else {
      bishop::RunSummaryRecord summary;
      summary.status = shard.status;
      summary.completed_at = "2026-01-01T00:00:1" + std::to_string(shard.index) + ".000Z";
      store->FinishRun(run, summary);
    }
    return (dir_ / name).string();
  }

  std::vector<ShardRun> Load(const std::vector<std::string>& paths) {
    std::vector<ShardRun> shards(paths.size());
    for (size_t i = 0; i < paths.size(); ++i) {
      std::string error;
      EXPECT_TRUE(LoadShard(paths[i], &shards[i], &error)) << error;
    }
    return shards;
  }

  std::vector<std::string> Check(const std::vector<std::string>& paths) {
    return CheckShards(Load(paths));
  }

  std::filesystem::path dir_;
};

TEST_F(ShardMergeTest, ShardsThatRunEveryTestOnceAddUp) {
  EXPECT_THAT(Check({Write("1.db", {.index = 0}), Write("2.db", {.index = 1})}),
              IsEmpty());
}

TEST_F(ShardMergeTest, RetriesAndRepetitionsInsideOneShardAreNotTwoShards) {
  TestResult retried = Result(0, TestStatus::kFailed, 5);
  retried.final = false;
  TestResult repeated = Result(0, TestStatus::kPassed, 5);
  repeated.repetition = 1;
  EXPECT_THAT(Check({Write("1.db", {.index = 0, .extra = {retried, repeated}}),
                     Write("2.db", {.index = 1})}),
              IsEmpty());
}

TEST_F(ShardMergeTest, ATestNoShardRanIsNamed) {
  EXPECT_THAT(
      Check({Write("1.db", {.index = 0}), Write("2.db", {.index = 1, .ran = {1}})}),
      ElementsAre(AllOf(HasSubstr("1 test was selected and ran in no shard ("),
                        HasSubstr("A.d)"), Not(HasSubstr("A.b")))));
}

TEST_F(ShardMergeTest, ATestTwoShardsRanIsNamedWithItsShards) {
  EXPECT_THAT(
      Check({Write("1.db", {.index = 0}), Write("2.db", {.index = 1, .ran = {1, 2, 3}})}),
      ElementsAre(AllOf(HasSubstr("1 test ran in more than one shard ("),
                        HasSubstr("A.c (shards 1 and 2)"))));
}

TEST_F(ShardMergeTest, ManyTestsAreNamedUpToTenThenCounted) {
  EXPECT_THAT(
      Check({Write("1.db", {.index = 0, .tests = 14, .ran = {0}}),
             Write("2.db", {.index = 1, .tests = 14, .ran = {1}})}),
      ElementsAre(AllOf(HasSubstr("12 tests were selected and ran in no shard "
                                  "(bin/a: A.c, bin/a: A.d,"),
                        HasSubstr("bin/a: A.l and 2 more)"), Not(HasSubstr("A.m")))));
}

TEST_F(ShardMergeTest, ShardsOfDifferentHistoriesAreRefused) {
  EXPECT_THAT(Check({Write("1.db", {.index = 0, .digest = "a1b2"}),
                     Write("2.db", {.index = 1, .digest = "c3d4"})}),
              ElementsAre("shards 1 and 2 split by different histories (digests a1b2 and "
                          "c3d4): give every machine the same store"));
}

TEST_F(ShardMergeTest, ShardsOfDifferentPartitionsAreRefused) {
  EXPECT_THAT(
      Check({Write("1.db", {.index = 0, .partition = "time"}),
             Write("2.db", {.index = 1, .partition = "hash"})}),
      ElementsAre(HasSubstr("shards 1 and 2 split by different partitions (time "
                            "and hash): give every machine the same --partition")));
}

TEST_F(ShardMergeTest, ShardsOfDifferentCountsAreRefused) {
  const std::string one = Write("1.db", {.index = 0, .count = 2});
  const std::string two = Write("2.db", {.index = 1, .count = 3});
  EXPECT_THAT(Check({one, two}),
              ElementsAre(AllOf(HasSubstr("different splits ('" + one +
                                          "' is shard 1 of "
                                          "2, '" +
                                          two + "' is shard 2 of 3)"))));
}

TEST_F(ShardMergeTest, MissingShardsAreNamed) {
  EXPECT_THAT(
      Check({Write("1.db", {.index = 0, .count = 4}),
             Write("3.db", {.index = 2, .count = 4})}),
      ElementsAre("shards 2 and 4 of 4 are missing: pass every shard's store, one "
                  "from each machine"));
}

TEST_F(ShardMergeTest, OneShardTwiceIsRefused) {
  const std::string one = Write("1.db", {.index = 0});
  const std::string copy = Write("copy.db", {.index = 0});
  EXPECT_THAT(Check({one, copy}),
              ElementsAre("shard stores '" + one + "' and '" + copy +
                              "' are both shard 1 of 2: pass each shard's store once",
                          HasSubstr("shard 2 of 2 is missing")));
}

TEST_F(ShardMergeTest, ShardsThatSelectedDifferentTestsAreRefused) {
  EXPECT_THAT(Check({Write("1.db", {.index = 0}),
                     Write("2.db", {.index = 1, .ran = {1}, .selected = {0, 1, 2}})}),
              ElementsAre("shards 1 and 2 selected different tests (1 test only in shard "
                          "1: bin/a: A.d; 0 tests only in shard 2): run every shard with "
                          "the same binaries, targets and filter"));
}

TEST_F(ShardMergeTest, AnUnfinishedRunIsRefused) {
  EXPECT_THAT(Check({Write("1.db", {.index = 0, .status = "running"}),
                     Write("2.db", {.index = 1})}),
              ElementsAre(HasSubstr("1.db': its newest run (1) has not finished")));
}

TEST_F(ShardMergeTest, ARunThatIsNoShardIsRefused) {
  EXPECT_THAT(Check({Write("1.db", {.index = 0, .count = 1})}),
              ElementsAre(HasSubstr("1.db': its newest run (1) is not a CI shard's")));
}

TEST_F(ShardMergeTest, AMissingOrUnreadableStoreIsNamed) {
  ShardRun shard;
  std::string error;
  EXPECT_FALSE(LoadShard((dir_ / "none.db").string(), &shard, &error));
  EXPECT_THAT(error, HasSubstr("shard store '" + (dir_ / "none.db").string() +
                               "' does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none.db"));
  std::ofstream(dir_ / "text.db") << "not a database, not at all, no tables here\n";
  EXPECT_FALSE(LoadShard((dir_ / "text.db").string(), &shard, &error));
  EXPECT_THAT(error, HasSubstr("shard store '" + (dir_ / "text.db").string() +
                               "' cannot be read: not a redqueen store"));
}

TEST_F(ShardMergeTest, TheMergedRunSumsTheShardsAndKeepsWhereEachTestRan) {
  const auto shards =
      Load({Write("2.db",
                  {.index = 1, .status = "failed", .status_of_ran = TestStatus::kFailed}),
            Write("1.db", {.index = 0})});
  ASSERT_THAT(CheckShards(shards), IsEmpty());
  auto out = Open("merged.db");
  const int64_t run = MergeShards(*out, shards, "redqueen merge 1.db 2.db");
  const bishop::RunRow row = out->Runs(1, run).at(0);
  EXPECT_EQ(row.run.command, "redqueen merge 1.db 2.db");
  EXPECT_EQ(row.run.jobs, 4);
  EXPECT_EQ(row.run.started_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(row.summary.completed_at, "2026-01-01T00:00:11.000Z");
  EXPECT_DOUBLE_EQ(row.summary.execution_time, 11);
  EXPECT_EQ(row.summary.status, "failed");
  EXPECT_EQ(row.summary.total_tests, 4);
  EXPECT_EQ(row.summary.tests_passed, 2);
  EXPECT_EQ(row.summary.tests_failed, 2);
  const bishop::ShardRecord shard = out->ShardOf(run).value();
  EXPECT_EQ(shard.index, bishop::kMergedShards);
  EXPECT_EQ(shard.count, 2);
  EXPECT_EQ(shard.host, "host0,host1");
  std::vector<std::string> ran;
  for (const bishop::RunExecution& e : out->RunExecutions(run)) {
    ran.push_back(e.name + " " + std::to_string(e.shard) + " " +
                  std::string(StatusName(e.status)));
  }
  EXPECT_THAT(
      ran, ElementsAre("A.a 1 PASSED", "A.b 2 FAILED", "A.c 1 PASSED", "A.d 2 FAILED"));
}

TEST_F(ShardMergeTest, AMergeThatFailsHalfwayLeavesARunInErrorAndNoResults) {
  auto shards = Load({Write("1.db", {.index = 0}), Write("2.db", {.index = 1})});
  ASSERT_THAT(CheckShards(shards), IsEmpty());
  // An execution of a binary no shard listed: the merge throws halfway.
  bishop::RunExecution ghost = shards[1].executions.front();
  ghost.binary = "bin/ghost";
  shards[1].executions.push_back(ghost);
  auto out = Open("merged.db");
  EXPECT_THROW(MergeShards(*out, shards, "redqueen merge"), std::exception);
  const std::vector<bishop::RunRow> runs = out->Runs(10);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].summary.status, "error") << "not left 'running'";
  EXPECT_THAT(out->RunExecutions(runs[0].id), IsEmpty()) << "nothing half-merged";
  EXPECT_FALSE(out->LoadSuite("bin/a")) << "no history from a merge that failed";
}

TEST_F(ShardMergeTest, TheMergedStoresHistoryLearnsEveryShardsDurations) {
  {
    auto out = Open("merged.db");
    const int64_t before = out->BeginRun({"2025-12-31T00:00:00.000Z", "run", 1});
    const std::vector<int64_t> ids = out->AddTests("bin/a", {Tests()[0]});
    History history(1);
    history[0].Record(true, 7);
    out->SaveSuite(
        "bin/a", "", 0, before,
        bishop::EncodeSuite(proto::ListHash({Tests()[0]}), {Tests()[0]}, ids, history));
    out->Flush();
  }
  const auto shards = Load({Write("1.db", {.index = 0}), Write("2.db", {.index = 1})});
  auto out = Open("merged.db");
  const int64_t run = MergeShards(*out, shards, "redqueen merge");
  const bishop::SuiteRecord suite = out->LoadSuite("bin/a").value();
  EXPECT_EQ(suite.run_id, run);
  ASSERT_EQ(suite.past.tests, Tests());
  ASSERT_EQ(suite.past.history.size(), 4u);
  EXPECT_EQ(suite.past.history[0].passes, 2);  // The old one's, carried, and this.
  EXPECT_EQ(suite.past.history[0].passing_us[0], 100u);
  EXPECT_EQ(suite.past.history[0].passing_us[1], 7u);
  EXPECT_EQ(suite.past.history[1].passes, 1);  // From shard 2.
  EXPECT_EQ(suite.past.history[3].passing_us[0], 103u);
}

}  // namespace
}  // namespace redqueen::queen
