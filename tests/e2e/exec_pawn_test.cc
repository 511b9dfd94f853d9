// Exec pawns: unmodified gtest binaries (and pawn binaries forced with
// --pawn exec) give the same verdicts as resident pawns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;

class ExecPawnTest : public FixtureTest {};

TEST_F(ExecPawnTest, UnmodifiedBinaryRunsOnExecPawnsByDefault) {
  const Outcome outcome = RunFixture("failing_plain", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("on 2 exec pawns"));
  Db db(scratch_.db());
  EXPECT_EQ(StatusOf(db, "Failing.Passes"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Failing.ExpectEq"), "FAILED");
  EXPECT_EQ(StatusOf(db, "Failing.UnterminatedOutput"), "PASSED");
  const auto failure = db.Rows(
      "SELECT f.file, f.line, f.message FROM failures f JOIN executions e ON "
      "e.id = f.execution_id JOIN tests t ON t.id = e.test_id WHERE t.name = "
      "'Failing.ExpectEq'");
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_THAT(failure[0][0], HasSubstr("failing_test.cc"));
  EXPECT_EQ(failure[0][1], "4");
  EXPECT_THAT(failure[0][2], HasSubstr("one is not two"));
  const std::string output = db.Value(
      "SELECT e.output FROM executions e JOIN tests t ON t.id = e.test_id "
      "WHERE t.name = 'Failing.PrintsThenFails'");
  EXPECT_THAT(output, HasSubstr("stdout before failing"));
  EXPECT_THAT(output, HasSubstr("stderr before failing"));
  EXPECT_THAT(output, testing::Not(HasSubstr("[ RUN      ]")))
      << "per test, not per child";
}

TEST_F(ExecPawnTest, AChildTooBigForAReportHasTheFailuresTheResidentPawnHas) {
  // 603 tests on one exec pawn: one child, which writes no JSON report, so
  // the failures come from its output. They must be what the resident pawn,
  // which sees gtest's own results, records.
  const Outcome resident = RunFixture("many_failing", {"-j", "1", "--pawn", "resident"});
  EXPECT_EQ(resident.exit_code, 1) << resident.out << resident.err;
  const Outcome exec = RunFixture("many_failing", {"-j", "1", "--pawn", "exec"});
  EXPECT_EQ(exec.exit_code, 1) << exec.out << exec.err;
  Db db(scratch_.db());
  auto failures = [&db](int run) {
    return db.Rows(
        "SELECT t.name, f.file, f.line, f.message FROM failures f JOIN executions e ON "
        "e.id = f.execution_id JOIN tests t ON t.id = e.test_id WHERE e.run_id = " +
        std::to_string(run) + " ORDER BY t.id, f.rowid");
  };
  const auto from_gtest = failures(1);
  ASSERT_EQ(from_gtest.size(), 4u);
  EXPECT_EQ(from_gtest[2][3], "Failed\nsecond\non two lines");
  EXPECT_EQ(failures(2), from_gtest);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE run_id = 2 AND "
                     "status = 'PASSED'"),
            600);
}

