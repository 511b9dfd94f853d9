#include "queen/report_sink.h"

#include <gtest/gtest.h>

namespace redqueen::queen {
namespace {

TestResult Result(uint32_t index, uint32_t repetition, uint32_t attempt) {
  TestResult result;
  result.index = index;
  result.repetition = repetition;
  result.attempt = attempt;
  result.status = TestStatus::kFailed;
  result.failures = {{"a.cc", 7, "broke"}};
  return result;
}

// The reports read as they did from the store: by binary, target, test in
// registration order, repetition and attempt, whatever order results came in.
TEST(ReportSinkTest, ExecutionsComeInTheStoresOrderWithTheirTests) {
  const std::vector<proto::TestInfo> tests = {{"A.a", "a.cc", 1, "", ""},
                                              {"A.b", "a.cc", 2, "", ""}};
  ReportSink second("b_test", "");
  ReportSink first("a_test", "");
  second.OnTestsListed(tests, {0, 1}, proto::ListHash(tests));
  first.OnTestsListed(tests, {0, 1}, proto::ListHash(tests));
  second.OnResult(Result(0, 0, 1), {});
  first.OnResult(Result(1, 1, 1), {});
  first.OnResult(Result(1, 0, 2), {});
  first.OnResult(Result(0, 0, 1), {});
  first.OnResult(Result(1, 0, 1), {});
  const std::vector<bishop::RunExecution> all = ReportExecutions({&second, &first});
  std::vector<std::tuple<std::string, std::string, int, int>> order;
  for (const bishop::RunExecution& e : all) {
    order.emplace_back(e.binary, e.name, e.repetition, e.attempt);
  }
  EXPECT_EQ(order, (std::vector<std::tuple<std::string, std::string, int, int>>{
                       {"a_test", "A.a", 0, 1},
                       {"a_test", "A.b", 0, 1},
                       {"a_test", "A.b", 0, 2},
                       {"a_test", "A.b", 1, 1},
                       {"b_test", "A.a", 0, 1}}));
  EXPECT_EQ(all[1].file, "a.cc");
  EXPECT_EQ(all[1].line, 2);
  EXPECT_EQ(StatusName(all[1].status), "FAILED");
  ASSERT_EQ(all[1].failures.size(), 1u);
  EXPECT_EQ(all[1].failures[0].message, "broke");
}

}  // namespace
}  // namespace redqueen::queen
