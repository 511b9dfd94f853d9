// The Rook's run policies: retries, repeat, stopping early, the serial phase,
// by-suite batches and history-driven order and batch sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <unordered_set>

#include "rook_fixture.h"

namespace redqueen::rook {
namespace {

std::vector<TestResult> Finals(const std::vector<TestResult>& results) {
  std::vector<TestResult> finals;
  for (const auto& r : results) {
    if (r.final) finals.push_back(r);
  }
  return finals;
}

const TestResult* FinalOf(const std::vector<TestResult>& results, uint32_t index) {
  for (const auto& r : results) {
    if (r.final && r.index == index) return &r;
  }
  return nullptr;
}

TEST_F(RookTest, AFailureRetriedThatPassesIsFlakyAndEveryAttemptIsReported) {
  Make({.jobs = 2, .retries = 2}, 6);
  verdict_ = [](uint32_t index, uint32_t attempt) {
    return index == 3 && attempt < 3 ? TestStatus::kFailed : TestStatus::kPassed;
  };
  RunToTheEnd();
  EXPECT_EQ(rook_->outcome(), RookOutcome::kCompleted);
  ASSERT_EQ(sink_.results.size(), 8u) << "6 tests, 2 of them retries";
  const TestResult* flaky = FinalOf(sink_.results, 3);
  ASSERT_NE(flaky, nullptr);
  EXPECT_EQ(flaky->status, TestStatus::kFlaky);
  EXPECT_EQ(flaky->attempt, 3u);
  int failed_attempts = 0;
  for (const auto& r : sink_.results) {
    if (r.index == 3 && !r.final) {
      EXPECT_EQ(r.status, TestStatus::kFailed);
      ++failed_attempts;
    }
  }
  EXPECT_EQ(failed_attempts, 2);
  EXPECT_EQ(Finals(sink_.results).size(), 6u);
}

TEST_F(RookTest, RetriesRunOnAnotherPawnWithTheirAttemptNumber) {
  Make({.jobs = 2, .retries = 1}, 2);
  Greet(tests_);
  // Both tests fit in one batch of pawn 0 (no history: by count).
  ASSERT_TRUE(Last<proto::Run>(Worker(0)));
  const auto batch = Last<proto::Run>(Worker(0))->indexes;
  ASSERT_EQ(batch.size(), 1u);
  Answer(0, batch[0], TestStatus::kFailed);
  const proto::Run* retry = Last<proto::Run>(Worker(1));
  // Pawn 1 got the other test first; the retry waits for it.
  ASSERT_NE(retry, nullptr);
  Answer(1, retry->indexes[0], TestStatus::kPassed);
  retry = Last<proto::Run>(Worker(1));
  ASSERT_EQ(retry->indexes, std::vector<uint32_t>{batch[0]});
  EXPECT_EQ(retry->attempt, 2u);
  EXPECT_EQ(Last<proto::Shutdown>(Worker(0)), nullptr);
}

TEST_F(RookTest, ATestThatFailsEveryAttemptIsFinallyFailedOrCrashed) {
  Make({.jobs = 1, .retries = 2}, 3);
  verdict_ = [](uint32_t index, uint32_t) {
    return index == 1 ? TestStatus::kFailed : TestStatus::kPassed;
  };
  RunToTheEnd();
  const TestResult* failed = FinalOf(sink_.results, 1);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->status, TestStatus::kFailed);
  EXPECT_EQ(failed->attempt, 3u);
  EXPECT_EQ(sink_.results.size(), 5u);
}

TEST_F(RookTest, ACrashedTestIsRetriedToo) {
  Make({.jobs = 1, .retries = 1}, 3);
  Greet(tests_);
  Exit(0, {.signaled = true, .signal = 11, .running = 0});
  RunToTheEnd();
  const TestResult* result = FinalOf(sink_.results, 0);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->status, TestStatus::kFlaky);
  EXPECT_EQ(sink_.results.front().status, TestStatus::kCrashed);
  EXPECT_FALSE(sink_.results.front().final);
}

TEST_F(RookTest, RepeatRunsEveryTestThatManyTimesSpreadOverThePawns) {
  Make({.jobs = 2, .repeat = 3}, 10);
  RunToTheEnd();
  EXPECT_EQ(rook_->outcome(), RookOutcome::kCompleted);
  ASSERT_EQ(sink_.results.size(), 30u);
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (const auto& r : sink_.results) seen.insert({r.index, r.repetition});
  EXPECT_EQ(seen.size(), 30u);
  std::set<int> pawns;
  for (const auto& [slot, run] : runs_) {
    pawns.insert(slot);
    const std::set<uint32_t> distinct(run.indexes.begin(), run.indexes.end());
    EXPECT_EQ(distinct.size(), run.indexes.size()) << "no test twice in one batch";
  }
  EXPECT_EQ(pawns.size(), 2u);
  EXPECT_EQ(rook_->RepetitionsPassed(), 3u);
}