TEST_F(ExecPawnTest, AFailureLocationThatDoesNotParseIsKeptAsText) {
  const Outcome outcome = RunFixture("odd_location", {"-j", "1"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  Db db(scratch_.db());
  EXPECT_EQ(StatusOf(db, "OddLocation.LineNoIntHolds"), "FAILED");
  EXPECT_EQ(StatusOf(db, "OddLocation.Passes"), "PASSED");
  const auto failure = db.Rows(
      "SELECT f.file, f.line, f.message FROM failures f JOIN executions e ON "
      "e.id = f.execution_id JOIN tests t ON t.id = e.test_id WHERE t.name = "
      "'OddLocation.LineNoIntHolds'");
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_EQ(failure[0][0], "");
  EXPECT_EQ(failure[0][1], "0");
  EXPECT_EQ(failure[0][2], "weird:99999999999\nFailed\nfar away");
}

TEST_F(ExecPawnTest, CrashesAreContainedAndTheRestOfTheBatchRuns) {
  const Outcome outcome = RunFixture("crashing", {"-j", "1", "--pawn", "exec"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  Db db(scratch_.db());
  const auto crash_of = [&db](const std::string& name) {
    return db.Value(
        "SELECT e.crash FROM executions e JOIN tests t ON t.id = e.test_id "
        "WHERE t.name = '" +
        name + "'");
  };
  EXPECT_EQ(crash_of("Crashing.Segfault"), "signal 11 (SIGSEGV)");
  EXPECT_EQ(crash_of("Crashing.Abort"), "signal 6 (SIGABRT)");
  EXPECT_EQ(crash_of("Crashing.ExitZero"), "exit code 0");
  EXPECT_EQ(crash_of("Crashing.ExitOne"), "exit code 1");
  EXPECT_EQ(crash_of("Crashing.KilledFromOutside"), "signal 9 (SIGKILL)");
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED'"), 6);
  EXPECT_THAT(db.Value("SELECT e.output FROM executions e JOIN tests t ON "
                       "t.id = e.test_id WHERE t.name = 'Crashing.Segfault'"),
              HasSubstr("about to segfault"));
}

TEST_F(ExecPawnTest, ParameterizedTypedSkippedDisabledAndDeathTests) {
  Outcome outcome = RunFixture("param_typed_plain", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1);
  {
    Db db(scratch_.db());
    EXPECT_EQ(StatusOf(db, "Numbers/ParamTest.IsSmall/3"), "FAILED");
    EXPECT_EQ(StatusOf(db, "Words/NamedParamTest.NotEmpty/beta"), "PASSED");
    EXPECT_EQ(StatusOf(db, "Chars/TypedPTest/1.HasSize"), "PASSED");
    EXPECT_EQ(
        db.Value("SELECT type_param FROM tests WHERE name = 'TypedTest/0.DefaultIsZero'"),
        "int");
    EXPECT_EQ(db.Value("SELECT value_param FROM tests WHERE name = "
                       "'Numbers/ParamTest.IsSmall/3'"),
              "3");
  }
  outcome = RunFixture("skipping_plain");
  EXPECT_EQ(outcome.exit_code, 0);
  {
    Db db(scratch_.db());
    EXPECT_EQ(
        db.Value("SELECT e.skip_message FROM executions e JOIN tests t ON "
                 "t.id = e.test_id WHERE t.name = 'Skipping.Skips' ORDER BY e.id DESC"),
        "not on this platform");
  }
  outcome = RunFixture("disabled_plain", {"--gtest_also_run_disabled_tests"});
  EXPECT_THAT(outcome.out, HasSubstr("tests_passed: 3\n"));
  outcome = RunFixture("death_plain", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.out, HasSubstr("tests_passed: 3\n"));
}

TEST_F(ExecPawnTest, ArgumentsAfterDashDashReachEveryChild) {
  Outcome outcome =
      RunFixture("args", {"-j", "2", "--pawn", "exec", "--", "--custom-flag=42"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  outcome = RunFixture("args", {"-j", "2", "--pawn", "exec"});
  EXPECT_EQ(outcome.exit_code, 1);
}

TEST_F(ExecPawnTest, MalformedListIsAOneLineErrorNamingTheBinary) {
  const Outcome outcome = RunFixture("malformed_list", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("cannot list the tests of"));
  EXPECT_THAT(outcome.err, HasSubstr("fixture_malformed_list"));
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
}

TEST_F(ExecPawnTest, CtrlCLeavesNoTestProcessBehind) {
  Launch launch;
  launch.args = {"run",  Fixture("sleepy"), "-j", "2", "--pawn", "exec",
                 "--db", scratch_.db()};
  launch.signal = SIGINT;
  launch.ready = PassedInStore(scratch_.db(), 6);
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "a child of an exec pawn survived";
  Db db(scratch_.db());
  EXPECT_GT(db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED'"), 5);
}

TEST_F(ExecPawnTest, PassesAreReportedAsTheyHappenNotWhenTheBatchEnds) {
  // A first run's batches grow as results come: 1, 4, then 20 tests of
  // 100 ms. redqueen is killed once the store holds a pass of the third:
  // were passes sent when a batch ends, there would be 25 at once.
  Launch launch;
  launch.args = {"run",  Fixture("sleepy"),         "-j",   "1",          "--pawn",
                 "exec", "--gtest_filter=Tenths/*", "--db", scratch_.db()};
  launch.signal = SIGKILL;
  launch.ready = PassedInStore(scratch_.db(), 6);
  RunRedqueen(launch);
  Db db(scratch_.db());
  EXPECT_LT(db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED'"), 25);
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
}

TEST_F(ExecPawnTest, ListThatHangsPastTheTimeoutIsAnErrorNamingTheBinary) {
  const Outcome outcome = RunFixture("hanging_list", {"-j", "2", "--list-timeout", "1"});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("fixture_hanging_list"));
  EXPECT_THAT(outcome.err, HasSubstr("did not say hello within 1s"));
}

}  // namespace
}  // namespace redqueen::e2e
