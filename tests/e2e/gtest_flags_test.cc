// Every row of the README's table of GoogleTest flags and variables, end to
// end on both pawn kinds: each means to a redqueen run what it means to the
// binary run by hand, or is refused with what to use instead.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;
using testing::Not;
namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The tests the native binary runs with `env` set, from its own output.
std::set<std::string> NativeRun(
    const std::string& fixture,
    const std::vector<std::pair<std::string, std::string>>& env) {
  std::string command;
  for (const auto& [key, value] : env) command += key + "='" + value + "' ";
  const Outcome native = RunProgram("/bin/sh", {"-c", command + Fixture(fixture)});
  std::set<std::string> ran;
  std::istringstream lines(native.out);
  for (std::string line; std::getline(lines, line);) {
    const std::string run = "[ RUN      ] ";
    if (line.rfind(run, 0) == 0) ran.insert(line.substr(run.size()));
  }
  return ran;
}

class GtestFlagsTest : public testing::TestWithParam<std::string> {
 protected:
  /// redqueen run FIXTURE on this kind of pawn, with `extra` and `env`.
  Outcome Run(const std::string& fixture, std::vector<std::string> extra,
              std::vector<std::pair<std::string, std::string>> env = {}) {
    Launch launch;
    launch.args = {"run", Fixture(fixture), "--pawn", GetParam(), "--db", scratch_.db()};
    launch.args.insert(launch.args.end(), extra.begin(), extra.end());
    launch.env = std::move(env);
    Outcome outcome = RunRedqueen(launch);
    EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
    return outcome;
  }
  /// Names of the tests the last run in the store ran (not SKIPPED), each once.
  std::multiset<std::string> Ran() {
    Db db(scratch_.db());
    std::multiset<std::string> ran;
    for (const auto& row : db.Rows(
             "SELECT t.name FROM executions e JOIN tests t ON t.id = e.test_id "
             "WHERE e.run_id = (SELECT max(id) FROM runs) AND e.status != 'SKIPPED'")) {
      ran.insert(row[0]);
    }
    return ran;
  }
  Scratch scratch_;
};

TEST_P(GtestFlagsTest, FilterFromTheFlagBeforeOrAfterTheSeparatorOrAVariable) {
  const std::multiset<std::string> a = {"A.t0", "A.t1", "A.t2", "A.t3"};
  for (const auto& [extra, env] :
       std::vector<std::pair<std::vector<std::string>,
                             std::vector<std::pair<std::string, std::string>>>>{
           {{"--gtest_filter=A.*"}, {}},
           {{"--", "--gtest_filter=A.*"}, {}},
           {{}, {{"GTEST_FILTER", "A.*"}}},
           {{}, {{"TESTBRIDGE_TEST_ONLY", "A.*"}}},
           // The flag beats its variable, gtest's own variable Bazel's.
           {{"--gtest_filter=A.*"}, {{"GTEST_FILTER", "B.*"}}},
           {{}, {{"GTEST_FILTER", "A.*"}, {"TESTBRIDGE_TEST_ONLY", "B.*"}}}}) {
    const Outcome outcome = Run("suites", extra, env);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_EQ(Ran(), a) << outcome.out;
  }
}

TEST_P(GtestFlagsTest, AlsoRunDisabledTestsFromTheFlagOrItsVariable) {
  for (const auto& [extra, env] :
       std::vector<std::pair<std::vector<std::string>,
                             std::vector<std::pair<std::string, std::string>>>>{
           {{"--", "--gtest_also_run_disabled_tests"}, {}},
           {{}, {{"GTEST_ALSO_RUN_DISABLED_TESTS", "1"}}}}) {
    const Outcome outcome = Run("disabled", extra, env);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_EQ(Ran(),
              (std::multiset<std::string>{"Enabled.Runs", "Enabled.DISABLED_Skipped",
                                          "DISABLED_WholeSuite.AlsoSkipped"}));
  }
}

TEST_P(GtestFlagsTest, RepeatRunsEachTestThatManyTimesAndReportsEachRun) {
  for (const auto& [extra, env] :
       std::vector<std::pair<std::vector<std::string>,
                             std::vector<std::pair<std::string, std::string>>>>{
           {{"--", "--gtest_repeat=3"}, {}}, {{}, {{"GTEST_REPEAT", "3"}}}}) {
    const Outcome outcome = Run("passing", extra, env);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("total_tests: 15\n"));
    EXPECT_EQ(Ran().count("Passing.One"), 3u);
  }
}

