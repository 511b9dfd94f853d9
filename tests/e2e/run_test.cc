// End to end: the real redqueen binary on each fixture suite, checking exit
// codes, what the terminal says, what the store holds, and that no process of
// the run survives it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;

class RunTest : public FixtureTest {};

TEST_F(RunTest, PassingSuiteExitsZeroWithTheFullSummary) {
  const Outcome outcome = RunFixture("passing", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  for (const char* line :
       {"status: passed\n", "total_tests: 5\n", "tests_passed: 5\n", "tests_failed: 0\n",
        "tests_skipped: 0\n", "execution_errors: 0\n",
        "execution_time: ", "started_at: ", "completed_at: "}) {
    EXPECT_THAT(outcome.out, HasSubstr(line));
  }
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT status FROM runs"), "passed");
  EXPECT_EQ(db.Count("SELECT total_tests FROM runs"), 5);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED'"), 5);
  EXPECT_EQ(db.Count("SELECT count(DISTINCT pawn) FROM executions"), 2);
  EXPECT_EQ(db.Value("SELECT file FROM tests WHERE name = 'Passing.One'"),
            std::string(REDQUEEN_FIXTURE_SOURCE_DIR) + "/passing_test.cc");
  EXPECT_EQ(db.Count("SELECT line FROM tests WHERE name = 'Passing.One'"), 3);
  EXPECT_EQ(db.Count("PRAGMA user_version"), 10);
}

TEST_F(RunTest, FailuresCarryFileLineMessageAndOutput) {
  const Outcome outcome = RunFixture("failing", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("FAILED Failing.ExpectEq"));
  EXPECT_THAT(outcome.out, HasSubstr("one is not two"));
  EXPECT_THAT(outcome.out,
              HasSubstr("Failed tests, in registration order:\n"
                        "  FAILED Failing.ExpectEq\n  FAILED Failing.AssertTrue\n"
                        "  FAILED Failing.PrintsThenFails\n"));
  EXPECT_THAT(outcome.out, HasSubstr("tests_failed: 3\n"));
  Db db(scratch_.db());
  EXPECT_EQ(StatusOf(db, "Failing.Passes"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Failing.AlsoPasses"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Failing.UnterminatedOutput"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Failing.AssertTrue"), "FAILED");
  const auto failure = db.Rows(
      "SELECT f.file, f.line, f.message FROM failures f JOIN executions e ON "
      "e.id = f.execution_id JOIN tests t ON t.id = e.test_id WHERE t.name = "
      "'Failing.AssertTrue'");
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_THAT(failure[0][0], HasSubstr("failing_test.cc"));
  EXPECT_EQ(failure[0][1], "6");
  EXPECT_THAT(failure[0][2], HasSubstr("assertion message"));
  const std::string output = db.Value(
      "SELECT e.output FROM executions e JOIN tests t ON t.id = e.test_id "
      "WHERE t.name = 'Failing.PrintsThenFails'");
  EXPECT_THAT(output, HasSubstr("stdout before failing"));
  EXPECT_THAT(output, HasSubstr("stderr before failing"));
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED' AND "
                     "length(output) > 0"),
            0)
      << "output is kept for non-passing tests only";
  EXPECT_EQ(db.Value("SELECT status FROM runs"), "failed");
}

TEST_F(RunTest, SkipsKeepTheirMessages) {
  const Outcome outcome = RunFixture("skipping");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("tests_skipped: 2\n"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT e.skip_message FROM executions e JOIN tests t ON "
                     "t.id = e.test_id WHERE t.name = 'Skipping.Skips'"),
            "not on this platform");
  EXPECT_EQ(StatusOf(db, "SkippingFixture.NeverRuns"), "SKIPPED");
}

