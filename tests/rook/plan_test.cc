#include "rook/plan.h"

#include <gtest/gtest.h>

#include <array>

#include "rook/estimate.h"
#include "rook/work_queue.h"

namespace redqueen::rook {
namespace {

std::vector<proto::TestInfo> Named(const std::vector<std::string>& names) {
  std::vector<proto::TestInfo> tests;
  for (const auto& name : names) tests.push_back({name, "t.cc", 1, "", ""});
  return tests;
}

std::vector<uint32_t> All(size_t count) {
  std::vector<uint32_t> all;
  for (uint32_t i = 0; i < count; ++i) all.push_back(i);
  return all;
}

/// A test's history of passes, newest first.
TestHistory Passes(const std::vector<uint64_t>& newest_first, bool failed_last = false) {
  TestHistory history;
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it)
    history.Record(true, *it);
  history.failed_last = failed_last;
  return history;
}

/// The first test index of each unit, in order.
std::vector<uint32_t> Firsts(const std::vector<Unit>& units) {
  std::vector<uint32_t> firsts;
  for (const Unit& unit : units) firsts.push_back(unit.works.front().index);
  return firsts;
}

TEST(ExpectedDurationTest, IsTheMedianOfRecentPasses) {
  EXPECT_EQ(ExpectedDuration(Passes({100, 5000, 110})), 110u)
      << "one outlier does not move it";
  EXPECT_FALSE(ExpectedDuration(Passes({}, true)));
}

TEST(TestHistoryTest, KeepsTheNewestPassesAndTheLastOutcome) {
  TestHistory history;
  for (uint64_t us = 1; us <= 7; ++us) history.Record(true, us);
  ASSERT_EQ(history.passes, kRememberedPasses);
  EXPECT_EQ(history.passing_us, (std::array<uint64_t, kRememberedPasses>{7, 6, 5, 4, 3}));
  history.Record(false, 1000);
  EXPECT_TRUE(history.failed_last);
  EXPECT_EQ(history.passing_us[0], 7u) << "a failure's duration says nothing";
  history.Record(true, 8);
  EXPECT_FALSE(history.failed_last);
  EXPECT_EQ(history.passing_us[0], 8u);
}

TEST(CarryTest, FollowsTestsByNameWhenTheListChanged) {
  Past past;
  past.tests = Named({"A.a", "A.gone", "A.b"});
  past.history = {Passes({10}), Passes({20}), Passes({30}, true)};
  const History history = Carry(past, Named({"A.b", "A.new", "A.a"}));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(ExpectedDuration(history[0]), 30u);
  EXPECT_TRUE(history[0].failed_last);
  EXPECT_EQ(history[1].passes, 0) << "a new test has no history";
  EXPECT_EQ(ExpectedDuration(history[2]), 10u);
  EXPECT_EQ(Carry(Past{}, Named({"A.a"})).size(), 1u) << "nothing known: none each";
}

TEST(EstimateTest, UnseenTestsGetTheMedianOfTheSeenAndNothingSeenMeansNoEstimates) {
  const auto tests = Named({"A.a", "A.b", "A.c", "A.new"});
  const History history{Passes({10'000}), Passes({20'000}), Passes({1'000}), {}};
  const auto estimates = Estimate(tests.size(), All(4), history);
  ASSERT_EQ(estimates.size(), 4u);
  EXPECT_EQ(estimates[0], 10'000u);
  EXPECT_EQ(estimates[1], 20'000u);
  EXPECT_EQ(estimates[2], 1'000u);
  EXPECT_EQ(estimates[3], 10'000u);
  EXPECT_TRUE(Estimate(tests.size(), All(4), {}).empty());
  EXPECT_TRUE(Estimate(tests.size(), All(4), History(4)).empty()) << "none passed before";
}

TEST(EstimateTest, DurationsTooShortToTellApartExpectTheirMean) {
  // An exec pawn's clock put a trivial test at 301 us: it waited for the CPU.
  const auto tests = Named({"A.a", "A.b", "A.c", "A.d", "A.long"});
  const History history{Passes({1}), Passes({301}), Passes({0}), Passes({2}),
                        Passes({kPooledBelowUs})};
  const auto estimates = Estimate(tests.size(), All(5), history);
  EXPECT_EQ(estimates, (std::vector<uint64_t>{76, 76, 76, 76, kPooledBelowUs}));
  const auto units = Plan(tests, All(5), estimates, history, {}, 0);
  EXPECT_EQ(Firsts(units), (std::vector<uint32_t>{4, 0, 1, 2, 3}))
      << "the short ones in registration order, as whole suites run";
}

TEST(PlanTest, HistoryOrderPutsUnseenFirstThenLongestFirst) {
  const auto tests = Named({"A.short", "A.long", "A.unseen", "A.middle"});
  const History history{Passes({5'000}), Passes({500'000}), {}, Passes({50'000})};
  const auto estimates = Estimate(tests.size(), All(4), history);
  const auto units = Plan(tests, All(4), estimates, history, {}, 0);
  EXPECT_EQ(Firsts(units), (std::vector<uint32_t>{2, 1, 3, 0}));
  EXPECT_EQ(units[1].expected_us, 500'000u);
}

TEST(PlanTest, FailedFirstPutsLastRunsFailuresAtTheFront) {
  const auto tests = Named({"A.a", "A.b", "A.c"});
  const History history{Passes({5'000}), Passes({500'000}), Passes({1'000}, true)};
  PlanOptions options;
  options.failed_first = true;
  const auto units =
      Plan(tests, All(3), Estimate(tests.size(), All(3), history), history, options, 0);
  EXPECT_EQ(Firsts(units), (std::vector<uint32_t>{2, 1, 0}));
  EXPECT_TRUE(units[0].leading);
  EXPECT_FALSE(units[1].leading);
}

TEST(PlanTest, DeclaredKeepsRegistrationOrderAndRandomIsReproducible) {
  const auto tests = Named({"A.a", "A.b", "A.c", "A.d", "A.e", "A.f", "A.g", "A.h"});
  History history(8);
  history[7] = Passes({500});
  PlanOptions declared;
  declared.order = Order::kDeclared;
  EXPECT_EQ(Firsts(Plan(tests, All(8), {}, history, declared, 0)), All(8));

  PlanOptions random;
  random.order = Order::kRandom;
  random.seed = 42;
  const auto once = Firsts(Plan(tests, All(8), {}, history, random, 0));
  EXPECT_EQ(Firsts(Plan(tests, All(8), {}, history, random, 0)), once) << "same seed";
  EXPECT_NE(once, All(8));
  EXPECT_NE(Firsts(Plan(tests, All(8), {}, history, random, 1)), once)
      << "each repetition shuffles anew";
  random.seed = 43;
  EXPECT_NE(Firsts(Plan(tests, All(8), {}, history, random, 0)), once);
}

TEST(PlanTest, BySuiteMakesOneUnitPerSuiteInRegistrationOrder) {
  const auto tests = Named({"A.a", "B.a", "A.b", "P/C.x/0", "P/C.x/1", "C/0.t", "B.b"});
  PlanOptions options;
  options.order = Order::kDeclared;
  options.by_suite = true;
  const auto units = Plan(tests, All(7), {}, {}, options, 3);
  ASSERT_EQ(units.size(), 4u);
  std::vector<std::vector<uint32_t>> groups;
  for (const Unit& unit : units) {
    groups.emplace_back();
    for (const Work& work : unit.works) {
      groups.back().push_back(work.index);
      EXPECT_EQ(work.repetition, 3u);
    }
  }
  EXPECT_EQ(groups, (std::vector<std::vector<uint32_t>>{{0, 2}, {1, 6}, {3, 4}, {5}}));
}

TEST(SuiteOfTest, IsEverythingBeforeTheFirstDot) {
  EXPECT_EQ(SuiteOf("Suite.Test"), "Suite");
  EXPECT_EQ(SuiteOf("Prefix/Suite.Test/0"), "Prefix/Suite");
  EXPECT_EQ(SuiteOf("Typed/0.Test"), "Typed/0");
}

Unit One(uint32_t index, uint64_t expected = 0, uint32_t attempt = 1, int avoid = -1,
         uint32_t repetition = 0) {
  return Unit{{Work{index, repetition, attempt, avoid}}, expected};
}

std::vector<uint32_t> Indexes(const std::vector<Work>& works) {
  std::vector<uint32_t> indexes;
  for (const Work& work : works) indexes.push_back(work.index);
  return indexes;
}

TEST(WorkQueueTest, BatchesCloseAtEitherLimitAndHoldAtLeastOneUnit) {
  WorkQueue queue;
  for (uint32_t i = 0; i < 6; ++i) queue.PushBack(One(i, 100));
  EXPECT_EQ(queue.expected_us(), 600u);
  EXPECT_EQ(Indexes(queue.Take(0, {2, UINT64_MAX}, false)),
            (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(Indexes(queue.Take(0, {SIZE_MAX, 250}, false)),
            (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(Indexes(queue.Take(0, {SIZE_MAX, 1}, false)), (std::vector<uint32_t>{5}));
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.expected_us(), 0u);
  EXPECT_TRUE(queue.Take(0, {}, false).empty());
}

TEST(WorkQueueTest, ABatchHoldsOneAttemptAndNoTestTwice) {
  WorkQueue queue;
  queue.PushBack(One(0, 0, 2));
  queue.PushBack(One(1, 0, 1));
  queue.PushBack(One(2, 0, 2));
  queue.PushBack(One(2, 0, 2, -1, 1));
  const auto batch = queue.Take(0, {}, false);
  EXPECT_EQ(Indexes(batch), (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(batch.front().attempt, 2u);
  EXPECT_EQ(Indexes(queue.Take(0, {}, false)), (std::vector<uint32_t>{1}));
  const auto last = queue.Take(0, {}, false);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last.front().repetition, 1u);
}

TEST(WorkQueueTest, LeadingUnitsGoInBatchesOfTheirOwn) {
  WorkQueue queue;
  Unit failed = One(5);
  failed.leading = true;
  queue.PushBack(failed);
  queue.PushBack(One(1));
  EXPECT_EQ(Indexes(queue.Take(0, {}, false)), (std::vector<uint32_t>{5}))
      << "mixed in, the pawn would run 1 before 5";
  EXPECT_EQ(Indexes(queue.Take(0, {}, false)), (std::vector<uint32_t>{1}));
}

TEST(WorkQueueTest, RetriesAvoidThePawnTheyFailedOnWhenAskedTo) {
  WorkQueue queue;
  queue.PushBack(One(0, 0, 2, /*avoid=*/1));
  queue.PushBack(One(1));
  EXPECT_EQ(Indexes(queue.Take(1, {1, UINT64_MAX}, true)), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(queue.Take(1, {}, true).empty()) << "left for another pawn";
  EXPECT_EQ(Indexes(queue.Take(1, {}, false)), (std::vector<uint32_t>{0}))
      << "no other pawn: it runs here";
}

TEST(WorkQueueTest, GivenBackWorkGoesToTheFrontInOrder) {
  WorkQueue queue;
  queue.PushBack(One(9));
  queue.PushFrontEach({Work{3}, Work{4}}, {});
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(Indexes(queue.Drain()), (std::vector<uint32_t>{3, 4, 9}));
  EXPECT_EQ(queue.size(), 0u);
}

}  // namespace
}  // namespace redqueen::rook
