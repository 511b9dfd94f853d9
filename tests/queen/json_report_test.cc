#include "queen/json_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace redqueen::queen {
namespace {

TEST(RunJsonTest, HoldsTheSummaryAndEveryAttemptAndSurvivesAnyBytes) {
  bishop::RunExecution retried;
  retried.binary = "bin/x_test";
  retried.name = "A.flaky";
  retried.status = TestStatus::kFailed;
  retried.final = false;
  retried.failures.push_back({"x.cc", 3, "boom"});
  retried.output = std::string("bad \xFF bytes\0here", 16);
  bishop::RunExecution passed = retried;
  passed.attempt = 2;
  passed.final = true;
  passed.status = TestStatus::kFlaky;
  passed.failures.clear();
  passed.output.clear();
  passed.duration_us = 2500;
  bishop::RunSummaryRecord summary;
  summary.status = "passed";
  summary.total_tests = 1;
  summary.tests_passed = 1;
  summary.flaky = 1;
  const std::string text = RunJson(7, {"2026-01-01T00:00:00.000Z", "redqueen run x", 2},
                                   summary, {retried, passed});
  const nlohmann::json json = nlohmann::json::parse(text);
  EXPECT_EQ(json["run"]["id"], 7);
  EXPECT_EQ(json["run"]["status"], "passed");
  EXPECT_EQ(json["run"]["flaky"], 1);
  ASSERT_EQ(json["results"].size(), 2u);
  EXPECT_EQ(json["results"][0]["final"], false);
  EXPECT_EQ(json["results"][0]["failures"][0]["message"], "boom");
  EXPECT_EQ(json["results"][0]["output"], std::string("bad \xEF\xBF\xBD bytes\0here", 18))
      << "invalid UTF-8 replaced, NUL kept as \\u0000";
  EXPECT_EQ(json["results"][1]["status"], "FLAKY");
  EXPECT_DOUBLE_EQ(json["results"][1]["duration_s"], 0.0025);
}

}  // namespace
}  // namespace redqueen::queen