void ExpectCrashes(Db& db) {
  const auto crash_of = [&db](const std::string& name) {
    return db.Value(
        "SELECT e.crash FROM executions e JOIN tests t ON t.id = e.test_id "
        "WHERE t.name = '" +
        name + "'");
  };
  EXPECT_EQ(StatusOf(db, "Crashing.Segfault"), "CRASHED");
  EXPECT_EQ(crash_of("Crashing.Segfault"), "signal 11 (SIGSEGV)");
  EXPECT_EQ(crash_of("Crashing.Abort"), "signal 6 (SIGABRT)");
  EXPECT_EQ(crash_of("Crashing.ExitZero"), "exit code 0");
  EXPECT_EQ(crash_of("Crashing.ExitOne"), "exit code 1");
  EXPECT_EQ(crash_of("Crashing.KilledFromOutside"), "signal 9 (SIGKILL)");
  for (const char* name : {"Crashing.Before", "Crashing.Between1", "Crashing.Between2",
                           "Crashing.Between3", "Crashing.Between4", "Crashing.After"}) {
    EXPECT_EQ(StatusOf(db, name), "PASSED") << name;
  }
  EXPECT_THAT(db.Value("SELECT e.output FROM executions e JOIN tests t ON "
                       "t.id = e.test_id WHERE t.name = 'Crashing.Segfault'"),
              HasSubstr("about to segfault"));
  EXPECT_THAT(db.Value("SELECT e.output FROM executions e JOIN tests t ON "
                       "t.id = e.test_id WHERE t.name = 'Crashing.Abort'"),
              HasSubstr("about to abort"));
}