TEST_P(GtestFlagsTest, RepeatUntilStoppedRunsUntilInterrupted) {
  Launch launch;
  launch.args = {"run",  Fixture("passing"), "--pawn", GetParam(),
                 "--db", scratch_.db(),      "--",     "--gtest_repeat=-1"};
  launch.signal = SIGINT;
  // It never gets there unless it goes on repeating.
  launch.ready = PassedInStore(scratch_.db(), 4, "Passing.One");
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
  EXPECT_GT(Ran().count("Passing.One"), 3u) << "it went on repeating";
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
}

TEST_P(GtestFlagsTest, ShuffleWithASeedIsARandomOrderThatRepeats) {
  auto order = [this] {
    Db db(scratch_.db());
    std::vector<std::string> names;
    for (const auto& row :
         db.Rows("SELECT t.name FROM executions e JOIN tests t ON t.id = e.test_id WHERE "
                 "e.run_id = (SELECT max(id) FROM runs) ORDER BY e.id")) {
      names.push_back(row[0]);
    }
    return names;
  };
  // One test a batch (--serial '*'), so that the pawn runs them in the
  // order planned, not in gtest's order within a batch.
  const Outcome first = Run("suites", {"-j", "1", "--serial", "*", "--",
                                       "--gtest_shuffle", "--gtest_random_seed=11"});
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  const std::vector<std::string> shuffled = order();
  const Outcome again = Run("suites", {"-j", "1", "--serial", "*"},
                            {{"GTEST_SHUFFLE", "1"}, {"GTEST_RANDOM_SEED", "11"}});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(order(), shuffled);
  const Outcome declared =
      Run("suites", {"-j", "1", "--serial", "*", "--order", "declared"});
  EXPECT_EQ(declared.exit_code, 0);
  EXPECT_EQ(shuffled.size(), 16u);
  EXPECT_NE(order(), shuffled) << "a seed of 11 keeps 16 tests in declared order";
}

TEST_P(GtestFlagsTest, FailFastFromTheFlagOrAVariableStopsAtTheFirstFailure) {
  for (const auto& [extra, env] :
       std::vector<std::pair<std::vector<std::string>,
                             std::vector<std::pair<std::string, std::string>>>>{
           {{"-j", "1", "--", "--gtest_fail_fast"}, {}},
           {{"-j", "1"}, {{"GTEST_FAIL_FAST", "1"}}},
           {{"-j", "1"}, {{"TESTBRIDGE_TEST_RUNNER_FAIL_FAST", "1"}}}}) {
    const Outcome outcome = Run("failing", extra, env);
    EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("tests_failed: 1\n"));
  }
}

