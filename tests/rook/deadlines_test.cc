// The deadline of every state a pawn can be in, on a fake clock: set-ups and
// tear-downs have --timeout; starting, listing and exiting --list-timeout; a
// pawn that waits with every command read while it owes results is stuck.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rook_fixture.h"

namespace redqueen::rook {
namespace {

using std::chrono::seconds;
using testing::HasSubstr;

class DeadlinesTest : public RookTest {
 protected:
  /// Pawn 0's scoreboard says `phase` about `subject` since `for_s` seconds,
  /// and that much time has passed since its batch was sent.
  void Scoreboard(proto::Phase phase, int64_t subject, int for_s, uint64_t unread = 0) {
    FakeWorker& worker = Worker(0);
    worker.has_scoreboard = true;
    worker.phase = phase;
    worker.subject = subject;
    worker.phase_for_us = static_cast<uint64_t>(for_s) * 1'000'000;
    worker.unread = unread;
    clock_.now += seconds(for_s);
  }
};

TEST_F(DeadlinesTest, ASuiteSetUpPastTheTimeoutIsATimeoutThatNamesIt) {
  Make({.jobs = 1, .timeout = seconds(10)}, 40);
  Greet(tests_);
  const uint32_t first = Last<proto::Run>(Worker(0))->indexes.front();
  Scoreboard(proto::Phase::kSuiteSetUp, first, 9);
  rook_->Tick();
  EXPECT_EQ(Worker(0).terminations, 0);
  Scoreboard(proto::Phase::kSuiteSetUp, first, 2);
  Worker(0).phase_for_us = 11'000'000;
  rook_->Tick();
  EXPECT_EQ(Worker(0).terminations, 1);
  Exit(0, {.signaled = true, .signal = 15});
  ASSERT_FALSE(sink_.results.empty());
  EXPECT_EQ(sink_.results[0].index, first);
  EXPECT_EQ(sink_.results[0].status, TestStatus::kTimeout);
  EXPECT_EQ(sink_.results[0].crash,
            "timed out after 10s in SetUpTestSuite of T (then signal 15 (SIGTERM))");
}

TEST_F(DeadlinesTest, AChildsStartHasTheListTimeoutNotTheTestTimeout) {
  Make({.jobs = 1, .timeout = std::chrono::milliseconds(1), .start_timeout = seconds(60)},
       40);
  Greet(tests_);
  Scoreboard(proto::Phase::kStarting, -1, 5);
  rook_->Tick();
  EXPECT_EQ(Worker(0).terminations, 0) << "a slow start is not a slow test";
  Scoreboard(proto::Phase::kStarting, -1, 56);
  Worker(0).phase_for_us = 61'000'000;
  rook_->Tick();
  EXPECT_EQ(Worker(0).terminations, 1);
}

TEST_F(DeadlinesTest, APawnThatWaitsWithEveryCommandReadWhileItOwesResultsIsStuck) {
  MakeRemembered({.jobs = 1}, 40, 1000);
  Greet(tests_);
  // The Run is not read yet: however long, nothing is owed.
  Scoreboard(proto::Phase::kWaiting, -1, 60, /*unread=*/1);
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 0);
  Scoreboard(proto::Phase::kWaiting, -1, 4);
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 0) << "its last results may still be in the pipe";
  Scoreboard(proto::Phase::kWaiting, -1, 6);
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 1);
  Exit(0, {.signaled = true, .signal = 9, .partial_frame_test = 3});
  ASSERT_FALSE(sink_.results.empty());
  EXPECT_EQ(sink_.results[0].index, 3u) << "the test that began the unfinished frame";
  EXPECT_THAT(sink_.results[0].crash, HasSubstr("its channel is stuck"));
}

TEST_F(DeadlinesTest, APawnThatDoesNotSayHelloStopsTheRun) {
  Make({.jobs = 1, .start_timeout = seconds(60)}, 40);
  clock_.now += seconds(59);
  rook_->Tick();
  EXPECT_EQ(rook_->outcome(), RookOutcome::kRunning);
  clock_.now += seconds(2);
  rook_->Tick();
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_THAT(rook_->error(), HasSubstr("did not say hello within 60s"));
}

TEST_F(DeadlinesTest, APawnThatDoesNotExitOnceToldToStopsTheRun) {
  Make({.jobs = 1, .start_timeout = seconds(60)}, 4);
  Greet(tests_);
  for (uint32_t index : Last<proto::Run>(Worker(0))->indexes) Pass(0, index);
  while (const auto* run = Last<proto::Run>(Worker(0))) {
    if (Last<proto::Shutdown>(Worker(0))) break;
    for (uint32_t index : run->indexes) Pass(0, index);
  }
  ASSERT_TRUE(Last<proto::Shutdown>(Worker(0)));
  clock_.now += seconds(61);
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 1);
  Exit(0, {.signaled = true, .signal = 9});
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_THAT(rook_->error(), HasSubstr("the test binary did not exit within 60s"));
  EXPECT_EQ(sink_.results.size(), 4u);
  for (const auto& result : sink_.results) EXPECT_EQ(result.status, TestStatus::kPassed);
}

}  // namespace
}  // namespace redqueen::rook
