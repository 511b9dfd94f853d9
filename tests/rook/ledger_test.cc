#include "rook/ledger.h"

#include <gtest/gtest.h>

namespace redqueen::rook {
namespace {

TestResult Attempt(uint32_t index, TestStatus status, uint64_t duration_us = 0) {
  TestResult result;
  result.index = index;
  result.status = status;
  result.duration_us = duration_us;
  result.pawn = 3;
  return result;
}

TEST(LedgerTest, AFailureWithRetriesLeftRunsAgainOnAnotherPawnAndIsNotFinal) {
  Ledger ledger(/*retries=*/1, /*repeat=*/1);
  ledger.BeginRepetition(1);
  const Conclusion first =
      ledger.Conclude({7, 0, 1}, Attempt(7, TestStatus::kFailed), true);
  ASSERT_TRUE(first.again);
  EXPECT_EQ(first.again->index, 7u);
  EXPECT_EQ(first.again->attempt, 2u);
  EXPECT_EQ(first.again->avoid_pawn, 3);
  EXPECT_FALSE(first.result.final);
  EXPECT_FALSE(ledger.Record(first.result)) << "not final: not a final failure";
  EXPECT_EQ(ledger.open(), 1u);
  EXPECT_EQ(ledger.totals().total_tests, 0);
}

TEST(LedgerTest, ARetryThatPassesIsFlaky) {
  Ledger ledger(1, 1);
  ledger.BeginRepetition(1);
  const Conclusion retry =
      ledger.Conclude({7, 0, 2}, Attempt(7, TestStatus::kPassed), true);
  EXPECT_FALSE(retry.again);
  EXPECT_TRUE(retry.result.final);
  EXPECT_EQ(retry.result.status, TestStatus::kFlaky);
  EXPECT_EQ(retry.result.attempt, 2u);
  ledger.Record(retry.result);
  EXPECT_EQ(ledger.totals().flaky, 1);
  EXPECT_EQ(ledger.totals().tests_passed, 1);
  EXPECT_EQ(ledger.open(), 0u);
}

TEST(LedgerTest, NoRetryPastTheLimitNorWhileTheRunStops) {
  Ledger ledger(1, 1);
  ledger.BeginRepetition(2);
  EXPECT_FALSE(ledger.Conclude({1, 0, 2}, Attempt(1, TestStatus::kCrashed), true).again);
  const Conclusion stopping =
      ledger.Conclude({2, 0, 1}, Attempt(2, TestStatus::kTimeout), false);
  EXPECT_FALSE(stopping.again);
  EXPECT_TRUE(ledger.Record(stopping.result)) << "a final failure";
  EXPECT_EQ(ledger.totals().tests_failed, 1);
}

TEST(LedgerTest, RepetitionsPassOnlyWhenEveryTestOfThemPassed) {
  Ledger ledger(0, 3);
  EXPECT_EQ(ledger.BeginRepetition(2), 0u);
  EXPECT_EQ(ledger.BeginRepetition(2), 1u);
  EXPECT_TRUE(ledger.MoreRepetitions());
  for (uint32_t index : {0u, 1u}) {
    ledger.Record(
        ledger.Conclude({index, 0, 1}, Attempt(index, TestStatus::kPassed), true).result);
  }
  ledger.Record(ledger.Conclude({0, 1, 1}, Attempt(0, TestStatus::kFailed), true).result);
  ledger.Record(ledger.Conclude({1, 1, 1}, Attempt(1, TestStatus::kPassed), true).result);
  EXPECT_EQ(ledger.repetitions_begun(), 2u);
  EXPECT_EQ(ledger.RepetitionsPassed(), 1u);
  ledger.BeginRepetition(2);
  EXPECT_FALSE(ledger.MoreRepetitions()) << "3 of 3 begun";
  EXPECT_EQ(ledger.RepetitionsPassed(), 1u) << "an open repetition has not passed";
  EXPECT_TRUE(Ledger(0, 0).MoreRepetitions()) << "0: until stopped";
}

TEST(LedgerTest, TheUnfinishedAreSkippedForTheirReasonInRegistrationOrder) {
  const auto results = Ledger::NotRunResults({{5, 1, 1}, {9, 0, 2}, {2, 1, 1}, {4, 0, 1}},
                                             NotRun::kFailFast);
  ASSERT_EQ(results.size(), 4u);
  const std::vector<std::pair<uint32_t, uint32_t>> order = {
      {0, 4}, {0, 9}, {1, 2}, {1, 5}};
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(std::make_pair(results[i].repetition, results[i].index), order[i]) << i;
    EXPECT_EQ(results[i].status, TestStatus::kSkipped);
    EXPECT_EQ(results[i].not_run, NotRun::kFailFast);
    EXPECT_EQ(results[i].skip_message, NotRunMessage(NotRun::kFailFast));
  }
  EXPECT_EQ(results[1].attempt, 2u);
}

TEST(LedgerTest, AMemoryKillRunsATestAgainOncePerRepetition) {
  Ledger ledger(0, 2);
  EXPECT_TRUE(ledger.FirstMemoryKill({4, 0, 1}));
  EXPECT_FALSE(ledger.FirstMemoryKill({4, 0, 1}));
  EXPECT_TRUE(ledger.FirstMemoryKill({4, 1, 1}));
}

TEST(LedgerTest, TheMeanDurationIsAtLeastOneMicrosecondOnceAnyRan) {
  Ledger ledger(0, 1);
  ledger.BeginRepetition(3);
  EXPECT_EQ(ledger.MeanDurationUs(), 0u);
  ledger.Conclude({0, 0, 1}, Attempt(0, TestStatus::kPassed, 0), true);
  EXPECT_EQ(ledger.MeanDurationUs(), 1u);
  ledger.Conclude({1, 0, 1}, Attempt(1, TestStatus::kPassed, 3000), true);
  EXPECT_EQ(ledger.MeanDurationUs(), 1500u);
}

}  // namespace
}  // namespace redqueen::rook