TEST_F(RookTest, UntilStoppedRepeatsUntilAFailureStopsIt) {
  Make({.jobs = 1, .repeat = 0}, 4);
  on_final_failure_ = [this] { rook_->Stop(NotRun::kFailFast); };
  int runs = 0;
  verdict_ = [&runs](uint32_t, uint32_t) {
    return ++runs == 23 ? TestStatus::kFailed : TestStatus::kPassed;
  };
  RunToTheEnd();
  EXPECT_EQ(rook_->outcome(), RookOutcome::kCompleted);
  EXPECT_EQ(rook_->RepetitionsPassed(), 5u) << "the failure was in the 6th";
  EXPECT_EQ(finished_, 1);
}

TEST_F(RookTest, StoppingEarlyLetsTheRunningTestFinishAndSkipsTheRest) {
  MakeRemembered({.jobs = 2}, 40, 1000);
  Greet(tests_);
  const auto batch0 = Last<proto::Run>(Worker(0))->indexes;
  const auto batch1 = Last<proto::Run>(Worker(1))->indexes;
  ASSERT_GT(batch1.size(), 2u);
  on_final_failure_ = [this] { rook_->Stop(NotRun::kFailFast); };
  Answer(0, batch0[0], TestStatus::kFailed);
  EXPECT_EQ(Worker(0).kills, 1) << "the rest of its batch is not run";
  EXPECT_EQ(Worker(1).kills, 0) << "its running test finishes";
  Answer(1, batch1[0], TestStatus::kPassed);
  EXPECT_EQ(Worker(1).kills, 1);
  Exit(0, {.signaled = true, .signal = 9});
  Exit(1, {.signaled = true, .signal = 9});
  EXPECT_EQ(finished_, 1);
  EXPECT_EQ(rook_->outcome(), RookOutcome::kCompleted);
  ASSERT_EQ(sink_.results.size(), 40u);
  int skipped = 0;
  for (const auto& r : sink_.results) {
    if (r.status == TestStatus::kSkipped) {
      EXPECT_EQ(r.skip_message, "fail-fast");
      ++skipped;
    }
  }
  EXPECT_EQ(skipped, 38);
  EXPECT_EQ(factory_.started, 2) << "no replacement pawns";
}

TEST_F(RookTest, SerialTestsRunAloneOneAtATimeBeforeTheOthers) {
  Make({.jobs = 3, .serial = {"T.t1", "T.t3"}}, 8);
  Greet(tests_);
  std::vector<uint32_t> order;
  auto busy = [this] {
    int count = 0;
    for (auto& [slot, worker] : factory_.current) {
      count += Last<proto::Run>(*worker) && answered_[worker] != worker->sent.size();
    }
    return count;
  };
  for (int step = 0; step < 2; ++step) {
    ASSERT_EQ(busy(), 1) << "one serial test at a time, nothing beside it";
    for (auto& [slot, worker] : factory_.current) {
      const proto::Run* run = Last<proto::Run>(*worker);
      if (!run || answered_[worker] == worker->sent.size()) continue;
      answered_[worker] = worker->sent.size();
      ASSERT_EQ(run->indexes.size(), 1u);
      order.push_back(run->indexes[0]);
      Pass(slot, run->indexes[0]);
      break;
    }
  }
  EXPECT_EQ(std::set<uint32_t>(order.begin(), order.end()), (std::set<uint32_t>{1, 3}));
  RunToTheEnd();
  size_t parallel = 0;
  for (const auto& [slot, run] : runs_) {
    for (uint32_t index : run.indexes) {
      EXPECT_NE(index, 1u);
      EXPECT_NE(index, 3u);
    }
    parallel += run.indexes.size();
  }
  EXPECT_EQ(parallel, 6u) << "then the parallel phase, once";
  EXPECT_EQ(sink_.results.size(), 8u);
}

TEST_F(RookTest, BySuiteSendsWholeSuitesInRegistrationOrder) {
  std::vector<proto::TestInfo> tests;
  for (const char* name : {"A.a", "B.a", "A.b", "C.a", "B.b", "A.c", "C.b"}) {
    tests.push_back({name, "t.cc", 1, "", ""});
  }
  RookOptions options{.jobs = 2};
  options.plan.by_suite = true;
  Make(options, tests);
  RunToTheEnd();
  std::map<std::string, std::set<size_t>> batches_of_suite;
  for (size_t batch = 0; batch < runs_.size(); ++batch) {
    const auto& indexes = runs_[batch].second.indexes;
    EXPECT_TRUE(std::is_sorted(indexes.begin(), indexes.end()));
    for (uint32_t index : indexes) {
      batches_of_suite[std::string(SuiteOf(tests[index].name))].insert(batch);
    }
  }
  EXPECT_EQ(batches_of_suite.size(), 3u);
  for (const auto& [suite, batches] : batches_of_suite) {
    EXPECT_EQ(batches.size(), 1u) << suite << " was split across batches";
  }
  EXPECT_EQ(sink_.results.size(), 7u);
}

