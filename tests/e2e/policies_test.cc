// The run policies on real pawns: retries, repeat, fail-fast, sequential
// mode, the serial phase, by-suite batches and history order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;

class PoliciesTest : public FixtureTest {
 protected:
  /// (name, pawn, start us, end us) of the last run's executions, by start.
  struct Span {
    std::string name;
    int pawn;
    long start;
    long end;
  };
  std::vector<Span> Spans() {
    Db db(scratch_.db());
    std::vector<Span> spans;
    for (const auto& row :
         db.Rows("SELECT t.name, e.pawn, e.finished_us - e.duration_us, e.finished_us "
                 "FROM executions e JOIN tests t ON t.id = e.test_id "
                 "WHERE e.run_id = (SELECT max(id) FROM runs) ORDER BY 3, e.id")) {
      spans.push_back({row[0], std::stoi(row[1]), std::stol(row[2]), std::stol(row[3])});
    }
    return spans;
  }
};

std::string SuiteOf(const std::string& name) { return name.substr(0, name.find('.')); }

TEST_F(PoliciesTest, RetriesTurnFailuresThatPassLaterIntoFlakyAndStoreEveryAttempt) {
  for (const char* fixture : {"flaky", "flaky_plain"}) {
    SCOPED_TRACE(fixture);
    const Outcome outcome = RunFixture(fixture, {"--retries", "2", "-j", "2"});
    EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("FLAKY Flaky.PassesOnTheSecondAttempt"));
    EXPECT_THAT(outcome.out, HasSubstr("FLAKY Flaky.CrashesOnTheFirstAttempt"));
    EXPECT_THAT(outcome.out, HasSubstr("attempt 3"));
    EXPECT_THAT(outcome.out, HasSubstr("; retrying)"));
    EXPECT_THAT(outcome.out, HasSubstr("flaky: 2\n"));
    EXPECT_THAT(outcome.out, HasSubstr("tests_failed: 1\n"));
    EXPECT_THAT(outcome.out, HasSubstr("total_tests: 5\n"));
    Db db(scratch_.db());
    const std::string this_run = " AND e.run_id = (SELECT max(id) FROM runs)";
    EXPECT_EQ(
        db.Count("SELECT count(*) FROM executions e JOIN tests t ON t.id = e.test_id "
                 "WHERE t.name = 'Flaky.AlwaysFails'" +
                 this_run),
        3);
    EXPECT_EQ(db.Value("SELECT group_concat(e.status || e.attempt || e.final, ' ') FROM "
                       "executions e JOIN tests t ON t.id = e.test_id WHERE "
                       "t.name = 'Flaky.CrashesOnTheFirstAttempt'" +
                       this_run),
              "CRASHED10 FLAKY21");
    EXPECT_EQ(StatusOf(db, "Flaky.AlwaysFails"), "FAILED");
  }
}

TEST_F(PoliciesTest, FlakyPassesTheRunUnlessFlakyFails) {
  const std::vector<std::string> args = {"--retries", "1", "--gtest_filter",
                                         "-Flaky.AlwaysFails"};
  Outcome outcome = RunFixture("flaky", args);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("status: passed\n"));
  std::vector<std::string> strict = args;
  strict.push_back("--flaky-fails");
  outcome = RunFixture("flaky", strict);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("status: failed\n"));
  EXPECT_THAT(outcome.out, HasSubstr("  FLAKY Flaky.PassesOnTheSecondAttempt"));
}