TEST_P(GtestFlagsTest, OutputWritesRedqueensReportWhereGtestWouldWriteItsOwn) {
  const std::string xml = scratch_.Path("out/report.xml");
  Outcome outcome = Run("suites", {"--", "--gtest_output=xml:" + xml});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  const std::string text = ReadAll(xml);
  EXPECT_THAT(text, HasSubstr("tests=\"16\""));
  EXPECT_THAT(text, HasSubstr("<testcase name=\"t3\""));

  const std::string bazel = scratch_.Path("bazel.xml");
  outcome = Run("suites", {}, {{"XML_OUTPUT_FILE", bazel}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(ReadAll(bazel), HasSubstr("tests=\"16\""));

  const std::string json = scratch_.Path("report.json");
  outcome = Run("suites", {}, {{"GTEST_OUTPUT", "json:" + json}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(ReadAll(json), HasSubstr("\"total_tests\": 16"));
}

TEST_P(GtestFlagsTest, OutputToAFolderWritesOneFilePerBinaryAsGtestNamesIt) {
  const std::string dir = scratch_.Path("reports") + "/";
  fs::create_directories(dir);
  // A file that is there already is kept; the next name is taken, as gtest does.
  std::ofstream(dir + "fixture_suites.xml") << "old";
  Launch launch;
  launch.args = {
      "run",  Fixture("suites"), Fixture("passing"),         "--pawn", GetParam(),
      "--db", scratch_.db(),     "--gtest_output=xml:" + dir};
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_EQ(ReadAll(dir + "fixture_suites.xml"), "old");
  EXPECT_THAT(ReadAll(dir + "fixture_suites_1.xml"), HasSubstr("tests=\"16\""));
  EXPECT_THAT(ReadAll(dir + "fixture_passing.xml"), HasSubstr("tests=\"5\""));
  EXPECT_THAT(ReadAll(dir + "fixture_passing.xml"), Not(HasSubstr("t3")));
}

TEST_P(GtestFlagsTest, BriefPrintsOnlyFailuresAndPrintTimeZeroDropsDurations) {
  Outcome outcome = Run("skipping", {"--", "--gtest_brief=1"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, Not(HasSubstr("SKIPPED Skipping.Skips")));
  outcome = Run("skipping", {});
  EXPECT_THAT(outcome.out, HasSubstr("SKIPPED Skipping.Skips ("));
  outcome =
      Run("failing", {"-j", "1"}, {{"GTEST_BRIEF", "1"}, {"GTEST_PRINT_TIME", "0"}});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.out, HasSubstr("FAILED Failing.ExpectEq (pawn 0)\n"));
}

TEST_P(GtestFlagsTest, ColorYesColoursEvenWithoutATerminal) {
  const Outcome outcome = Run("failing", {"-j", "1"}, {{"GTEST_COLOR", "yes"}});
  EXPECT_THAT(outcome.out, HasSubstr("\033[0;31mFAILED\033[m Failing.ExpectEq"));
  const Outcome plain = Run("failing", {"-j", "1", "--gtest_color=auto"});
  EXPECT_THAT(plain.out, Not(HasSubstr("\033[")));
}

TEST_P(GtestFlagsTest, ListTestsPrintsWhatTheBinaryItselfPrints) {
  // gtest lists what the filter matches, DISABLED_ tests too, and no shard.
  for (const auto& [fixture, filter] : std::vector<std::pair<std::string, std::string>>{
           {"suites", "B.*:C.t0"}, {"disabled", "*"}, {"param_typed", "*"}}) {
    Launch launch;
    launch.args = {
        "run",         Fixture(fixture),           "--pawn", GetParam(),          "--db",
        scratch_.db(), "--gtest_filter=" + filter, "--",     "--gtest_list_tests"};
    launch.env = {{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "2"}};
    const Outcome outcome = RunRedqueen(launch);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    std::string native =
        RunProgram(Fixture(fixture), {"--gtest_filter=" + filter, "--gtest_list_tests"})
            .out;
    native = native.substr(native.find('\n') + 1);  // "Running main() from ..."
    EXPECT_EQ(outcome.out, native) << fixture;
  }
  EXPECT_FALSE(fs::exists(scratch_.db())) << "listing runs nothing, stores nothing";
}

TEST_P(GtestFlagsTest, RedqueenListPrintsWhatARunWouldSelect) {
  const Outcome list = RunRedqueen(
      {"list", Fixture("suites"), "--pawn", GetParam(), "--gtest_filter=B.*:C.t0"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "B.t0\nB.t1\nB.t2\nB.t3\nC.t0\n");
  const Outcome json = RunRedqueen({"list", Fixture("suites"), "--pawn", GetParam(),
                                    "--gtest_filter=A.t1", "--format", "json"});
  EXPECT_THAT(json.out, HasSubstr("\"name\": \"A.t1\""));
  EXPECT_THAT(json.out, HasSubstr("\"binary\": \"tests/fixtures/fixture_suites\""));
  const Outcome ignored = RunRedqueen({"list", Fixture("suites"), "--junit", "x.xml"});
  EXPECT_EQ(ignored.exit_code, 2);
  EXPECT_THAT(ignored.err,
              HasSubstr("--junit acts on a run, and a listing runs nothing"));
}

TEST_P(GtestFlagsTest, FlagfileIsReadAsGtestReadsIt) {
  const std::string flagfile = scratch_.Path("flags");
  std::ofstream(flagfile) << "--gtest_filter=C.*\n--gtest_repeat=2\n";
  const Outcome outcome = Run("suites", {"--", "--gtest_flagfile=" + flagfile});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_EQ(Ran().size(), 8u);
  EXPECT_EQ(Ran().count("C.t2"), 2u);
  // gtest 1.12 reads no GTEST_FLAGFILE, and neither does redqueen.
  const Outcome variable = Run("suites", {}, {{"GTEST_FLAGFILE", flagfile}});
  EXPECT_EQ(variable.exit_code, 0) << variable.out << variable.err;
  EXPECT_EQ(Ran().size(), 16u);
}

TEST_P(GtestFlagsTest, FlagsThatActInATestReachThePawnsAndNoneThatSteersTheRun) {
  const Outcome outcome =
      Run("pawn_flags",
          {"--gtest_stack_trace_depth=7", "--gtest_death_test_use_fork", "--",
           "--gtest_catch_exceptions=0", "--gtest_throw_on_failure",
           "--gtest_print_utf8=0", "--gtest_death_test_style=threadsafe",
           "--gtest_repeat=2", "--gtest_shuffle", "--gtest_brief=1"},
          {{"PAWN_FLAGS_EXPECTED", "1"},
           {"GTEST_BREAK_ON_FAILURE", "1"},
           {"GTEST_FILTER", "*"},
           {"XML_OUTPUT_FILE", scratch_.Path("x.xml")},
           {"GTEST_SHARD_INDEX", "0"},
           {"GTEST_TOTAL_SHARDS", "1"},
           {"TEST_PREMATURE_EXIT_FILE", scratch_.Path("premature")},
           {"TEST_WARNINGS_OUTPUT_FILE", scratch_.Path("warnings")},
           {"GTEST_COLOR", "no"},
           {"GTEST_FAIL_FAST", "0"}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_EQ(Ran().size(), 8u) << outcome.out;
}

TEST_P(GtestFlagsTest, FlagsItCannotHonourAreRefusedWithWhatToUse) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--", "--gtest_stream_result_to=localhost:9"}, "use --events FILE"},
      {{"--", "--gtest_recreate_environments_when_repeating"}, "once per pawn"},
      {{"--", "--gtest_show_internal_stack_frames"}, "only when built with Abseil"},
      {{"--gtest_install_failure_signal_handler"}, "only when built with Abseil"},
      {{"--", "--gtest_internal_run_death_test=x.cc|1"},
       "for the child process of a death test"},
      {{"--", "--gtest_fliter=A.*"}, "did you mean --gtest_filter?"},
      {{"--", "-gtest_filter=A.*"}, "print gtest's help and run no test"},
      {{"--", "--help"}, "print gtest's help and run no test"},
      {{"--gtest_repeat=0"}, "runs no test"},
      {{"--gtest_output=yaml:x"}, "the format is xml or json"},
  };
  for (const auto& [extra, message] : cases) {
    const Outcome outcome = Run("passing", extra);
    EXPECT_EQ(outcome.exit_code, 2) << message;
    EXPECT_THAT(outcome.err, HasSubstr(message));
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
  const Outcome streamed =
      Run("passing", {}, {{"GTEST_STREAM_RESULT_TO", "localhost:9"}});
  EXPECT_EQ(streamed.exit_code, 2);
  EXPECT_THAT(streamed.err, HasSubstr("GTEST_STREAM_RESULT_TO"));
}

TEST_P(GtestFlagsTest, ShardVariablesRunTheNativeShardAndTouchTheStatusFile) {
  for (const auto& [index, total] :
       {std::pair{"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"},
        std::pair{"TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS"}}) {
    const std::string status = scratch_.Path(std::string("status_") + index);
    const Outcome outcome =
        Run("suites", {"--gtest_filter=-B.t1"},
            {{index, "1"}, {total, "3"}, {"GTEST_SHARD_STATUS_FILE", status}});
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_TRUE(fs::exists(status));
    const std::multiset<std::string> ran = Ran();
    const std::set<std::string> native = NativeRun("suites", {{"GTEST_SHARD_INDEX", "1"},
                                                              {"GTEST_TOTAL_SHARDS", "3"},
                                                              {"GTEST_FILTER", "-B.t1"}});
    EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()), native);
    EXPECT_EQ(ran.size(), native.size());
  }
  const Outcome bad =
      Run("suites", {}, {{"GTEST_SHARD_INDEX", "3"}, {"GTEST_TOTAL_SHARDS", "3"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err,
              HasSubstr("GTEST_SHARD_INDEX=3 is not a shard of GTEST_TOTAL_SHARDS=3"));
}

TEST_P(GtestFlagsTest, BazelsFilesAreMadeWhereItAsks) {
  const std::string premature = scratch_.Path("premature");
  const std::string warnings = scratch_.Path("warnings");
  const std::string tmp = scratch_.Path("tmp");
  fs::create_directories(tmp);
  const Outcome outcome = Run(
      "sleepy", {"--gtest_filter=Tenths/*.Sleeps/1*", "--slow", "0.01s"},
      {{"TEST_PREMATURE_EXIT_FILE", premature}, {"TEST_WARNINGS_OUTPUT_FILE", warnings}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_FALSE(fs::exists(premature)) << "removed at a clean end";
  EXPECT_THAT(ReadAll(warnings), HasSubstr("Tenths/SleepyTest.Sleeps/1"));
  EXPECT_THAT(ReadAll(warnings), HasSubstr("has been running"));

  // The pawns' private folders are made in the TEST_TMPDIR given, and removed.
  const Outcome in_tmp = Run("pawn_flags", {"--gtest_filter=*TempFolder*"},
                             {{"TEST_TMPDIR", tmp}, {"PAWN_TMPDIR_UNDER", tmp + "/"}});
  EXPECT_EQ(in_tmp.exit_code, 0) << in_tmp.out << in_tmp.err;
  EXPECT_EQ(Ran().size(), 1u);
  EXPECT_TRUE(fs::is_empty(tmp));

  // An interrupted run leaves it, as a binary that died would.
  Launch launch;
  launch.args = {"run", Fixture("sleepy"), "--pawn", GetParam(), "--db", scratch_.db()};
  launch.env = {{"TEST_PREMATURE_EXIT_FILE", premature}};
  launch.signal = SIGINT;
  launch.ready = Started();
  const Outcome interrupted = RunRedqueen(launch);
  EXPECT_EQ(interrupted.exit_code, 130);
  EXPECT_TRUE(fs::exists(premature));
}

TEST_P(GtestFlagsTest, AFilterItsUserGaveThatMatchesNothingFailsUnlessToldOtherwise) {
  Outcome outcome = Run("passing", {"--gtest_filter=Pasing.*"});
  EXPECT_EQ(outcome.exit_code, 4) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err,
              HasSubstr("no test of tests/fixtures/fixture_passing matches "
                        "--gtest_filter 'Pasing.*' (is the filter mistyped?"));
  // An empty filter matches no test, as in gtest.
  outcome = Run("passing", {"--", "--gtest_filter="});
  EXPECT_EQ(outcome.exit_code, 4) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("matches --gtest_filter ''"));
  outcome = Run("passing", {"--gtest_filter=Pasing.*", "--no-tests", "warn"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.out, HasSubstr("redqueen: warning: no test of"));
  outcome = Run("passing", {"--gtest_filter=Pasing.*", "--no-tests", "pass"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.out + outcome.err, Not(HasSubstr("no test of")));
  // A shard with no test of its own, or nothing to rerun, is no mistake.
  outcome = Run("passing", {"--gtest_filter=Passing.One"},
                {{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "2"}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 0\n"));
  EXPECT_EQ(Run("passing", {}).exit_code, 0);
  outcome = Run("passing", {"--rerun-failed"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 0\n"));
}

TEST_P(GtestFlagsTest, AFilterATestRunnerSetOrABinaryWithoutTestsOnlyWarnsAsGtestPasses) {
  // Bazel's --test_filter reaches every test target, most without a match.
  Outcome outcome = Run("passing", {}, {{"TESTBRIDGE_TEST_ONLY", "Other.*"}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("warning: no test of tests/fixtures/fixture_passing "
                                     "matches TESTBRIDGE_TEST_ONLY 'Other.*'"));
  outcome = Run("passing", {}, {{"GTEST_FILTER", ""}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("matches GTEST_FILTER ''"));
  outcome = Run("passing", {"--no-tests", "fail"}, {{"GTEST_FILTER", "Other.*"}});
  EXPECT_EQ(outcome.exit_code, 4) << outcome.out << outcome.err;
  outcome = Run("no_tests", {});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out,
              HasSubstr("warning: tests/fixtures/fixture_no_tests has no test"));
}

TEST_P(GtestFlagsTest, ConfigSaysWhereEachGtestSettingCameFromAndWhichShardItIs) {
  Launch launch;
  launch.args = {"config", Fixture("passing"), "--pawn", GetParam(), "--gtest_repeat=2"};
  launch.env = {{"GTEST_FILTER", "A.*"},
                {"XML_OUTPUT_FILE", "out.xml"},
                {"TEST_SHARD_INDEX", "1"},
                {"TEST_TOTAL_SHARDS", "3"}};
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_THAT(outcome.out,
              testing::ContainsRegex("gtest_filter = \"A\\.\\*\" +# GTEST_FILTER"));
  EXPECT_THAT(outcome.out, testing::ContainsRegex(
                               "gtest_output = \"xml:out\\.xml\" +# XML_OUTPUT_FILE"));
  EXPECT_THAT(outcome.out, testing::ContainsRegex("gtest_repeat = 2 +# command line"));
  EXPECT_THAT(outcome.out,
              HasSubstr("# shard 2 of 3 of each binary's selected tests, from "
                        "TEST_SHARD_INDEX=1, TEST_TOTAL_SHARDS=3"));
}

INSTANTIATE_TEST_SUITE_P(Kinds, GtestFlagsTest, testing::Values("resident", "exec"));

}  // namespace
}  // namespace redqueen::e2e
