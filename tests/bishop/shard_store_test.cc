// What the store keeps of CI shards for `redqueen merge`: a run's shard, the
// tests it selected or ran, and the shard each execution of a merged run
// came from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <tuple>

#include "bishop/store.h"
#include "tests/bishop/older_store.h"

namespace redqueen::bishop {
namespace {

TestResult ResultOf(TestStatus status) {
  TestResult result;
  result.status = status;
  return result;
}

class ShardStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("shard_store_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "redqueen.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    std::string error;
    auto store = Store::Open(path_, &error);
    EXPECT_TRUE(store) << error;
    return store;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(ShardStoreTest, ARunsShardAndTheTestsItSelectedOrRanReadBack) {
  auto store = Open();
  ASSERT_TRUE(store);
  const int64_t run = store->BeginRun({"t", "c", 1});
  const auto ids = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""},
                                             {"A.b", "a.cc", 2, "int", ""},
                                             {"A.c", "a.cc", 3, "", "7"},
                                             {"A.d", "a.cc", 4, "", ""}});
  store->RecordShard(run, {1, 3, "time", "a1b2", "ci-7"});
  store->RecordShardTests(run, {ids[1], ids[2]});
  store->AddExecution(run, ids[0], ResultOf(TestStatus::kPassed));
  store->AddExecution(run, ids[2], ResultOf(TestStatus::kPassed));
  store->FinishRun(run, {});
  const ShardRecord shard = store->ShardOf(run).value();
  EXPECT_EQ(std::tie(shard.index, shard.count, shard.partition, shard.history_digest,
                     shard.host),
            std::make_tuple(1, 3, std::string("time"), std::string("a1b2"),
                            std::string("ci-7")));
  EXPECT_FALSE(store->ShardOf(run + 1));
  std::vector<std::string> tests;
  for (const StoredTest& t : store->RunTests(run)) {
    tests.push_back(t.binary + " " + t.info.name + " " + t.info.type_param + "/" +
                    t.info.value_param + (t.selected ? " selected" : ""));
  }
  EXPECT_THAT(tests, testing::ElementsAre("bin/a A.a /", "bin/a A.b int/ selected",
                                          "bin/a A.c /7 selected"));
}

TEST_F(ShardStoreTest, AVersion6StoresExecutionsAsRunInTheRunsOwnShard) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    const int64_t run = store->BeginRun({"t", "c", 1});
    const auto ids = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}});
    store->AddExecution(run, ids[0], ResultOf(TestStatus::kPassed));
    store->FinishRun(run, {});
    ASSERT_EQ(BackToVersion8(store->db()), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(store->db(),
                           "ALTER TABLE executions DROP COLUMN shard; "
                           "DROP TABLE bench_samples; DROP TABLE bench_errors; "
                           "DROP TABLE bench_runs; PRAGMA user_version = 6",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->SchemaVersion(), kSchemaVersion);
  const int64_t run = store->BeginRun({"t", "c", 1});
  TestResult merged = ResultOf(TestStatus::kFailed);
  merged.shard = 3;
  store->AddExecution(run, 1, merged);
  store->FinishRun(run, {});
  std::vector<uint32_t> shards;
  for (int64_t id : {int64_t{1}, run}) {
    for (const RunExecution& e : store->RunExecutions(id)) shards.push_back(e.shard);
  }
  EXPECT_EQ(shards, (std::vector<uint32_t>{0, 3}));
}

}  // namespace
}  // namespace redqueen::bishop
