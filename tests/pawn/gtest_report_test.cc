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

TEST(GtestReportTest, FailuresInOutputAreWhatTheReportWouldSay) {
  // As gtest prints them: each part "LOCATION: Failure\nMESSAGE\n".
  const std::vector<proto::Failure> failures = FailuresInOutput(
      "before the first failure\n"
      "/src/a_test.cc:17: Failure\nExpected equality of these values:\n  1\n  2\n"
      "unknown file: Failure\nC++ exception thrown\n"
      "/src/a_test.cc:20: Skipped\nno GPU\n"
      "b.cc:3: Failure\nValue of: x\n"
      "printed after it");
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_EQ(failures[0].file, "/src/a_test.cc");
  EXPECT_EQ(failures[0].line, 17);
  EXPECT_EQ(failures[0].message, "Expected equality of these values:\n  1\n  2");
  // The report has "unknown file\nmessage", which ParseFailureText keeps whole.
  EXPECT_EQ(failures[1].file, "");
  EXPECT_EQ(failures[1].message, "unknown file\nC++ exception thrown");
  EXPECT_EQ(failures[2].file, "b.cc");
  EXPECT_EQ(failures[2].line, 3);
  EXPECT_EQ(failures[2].message, "Value of: x\nprinted after it");
  EXPECT_TRUE(FailuresInOutput("no failure here\nb.cc:3: Skipped\nlater\n").empty());
  EXPECT_TRUE(FailuresInOutput("").empty());
}

TEST(GtestReportTest, ReadsFailuresAndSkipsByFullName) {
  const std::string path =
      testing::TempDir() + "/report_" + std::to_string(getpid()) + ".json";
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

TEST(GtestReportTest, ALineNoInt32HoldsLeavesTheLocationInTheMessage) {
  // ADD_FAILURE_AT("weird:99999999999", -1): std::stoi threw out of the exec pawn.
  const proto::Failure f = ParseFailureText("weird:99999999999\nFailed");
  EXPECT_EQ(f.file, "");
  EXPECT_EQ(f.line, 0);
  EXPECT_EQ(f.message, "weird:99999999999\nFailed");
  EXPECT_EQ(ParseFailureText("a.cc:2147483647\nx").line, 2147483647);
  EXPECT_EQ(ParseFailureText("a.cc:2147483648\nx").file, "");
}

TEST(GtestReportTest, FieldsOfUnexpectedTypesAreIgnoredNotThrown) {
  // Each of these threw nlohmann's type_error out of the exec pawn.
  EXPECT_TRUE(ParseGtestReport(R"({"testsuites": 5})").empty());
  EXPECT_TRUE(ParseGtestReport(R"({"testsuites": [1, "x", null]})").empty());
  const auto tests = ParseGtestReport(R"({"testsuites": [{"testsuite": [
      {"name": "T", "classname": "S", "file": ["a.cc"], "result": 7,
       "failures": [{"failure": ["a.cc:1", "x"]}, 3, {"failure": "b.cc:2\nmsg"}]},
      {"name": 5, "classname": "S"}]}]})");
  ASSERT_EQ(tests.size(), 2u);
  const ReportedTest& t = tests.at("S.T");
  EXPECT_EQ(t.file, "");
  EXPECT_FALSE(t.skipped);
  ASSERT_EQ(t.failures.size(), 3u);
  EXPECT_EQ(t.failures[0].message, "");
  EXPECT_EQ(t.failures[2].file, "b.cc");
  EXPECT_EQ(tests.count("S."), 1u) << "a name that is no string is empty";
  std::vector<proto::TestInfo> listed;
  EXPECT_FALSE(ParseGtestListing(R"({"testsuites": {"name": "S"}})", &listed));
  ASSERT_TRUE(ParseGtestListing(
      R"({"testsuites": [{"name": 1, "testsuite": [{"name": "T", "value_param": 2}]}]})",
      &listed));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, ".T");
  EXPECT_EQ(listed[0].value_param, "");
}

TEST(GtestReportTest, ALineThatIsNoInt32IsZero) {
  // "line": 1e300 was cast to an int: undefined behaviour.
  for (const char* line : {"1e300", "-5", "\"x\"", "2147483648", "3.5", "null", "[]"}) {
    const std::string suite =
        std::string(R"({"testsuites": [{"name": "S", "testsuite": [)") +
        R"({"name": "T", "classname": "S", "file": "s.cc", "line": )" + line + "}]}]}";
    const auto reported = ParseGtestReport(suite);
    ASSERT_EQ(reported.size(), 1u) << line;
    EXPECT_EQ(reported.at("S.T").line, 0) << line;
    std::vector<proto::TestInfo> listed;
    ASSERT_TRUE(ParseGtestListing(suite, &listed)) << line;
    ASSERT_EQ(listed.size(), 1u) << line;
    EXPECT_EQ(listed[0].line, 0) << line;
  }
  const auto reported = ParseGtestReport(
      R"({"testsuites": [{"testsuite": [{"name": "T", "classname": "S", "line": 2147483647}]}]})");
  EXPECT_EQ(reported.at("S.T").line, 2147483647);
}

TEST(GtestReportTest, MissingOrBrokenReportIsEmpty) {
  EXPECT_TRUE(ReadGtestReport("/nonexistent/report.json").empty());
  const std::string path =
      testing::TempDir() + "/broken_" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << "{\"testsuites\": [";
  EXPECT_TRUE(ReadGtestReport(path).empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace redqueen::pawn