TEST_F(PoliciesTest, WithoutRetriesAFailureIsFinal) {
  const Outcome outcome = RunFixture("flaky", {"--gtest_filter", "Flaky.PassesOn*"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions"), 1);
}

TEST_F(PoliciesTest, RepeatRunsEveryTestNTimes) {
  const Outcome outcome = RunFixture("passing", {"--repeat", "3", "-j", "2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 15\n"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT group_concat(n) FROM (SELECT count(*) AS n FROM executions "
                     "GROUP BY repetition ORDER BY repetition)"),
            "5,5,5");
}

TEST_F(PoliciesTest, UntilFailStopsAtTheFirstFailureAndSaysHowManyRepetitionsPassed) {
  const Outcome outcome = RunRedqueen(
      Launch{{"run", Fixture("flaky"), "--db", scratch_.db(), "--until-fail",
              "--gtest_filter", "Flaky.FailsOnTheThirdRun:Flaky.Passes", "-j", "1"},
             {{"REDQUEEN_FIXTURE_COUNTER", scratch_.Path("counter")}}});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out,
              HasSubstr("until-fail: 2 repetitions passed before the first failure\n"));
  EXPECT_THAT(outcome.out, HasSubstr("FAILED Flaky.FailsOnTheThirdRun #3"));
}

TEST_F(PoliciesTest, FailFastSkipsWhatIsLeftAndFailsTheRun) {
  const Outcome failing = RunFixture("failing", {"--fail-fast", "-j", "1"});
  EXPECT_EQ(failing.exit_code, 1) << failing.out << failing.err;
  EXPECT_THAT(failing.out, HasSubstr("tests_failed: 1\n"));
  Db db(scratch_.db());
  EXPECT_GT(
      db.Count("SELECT count(*) FROM executions WHERE status = 'SKIPPED' AND "
               "skip_message = 'fail-fast' AND run_id = (SELECT max(id) FROM runs)"),
      0);
  EXPECT_EQ(db.Value("SELECT status FROM runs ORDER BY id DESC LIMIT 1"), "failed");
}

TEST_F(PoliciesTest, SequentialModeRunsOnePawnInDeclaredOrder) {
  const Outcome outcome = RunFixture("suites", {"--mode", "sequential"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("on 1 resident pawn"));
  const auto spans = Spans();
  ASSERT_EQ(spans.size(), 16u);
  std::vector<std::string> names;
  for (const Span& span : spans) {
    EXPECT_EQ(span.pawn, 0);
    names.push_back(span.name);
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()))
      << testing::PrintToString(names);
  const Outcome bad = RunFixture("suites", {"--mode", "sequential", "-j", "2"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--mode sequential runs one pawn; drop -j 2"));
}

TEST_F(PoliciesTest, SerialTestsRunAloneBeforeTheOthers) {
  const Outcome outcome =
      RunFixture("suites", {"--serial", "C.*", "--serial", "A.t0", "-j", "2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  const auto spans = Spans();
  ASSERT_EQ(spans.size(), 16u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(SuiteOf(spans[i].name) == "C" || spans[i].name == "A.t0")
        << spans[i].name;
    // Alone: it ended before the next one started.
    EXPECT_LE(spans[i].end, spans[i + 1].start)
        << spans[i].name << " overlaps " << spans[i + 1].name;
  }
}

TEST_F(PoliciesTest, BySuiteSendsEachSuiteToOnePawnInDeclaredOrder) {
  // Without --by-suite some suite is split between the pawns (so the check
  // below can fail); with it, none is.
  for (const bool by_suite : {false, true}) {
    std::vector<std::string> args = {"-j", "2", "--order", "declared"};
    if (by_suite) args.push_back("--by-suite");
    const Outcome outcome = RunFixture("suites", args);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    std::map<std::string, std::set<int>> pawns;
    std::map<std::string, std::vector<std::string>> order;
    for (const Span& span : Spans()) {
      pawns[SuiteOf(span.name)].insert(span.pawn);
      order[SuiteOf(span.name)].push_back(span.name);
    }
    bool split = false;
    for (const auto& [suite, used] : pawns) split = split || used.size() > 1;
    EXPECT_EQ(split, !by_suite);
    if (by_suite) {
      for (const auto& [suite, names] : order) {
        EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << suite;
      }
    }
  }
}

TEST_F(PoliciesTest, HistoryOrderStartsTheLongestTestsFirstOnTheNextRun) {
  Outcome outcome = RunFixture("suites", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  auto spans = Spans();
  EXPECT_EQ(SuiteOf(spans.front().name), "A") << "no history: registration order";
  outcome = RunFixture("suites", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  spans = Spans();
  ASSERT_EQ(spans.size(), 16u);
  EXPECT_EQ(SuiteOf(spans[0].name), "D");
  EXPECT_EQ(SuiteOf(spans[1].name), "D");
  EXPECT_EQ(SuiteOf(spans.back().name), "A") << "the shortest fill the end";
}

// A test that was quick last time runs long now: the pawn holding the
// batch is stuck on it, and the other pawn takes back the rest of its batch
// rather than idle. An exec pawn's child runs its batch to the end, so there
// every test still runs once, on the pawn that had it.
TEST_F(PoliciesTest, APawnThatRunsDryTakesBackTheTestsAStuckPawnHasNotStarted) {
  for (const char* kind : {"resident", "exec"}) {
    const std::string fixture = std::string(kind) == "exec" ? "steal_plain" : "steal";
    const std::vector<std::string> args = {
        "run", Fixture(fixture), "--db", scratch_.db(), "-j", "2", "--pawn", kind};
    Outcome outcome = RunRedqueen(args);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    outcome = RunRedqueen(Launch{args, {{"REDQUEEN_FIXTURE_SLOW", "1"}}});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_EQ(LeftBehind(), std::vector<int>{});
    const std::vector<Span> spans = Spans();
    ASSERT_EQ(spans.size(), 12u) << kind << ": each test once";
    const auto slow = std::find_if(spans.begin(), spans.end(),
                                   [](const Span& s) { return s.name == "Steal.Slow"; });
    ASSERT_NE(slow, spans.end());
    for (const Span& span : spans) {
      if (span.name == slow->name) continue;
      if (std::string(kind) == "resident") {
        EXPECT_NE(span.pawn, slow->pawn) << span.name << " waited behind Steal.Slow";
        EXPECT_LT(span.end, slow->end) << span.name;
      }
    }
  }
}

// Beside another binary, the stuck pawn's binary has one pawn, which takes
// its small batch whole; the pawn done with the other binary joins it.
TEST_F(PoliciesTest, APawnDoneWithItsOwnBinaryTakesBackTheTailOfAnotherBinarysStuckPawn) {
  const std::vector<std::string> args = {
      "run", Fixture("steal"), Fixture("passing"), "--db", scratch_.db(), "-j", "2"};
  Outcome outcome = RunRedqueen(args);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  outcome = RunRedqueen(Launch{args, {{"REDQUEEN_FIXTURE_SLOW", "1"}}});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
  std::vector<Span> steal;
  for (const Span& span : Spans()) {
    if (SuiteOf(span.name) == "Steal") steal.push_back(span);
  }
  ASSERT_EQ(steal.size(), 12u) << "each test once";
  const auto slow = std::find_if(steal.begin(), steal.end(),
                                 [](const Span& s) { return s.name == "Steal.Slow"; });
  ASSERT_NE(slow, steal.end());
  for (const Span& span : steal) {
    if (span.name == slow->name) continue;
    EXPECT_NE(span.pawn, slow->pawn) << span.name << " waited behind Steal.Slow";
    EXPECT_LT(span.end, slow->end) << span.name;
  }
}

// A pawn id passes from binary to binary; never do two pawns of one id run
// tests at the same time (tests use it for ports and folders).
TEST_F(PoliciesTest, TwoPawnsOfOneIdNeverRunTestsAtOnce) {
  std::vector<std::string> args = {"run"};
  for (const char* copy : {"steal_a", "steal_b"}) {
    const std::string binary = scratch_.Path(copy);
    std::filesystem::copy_file(Fixture("steal"), binary);
    args.push_back(binary);
  }
  args.insert(args.end(), {"--db", scratch_.db(), "-j", "1"});
  Outcome outcome = RunRedqueen(args);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  // Steal.Slow now takes 1.5 s, at the head of each binary's one batch.
  outcome = RunRedqueen(Launch{args, {{"REDQUEEN_FIXTURE_SLOW", "1"}}});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  std::vector<Span> spans = Spans();
  ASSERT_EQ(spans.size(), 24u);
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(spans[i].pawn, 0);
    if (i == 0) continue;
    EXPECT_LE(spans[i - 1].end, spans[i].start)
        << spans[i - 1].name << " overlaps " << spans[i].name;
  }
}

// The store remembers each binary's list, so that a rerun asks no pawn for
// it; a binary rebuilt with other tests must still run what it has now.
TEST_F(PoliciesTest, ABinaryRebuiltBetweenRunsRunsItsNewTests) {
  for (const char* pawn : {"resident", "exec"}) {
    SCOPED_TRACE(pawn);
    const std::string binary = scratch_.Path(std::string("x_test_") + pawn);
    const auto copy = std::filesystem::copy_options::overwrite_existing;
    std::filesystem::copy_file(Fixture("passing"), binary, copy);
    const std::vector<std::string> args = {"run", binary, "--db",   scratch_.db(),
                                           "-j",  "2",    "--pawn", pawn};
    for (int run = 0; run < 2; ++run) {
      const Outcome outcome = RunRedqueen(args);
      EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
      EXPECT_THAT(outcome.out, HasSubstr("tests_passed: 5\n"));
    }
    std::filesystem::copy_file(Fixture("suites"), binary, copy);
    const Outcome outcome = RunRedqueen(args);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("tests_passed: 16\n"));
    Db db(scratch_.db());
    const auto statuses = Statuses(db);
    ASSERT_EQ(statuses.size(), 16u);
    for (const auto& [name, status] : statuses) {
      EXPECT_NE(name.rfind("Passing.", 0), 0u)
          << "a test of the old binary ran: " << name;
      EXPECT_EQ(status, "PASSED") << name;
    }
  }
}

TEST_F(PoliciesTest, FailedFirstStartsLastRunsFailures) {
  Outcome outcome = RunFixture("flaky", {"--gtest_filter", "-Flaky.FailsOnTheThirdRun"});
  EXPECT_EQ(outcome.exit_code, 1);
  outcome = RunFixture("flaky", {"--failed-first", "--order", "declared", "-j", "1",
                                 "--gtest_filter", "Flaky.Passes:Flaky.AlwaysFails"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  const auto spans = Spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans.front().name, "Flaky.AlwaysFails");
}

TEST_F(PoliciesTest, RandomOrderPrintsItsSeedAndBadOrdersAreUsageErrors) {
  Outcome outcome = RunFixture("passing", {"--order", "random"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("repeats it)"));
  outcome = RunFixture("passing", {"--order", "random:12"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  outcome = RunFixture("passing", {"--order", "sideways"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.err, HasSubstr("'sideways' is not an order"));
}

TEST_F(PoliciesTest, ASettingsFileDrivesARealRunAndConfigSaysWhereEachCameFrom) {
  {
    std::ofstream(scratch_.Path("ci.toml")) << "[run]\nretries = 1\njobs = 2\n"
                                               "gtest_filter = \"-Flaky.AlwaysFails\"\n";
  }
  const Outcome outcome = RunFixture("flaky", {"--config", scratch_.Path("ci.toml")});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("flaky: 2\n"));
  const Outcome config =
      RunRedqueen({"config", "--config", scratch_.Path("ci.toml"), "-j", "1"});
  EXPECT_EQ(config.exit_code, 0) << config.err;
  EXPECT_THAT(config.out, HasSubstr("retries = 1"));
  EXPECT_THAT(config.out, HasSubstr("# " + scratch_.Path("ci.toml")));
  EXPECT_THAT(config.out, testing::ContainsRegex("jobs = 1 +# command line"));
  EXPECT_THAT(config.out, testing::ContainsRegex("repeat = 1 +# default"));
}

TEST_F(PoliciesTest, APawnHoggingMemoryIsKilledItsTestRequeuedOnceThenCrashed) {
  // Any machine uses more than 1% of its memory: the limit is always passed.
  const Outcome outcome = RunFixture("memory_hog", {"--max-memory", "1", "-j", "1"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("CRASHED Memory.Hog"));
  EXPECT_THAT(outcome.out, HasSubstr("of memory in use; requeued once"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT group_concat(e.status || e.final, ' ') FROM executions e "
                     "JOIN tests t ON t.id = e.test_id WHERE t.name = 'Memory.Hog'"),
            "CRASHED0 CRASHED1");
  EXPECT_EQ(StatusOf(db, "Memory.Small"), "PASSED") << "a small pawn is left alone";
}

TEST_F(PoliciesTest, EveryTestRunsOncePerTargetInItsEnvironment) {
  const Outcome outcome =
      RunFixture("target", {"--target", "chrome:BROWSER=chrome", "--target",
                            "firefox:BROWSER=firefox,EXTRA=1", "-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("for 2 targets"));
  EXPECT_THAT(outcome.out, HasSubstr("fixture_target@firefox: Target.FailsOnFirefox"));
  EXPECT_THAT(outcome.out, HasSubstr("target chrome: 9 passed, 0 failed, 0 skipped\n"));
  EXPECT_THAT(outcome.out, HasSubstr("target firefox: 8 passed, 1 failed, 0 skipped\n"));
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 18\n"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT group_concat(target || ':' || n) FROM (SELECT t.target, "
                     "count(*) AS n FROM executions e JOIN tests t ON t.id = e.test_id "
                     "GROUP BY t.target ORDER BY t.target)"),
            "chrome:9,firefox:9");
}

TEST_F(PoliciesTest, TargetJobsCapsThePawnsOfATarget) {
  const Outcome outcome = RunFixture(
      "target", {"--target", "one:BROWSER=one", "--target", "many:BROWSER=many",
                 "--target-jobs", "one=1", "-j", "2", "--gtest_filter", "Six/*"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  Db db(scratch_.db());
  const auto rows = db.Rows(
      "SELECT e.finished_us - e.duration_us, e.finished_us FROM executions e JOIN tests "
      "t "
      "ON t.id = e.test_id WHERE t.target = 'one' ORDER BY 1");
  ASSERT_EQ(rows.size(), 6u);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LE(std::stol(rows[i - 1][1]), std::stol(rows[i][0]))
        << "two sessions of target 'one' at once";
  }
}

TEST_F(PoliciesTest, BadTargetsAreUsageErrors) {
  Outcome outcome = RunFixture("target", {"--target", "bad name:X=1"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.err, HasSubstr("the name must be"));
  outcome = RunFixture("target", {"--target", "a:X", "--target-jobs", "a=1"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.err, HasSubstr("'X' is not KEY=VALUE"));
  outcome = RunFixture("target", {"--target", "a:X=1", "--target-jobs", "b=1"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.err, HasSubstr("no --target named 'b'"));
}

TEST_F(PoliciesTest, JunitAndJsonReportsHaveEveryTestAndAttempt) {
  const std::string path = scratch_.Path("report.xml");
  const Outcome outcome = RunFixture("flaky", {"--retries", "1", "--junit", path});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  std::ifstream in(path);
  const std::string xml((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"redqueen\" tests=\"5\" failures=\"1\" "
                             "errors=\"0\" skipped=\"0\""));
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"PassesOnTheSecondAttempt\""));
  EXPECT_THAT(xml, HasSubstr("<flakyFailure "));
  EXPECT_THAT(xml,
              HasSubstr("<flakyError message=\"signal 6 (SIGABRT)\" type=\"CRASHED\">"));
  EXPECT_THAT(xml, HasSubstr("<rerunFailure "));
  EXPECT_THAT(xml, HasSubstr("</testsuites>\n"));

  const std::string json_path = scratch_.Path("report.json");
  const Outcome json_run = RunFixture("flaky", {"--retries", "1", "--json", json_path});
  EXPECT_EQ(json_run.exit_code, 1) << json_run.out << json_run.err;
  std::ifstream json_in(json_path);
  const std::string json((std::istreambuf_iterator<char>(json_in)),
                         std::istreambuf_iterator<char>());
  EXPECT_THAT(json, HasSubstr("\"status\": \"FLAKY\""));
  EXPECT_THAT(json, HasSubstr("\"final\": false"));
  EXPECT_THAT(json, HasSubstr("\"tests_failed\": 1"));

  // Found before any test runs, rather than after the whole run.
  const Outcome unwritable =
      RunFixture("passing", {"--junit", scratch_.Path("no/such/folder/report.xml")});
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_THAT(unwritable.err, HasSubstr("cannot write the JUnit report"));
  EXPECT_THAT(unwritable.err, HasSubstr("no test was run"));
  EXPECT_THAT(unwritable.out, testing::Not(HasSubstr("running")));
}

TEST_F(PoliciesTest, RerunFailedRunsOnlyWhatDidNotPassLastTime) {
  Outcome outcome = RunFixture("failing", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  outcome = RunFixture("failing", {"-j", "2", "--rerun-failed"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out,
              testing::ContainsRegex(
                  "redqueen: --rerun-failed: [0-9]+ tests of [^ ]*fixture_failing "
                  "did not pass in run 1\n"));
  Db db(scratch_.db());
  const std::string last = " AND run_id = (SELECT max(id) FROM runs)";
  const long failed_before =
      db.Count("SELECT count(*) FROM executions WHERE status = 'FAILED' AND run_id = 1");
  EXPECT_GT(failed_before, 0);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE 1" + last), failed_before);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE status = 'FAILED'" + last),
            failed_before);

  outcome = RunFixture("passing", {"--rerun-failed"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out,
              HasSubstr("fixture_passing in the store: running every test\n"));
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 5\n")) << "no baseline: every test";
}

TEST_F(PoliciesTest, HistoryCommandsReadTheStore) {
  EXPECT_EQ(RunFixture("flaky", {"--retries", "1"}).exit_code, 1);
  EXPECT_EQ(RunFixture("passing").exit_code, 0);
  const std::string db = scratch_.db();
  Outcome runs = RunRedqueen({"runs", "--db", db});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_THAT(runs.out, testing::ContainsRegex(" 2 +[0-9T:.Z-]+ +passed +5 +5 +0 +0 +0"));
  EXPECT_THAT(runs.out, testing::ContainsRegex(" 1 +[0-9T:.Z-]+ +failed +5 +4 +1 +0 +2"));
  Outcome show = RunRedqueen({"show", "1", "--db", db, "--status", "FAILED"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("FAILED   "));
  EXPECT_THAT(show.out, HasSubstr("Flaky.AlwaysFails"));
  EXPECT_THAT(show.out, testing::Not(HasSubstr("Flaky.Passes ")));
  Outcome slowest = RunRedqueen({"slowest", "--db", db, "-n", "2"});
  EXPECT_EQ(slowest.exit_code, 0) << slowest.err;
  EXPECT_EQ(std::count(slowest.out.begin(), slowest.out.end(), '\n'), 2);
  EXPECT_THAT(slowest.out, HasSubstr("fixture_passing: Passing."));
  Outcome flaky = RunRedqueen({"flaky", "--db", db});
  EXPECT_THAT(flaky.out,
              HasSubstr("Flaky.PassesOnTheSecondAttempt: 0 passed, 0 failed, 1 flaky"));
  const std::string json = scratch_.Path("one.json");
  EXPECT_EQ(RunRedqueen({"export", "1", "--db", db, "--json", json}).exit_code, 0);
  std::ifstream in(json);
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("\"status\": \"FLAKY\""));
  EXPECT_EQ(RunRedqueen({"show", "99", "--db", db}).exit_code, 2);
  EXPECT_EQ(RunRedqueen({"export", "1", "--db", db}).exit_code, 2);
  const Outcome missing = RunRedqueen({"runs", "--db", scratch_.Path("none.db")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("no result store at"));
  EXPECT_FALSE(std::filesystem::exists(scratch_.Path("none.db"))) << "never created";
}

TEST_F(PoliciesTest, EventsFollowTheRunLineByLine) {
  for (const char* fixture : {"flaky", "flaky_plain"}) {
    SCOPED_TRACE(fixture);
    const std::string path = scratch_.Path(std::string(fixture) + ".jsonl");
    const Outcome outcome =
        RunFixture(fixture, {"--retries", "1", "-j", "2", "--events", path});
    EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_THAT(lines.front(), HasSubstr("\"event\":\"run_start\""));
    EXPECT_THAT(lines.back(), HasSubstr("\"event\":\"run_end\""));
    auto count = [&lines](const std::string& text) {
      return std::count_if(lines.begin(), lines.end(), [&text](const std::string& line) {
        return line.find(text) != std::string::npos;
      });
    };
    // 5 tests, 3 of them run twice (two flaky, one failing every attempt).
    EXPECT_EQ(count("\"event\":\"test_result\""), 8);
    EXPECT_EQ(count("\"event\":\"test_start\""), 8);
    EXPECT_EQ(count("\"event\":\"pawn_start\""), count("\"event\":\"pawn_exit\""));
    EXPECT_EQ(count("\"status\":\"FLAKY\""), 2);
  }
  // On stdout, the events are all there is: people's lines go to stderr.
  const Outcome piped = RunFixture("passing", {"--events", "-"});
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  std::istringstream lines(piped.out);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.rfind("{\"", 0), 0u) << "not a JSON line: " << line;
  }
  EXPECT_THAT(piped.err, HasSubstr("status: passed"));

  const Outcome unwritable =
      RunFixture("passing", {"--events", scratch_.Path("no/such/folder/events.jsonl")});
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_THAT(unwritable.err, HasSubstr("cannot write the event log"));
}

TEST_F(PoliciesTest, HtmlReportDrawsABarPerExecutionInChromium) {
  EXPECT_EQ(RunFixture("flaky", {"--retries", "1", "-j", "2"}).exit_code, 1);
  const std::string html = scratch_.Path("report.html");
  const Outcome report = RunRedqueen({"report", "--db", scratch_.db(), "-o", html});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const Outcome dom = RenderedPage(html, scratch_);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  auto count = [&dom](const std::string& text) { return Occurrences(dom.out, text); };
  Db db(scratch_.db());
  EXPECT_EQ(count("class=\"bar\""),
            static_cast<size_t>(db.Count("SELECT count(*) FROM executions")))
      << "one bar per test and attempt";
  EXPECT_EQ(count("<details class=\"failure\""), 4u) << "every failed, crashed attempt";
  EXPECT_THAT(dom.out, HasSubstr("Run 1: failed. 5 tests"));
}

}  // namespace
}  // namespace redqueen::e2e
