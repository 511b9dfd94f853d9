#include "pawn/gtest_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace redqueen::pawn {
namespace {

TEST(GtestReportTest, SplitsLocationFromMessage) {
  const proto::Failure f = ParseFailureText("/src/a_test.cc:17\nExpected equality\n  1");
  EXPECT_EQ(f.file, "/src/a_test.cc");
  EXPECT_EQ(f.line, 17);
  EXPECT_EQ(f.message, "Expected equality\n  1");
  const proto::Failure bare = ParseFailureText("no location here");
  EXPECT_EQ(bare.file, "");
  EXPECT_EQ(bare.message, "no location here");
}

TEST(GtestReportTest, ReadsFailuresAndSkipsByFullName) {
  const std::string path = testing::TempDir() + "/report_" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << R"({"testsuites": [{"name": "Numbers/P", "testsuite": [
      {"name": "IsSmall/3", "classname": "Numbers/P", "file": "p.cc", "line": 6,
       "result": "COMPLETED",
       "failures": [{"failure": "p.cc:6\nExpected: x < 3", "type": ""}]},
      {"name": "Skips", "classname": "Numbers/P", "file": "p.cc", "line": 9,
       "result": "SKIPPED"}]}]})";
  const auto tests = ReadGtestReport(path);
  std::remove(path.c_str());
  ASSERT_EQ(tests.size(), 2u);
  const ReportedTest& failed = tests.at("Numbers/P.IsSmall/3");
  EXPECT_EQ(failed.line, 6);
  ASSERT_EQ(failed.failures.size(), 1u);
  EXPECT_EQ(failed.failures[0].line, 6);
  EXPECT_EQ(failed.failures[0].message, "Expected: x < 3");
  EXPECT_TRUE(tests.at("Numbers/P.Skips").skipped);
}

TEST(GtestReportTest, MissingOrBrokenReportIsEmpty) {
  EXPECT_TRUE(ReadGtestReport("/nonexistent/report.json").empty());
  const std::string path = testing::TempDir() + "/broken_" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << "{\"testsuites\": [";
  EXPECT_TRUE(ReadGtestReport(path).empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace redqueen::pawn
