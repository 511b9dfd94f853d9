// End to end: a run that ends abnormally (a hangup, a SIGKILL) leaves its
// state closed: the summary printed, the run ended in the store, its temp
// folder gone, and a later --rerun-failed that knows what it can rely on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;

class AbnormalEndsTest : public FixtureTest {};

// A closed terminal or a dropped ssh session sends SIGHUP; it is an
// interruption like Ctrl-C, not a reason to leave the run "running".
TEST_F(AbnormalEndsTest, HangupEndsTheRunLikeSigterm) {
  const std::string tmp = scratch_.Path("tmp");
  std::filesystem::create_directory(tmp);
  Launch launch;
  launch.args = {"run", Fixture("sleepy"), "-j", "2", "--db", scratch_.db()};
  launch.env = {{"TMPDIR", tmp}};
  launch.signal = SIGHUP;
  launch.ready = PassedInStore(scratch_.db(), 1);
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("status: interrupted\n"));
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "a pawn or its child survived";
  EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "the run's temp folder is removed";
  Db db(scratch_.db());
  EXPECT_EQ(db.Value("SELECT status FROM runs"), "interrupted");
  EXPECT_GT(
      db.Count("SELECT count(*) FROM executions WHERE skip_message = 'interrupted'"), 0);
}

// A run killed with SIGKILL stays "running" with part of its results: its
// passed tests say nothing of the rest, so it cannot tell what to rerun.
TEST_F(AbnormalEndsTest, RerunFailedAfterASigkilledRunRunsEveryTestAndSaysWhy) {
  Launch launch;
  launch.args = {"run",  Fixture("sleepy"), "-j", "2", "--gtest_filter=Tenths/*",
                 "--db", scratch_.db()};
  launch.env = {{"TMPDIR", scratch_.Path("")}};
  launch.signal = SIGKILL;
  launch.ready = PassedInStore(scratch_.db(), 1);
  EXPECT_EQ(RunRedqueen(launch).exit_code, 128 + SIGKILL);
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "the pawns outlived redqueen";
  {
    Db db(scratch_.db());
    ASSERT_EQ(db.Value("SELECT status FROM runs"), "running");
    ASSERT_GT(db.Count("SELECT count(*) FROM executions WHERE status = 'PASSED'"), 0);
  }
  const Outcome outcome = RunFixture(
      "sleepy",
      {"-j", "2", "--rerun-failed", "--gtest_filter=Tenths/SleepyTest.Sleeps/1*"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("redqueen: --rerun-failed: no completed run of "));
  EXPECT_THAT(outcome.out,
              HasSubstr("fixture_sleepy in the store: running every test\n"));
  EXPECT_THAT(outcome.out, HasSubstr("total_tests: 11\n")) << "/1 and /10 to /19";
}

}  // namespace
}  // namespace redqueen::e2e
