// Work stealing with fake knights: a pawn that runs dry takes back the
// unstarted tail of another pawn's batch, when that is worth a batch.
#include <gtest/gtest.h>

#include <set>

#include "rook_fixture.h"

namespace redqueen::rook {
namespace {

class StealingTest : public RookTest {
 protected:
  /// Twelve tests of 1 ms by history on two pawns: pawn 0 gets 0..4, pawn 1
  /// gets 5..9 and then 10..11 and passes them all; pawn 0 is still on 0.
  void RunDryBesideABusyPawn(RookOptions options = {.jobs = 2}) {
    MakeRemembered(options, 12, 1000);
    Greet(tests_);
    ASSERT_EQ(Last<proto::Run>(Worker(0))->indexes,
              (std::vector<uint32_t>{0, 1, 2, 3, 4}));
    for (uint32_t index = 5; index < 10; ++index) Pass(1, index);
    ASSERT_EQ(Last<proto::Run>(Worker(1))->indexes, (std::vector<uint32_t>{10, 11}));
    Pass(1, 10);
    Pass(1, 11);
  }
};

TEST_F(StealingTest, AShortTailBehindAQuickTestStays) {
  RunDryBesideABusyPawn();
  EXPECT_EQ(Worker(0).take_backs, 0) << "4 ms expected: less than a batch is worth";
  EXPECT_EQ(Worker(1).sent.size(), 2u) << "no third batch for pawn 1";
}

TEST_F(StealingTest, TheTailOfAPawnStuckOnALongTestGoesToThePawnThatRanDry) {
  RunDryBesideABusyPawn();
  Worker(0).running = 0;
  Worker(0).running_for_us = 6000;
  Worker(0).started = 1;  // Its scoreboard: it keeps the test it runs.
  rook_->Tick();
  EXPECT_EQ(Worker(0).take_backs, 1);
  ASSERT_TRUE(Last<proto::Run>(Worker(1)));
  EXPECT_EQ(Last<proto::Run>(Worker(1))->indexes, (std::vector<uint32_t>{1, 2, 3, 4}));
  Pass(0, 0);
  for (uint32_t index : {1, 2, 3, 4}) Pass(1, index);
  std::multiset<uint32_t> reported;
  for (const TestResult& result : sink_.results) reported.insert(result.index);
  EXPECT_EQ(reported.size(), 12u);
  for (uint32_t index = 0; index < 12; ++index) EXPECT_EQ(reported.count(index), 1u);
  EXPECT_EQ(Worker(0).kills + Worker(1).kills, 0);
}

TEST_F(StealingTest, AResultForATestTakenBackBreaksTheProtocol) {
  RunDryBesideABusyPawn();
  Worker(0).running = 0;
  Worker(0).running_for_us = 6000;
  Worker(0).started = 1;
  rook_->Tick();
  ASSERT_EQ(Worker(0).take_backs, 1);
  Pass(0, 0);
  Pass(0, 1);
  EXPECT_EQ(Worker(0).kills, 1) << "test 1 was pawn 1's by then";
}

TEST_F(StealingTest, APawnThatHasNotBegunItsBatchKeepsItAndIsAskedAgainLater) {
  RunDryBesideABusyPawn();
  Worker(0).running = 0;
  Worker(0).running_for_us = 6000;
  Worker(0).started = 5;  // The scoreboard's answer for a batch not begun.
  rook_->Tick();
  EXPECT_EQ(Worker(0).take_backs, 1);
  EXPECT_EQ(Worker(1).sent.size(), 2u) << "nothing came back to hand out";
  rook_->Tick();
  EXPECT_EQ(Worker(0).take_backs, 2);
}

TEST_F(StealingTest, AWholeSuiteStaysWithItsPawnUnderBySuite) {
  RookOptions options{.jobs = 2};
  options.plan.by_suite = true;
  std::vector<proto::TestInfo> tests = MakeTests(6, "A.t");
  for (const proto::TestInfo& test : MakeTests(6, "B.t")) tests.push_back(test);
  tests_ = tests;
  rook_ = std::make_unique<Rook>(options, &factory_, &clock_, &sink_);
  Start();
  Greet(tests_);
  const auto batch1 = Last<proto::Run>(Worker(1))->indexes;
  for (uint32_t index : batch1) Pass(1, index);
  Worker(0).running = 0;
  Worker(0).running_for_us = 60'000;
  Worker(0).started = 1;
  rook_->Tick();
  EXPECT_EQ(Worker(0).take_backs, 0);
}

}  // namespace
}  // namespace redqueen::rook
