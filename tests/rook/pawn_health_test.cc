#include "rook/pawn_health.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.h"
#include "rook_fixture.h"

namespace redqueen::rook {
namespace {

using Act = HealthVerdict::Act;
using std::chrono::seconds;
using testing::HasSubstr;

/// One pawn, its batch and its watch, checked on a fake clock.
class PawnHealthTest : public testing::Test {
 protected:
  /// The scoreboard says `phase` since `for_us`, outside any test.
  void Scoreboard(proto::Phase phase, uint64_t for_us, int64_t subject = -1) {
    worker_.has_scoreboard = true;
    worker_.phase = phase;
    worker_.phase_for_us = for_us;
    worker_.subject = subject;
  }

  HealthVerdict Check(PawnState state) const {
    return health_.Check(PawnView{state, &watch_, &worker_, &batch_}, tests_,
                         clock_.Now());
  }

  PawnHealth health_{HealthLimits{.timeout = seconds(10),
                                  .slow = seconds(5),
                                  .kill_grace = seconds(2),
                                  .start_timeout = seconds(60),
                                  .max_memory_percent = 90}};
  FakeClock clock_;
  FakeWorker worker_{1000};
  PawnWatch watch_{.since = clock_.Now()};
  std::deque<Work> batch_{{3, 0, 1}, {4, 0, 1}};
  std::vector<proto::TestInfo> tests_ = MakeTests(6, "S.t");
};

TEST_F(PawnHealthTest, ATestIsEndedExactlyAtItsTimeoutNotBefore) {
  worker_.running = 3;
  worker_.running_for_us = 9'999'999;
  EXPECT_EQ(Check(PawnState::kBusy).act, Act::kNone);
  worker_.running_for_us = 10'000'000;
  const HealthVerdict verdict = Check(PawnState::kBusy);
  EXPECT_EQ(verdict.act, Act::kTerminate);
  EXPECT_EQ(verdict.index, 3);
  EXPECT_EQ(verdict.limit, seconds(10));
  EXPECT_EQ(verdict.words, "") << "inside the test itself";
}

TEST_F(PawnHealthTest, AfterSigtermTheKillWaitsForTheGrace) {
  watch_.timed_out = 3;
  watch_.kill_at = health_.KillAt(clock_.Now());
  EXPECT_EQ(watch_.kill_at, clock_.Now() + seconds(2));
  clock_.now += seconds(1);
  EXPECT_EQ(Check(PawnState::kBusy).act, Act::kNone);
  clock_.now += seconds(1);
  EXPECT_EQ(Check(PawnState::kBusy).act, Act::kKill);
}

TEST_F(PawnHealthTest, ASlowTestIsReportedOnceAndIsNoLimit) {
  worker_.running = 4;
  worker_.running_for_us = 5'000'000;
  HealthVerdict verdict = Check(PawnState::kBusy);
  EXPECT_EQ(verdict.slow, 4);
  EXPECT_EQ(verdict.slow_for_us, 5'000'000u);
  EXPECT_EQ(verdict.act, Act::kNone);
  watch_.slow_reported = 4;
  EXPECT_EQ(Check(PawnState::kBusy).slow, -1);
}

TEST_F(PawnHealthTest, ATestNotInTheBatchIsJudgedByItsPhase) {
  worker_.running = 5;
  worker_.running_for_us = 100'000'000;
  Scoreboard(proto::Phase::kSuiteTearDown, 10'000'000, /*subject=*/4);
  clock_.now += seconds(10);
  const HealthVerdict verdict = Check(PawnState::kBusy);
  EXPECT_EQ(verdict.act, Act::kTerminate);
  EXPECT_EQ(verdict.index, 4);
  EXPECT_THAT(verdict.words, HasSubstr("of S"));
}

TEST_F(PawnHealthTest, APhaseCountsOnlySinceTheBatchWasSent) {
  Scoreboard(proto::Phase::kEnvironmentSetUp, 30'000'000);
  clock_.now += seconds(9);
  EXPECT_EQ(Check(PawnState::kBusy).act, Act::kNone);
  clock_.now += seconds(1);
  const HealthVerdict verdict = Check(PawnState::kBusy);
  EXPECT_EQ(verdict.act, Act::kTerminate);
  EXPECT_EQ(verdict.index, 3) << "the batch's first unreported test";
}

TEST_F(PawnHealthTest, AnExitThatHangsIsKilledAsOverdue) {
  Scoreboard(proto::Phase::kExiting, 60'000'000);
  clock_.now += seconds(60);
  EXPECT_EQ(Check(PawnState::kBusy).act, Act::kKillOverdue);
  watch_.told_to_stop = true;
  EXPECT_EQ(Check(PawnState::kStopping).act, Act::kKillOverdue);
  watch_.exit_overdue = true;
  EXPECT_EQ(Check(PawnState::kStopping).act, Act::kNone) << "killed once";
  EXPECT_THAT(health_.ExitOverdue(), HasSubstr("did not exit within 60s"));
}

TEST_F(PawnHealthTest, AWaitingPawnThatOwesResultsIsStuckAfterFiveSeconds) {
  Scoreboard(proto::Phase::kWaiting, 4'999'999);
  EXPECT_EQ(Check(PawnState::kBusy).act, Act::kNone);
  worker_.phase_for_us = 5'000'000;
  const HealthVerdict verdict = Check(PawnState::kBusy);
  EXPECT_EQ(verdict.act, Act::kKillStuck);
  EXPECT_THAT(verdict.words, HasSubstr("2 results of its batch are missing"));
}

TEST_F(PawnHealthTest, APawnThatDoesNotListInTimeStopsTheRun) {
  clock_.now += seconds(59);
  EXPECT_EQ(Check(PawnState::kListing).act, Act::kNone);
  clock_.now += seconds(1);
  const HealthVerdict verdict = Check(PawnState::kListing);
  EXPECT_EQ(verdict.act, Act::kFail);
  EXPECT_THAT(verdict.words, HasSubstr(" did not send its test list within 60s"));
  EXPECT_EQ(Check(PawnState::kReady).act, Act::kNone) << "a ready pawn has no deadline";
}

TEST_F(PawnHealthTest, ShortOfMemoryTheLargestBigEnoughPawnIsTheVictim) {
  FakeWorker small(1), large(2), timed_out(3);
  small.resident = kMinMemoryVictimBytes - 1;
  large.resident = kMinMemoryVictimBytes;
  timed_out.resident = 10 * kMinMemoryVictimBytes;
  PawnWatch ending;
  ending.timed_out = 1;
  const std::vector<PawnView> pawns = {
      {PawnState::kGone, &watch_, nullptr, &batch_},
      {PawnState::kBusy, &watch_, &small, &batch_},
      {PawnState::kReady, &watch_, &large, &batch_},
      {PawnState::kBusy, &ending, &timed_out, &batch_},
  };
  EXPECT_EQ(health_.MemoryVictim(90, pawns), -1) << "not above the limit";
  EXPECT_EQ(health_.MemoryVictim(91, pawns), 2);
  large.resident = kMinMemoryVictimBytes - 1;
  EXPECT_EQ(health_.MemoryVictim(91, pawns), -1);
}

}  // namespace
}  // namespace redqueen::rook
