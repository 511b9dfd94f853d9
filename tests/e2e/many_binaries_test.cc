// Several binaries in one run: one queue, one summary, one store, and each
// test known by its binary and its name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;

class ManyBinariesTest : public FixtureTest {};

TEST_F(ManyBinariesTest, OneRunOverResidentAndExecBinaries) {
  const Outcome outcome =
      RunRedqueen({"run", Fixture("passing"), Fixture("failing_plain"),
                   Fixture("skipping"), "-j", "2", "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("running 3 binaries on 2 resident and exec pawns"));
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 14\n"));
  EXPECT_THAT(outcome.out, HasSubstr("tests_failed: 3\n"));
  EXPECT_THAT(outcome.out, HasSubstr("fixture_passing: 5 passed, 0 failed, 0 skipped\n"));
  EXPECT_THAT(outcome.out,
              HasSubstr("fixture_failing_plain: 3 passed, 3 failed, 0 skipped\n"));
  EXPECT_THAT(outcome.out, HasSubstr("fixture_failing_plain: Failing.ExpectEq"));
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(DISTINCT binary) FROM tests"), 3);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions"), 14);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE pawn NOT IN (0, 1)"), 0)
      << "pawn ids stay within -j however they move between binaries";
  EXPECT_EQ(db.Value("SELECT status FROM runs"), "failed");
}

TEST_F(ManyBinariesTest, SameFileNameInTwoFoldersStaysTwoBinaries) {
  for (const char* folder : {"a", "b"}) {
    std::filesystem::create_directories(scratch_.Path(folder));
    std::filesystem::copy_file(Fixture("passing"), scratch_.Path(folder) + "/x_test");
  }
  const Outcome outcome =
      RunRedqueen({"run", scratch_.Path("a") + "/x_test", scratch_.Path("b") + "/x_test",
                   "-j", "2", "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 10\n"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(DISTINCT binary) FROM tests"), 2);
  EXPECT_EQ(db.Count("SELECT count(*) FROM tests WHERE name = 'Passing.One'"), 2);
}

TEST_F(ManyBinariesTest, MoreBinariesThanPawnsAllRun) {
  const Outcome outcome =
      RunRedqueen({"run", Fixture("passing"), Fixture("skipping"), Fixture("disabled"),
                   Fixture("param_typed_plain"), "-j", "1", "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 19\n"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions"), 19);
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE pawn != 0"), 0);
}

// One exec pawn serves binary after binary (proto::Serve), each in the
// environment its own pawn would have had: firefox's EXTRA does not follow
// the pawn to chrome, and the channel stays hidden from every test.
TEST_F(ManyBinariesTest, AnExecPawnMovesOnToTheNextBinaryInItsEnvironment) {
  const std::string events = scratch_.Path("events.jsonl");
  const Outcome outcome =
      RunRedqueen({"run", Fixture("target"), Fixture("env"), "--pawn", "exec", "-j", "1",
                   "--target", "firefox:BROWSER=firefox,EXTRA=1", "--target",
                   "chrome:BROWSER=chrome", "--events", events, "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("fixture_target@firefox: Target.FailsOnFirefox"));
  EXPECT_THAT(outcome.out, HasSubstr("target firefox: 11 passed, 1 failed, 0 skipped\n"));
  EXPECT_THAT(outcome.out, HasSubstr("target chrome: 12 passed, 0 failed, 0 skipped\n"));
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
  std::ifstream in(events);
  std::set<std::string> pids;
  size_t starts = 0;
  size_t moves = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"pawn_start\"") != std::string::npos) {
      ++starts;
      const size_t at = line.find("\"pid\":") + 6;
      pids.insert(line.substr(at, line.find_first_not_of("0123456789", at) - at));
    }
    moves += line.find("moved on to another binary") != std::string::npos;
  }
  EXPECT_EQ(starts, 4u) << "two binaries, two targets each";
  EXPECT_EQ(moves, 3u);
  EXPECT_EQ(pids.size(), 1u) << "one pawn process served them all";
}

TEST_F(ManyBinariesTest, OneUnusableBinaryStopsTheRunBeforeAnyTest) {
  const Outcome outcome =
      RunRedqueen({"run", Fixture("passing"), "/bin/true", "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("/bin/true"));
  EXPECT_THAT(outcome.out, testing::Not(HasSubstr("total_tests")));
}

// The binary whose list cannot be read is the one the error names, not
// the first of the command line, whose Rook the error stopped too.
TEST_F(ManyBinariesTest, AListThatCannotBeReadIsBlamedOnItsOwnBinary) {
  const Outcome outcome =
      RunRedqueen({"run", Fixture("passing"), Fixture("malformed_list"), "-j", "2",
                   "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("fixture_malformed_list: pawn"));
  EXPECT_THAT(outcome.err, testing::Not(HasSubstr("fixture_passing:"))) << outcome.err;
}

// A pawn handed on to a binary it cannot list ends as a new pawn of that
// binary would: the error is that binary's, and the run stops.
TEST_F(ManyBinariesTest, AMovedPawnThatCannotListTheNextBinaryStopsTheRunOnItsError) {
  const Outcome outcome =
      RunRedqueen({"run", Fixture("passing"), Fixture("malformed_list"), "--pawn", "exec",
                   "-j", "1", "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("fixture_malformed_list: pawn"));
  EXPECT_THAT(outcome.err, HasSubstr("cannot list the tests of")) << outcome.err;
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
}

TEST_F(ManyBinariesTest, CtrlCStopsEveryBinary) {
  Launch launch;
  launch.args = {"run",  Fixture("sleepy"), Fixture("passing"), "-j", "2",
                 "--db", scratch_.db()};
  launch.signal = SIGINT;
  launch.ready = PassedInStore(scratch_.db(), 1);
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("status: interrupted"));
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
}

TEST_F(ManyBinariesTest, FromCtestRunsTheGtestBinariesCtestKnows) {
  // A build directory whose CTest tests run two fixtures (one of them twice,
  // as gtest_discover_tests would) and a shell command.
  std::filesystem::create_directories(scratch_.Path("src"));
  std::ofstream(scratch_.Path("src") + "/CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.22)\nproject(p NONE)\nenable_testing()\n"
      << "add_test(NAME a COMMAND " << Fixture("passing")
      << " --gtest_filter=Passing.*)\n"
      << "add_test(NAME b COMMAND " << Fixture("passing") << " --gtest_filter=More*)\n"
      << "add_test(NAME c COMMAND " << Fixture("skipping") << ")\n"
      << "add_test(NAME d COMMAND /bin/sh -c true)\n";
  const Outcome cmake = RunProgram(
      "/usr/bin/cmake", {"-S", scratch_.Path("src"), "-B", scratch_.Path("build")});
  ASSERT_EQ(cmake.exit_code, 0) << cmake.out << cmake.err;
  const Outcome outcome = RunRedqueen(
      {"run", "--from-ctest", scratch_.Path("build"), "-j", "2", "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("running 2 binaries"));
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 8\n"));
}

TEST_F(ManyBinariesTest, FromCtestOnAFolderWithoutTestsIsAClearError) {
  const Outcome outcome =
      RunRedqueen({"run", "--from-ctest", scratch_.Path(""), "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("--from-ctest"));
}

}  // namespace
}  // namespace redqueen::e2e