TEST_F(RookTest, WithHistoryTheLongestGoFirstAndBatchesAreCutByExpectedTime) {
  // 100 tests: t0..t89 take 1 ms, t90..t99 take 100 ms.
  Past past;
  past.tests = MakeTests(100);
  past.list_hash = proto::ListHash(past.tests);
  past.history.resize(100);
  for (int i = 0; i < 100; ++i) past.history[i].Record(true, i >= 90 ? 100'000u : 1'000u);
  Make(RookOptions{.jobs = 2}, 100);
  rook_->SetPast(std::move(past));
  Greet(tests_);
  const auto first = Last<proto::Run>(Worker(0))->indexes;
  // 1.09 s expected over 4 x 2 shares: 136 ms, so two 100 ms tests.
  EXPECT_EQ(first, (std::vector<uint32_t>{90, 91}));
  RunToTheEnd();
  size_t sent = first.size();
  for (const auto& [slot, run] : runs_) {
    const bool long_left = sent < 10;
    for (uint32_t index : run.indexes) {
      if (long_left) {
        EXPECT_GE(index, 90u) << "the long tests go first";
      }
    }
    sent += run.indexes.size();
    EXPECT_LE(run.indexes.size() * 1'000, std::max<uint64_t>(kMinBatchWorkUs, 136'000));
  }
  EXPECT_LE(runs_.back().second.indexes.size() * 1'000, kMinBatchWorkUs)
      << "the tail is cut into small batches";
  EXPECT_EQ(sink_.results.size(), 100u);
}

TEST_F(RookTest, ARestrictionGivenAfterThePastHoldsWhenTheHelloShowsThatList) {
  Past past;
  past.tests = MakeTests(4);
  past.list_hash = proto::ListHash(past.tests);
  past.history.resize(4);
  for (auto& h : past.history) h.Record(true, 1'000);
  Make(RookOptions{.jobs = 1}, 4);
  // The Rook chooses from the past as soon as it has it, while pawns start.
  rook_->SetPast(std::move(past));
  rook_->RestrictTo(std::make_shared<const std::unordered_set<std::string>>(
      std::unordered_set<std::string>{tests_[2].name}));
  Greet(tests_);
  EXPECT_EQ(Last<proto::Run>(Worker(0))->indexes, std::vector<uint32_t>{2});
  RunToTheEnd();
  EXPECT_EQ(sink_.results.size(), 1u);
}

TEST_F(RookTest, ShortOfMemoryTheLargestPawnIsKilledAndItsTestRequeuedOnce) {
  double used = 50;
  RookOptions options{.jobs = 2};
  options.max_memory_percent = 90;
  options.memory_used_percent = [&used] { return std::optional<double>(used); };
  Make(options, 4);
  Greet(tests_);
  const uint32_t hog = Last<proto::Run>(Worker(1))->indexes.front();
  Worker(0).resident = 100ull << 20;
  Worker(1).resident = 900ull << 20;
  rook_->Tick();
  EXPECT_EQ(Worker(1).kills, 0) << "below the limit";
  used = 95;
  rook_->Tick();
  EXPECT_EQ(Worker(1).kills, 1);
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 0) << "one at a time";
  Exit(1, {.signaled = true, .signal = 9, .running = hog});
  ASSERT_EQ(sink_.results.size(), 1u);
  EXPECT_FALSE(sink_.results[0].final);
  EXPECT_EQ(sink_.results[0].crash,
            "out of memory: killed with 95% of memory in use; requeued once");
  // Its replacement gets the test back, and is the largest again.
  Greet(tests_);
  ASSERT_TRUE(Last<proto::Run>(Worker(1)));
  EXPECT_EQ(Last<proto::Run>(Worker(1))->indexes.front(), hog);
  Worker(1).resident = 900ull << 20;
  rook_->Tick();
  Exit(1, {.signaled = true, .signal = 9, .running = hog});
  const TestResult& last = sink_.results.back();
  EXPECT_TRUE(last.final);
  EXPECT_EQ(last.status, TestStatus::kCrashed);
  EXPECT_EQ(last.crash, "out of memory: killed with 95% of memory in use");
}

TEST_F(RookTest, SmallPawnsAreNotKilledWhenTheMachineIsFullForOtherReasons) {
  RookOptions options{.jobs = 1};
  options.max_memory_percent = 90;
  options.memory_used_percent = [] { return std::optional<double>(99); };
  Make(options, 2);
  Greet(tests_);
  Worker(0).resident = kMinMemoryVictimBytes - 1;
  rook_->Tick();
  EXPECT_EQ(Worker(0).kills, 0);
}

}  // namespace
}  // namespace redqueen::rook
