#include "queen/store_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "rook/estimate.h"

namespace redqueen::queen {
namespace {

std::vector<proto::TestInfo> Tests() {
  return {
      {"A.a", "a.cc", 1, "", ""}, {"A.b", "a.cc", 2, "", ""}, {"A.c", "a.cc", 3, "", ""}};
}

TestResult Result(uint32_t index, TestStatus status, uint64_t us, bool final = true) {
  TestResult result;
  result.index = index;
  result.status = status;
  result.duration_us = us;
  result.final = final;
  return result;
}

class StoreSinkTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("store_sink_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::string error;
    store_ = bishop::Store::Open((dir_ / "redqueen.db").string(), &error);
    ASSERT_TRUE(store_) << error;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t BeginRun() { return store_->BeginRun({"2026-01-01T00:00:00.000Z", "run", 1}); }

  /// The store's history of `tests` for bin/a, aligned with them.
  History Saved(const std::vector<proto::TestInfo>& tests) {
    const auto suite = store_->LoadSuite("bin/a");
    return suite ? Carry(suite->past, tests) : History(tests.size());
  }

  std::filesystem::path dir_;
  std::unique_ptr<bishop::Store> store_;
};

TEST_F(StoreSinkTest, HistoryGainsThisRunsFinalOutcomesWithoutSkipsOrRetriedAttempts) {
  const auto tests = Tests();
  const int64_t run = BeginRun();
  StoreSink sink("bin/a", "");
  sink.Begin(store_.get(), run);
  sink.OnTestsListed(tests, {0, 1, 2}, proto::ListHash(tests));
  sink.OnResult(Result(0, TestStatus::kPassed, 10), {});
  sink.OnResult(Result(1, TestStatus::kFailed, 99, /*final=*/false), {});
  sink.OnResult(Result(1, TestStatus::kFlaky, 20), {});
  sink.OnResult(Result(2, TestStatus::kSkipped, 1), {});
  sink.SaveSuite(proto::ListHash(tests), {});
  store_->FinishRun(run, {});

  const auto suite = store_->LoadSuite("bin/a");
  ASSERT_TRUE(suite);
  EXPECT_EQ(suite->past.list_hash, proto::ListHash(tests));
  ASSERT_EQ(suite->past.tests.size(), 3u);
  const History& history = suite->past.history;
  EXPECT_EQ(rook::ExpectedDuration(history[0]), 10u);
  EXPECT_EQ(history[1].passes, 1) << "a retried attempt is not an outcome";
  EXPECT_EQ(rook::ExpectedDuration(history[1]), 20u) << "FLAKY passed in the end";
  EXPECT_FALSE(history[1].failed_last);
  EXPECT_EQ(history[2].passes, 0) << "a skip says nothing";
  EXPECT_FALSE(history[2].failed_last);
}

TEST_F(StoreSinkTest, TheSuiteKeepsWhatListedItOnlyWhenTold) {
  const auto tests = Tests();
  proto::ListingIdentity identity;
  identity.binary = {1, 2, 3, 4, "build-id:ab"};
  identity.context = 5;
  {
    StoreSink sink("bin/a", "");
    sink.Begin(store_.get(), BeginRun());
    sink.OnTestsListed(tests, {0, 1, 2}, proto::ListHash(tests));
    sink.ListedBy(identity);
    sink.SaveSuite(proto::ListHash(tests), {});
  }
  auto suite = store_->LoadSuite("bin/a");
  ASSERT_TRUE(suite);
  EXPECT_EQ(suite->listed_by, identity);
  {
    StoreSink sink("bin/a", "");
    sink.Begin(store_.get(), BeginRun());
    sink.Remember(*suite);
    sink.OnTestsListed(tests, {0, 1, 2}, proto::ListHash(tests));
    sink.SaveSuite(proto::ListHash(tests), {});
  }
  suite = store_->LoadSuite("bin/a");
  ASSERT_TRUE(suite);
  EXPECT_FALSE(suite->listed_by) << "a run that did not say what listed forgets it";
}

TEST_F(StoreSinkTest, TheRememberedIdsServeAnUnchangedListAndAChangedOneIsLookedUp) {
  const auto tests = Tests();
  const int64_t first = BeginRun();
  StoreSink sink("bin/a", "");
  sink.Begin(store_.get(), first);
  sink.OnTestsListed(tests, {0, 1, 2}, proto::ListHash(tests));
  for (uint32_t i = 0; i < 3; ++i) sink.OnResult(Result(i, TestStatus::kPassed, 5), {});
  sink.SaveSuite(proto::ListHash(tests), {});
  store_->FinishRun(first, {});
  const auto suite = store_->LoadSuite("bin/a");
  ASSERT_TRUE(suite);
  EXPECT_EQ(suite->test_ids, store_->AddTests("bin/a", tests));

  // The same list: the ids come from the suite (these are made up, to tell).
  bishop::SuiteRecord made_up = *suite;
  made_up.test_ids = {901, 902, 903};
  StoreSink same("bin/a", "");
  same.Begin(store_.get(), BeginRun());
  same.Remember(made_up);
  same.OnTestsListed(tests, {0}, proto::ListHash(tests));
  same.OnResult(Result(0, TestStatus::kPassed, 5), {});
  store_->Flush();
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(store_->db(), "SELECT max(test_id) FROM executions", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), 901);
  sqlite3_finalize(stmt);

  // A test moved: the list differs, so the store is asked.
  auto moved = tests;
  moved[2].line = 30;
  StoreSink changed("bin/a", "");
  changed.Begin(store_.get(), BeginRun());
  changed.Remember(made_up);
  changed.OnTestsListed(moved, {2}, proto::ListHash(moved));
  changed.OnResult(Result(2, TestStatus::kPassed, 5), {});
  store_->Flush();
  ASSERT_EQ(sqlite3_prepare_v2(store_->db(),
                               "SELECT test_id FROM executions ORDER BY id DESC LIMIT 1",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), suite->test_ids[2]);
  sqlite3_finalize(stmt);
}

TEST_F(StoreSinkTest, TwoRunsOfOneBinaryEndingInTurnKeepBothRunsOutcomes) {
  const auto tests = Tests();
  // Both runs began before either ended, so both saw no suite.
  const int64_t one = BeginRun();
  const int64_t two = BeginRun();
  StoreSink first("bin/a", "");
  first.Begin(store_.get(), one);
  StoreSink second("bin/a", "");
  second.Begin(store_.get(), two);
  first.OnTestsListed(tests, {0}, proto::ListHash(tests));
  second.OnTestsListed(tests, {1}, proto::ListHash(tests));
  first.OnResult(Result(0, TestStatus::kPassed, 10), {});
  second.OnResult(Result(1, TestStatus::kFailed, 20), {});
  first.SaveSuite(proto::ListHash(tests), {});
  store_->FinishRun(one, {});
  second.SaveSuite(proto::ListHash(tests), {});
  store_->FinishRun(two, {});

  const History history = Saved(tests);
  EXPECT_EQ(rook::ExpectedDuration(history[0]), 10u) << "the first run's pass was kept";
  EXPECT_TRUE(history[1].failed_last);
  EXPECT_EQ(store_->LoadSuite("bin/a")->run_id, two);
}

}  // namespace
}  // namespace redqueen::queen
