// Work stealing with fake knights: a pawn that runs dry takes back the
// unstarted tail of another pawn's batch, when that is worth a batch.
#include <gtest/gtest.h>

#include <map>
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

  /// Pawn 0 has run test 0 for 6 ms, having started only it; the Rook's
  /// tick lets pawn 1 take back the rest.
  void StuckOnItsFirstTest() {
    Worker(0).running = 0;
    Worker(0).running_for_us = 6000;
    Worker(0).started = 1;  // Its scoreboard: it keeps the test it runs.
    rook_->Tick();
  }
};

TEST_F(StealingTest, AShortTailBehindAQuickTestStays) {
  RunDryBesideABusyPawn();
  EXPECT_EQ(Worker(0).take_backs, 0) << "4 ms expected: less than a batch is worth";
  EXPECT_EQ(Worker(1).sent.size(), 2u) << "no third batch for pawn 1";
}

TEST_F(StealingTest, TheTailOfAPawnStuckOnALongTestGoesToThePawnThatRanDry) {
  RunDryBesideABusyPawn();
  StuckOnItsFirstTest();
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
  StuckOnItsFirstTest();
  ASSERT_EQ(Worker(0).take_backs, 1);
  Pass(0, 0);
  Pass(0, 1);
  EXPECT_EQ(Worker(0).kills, 1) << "test 1 was pawn 1's by then";
}

TEST_F(StealingTest, APawnThatDiesAfterItsTailWasTakenBackCrashesOnlyItsOwnTest) {
  RunDryBesideABusyPawn();
  StuckOnItsFirstTest();
  ASSERT_EQ(Worker(0).take_backs, 1);
  Exit(0, {.signaled = true, .signal = 11, .running = 0, .running_for_us = 6000});
  for (uint32_t index : {1, 2, 3, 4}) Pass(1, index);
  std::map<uint32_t, std::vector<TestStatus>> statuses;
  for (const TestResult& result : sink_.results) {
    statuses[result.index].push_back(result.status);
  }
  ASSERT_EQ(statuses.size(), 12u);
  EXPECT_EQ(statuses[0], std::vector<TestStatus>{TestStatus::kCrashed});
  for (uint32_t index = 1; index < 12; ++index) {
    EXPECT_EQ(statuses[index], std::vector<TestStatus>{TestStatus::kPassed}) << index;
  }
}

TEST_F(StealingTest, WhenTheRichestTailIsKeptThePawnTriesTheNextBusyPawn) {
  // Three pawns of 1 ms tests: pawn 2 runs dry while pawns 0 and 1 are on
  // their first tests, behind which 4 ms wait on each. Pawn 0, asked first
  // (its tail is as large), keeps its batch: its scoreboard says it started
  // every test of it (their results are on their way).
  MakeRemembered({.jobs = 3}, 21, 1000);
  Greet(tests_);
  const std::vector<uint32_t> second = Last<proto::Run>(Worker(1))->indexes;
  ASSERT_EQ(Last<proto::Run>(Worker(0))->indexes.size(), 5u);
  ASSERT_EQ(second.size(), 5u);
  Worker(0).running_for_us = Worker(1).running_for_us = 6000;
  Worker(0).running = 0;
  Worker(0).started = 5;
  Worker(1).running = second.front();
  Worker(1).started = 1;
  // Pawn 2 passes what it is given until it takes a tail back.
  for (size_t answered = 0;
       answered < Worker(2).sent.size() && Worker(1).take_backs == 0;) {
    const auto* run = std::get_if<proto::Run>(&Worker(2).sent[answered++]);
    if (!run) continue;
    for (uint32_t index : std::vector<uint32_t>(run->indexes)) Pass(2, index);
  }
  EXPECT_EQ(Worker(0).take_backs, 1);
  ASSERT_EQ(Worker(1).take_backs, 1) << "the next tail is taken back instead";
  EXPECT_EQ(Last<proto::Run>(Worker(2))->indexes,
            std::vector<uint32_t>(second.begin() + 1, second.end()));
}

TEST_F(StealingTest, APawnThatHasNotBegunItsBatchKeepsItAndIsAskedAgainLater) {
  // Sixty tests of 1 ms: a batch is a quarter of a pawn's share, 7 ms, so
  // the tail behind pawn 0's first test is worth taking back by itself.
  MakeRemembered({.jobs = 2}, 60, 1000);
  Greet(tests_);
  const size_t batch = Last<proto::Run>(Worker(0))->indexes.size();
  ASSERT_GE(batch, 7u);
  Worker(0).started = static_cast<int64_t>(batch);  // Not begun: it keeps all.
  // Pawn 1 runs everything else and runs dry.
  for (size_t answered = 0; answered < Worker(1).sent.size();) {
    const auto* run = std::get_if<proto::Run>(&Worker(1).sent[answered++]);
    if (!run) continue;
    for (uint32_t index : std::vector<uint32_t>(run->indexes)) Pass(1, index);
  }
  EXPECT_EQ(Worker(0).take_backs, 1);
  rook_->Tick();
  EXPECT_EQ(Worker(0).take_backs, 2) << "asked again: it may have begun since";
}

TEST_F(StealingTest, APawnThatStartedEveryTestOfItsBatchIsAskedOnce) {
  RunDryBesideABusyPawn();
  // It runs test 0 and has claimed the rest too: the results of those it
  // ran are on their way. Nothing will come of asking again.
  Worker(0).running = 0;
  Worker(0).running_for_us = 6000;
  Worker(0).started = 5;
  rook_->Tick();
  EXPECT_EQ(Worker(0).take_backs, 1);
  EXPECT_EQ(Worker(1).sent.size(), 2u) << "nothing came back to hand out";
  rook_->Tick();
  EXPECT_EQ(Worker(0).take_backs, 1);
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