TEST_F(RunTest, CrashesAreContainedOnOnePawn) {
  const Outcome outcome = RunFixture("crashing", {"-j", "1"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("CRASHED Crashing.Segfault"));
  EXPECT_THAT(outcome.out, HasSubstr("tests_failed: 5\n"));
  EXPECT_THAT(outcome.out, HasSubstr("execution_errors: 5\n"));
  Db db(scratch_.db());
  ExpectCrashes(db);
}

TEST_F(RunTest, CrashesAreContainedOnTwoPawns) {
  const Outcome outcome = RunFixture("crashing", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  Db db(scratch_.db());
  ExpectCrashes(db);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions"), 11);
}

TEST_F(RunTest, RestartLimitStopsTheRunWithAClearError) {
  const Outcome outcome = RunFixture("crashing", {"-j", "1", "--max-restarts", "1"});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("past the limit of --max-restarts 1"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT status FROM runs"), "error");
  EXPECT_EQ(StatusOf(db, "Crashing.After"), "SKIPPED");
}

TEST_F(RunTest, OutputIsCappedWithANoteOfTheCut) {
  const Outcome outcome = RunFixture("printing", {"--output-cap", "10000"});
  EXPECT_EQ(outcome.exit_code, 1);
  Db db(scratch_.db());
  const std::string output = db.Value(
      "SELECT e.output FROM executions e JOIN tests t ON t.id = e.test_id "
      "WHERE t.name = 'Printing.ALotThenFails'");
  EXPECT_LT(output.size(), 10100u);
  EXPECT_THAT(output, HasSubstr("FIRST LINE"));
  EXPECT_THAT(output, HasSubstr("failed after printing a lot"));
  EXPECT_THAT(output, testing::ContainsRegex("redqueen cut [0-9]+ bytes of output"));
}

TEST_F(RunTest, ParameterizedAndTypedTestsRunUnderTheirFullNames) {
  const Outcome outcome = RunFixture("param_typed", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  Db db(scratch_.db());
  EXPECT_EQ(Statuses(db).size(), 10u);
  EXPECT_EQ(StatusOf(db, "Numbers/ParamTest.IsSmall/3"), "FAILED");
  EXPECT_EQ(StatusOf(db, "Numbers/ParamTest.IsSmall/0"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Words/NamedParamTest.NotEmpty/beta"), "PASSED");
  EXPECT_EQ(StatusOf(db, "TypedTest/1.DefaultIsZero"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Chars/TypedPTest/0.HasSize"), "PASSED");
  EXPECT_EQ(
      db.Value("SELECT type_param FROM tests WHERE name = 'TypedTest/0.DefaultIsZero'"),
      "int");
  EXPECT_EQ(
      db.Value(
          "SELECT value_param FROM tests WHERE name = 'Numbers/ParamTest.IsSmall/3'"),
      "3");
}

TEST_F(RunTest, DeathTestsWorkInBothStyles) {
  const Outcome outcome = RunFixture("death", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  Db db(scratch_.db());
  EXPECT_EQ(StatusOf(db, "DeathTest.FastStyle"), "PASSED");
  EXPECT_EQ(StatusOf(db, "DeathTest.ThreadsafeStyle"), "PASSED");
  EXPECT_EQ(StatusOf(db, "DeathTest.ExitCode"), "PASSED");
  EXPECT_EQ(StatusOf(db, "DeathTest.WrongExpectationFails"), "FAILED");
}

TEST_F(RunTest, DisabledTestsRunOnlyWhenAsked) {
  Outcome outcome = RunFixture("disabled");
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 1\n"));
  outcome = RunFixture("disabled", {"--gtest_also_run_disabled_tests"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 3\n"));
}

TEST_F(RunTest, GtestFilterSelectsTests) {
  const Outcome outcome = RunFixture("failing", {"--gtest_filter=*Passes*"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out;
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 2\n"));
}

TEST_F(RunTest, ArgumentsAfterDashDashReachEveryPawn) {
  Outcome outcome = RunFixture("args", {"-j", "2", "--", "--custom-flag=42"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  outcome = RunFixture("args", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << "the fixture must notice a missing argument";
}

TEST_F(RunTest, DisagreeingPawnsStopTheRunBeforeAnyTest) {
  const std::string sentinel = scratch_.Path("ran");
  const Outcome outcome = RunRedqueen(
      Launch{{"run", Fixture("list_differs"), "-j", "2", "--db", scratch_.db()},
             {{"RAN_SENTINEL", sentinel}}});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("pawn 1"));
  EXPECT_THAT(outcome.err, HasSubstr("Listing.OnlyInPawnOne"));
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  EXPECT_FALSE(std::filesystem::exists(sentinel)) << "a test ran";
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
}

TEST_F(RunTest, GarbageOnTheChannelKillsOnlyThatPawn) {
  const Outcome outcome = RunFixture("garbage", {"-j", "1"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  Db db(scratch_.db());
  EXPECT_EQ(StatusOf(db, "Garbage.WritesOnTheChannel"), "CRASHED");
  EXPECT_THAT(db.Value("SELECT crash FROM executions WHERE status = 'CRASHED'"),
              HasSubstr("protocol error: bad frame magic"));
  EXPECT_EQ(StatusOf(db, "Garbage.After"), "PASSED");
}

TEST_F(RunTest, UnmodifiedGtestBinaryIsRefusedAsResidentPawnWithoutRunningIt) {
  const std::string sentinel = scratch_.Path("ran");
  const Outcome outcome = RunRedqueen(
      Launch{{"run", Fixture("plain_gtest"), "--pawn", "resident", "--db", scratch_.db()},
             {{"RAN_SENTINEL", sentinel}}});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("link redqueen::gtest_main"));
  EXPECT_FALSE(std::filesystem::exists(sentinel)) << "probing ran a test";
}

TEST_F(RunTest, MissingOrNonExecutableBinaryIsAnInfrastructureError) {
  Outcome outcome = RunRedqueen({"run", scratch_.Path("nope"), "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_THAT(outcome.err, HasSubstr("does not exist"));
  std::ofstream(scratch_.Path("script")) << "#!/bin/sh\necho hi\n";
  outcome = RunRedqueen({"run", scratch_.Path("script"), "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_THAT(outcome.err, HasSubstr("not executable"));
}

TEST_F(RunTest, ProgramsThatAreNotGtestBinariesAreRefusedWithoutRunningThem) {
  const std::string sentinel = scratch_.Path("ran");
  std::ofstream(scratch_.Path("script")) << "#!/bin/sh\ntouch " << sentinel << "\n";
  std::filesystem::permissions(scratch_.Path("script"),
                               std::filesystem::perms::owner_all);
  for (const std::string& binary : {scratch_.Path("script"), std::string("/bin/true")}) {
    const Outcome outcome = RunRedqueen({"run", binary, "--db", scratch_.db()});
    EXPECT_EQ(outcome.exit_code, 3) << binary;
    EXPECT_THAT(outcome.err, HasSubstr("is not a GoogleTest binary")) << binary;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
  EXPECT_FALSE(std::filesystem::exists(sentinel));
}

TEST_F(RunTest, BadUsageExitsTwoWithOneLine) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", Fixture("passing"), "--bogus"},
        std::vector<std::string>{"run", Fixture("passing"), "-j", "0"},
        std::vector<std::string>{"run", Fixture("passing"), "--pawn", "other"},
        std::vector<std::string>{"run"}, std::vector<std::string>{}}) {
    const Outcome outcome = RunRedqueen(args);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("redqueen: error: "));
  }
}

TEST_F(RunTest, UnwritableStoreFailsBeforeAnyTestRuns) {
  std::ofstream(scratch_.Path("file")) << "x";
  const Outcome outcome = RunRedqueen(
      {"run", Fixture("passing"), "--db", scratch_.Path("file") + "/redqueen.db"});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("cannot open the result store"));
  EXPECT_THAT(outcome.out, testing::Not(HasSubstr("total_tests")));
}

// One binary of resident pawns: its pawns start before the store opens.
// A store that then will not open stops them before any test, and none
// outlives the run.
TEST_F(RunTest, AStoreThatWillNotOpenAfterThePawnsStartRunsNoTestAndLeavesNoPawn) {
  std::ofstream(scratch_.Path("file")) << "x";
  const std::string counter = scratch_.Path("counter");
  const Outcome outcome =
      RunRedqueen({{"run", Fixture("flaky"), "--pawn", "resident", "-j", "2", "--db",
                    scratch_.Path("file") + "/redqueen.db"},
                   {{"REDQUEEN_FIXTURE_COUNTER", counter}}});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("cannot open the result store"));
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  EXPECT_FALSE(std::filesystem::exists(counter)) << "Flaky.FailsOnTheThirdRun ran";
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
}

TEST_F(RunTest, TerminalGetsALiveStatusLineAndPlainOutputDoesNot) {
  // script(1) gives redqueen a pseudo-terminal as stdout.
  const std::string command = std::string(REDQUEEN_BINARY) + " run " +
                              Fixture("failing") + " -j 1 --db " + scratch_.db();
  const Outcome tty =
      RunProgram("/usr/bin/script", {"-qec", command + " --gtest_color=no", "/dev/null"});
  EXPECT_EQ(tty.exit_code, 1) << tty.out;
  EXPECT_THAT(tty.out, HasSubstr("\r\033[K[0/6] 0 failed"));
  // A failure clears the status line before it is printed.
  EXPECT_THAT(tty.out, HasSubstr("\r\033[KFAILED Failing.ExpectEq"));
  EXPECT_THAT(tty.out, HasSubstr("status: failed"));
  // gtest's colours, on a terminal that can show them.
  const Outcome colour =
      RunProgram("/usr/bin/script",
                 {"-qec", "TERM=xterm " + command + " --gtest_color=auto", "/dev/null"});
  EXPECT_THAT(colour.out, HasSubstr("\r\033[K\033[0;31mFAILED\033[m Failing.ExpectEq"));
  const Outcome dumb =
      RunProgram("/usr/bin/script",
                 {"-qec", "TERM=dumb " + command + " --gtest_color=auto", "/dev/null"});
  EXPECT_THAT(dumb.out, HasSubstr("\r\033[KFAILED Failing.ExpectEq"));

  const Outcome plain = RunFixture("failing", {"-j", "1"});
  EXPECT_THAT(plain.out, testing::Not(HasSubstr("\033[")));
  EXPECT_THAT(plain.out, HasSubstr("\nFAILED Failing.ExpectEq"));
}

class TimeoutTest : public FixtureTest,
                    public testing::WithParamInterface<const char*> {};

TEST_P(TimeoutTest, HangingTestsAreTimeoutAndTheRestRuns) {
  const Outcome outcome =
      RunFixture("hanging", {"-j", "2", "--pawn", GetParam(), "--timeout", "1s",
                             "--kill-grace", "500ms", "--slow", "300ms"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("TIMEOUT Hanging.Sleeps"));
  EXPECT_THAT(outcome.out, HasSubstr("SLOW Hanging.Sleeps has been running for"));
  Db db(scratch_.db());
  EXPECT_EQ(StatusOf(db, "Hanging.Sleeps"), "TIMEOUT");
  EXPECT_EQ(StatusOf(db, "Hanging.IgnoresSigterm"), "TIMEOUT");
  EXPECT_THAT(
      db.Value("SELECT e.crash FROM executions e JOIN tests t ON t.id = e.test_id "
               "WHERE t.name = 'Hanging.IgnoresSigterm'"),
      HasSubstr("timed out after 1s"));
  EXPECT_EQ(StatusOf(db, "Hanging.Before"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Hanging.After"), "PASSED");
  // An unmodified binary writing to a pipe buffers its stdout, as it would in
  // any runner: what it did not flush dies with it. A resident pawn's stdout
  // is line-buffered.
  if (std::string(GetParam()) == "resident") {
    EXPECT_THAT(db.Value("SELECT e.output FROM executions e JOIN tests t ON "
                         "t.id = e.test_id WHERE t.name = 'Hanging.Sleeps'"),
                HasSubstr("going to sleep"));
  }
}

INSTANTIATE_TEST_SUITE_P(PawnKinds, TimeoutTest, testing::Values("resident", "exec"));

TEST_F(RunTest, EveryPawnHasItsIdCountAndPrivateTempDir) {
  const Outcome outcome = RunFixture("env", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
}

TEST_F(RunTest, JobsComeFromTheFlagThenRedqueenJobs) {
  Outcome outcome = RunRedqueen(Launch{{"run", Fixture("passing"), "--db", scratch_.db()},
                                       {{"REDQUEEN_JOBS", "1"}}});
  EXPECT_THAT(outcome.out, HasSubstr("on 1 resident pawn\n"));
  outcome =
      RunRedqueen(Launch{{"run", Fixture("passing"), "-j", "2", "--db", scratch_.db()},
                         {{"REDQUEEN_JOBS", "1"}}});
  EXPECT_THAT(outcome.out, HasSubstr("on 2 resident pawns\n"));
  outcome = RunRedqueen(Launch{{"run", Fixture("passing"), "--db", scratch_.db()},
                               {{"REDQUEEN_JOBS", "many"}}});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.err,
              HasSubstr("REDQUEEN_JOBS must be a whole number from 1 to 4096, "
                        "not 'many'"));
}

TEST_F(RunTest, BadDurationIsBadUsage) {
  const Outcome outcome = RunRedqueen({"run", Fixture("passing"), "--timeout", "soon"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.err, HasSubstr("--timeout must be a duration from 0 to 1000h"));
}

TEST_F(RunTest, CtrlCKeepsResultsPrintsTheSummaryAndLeavesNoProcess) {
  Launch launch;
  launch.args = {"run", Fixture("sleepy"), "-j", "2", "--db", scratch_.db()};
  launch.signal = SIGINT;
  // Both pawns past their start, so that each is in a test when it comes.
  launch.ready = PassedInStore(scratch_.db(), 6, "", 2);
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("status: interrupted\n"));
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "a pawn or its child survived";
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT status FROM runs"), "interrupted");
  const long passed = db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED'");
  EXPECT_GT(passed, 5);
  // Each pawn was in a sleeping test: those keep their output and say so.
  const auto running = db.Rows(
      "SELECT output FROM executions WHERE skip_message LIKE "
      "'interrupted while it was running, after %'");
  EXPECT_EQ(running.size(), 2u);
  EXPECT_EQ(
      db.Count("SELECT count(*) FROM executions WHERE skip_message = 'interrupted'"),
      101 - passed - static_cast<long>(running.size()));
  // What did not run, also what was running, is what --rerun-failed runs.
  const Outcome rerun = RunRedqueen(
      {"run", Fixture("sleepy"), "-j", "2", "--db", scratch_.db(), "--rerun-failed"});
  EXPECT_THAT(rerun.out, HasSubstr("total_tests: " + std::to_string(101 - passed) + "\n"))
      << rerun.out << rerun.err;
}

TEST_F(RunTest, SigkillLeavesEveryResultReceivedInAStoreThatOpens) {
  // The event log says what redqueen had received when it was killed.
  const std::string events = scratch_.Path("events.jsonl");
  Launch launch;
  launch.args = {"run",  Fixture("sleepy"), "-j",       "1",   "--gtest_filter=Tenths/*",
                 "--db", scratch_.db(),     "--events", events};
  launch.signal = SIGKILL;
  launch.ready = PassedInStore(scratch_.db(), 1);
  launch.delay = std::chrono::milliseconds(1000);
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 128 + SIGKILL);
  std::ifstream log(events);
  long received = 0;
  for (std::string line; std::getline(log, line);) {
    received += line.find("\"event\":\"test_result\"") != std::string::npos &&
                line.find("\"status\":\"PASSED\"") != std::string::npos;
  }
  EXPECT_GE(received, 1);
  // Every result received is in the store, but for the last store flush's
  // 50 ms: one test of 100 ms, two on a machine slow to flush.
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("PRAGMA integrity_check"), "ok");
  EXPECT_GE(db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED'"),
            received - 2);
  EXPECT_EQ(db.Value("SELECT status FROM runs"), "running");
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "the pawn outlived redqueen";
}

TEST_F(RunTest, FailuresOutsideTestsFailTheTestTheyConcern) {
  // A suite in one batch: its set-up fails its first test, its tear-down its last.
  Outcome outcome = RunFixture("suite_failures", {"-j", "1", "--by-suite"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("Failure in SetUpTestSuite of BadSetUp"));
  EXPECT_THAT(outcome.out, HasSubstr("set-up broke"));
  EXPECT_THAT(outcome.out, HasSubstr("Failure in TearDownTestSuite of BadTearDown"));
  EXPECT_THAT(outcome.out, HasSubstr("tear-down broke"));
  {
    Db db(scratch_.db());
    EXPECT_EQ(Statuses(db), (std::vector<std::pair<std::string, std::string>>{
                                {"BadSetUp.First", "FAILED"},
                                // gtest skips the rest of a suite whose set-up failed.
                                {"BadSetUp.Second", "SKIPPED"},
                                {"BadTearDown.One", "PASSED"},
                                {"BadTearDown.Two", "FAILED"},
                                {"Fine.Passes", "PASSED"}}));
  }
  // Spread over pawns, every batch with a test of the suite runs its set-up
  // and tear-down: the tests in it fail, the others do not.
  outcome = RunFixture("suite_failures", {"-j", "2", "--order", "random:3"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  {
    Db db(scratch_.db());
    EXPECT_EQ(StatusOf(db, "Fine.Passes"), "PASSED");
    EXPECT_EQ(StatusOf(db, "BadSetUp.First"), "FAILED");
  }
  // An unmodified binary's JSON report leaves them out; its exit code does
  // not: the batch's last passing test carries it, with the output.
  outcome = RunFixture("suite_failures_plain", {"-j", "1", "--by-suite"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("set-up broke"));
  EXPECT_THAT(outcome.out, HasSubstr("tear-down broke"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(*) FROM failures f JOIN executions e ON "
                     "e.id = f.execution_id WHERE e.run_id = (SELECT max(id) FROM runs) "
                     "AND f.message LIKE '%a failure outside any test%'"),
            db.Count("SELECT count(*) FROM executions WHERE status = 'FAILED' AND "
                     "run_id = (SELECT max(id) FROM runs)"));
  EXPECT_GE(db.Count("SELECT count(*) FROM executions WHERE status = 'FAILED' AND "
                     "run_id = (SELECT max(id) FROM runs)"),
            2)
      << "one for the set-up, one for the tear-down";
}

TEST_F(RunTest, TwoRunsWritingOneStoreAtOnceBothKeepEveryResult) {
  // Many small commits from each side, interleaved: 1,000 results each.
  auto run = [this] {
    return RunProgram(REDQUEEN_BINARY, {"run", Fixture("passing"), "--repeat", "200",
                                        "-j", "2", "--db", scratch_.db()});
  };
  auto first = std::async(std::launch::async, run);
  auto second = std::async(std::launch::async, run);
  const Outcome a = first.get();
  const Outcome b = second.get();
  EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
  EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(*) FROM runs WHERE status = 'passed'"), 2);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions"), 2000);
  EXPECT_EQ(db.Value("PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace redqueen::e2e
