#include "queen/junit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace redqueen::queen {
namespace {

using testing::HasSubstr;
using testing::Not;

TEST(XmlEscapeTest, EscapesMarkupAndKeepsValidUtf8) {
  EXPECT_EQ(XmlEscape("a<b>&\"c\"", false), "a&lt;b&gt;&amp;\"c\"");
  EXPECT_EQ(XmlEscape("a\"b\nc\td", true), "a&quot;b&#10;c&#9;d");
  EXPECT_EQ(XmlEscape("line\nnext\ttab", false), "line\nnext\ttab");
  EXPECT_EQ(XmlEscape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x8D", false),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x8D");
}

TEST(XmlEscapeTest, BytesXmlCannotHoldBecomeHexText) {
  EXPECT_EQ(XmlEscape(std::string("a\0b", 3), false), "a\\x00b");
  EXPECT_EQ(XmlEscape("bell\x07 esc\x1B", false), "bell\\x07 esc\\x1B");
  EXPECT_EQ(XmlEscape("\xFF\xFE", false), "\\xFF\\xFE") << "not UTF-8";
  EXPECT_EQ(XmlEscape("\xC3", false), "\\xC3") << "truncated sequence";
  EXPECT_EQ(XmlEscape("\xC0\xAF", false), "\\xC0\\xAF") << "overlong";
  EXPECT_EQ(XmlEscape("\xED\xA0\x80", false), "\\xED\\xA0\\x80") << "surrogate";
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBF", false), "\\xEF\\xBF\\xBF") << "U+FFFF";
}

bishop::RunExecution Execution(const std::string& name, const std::string& status,
                               int attempt = 1, bool final = true) {
  bishop::RunExecution e;
  e.binary = "bin/x_test";
  e.name = name;
  e.file = "x.cc";
  e.line = 7;
  e.status = ParseStatus(status).value();
  e.attempt = attempt;
  e.final = final;
  e.duration_us = 1500;
  return e;
}

TEST(JunitXmlTest, OneSuitePerBinaryAndSuiteWithCounts) {
  auto failed = Execution("A.fails", "FAILED");
  failed.failures.push_back({"x.cc", 9, "Expected equality\nof these"});
  failed.output = "printed <stuff>";
  auto crashed = Execution("A.crashes", "CRASHED");
  crashed.crash = "signal 11 (SIGSEGV)";
  auto skipped = Execution("B.skips", "SKIPPED");
  skipped.skip_message = "not today";
  const std::string xml =
      JunitXml({Execution("A.passes", "PASSED"), failed, crashed, skipped});
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"redqueen\" tests=\"4\" failures=\"1\" "
                             "errors=\"1\" skipped=\"1\" time=\"0.006\">"));
  EXPECT_THAT(xml,
              HasSubstr("<testsuite name=\"bin/x_test.A\" tests=\"3\" failures=\"1\" "
                        "errors=\"1\" skipped=\"0\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"bin/x_test.B\" tests=\"1\""));
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"passes\" classname=\"bin/x_test.A\" "
                             "time=\"0.002\" file=\"x.cc\" line=\"7\">"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"Expected equality\" type=\"FAILED\">"
                             "x.cc:9: Expected equality\nof these\n</failure>"));
  EXPECT_THAT(xml, HasSubstr("<system-out>printed &lt;stuff&gt;</system-out>"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"signal 11 (SIGSEGV)\" type=\"CRASHED\">"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"not today\"/>"));
}

TEST(JunitXmlTest, FlakyIsAPassWithItsFailedAttemptsAndRerunsFollowAFailure) {
  auto first = Execution("A.flaky", "FAILED", 1, false);
  first.failures.push_back({"x.cc", 3, "boom"});
  auto crash = Execution("A.broken", "CRASHED", 1, false);
  crash.crash = "exit code 1";
  auto again = Execution("A.broken", "FAILED", 2, true);
  again.failures.push_back({"x.cc", 4, "still"});
  const std::string xml =
      JunitXml({first, Execution("A.flaky", "FLAKY", 2), crash, again});
  EXPECT_THAT(xml, HasSubstr("<flakyFailure message=\"boom\" type=\"FAILED\"><stackTrace>"
                             "x.cc:3: boom\n</stackTrace></flakyFailure>"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"still\" type=\"FAILED\">"));
  EXPECT_THAT(xml, HasSubstr("<rerunError message=\"exit code 1\" type=\"CRASHED\">"));
  EXPECT_THAT(xml, HasSubstr("tests=\"2\" failures=\"1\" errors=\"0\""))
      << "attempts are not tests";
}

TEST(JunitXmlTest, RepetitionsAreTestcasesOfTheirOwnAndTargetsAreSuites) {
  auto second = Execution("A.t", "PASSED");
  second.repetition = 1;
  auto chrome = Execution("A.t", "PASSED");
  chrome.target = "chrome";
  const std::string xml = JunitXml({Execution("A.t", "PASSED"), second, chrome});
  EXPECT_THAT(xml, HasSubstr("name=\"t #1\""));
  EXPECT_THAT(xml, HasSubstr("name=\"t #2\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"bin/x_test@chrome.A\""));
  EXPECT_THAT(JunitXml({Execution("A.t", "PASSED")}), Not(HasSubstr("#1")));
}

}  // namespace
}  // namespace redqueen::queen
