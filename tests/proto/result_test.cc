#include "proto/result.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace redqueen {
namespace {

TEST(StatusTest, EveryStatusIsReadBackFromItsNameAndNothingElseIs) {
  for (int i = 0; i <= static_cast<int>(kLastStatus); ++i) {
    const auto status = static_cast<TestStatus>(i);
    EXPECT_EQ(ParseStatus(StatusName(status)), status) << StatusName(status);
  }
  EXPECT_EQ(ParseStatus("passed"), std::nullopt) << "names are upper case";
  EXPECT_EQ(ParseStatus("UNKNOWN"), std::nullopt);
  EXPECT_EQ(ParseStatus(""), std::nullopt);
}

TEST(NotRunTest, EachReasonHasAMessageOfItsOwn) {
  EXPECT_EQ(NotRunMessage(NotRun::kRan), "");
  std::set<std::string> messages;
  for (int i = 1; i <= static_cast<int>(kLastNotRun); ++i) {
    const std::string message(NotRunMessage(static_cast<NotRun>(i)));
    EXPECT_FALSE(message.empty()) << i;
    messages.insert(message);
  }
  EXPECT_EQ(messages.size(), static_cast<size_t>(kLastNotRun));
  EXPECT_EQ(NotRunMessage(NotRun::kFailFast), "fail-fast");
}

TEST(RunTotalsTest, CountsFinalResultsAsTheSummaryDoes) {
  RunTotals totals;
  for (TestStatus status :
       {TestStatus::kPassed, TestStatus::kFailed, TestStatus::kSkipped,
        TestStatus::kCrashed, TestStatus::kTimeout, TestStatus::kFlaky,
        TestStatus::kPassed}) {
    totals.Add(status);
  }
  EXPECT_EQ(totals.total_tests, 7);
  EXPECT_EQ(totals.tests_passed, 3) << "FLAKY passed in the end";
  EXPECT_EQ(totals.flaky, 1);
  EXPECT_EQ(totals.tests_failed, 3);
  EXPECT_EQ(totals.execution_errors, 2) << "CRASHED and TIMEOUT";
  EXPECT_EQ(totals.tests_skipped, 1);
  RunTotals both = totals;
  both.Add(totals);
  EXPECT_EQ(both.total_tests, 14);
  EXPECT_EQ(both.execution_errors, 4);
}

}  // namespace
}  // namespace redqueen
