#include "rook/rook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "rook_fixture.h"

namespace redqueen::rook {
namespace {

TEST_F(RookTest, DispatchesUntilEveryTestHasOneResult) {
  Make({.jobs = 3}, 100);
  Greet(tests_);
  RunToTheEnd();
  EXPECT_EQ(finished_, 1);
  EXPECT_EQ(rook_->outcome(), RookOutcome::kCompleted);
  ASSERT_EQ(sink_.results.size(), 100u);
  std::set<uint32_t> seen;
  for (const auto& r : sink_.results) seen.insert(r.index);
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(factory_.started, 3);
}

TEST_F(RookTest, OnlyTheFirstPawnSendsItsListAndNothingRunsBeforeAllAgree) {
  Make({.jobs = 2}, 10);
  Events().OnMessage(0, HelloFor(tests_));
  ASSERT_TRUE(Last<proto::ListTests>(Worker(0)));
  Events().OnMessage(0, proto::TestList{tests_});
  EXPECT_EQ(Worker(0).sent.size(), 1u) << "ran before pawn 1 said hello";
  Events().OnMessage(1, HelloFor(tests_));
  EXPECT_TRUE(Worker(1).sent.size() == 1 && Last<proto::Run>(Worker(1)));
  EXPECT_TRUE(Last<proto::Run>(Worker(0)));
}

/// What the store would remember of `tests`, each having passed once in
/// `us` microseconds.
Past PastOf(const std::vector<proto::TestInfo>& tests, uint64_t us) {
  Past past;
  past.tests = tests;
  past.list_hash = proto::ListHash(tests);
  past.history.resize(tests.size());
  for (TestHistory& history : past.history) history.Record(true, us);
  return past;
}

TEST_F(RookTest, AListTheStoreRemembersIsNotAskedForAndKeepsItsHistory) {
  Make({.jobs = 2}, 10);
  rook_->SetPast(PastOf(tests_, 2'000));
  Events().OnMessage(0, HelloFor(tests_));
  EXPECT_TRUE(Worker(0).sent.empty()) << "asked for a list the store has";
  Events().OnMessage(1, HelloFor(tests_));
  EXPECT_TRUE(Last<proto::Run>(Worker(0)));
  EXPECT_TRUE(Last<proto::Run>(Worker(1)));
  ASSERT_EQ(sink_.tests.size(), 10u);
  EXPECT_EQ(sink_.tests[3].name, tests_[3].name);
  EXPECT_EQ(sink_.list_hash, proto::ListHash(tests_)) << "what the store compares";
  ASSERT_EQ(rook_->history().size(), 10u);
  EXPECT_EQ(ExpectedDuration(rook_->history()[3]), 2'000u);
  EXPECT_EQ(rook_->list_hash(), proto::ListHash(tests_));
  RunToTheEnd();
  EXPECT_EQ(sink_.results.size(), 10u);
}

TEST_F(RookTest, AChangedListIsAskedForAndHistoryFollowsTheNames) {
  Make({.jobs = 1}, 0);
  const std::vector<proto::TestInfo> before = MakeTests(4);
  // One test gone, one new, one moved to another line.
  std::vector<proto::TestInfo> now = {before[0], before[2], {"T.new", "t.cc", 9, "", ""}};
  now[1].line = 42;
  tests_ = now;
  rook_->SetPast(PastOf(before, 3'000));
  Events().OnMessage(0, HelloFor(now));
  ASSERT_TRUE(Last<proto::ListTests>(Worker(0)));
  Events().OnMessage(0, proto::TestList{now});
  ASSERT_EQ(rook_->history().size(), 3u);
  EXPECT_EQ(ExpectedDuration(rook_->history()[0]), 3'000u);
  EXPECT_EQ(ExpectedDuration(rook_->history()[1]), 3'000u)
      << "a moved test is the same test";
  EXPECT_EQ(rook_->history()[2].passes, 0);
  ASSERT_EQ(sink_.tests.size(), 3u);
  EXPECT_EQ(sink_.tests[1].line, 42) << "the pawn's list, not the remembered one";
  EXPECT_EQ(sink_.list_hash, proto::ListHash(sink_.tests));
  RunToTheEnd();
  EXPECT_EQ(sink_.results.size(), 3u);
}

TEST_F(RookTest, APawnDisagreeingWithTheRememberedListStopsTheRun) {
  Make({.jobs = 2}, 5);
  rook_->SetPast(PastOf(tests_, 1'000));
  auto other = tests_;
  other.pop_back();
  Events().OnMessage(0, HelloFor(tests_));
  Events().OnMessage(1, HelloFor(other));
  ASSERT_TRUE(Last<proto::ListTests>(Worker(1)));
  Events().OnMessage(1, proto::TestList{other});
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_NE(rook_->error().find("lacks 'T.t4'"), std::string::npos) << rook_->error();
  EXPECT_TRUE(sink_.results.empty());
}

TEST_F(RookTest, AllResultsInIsSaidOnceWithThePawnsAlreadyToldToStop) {
  Make({.jobs = 2}, 20);
  int calls = 0;
  size_t results_then = 0;
  rook_->OnAllResultsIn([&] {
    ++calls;
    results_then = sink_.results.size();
    for (const auto& [slot, worker] : factory_.current) {
      EXPECT_TRUE(Last<proto::Shutdown>(*worker))
          << "pawn " << slot << " not told to stop";
    }
  });
  RunToTheEnd();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(results_then, 20u);
  EXPECT_EQ(finished_, 1);
}

TEST_F(RookTest, AllResultsInIsNotSaidWhenTheRunStopsEarly) {
  Make({.jobs = 1}, 5);
  int calls = 0;
  rook_->OnAllResultsIn([&calls] { ++calls; });
  on_final_failure_ = [this] { rook_->Stop(NotRun::kFailFast); };
  verdict_ = [](uint32_t index, uint32_t) {
    return index == 1 ? TestStatus::kFailed : TestStatus::kPassed;
  };
  RunToTheEnd();
  EXPECT_EQ(finished_, 1);
  EXPECT_EQ(calls, 0);
}

TEST_F(RookTest, DisagreeingListsNameThePawnAndTheTestAndRunNothing) {
  Make({.jobs = 2}, 5);
  auto other = tests_;
  other.insert(other.begin() + 3, proto::TestInfo{"T.extra", "t.cc", 9, "", ""});
  Events().OnMessage(0, HelloFor(tests_));
  Events().OnMessage(0, proto::TestList{tests_});
  Events().OnMessage(1, HelloFor(other));
  ASSERT_TRUE(Last<proto::ListTests>(Worker(1)));
  Events().OnMessage(1, proto::TestList{other});
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_NE(rook_->error().find("pawn 1"), std::string::npos) << rook_->error();
  EXPECT_NE(rook_->error().find("'T.extra' as test #3"), std::string::npos)
      << rook_->error();
  EXPECT_EQ(Worker(0).kills, 1);
  EXPECT_EQ(Worker(1).kills, 1);
  Exit(0, {.signaled = true, .signal = 9});
  Exit(1, {.signaled = true, .signal = 9});
  EXPECT_EQ(finished_, 1);
  EXPECT_TRUE(sink_.results.empty());
  EXPECT_TRUE(sink_.tests.empty()) << "the run must not have begun";
}

TEST_F(RookTest, CrashMarksTheRunningTestAndRequeuesTheRestOfTheBatch) {
  MakeRemembered({.jobs = 1}, 40, 1000);
  Greet(tests_);
  const auto batch = Last<proto::Run>(Worker(0))->indexes;
  ASSERT_EQ(batch, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Pass(0, 0);
  Pass(0, 1);
  Exit(0, {.signaled = true,
           .signal = 11,
           .running = 2,
           .output_begin = 77,
           .running_for_us = 5000});
  ASSERT_EQ(sink_.results.size(), 3u);
  const TestResult& crashed = sink_.results.back();
  EXPECT_EQ(crashed.index, 2u);
  EXPECT_EQ(crashed.status, TestStatus::kCrashed);
  EXPECT_EQ(crashed.crash, "signal 11 (SIGSEGV)");
  EXPECT_EQ(crashed.output, "output[77,end)");
  EXPECT_EQ(crashed.duration_us, 5000u);
  EXPECT_EQ(factory_.started, 2) << "a replacement takes the slot";
  EXPECT_EQ(rook_->progress().restarts, 1);
  Greet(tests_);
  const auto next = Last<proto::Run>(Worker(0))->indexes;
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(next.front(), 3u) << "the rest of the batch runs first";
  RunToTheEnd();
  EXPECT_EQ(rook_->outcome(), RookOutcome::kCompleted);
  EXPECT_EQ(sink_.results.size(), 40u);
}

TEST_F(RookTest, DeathBetweenTestsBlamesTheNextTestOfTheBatch) {
  Make({.jobs = 1}, 8);
  Greet(tests_);
  Pass(0, 0);
  proto::Result result;
  result.index = 1;
  result.status = TestStatus::kPassed;
  result.output_end = 500;
  Events().OnMessage(0, result);
  Exit(0, {.exit_code = 1, .running = -1});
  const TestResult& crashed = sink_.results.back();
  EXPECT_EQ(crashed.index, 2u);
  EXPECT_EQ(crashed.crash, "exit code 1 before the test started");
  EXPECT_EQ(crashed.output, "output[500,end)");
}

TEST_F(RookTest, RestartsAreBoundedAndTheRestIsReportedNotRun) {
  Make({.jobs = 1, .max_restarts = 2}, 40);
  for (int crash = 0; crash < 3; ++crash) {
    Greet(tests_);
    const auto batch = Last<proto::Run>(Worker(0))->indexes;
    Exit(0, {.signaled = true, .signal = 6, .running = batch.front()});
  }
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_NE(rook_->error().find("--max-restarts 2"), std::string::npos) << rook_->error();
  EXPECT_EQ(factory_.started, 3);
  EXPECT_EQ(finished_, 1);
  ASSERT_EQ(sink_.results.size(), 40u);
  const auto crashed =
      std::count_if(sink_.results.begin(), sink_.results.end(),
                    [](const auto& r) { return r.status == TestStatus::kCrashed; });
  EXPECT_EQ(crashed, 3);
  EXPECT_EQ(sink_.results.back().status, TestStatus::kSkipped);
  EXPECT_EQ(sink_.results.back().skip_message, "not run: the run stopped");
}

TEST_F(RookTest, InterruptKillsPawnsKeepsResultsAndSkipsTheRest) {
  MakeRemembered({.jobs = 2}, 20, 1000);
  Greet(tests_);
  Pass(0, Last<proto::Run>(Worker(0))->indexes.front());
  rook_->Stop(NotRun::kInterrupted);
  EXPECT_EQ(Worker(0).kills, 1);
  EXPECT_EQ(Worker(1).kills, 1);
  Exit(0, {.signaled = true, .signal = 9, .running = 1});
  EXPECT_EQ(factory_.started, 2) << "no replacement after an interrupt";
  Exit(1, {.signaled = true, .signal = 9});
  EXPECT_EQ(rook_->outcome(), RookOutcome::kInterrupted);
  ASSERT_EQ(sink_.results.size(), 20u);
  EXPECT_EQ(sink_.results[0].status, TestStatus::kPassed);
  // The test pawn 0 was running keeps its output and says so.
  EXPECT_EQ(sink_.results[1].index, 1u);
  EXPECT_EQ(sink_.results[1].status, TestStatus::kSkipped);
  EXPECT_THAT(sink_.results[1].skip_message,
              testing::HasSubstr("interrupted while it was running"));
  EXPECT_EQ(sink_.results[1].output, "output[0,end)");
  for (size_t i = 2; i < sink_.results.size(); ++i) {
    EXPECT_EQ(sink_.results[i].status, TestStatus::kSkipped);
    EXPECT_EQ(sink_.results[i].skip_message, "interrupted");
  }
}

TEST_F(RookTest, PawnThatDiesBeforeHelloIsAnInfrastructureError) {
  Make({.jobs = 2}, 5);
  Exit(0, {.exit_code = 1});
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_NE(rook_->error().find("exited before the run began (exit code 1)"),
            std::string::npos)
      << rook_->error();
  Exit(1, {.signaled = true, .signal = 9});
  EXPECT_EQ(finished_, 1);
}

TEST_F(RookTest, AnErrorOfItsOwnStaysItsOwnWhenTheRunIsStoppedForAnother) {
  Make({.jobs = 2}, 5);
  Exit(0, {.exit_code = 1});
  ASSERT_EQ(rook_->outcome(), RookOutcome::kError);
  // The Board passes the error on to every Rook not yet done, this one too.
  rook_->Stop(NotRun::kRunStopped, "the store cannot be written");
  EXPECT_TRUE(rook_->error_is_own());
  EXPECT_NE(rook_->error().find("exited before the run began"), std::string::npos);
  Exit(1, {.signaled = true, .signal = 9});
  EXPECT_EQ(finished_, 1);
}

TEST_F(RookTest, AnotherBinarysErrorIsNotItsOwn) {
  Make({.jobs = 1}, 5);
  rook_->Stop(NotRun::kRunStopped, "the store cannot be written");
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_FALSE(rook_->error_is_own());
  EXPECT_EQ(rook_->error(), "the store cannot be written");
}

TEST_F(RookTest, UnstartablePawnIsAnInfrastructureError) {
  factory_.fail_starts = true;
  Make({.jobs = 2}, 5);
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_NE(rook_->error().find("no such binary"), std::string::npos);
  EXPECT_EQ(finished_, 1);
}

TEST_F(RookTest, ResultForATestNotInTheBatchKillsThePawn) {
  Make({.jobs = 1}, 40);
  Greet(tests_);
  Pass(0, 39);
  EXPECT_EQ(Worker(0).kills, 1);
  Exit(0, {.signaled = true, .signal = 9, .running = -1});
  EXPECT_EQ(sink_.results.back().crash,
            "protocol error: reported test T.t39 it was not running");
}

TEST_F(RookTest, AStatusNoPawnSendsIsAViolationAndNothingAfterItIsUsed) {
  Make({.jobs = 1}, 40);
  Greet(tests_);
  const auto batch = Last<proto::Run>(Worker(0))->indexes;
  Answer(0, batch[0], TestStatus::kFlaky);
  EXPECT_EQ(Worker(0).kills, 1);
  Pass(0, batch[1]);  // Read before the pawn died: not used.
  Exit(0, {.signaled = true, .signal = 9, .running = batch[0]});
  ASSERT_FALSE(sink_.results.empty());
  EXPECT_EQ(sink_.results[0].index, batch[0]);
  EXPECT_EQ(sink_.results[0].status, TestStatus::kCrashed);
  EXPECT_EQ(sink_.results[0].crash, "protocol error: reported status 5 for test T.t" +
                                        std::to_string(batch[0]) +
                                        ", which no pawn sends");
  for (const auto& result : sink_.results) EXPECT_NE(result.status, TestStatus::kPassed);
}

TEST_F(RookTest, FilterAndDisabledTestsDecideTheSelection) {
  tests_ = MakeTests(3, "A.t");
  tests_.push_back({"A.DISABLED_off", "t.cc", 9, "", ""});
  tests_.push_back({"B.t0", "t.cc", 10, "", ""});
  rook_ = std::make_unique<Rook>(RookOptions{.jobs = 1, .filter = "A.*-A.t1"}, &factory_,
                                 &clock_, &sink_);
  Start();
  Greet(tests_);
  EXPECT_EQ(sink_.selected, (std::vector<uint32_t>{0, 2}));
  RunToTheEnd();
  EXPECT_EQ(sink_.results.size(), 2u);
}

TEST_F(RookTest, EveryResultCarriesTheTotalsOfTheFinalResultsSoFar) {
  Make({.jobs = 1, .retries = 1}, 3);
  // Test 0 fails once, test 2 skips.
  verdict_ = [](uint32_t index, uint32_t attempt) {
    if (index == 0 && attempt == 1) return TestStatus::kFailed;
    return index == 2 ? TestStatus::kSkipped : TestStatus::kPassed;
  };
  RunToTheEnd();
  ASSERT_EQ(sink_.results.size(), 4u);
  ASSERT_EQ(sink_.totals.size(), 4u);
  RunTotals expected;
  for (size_t i = 0; i < sink_.results.size(); ++i) {
    if (sink_.results[i].final) expected.Add(sink_.results[i].status);
    EXPECT_EQ(sink_.totals[i].total_tests, expected.total_tests) << i;
    EXPECT_EQ(sink_.totals[i].tests_passed, expected.tests_passed) << i;
    EXPECT_EQ(sink_.totals[i].tests_skipped, expected.tests_skipped) << i;
    EXPECT_EQ(sink_.totals[i].flaky, expected.flaky) << i;
  }
  const RunTotals& last = sink_.totals.back();
  EXPECT_EQ(last.total_tests, 3) << "the retried attempt is not counted";
  EXPECT_EQ(last.tests_passed, 2);
  EXPECT_EQ(last.flaky, 1) << "test 0 passed on its retry";
  EXPECT_EQ(last.tests_skipped, 1);
  EXPECT_EQ(last.tests_failed, 0);
  EXPECT_EQ(rook_->totals().total_tests, 3);
}

TEST_F(RookTest, ResultsAreStampedWithTheClock) {
  Make({.jobs = 1}, 4);
  Greet(tests_);
  clock_.now += std::chrono::seconds(5);
  const auto stamped = clock_.now;
  RunToTheEnd();
  const int64_t stamped_us =
      std::chrono::duration_cast<std::chrono::microseconds>(stamped.time_since_epoch())
          .count();
  for (const auto& r : sink_.results) EXPECT_EQ(r.finished_us, stamped_us);
}

TEST_F(RookTest, APawnsEndTimeBeatsTheArrivalTime) {
  // Resident pawns send passes in bunches: when the test ended is theirs to say.
  Make({.jobs = 1}, 2);
  Greet(tests_);
  proto::Result result;
  result.index = 0;
  result.finished_us = 1'600'000'000'000'000;
  Events().OnMessage(0, result);
  ASSERT_EQ(sink_.results.size(), 1u);
  EXPECT_EQ(sink_.results[0].finished_us, result.finished_us);
}

TEST_F(RookTest, TestPastItsTimeoutGetsSigtermThenSigkillAndIsTimeout) {
  Make({.jobs = 1,
        .timeout = std::chrono::seconds(10),
        .kill_grace = std::chrono::seconds(2)},
       40);
  Greet(tests_);
  Pass(0, 0);
  Worker(0).running = 1;
  Worker(0).running_for_us = 9'000'000;
  rook_->Tick();
  EXPECT_EQ(Worker(0).terminations, 0) << "not yet past the timeout";
  Worker(0).running_for_us = 10'000'000;
  rook_->Tick();
  EXPECT_EQ(Worker(0).terminations, 1);
  EXPECT_EQ(Worker(0).kills, 0);
  clock_.now += std::chrono::seconds(1);
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 0) << "still in the grace";
  clock_.now += std::chrono::seconds(1);
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 1);
  Exit(0, {.signaled = true, .signal = 9, .running = 1, .running_for_us = 12'000'000});
  const TestResult& timed_out = sink_.results.back();
  EXPECT_EQ(timed_out.index, 1u);
  EXPECT_EQ(timed_out.status, TestStatus::kTimeout);
  EXPECT_EQ(timed_out.crash, "timed out after 10s (then signal 9 (SIGKILL))");
  EXPECT_EQ(factory_.started, 2) << "a fresh pawn takes the slot";
  Greet(tests_);
  EXPECT_EQ(Last<proto::Run>(Worker(0))->indexes.front(), 2u) << "the rest is requeued";
}

TEST_F(RookTest, RequeuedTestsGoToTheFrontOfTheQueue) {
  MakeRemembered({.jobs = 1}, 40, 1000);
  Greet(tests_);
  Pass(0, 0);
  Events().OnMessage(0, proto::Requeue{{2, 3, 4, 5, 6, 7, 8, 9}});
  EXPECT_EQ(Worker(0).kills, 0);
  EXPECT_EQ(sink_.results.size(), 1u) << "only the pass so far; 1 is still running";
  proto::Result crashed;
  crashed.index = 1;
  crashed.status = TestStatus::kCrashed;
  crashed.crash = "signal 11 (SIGSEGV)";
  Events().OnMessage(0, crashed);
  EXPECT_EQ(sink_.results.back().crash, "signal 11 (SIGSEGV)");
  const auto next = Last<proto::Run>(Worker(0))->indexes;
  EXPECT_EQ(next.front(), 2u);
  RunToTheEnd();
  EXPECT_EQ(sink_.results.size(), 40u);
}

TEST_F(RookTest, APawnThatGivesBackItsWholeBatchUnrunStopsTheRunOnItsWords) {
  Make({.jobs = 2}, 40);
  Greet(tests_);
  const size_t sent = Worker(0).sent.size();
  Events().OnMessage(0, proto::Requeue{Last<proto::Run>(Worker(0))->indexes});
  EXPECT_EQ(Worker(0).sent.size(), sent)
      << "no other batch for a pawn that cannot run one";
  Exit(0, {.exit_code = 3});
  EXPECT_EQ(rook_->outcome(), RookOutcome::kError);
  EXPECT_NE(rook_->error().find("could not run its batch (exit code 3): output[0,end)"),
            std::string::npos)
      << rook_->error();
  for (const auto& result : sink_.results) EXPECT_NE(result.status, TestStatus::kCrashed);
}

TEST_F(RookTest, GivingBackATestNotInTheBatchKillsThePawn) {
  Make({.jobs = 1}, 40);
  Greet(tests_);
  Events().OnMessage(0, proto::Requeue{{39}});
  EXPECT_EQ(Worker(0).kills, 1);
}

TEST_F(RookTest, SlowTestsAreReportedOnceEach) {
  Make({.jobs = 1, .slow = std::chrono::seconds(5)}, 40);
  Greet(tests_);
  Worker(0).running = 0;
  Worker(0).running_for_us = 4'000'000;
  rook_->Tick();
  EXPECT_TRUE(sink_.slow.empty());
  Worker(0).running_for_us = 6'000'000;
  rook_->Tick();
  rook_->Tick();
  EXPECT_EQ(sink_.slow, std::vector<uint32_t>{0});
  Pass(0, 0);
  Worker(0).running = 1;
  rook_->Tick();
  EXPECT_EQ(sink_.slow, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(Worker(0).terminations, 0) << "slow is a warning, not a limit";
}

TEST_F(RookTest, NoTimeoutMeansNoLimit) {
  Make({.jobs = 1}, 4);
  Greet(tests_);
  Worker(0).running = 0;
  Worker(0).running_for_us = 1'000'000'000;
  rook_->Tick();
  EXPECT_EQ(Worker(0).terminations, 0);
}

/// Results in so far: enough that growth limits nothing.
constexpr size_t kMany = 1'000'000;

TEST(BatchSizeTest, AQuarterOfEachPawnsShareAndAtLeastOne) {
  EXPECT_EQ(BatchSize(10000, 2, 0, kMany), 1250u);
  EXPECT_EQ(BatchSize(7, 2, 0, kMany), 1u);
  EXPECT_EQ(BatchSize(0, 2, 0, kMany), 1u);
  EXPECT_EQ(BatchSize(7, 2, 50'000, kMany), 1u) << "slow tests: single tests at the end";
}

TEST(BatchSizeTest, FastTestsGetBatchesWorthTheCallOverheadUpToAPawnsShare) {
  EXPECT_EQ(BatchSize(10'000, 2, 1, kMany), kMinBatchWorkUs);
  EXPECT_EQ(BatchSize(20, 2, 1000, kMany), kMinBatchWorkUs / 1000);
  EXPECT_EQ(BatchSize(100, 2, 1, kMany), 50u)
      << "never more than one pawn's share: the other finds work to take back";
}

TEST(BatchSizeTest, ABigBinarysBatchIsWorthWalkingItsList) {
  // 10,000 listed tests: a walk of 6 ms, so at least 24 ms of work a batch.
  EXPECT_EQ(BatchSize(100'000, 2, 1, kMany, 10'000), 24'000u);
  EXPECT_EQ(BatchSize(7'500, 2, 1, kMany, 10'000), 3'750u) << "up to a pawn's share";
  EXPECT_EQ(BatchSize(7'500, 2, 0, kMany, 10'000), 937u) << "no duration seen yet";
  // Half of 3,828 would leave 1,914 us, less than each pawn's 3 ms of a walk.
  EXPECT_EQ(BatchSize(3'828, 2, 1, kMany, 10'000), 3'828u) << "the rest goes along";
  EXPECT_EQ(BatchSize(3'828, 2, 1, 1'000, 10'000), 1'000u) << "within what it may hold";
  EXPECT_EQ(BatchSize(3'828, 2, 0, kMany, 10'000), 478u) << "not before durations";
  EXPECT_EQ(BatchSize(0, 2, 1, kMany, 10'000), 1u);
  EXPECT_EQ(BatchSize(20, 2, 1000, kMany, 200), kMinBatchWorkUs / 1000)
      << "a small binary's walk is less than the least batch";
}

TEST(BatchSizeTest, AtMostWhatItIsToldToHold) {
  EXPECT_EQ(BatchSize(10000, 2, 0, 1), 1u);
  EXPECT_EQ(BatchSize(10000, 2, 1, 400), 400u);
}

TEST(BatchWorkTest, AQuarterOfEachPawnsShareOfTheRun) {
  EXPECT_EQ(BatchWorkUs(8'000'000, 0, 2, 0), 1'000'000u);
  EXPECT_EQ(BatchWorkUs(800'000, 0, 1, 4'000'000), 800'000u)
      << "one pawn's binary among others that keep every pawn busy: whole";
  EXPECT_EQ(BatchWorkUs(8'000'000, 0, 2, 8'000'000), 2'000'000u);
}

TEST(BatchWorkTest, ABigBinarysBatchIsWorthWalkingItsListUpToAPawnsShare) {
  // 10,000 tests: walking them costs a batch 6 ms, so a batch holds 24 ms.
  EXPECT_EQ(BatchWorkUs(20'000, 0, 2, 0, 10'000), 10'000u) << "a pawn's share, not 5 ms";
  EXPECT_EQ(BatchWorkUs(400'000, 0, 2, 0, 10'000), 50'000u) << "a quarter: worth it";
  EXPECT_EQ(BatchWorkUs(120'000, 0, 2, 0, 10'000), 24'000u);
  EXPECT_EQ(BatchWorkUs(20'000, 0, 2, 0, 100), kMinBatchWorkUs) << "a small binary";
}

TEST(BatchWorkTest, TheBatchesInFlightCountInAPawnsShare) {
  // 10,000 tests of 2 us: another pawn runs the first half, so the second
  // half is this pawn's share, and worth more than a walk of the list.
  EXPECT_EQ(BatchWorkUs(10'000, 10'000, 2, 0, 10'000), 10'000u);
  EXPECT_EQ(BatchWorkUs(10'000, 0, 2, 0, 10'000), kMinBatchWorkUs)
      << "without them, a third batch";
  EXPECT_EQ(BatchWorkUs(700'000, 100'000, 2, 0), 100'000u) << "a quarter of the share";
}

TEST(BatchWorkTest, ARestNotWorthWalkingTheListAgainGoesAlong) {
  // 10,000 tests: walking them costs a batch 6 ms, 3 ms each of 2 pawns.
  EXPECT_EQ(BatchWorkUs(15'003, 15'000, 2, 0, 10'000), 15'003u) << "3 us left: along";
  EXPECT_EQ(BatchWorkUs(17'000, 15'000, 2, 0, 10'000), 17'000u) << "1 ms left: along";
  EXPECT_EQ(BatchWorkUs(20'000, 15'000, 2, 0, 10'000), 20'000u) << "2.5 ms left: along";
  EXPECT_EQ(BatchWorkUs(22'000, 15'000, 2, 0, 10'000), 18'500u) << "3.5 ms: a batch";
}

TEST_F(RookTest, TwoPawnsRunABigBinaryWithHistoryInOneBatchEach) {
  // An odd count: the first pawn's share leaves the second a test more.
  Make({.jobs = 2}, 10'001);
  rook_->SetPast(PastOf(tests_, 3));
  Greet(tests_);
  const auto* first = Last<proto::Run>(Worker(0));
  const auto* second = Last<proto::Run>(Worker(1));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->indexes.size() + second->indexes.size(), 10'001u)
      << "a third batch would walk the 10,001 tests once more";
  EXPECT_GE(std::min(first->indexes.size(), second->indexes.size()), 5'000u);
  RunToTheEnd();
  EXPECT_EQ(sink_.results.size(), 10'001u);
}

TEST(BatchWorkTest, ABatchIsWorthItsCallAndLeavesNoLessBehind) {
  EXPECT_EQ(BatchWorkUs(1'000, 0, 2, 0), kMinBatchWorkUs);
  EXPECT_EQ(BatchWorkUs(9'000, 0, 1, 34'500), 9'000u)
      << "a quarter of the run's share would leave 375 us for another batch";
}

TEST_F(RookTest, AFirstRunOfPawnsThatRunBatchesWholeGrowsItsBatchesAsResultsArrive) {
  Make({.jobs = 1, .whole_batches = true}, 2000);
  Greet(tests_);
  std::vector<size_t> sizes;
  for (int round = 0; round < 6; ++round) {
    const auto batch = Last<proto::Run>(Worker(0))->indexes;
    sizes.push_back(batch.size());
    for (uint32_t index : batch) {
      proto::Result result;
      result.index = index;
      result.duration_us = 2;
      Events().OnMessage(0, result);
    }
  }
  // 1 in: 4 more; 5 in: 20; 25: 100; 125: 500; 625: the 1375 left (2 us
  // tests want 2500 a batch).
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 4, 20, 100, 500, 1375}));
}

TEST_F(RookTest, AFirstRunOfResidentPawnsBeginsWithAQuarterOfTheShare) {
  // Its tail can be taken back, so it need not start small.
  Make({.jobs = 2}, 2000);
  Greet(tests_);
  EXPECT_EQ(Last<proto::Run>(Worker(0))->indexes.size(), 250u);
}

}  // namespace
}  // namespace redqueen::rook
