#include "queen/shard_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace redqueen::queen {
namespace {

RunOptions Sharded(int index, int total, ShardFrom from, std::string partition = "") {
  RunOptions options;
  options.shard.index = index;
  options.shard.total = total;
  options.shard.from = from;
  options.shard.source = "--shard";
  options.partition = std::move(partition);
  return options;
}

Binary BinaryNamed(const std::string& identity) {
  Binary binary;
  binary.path = identity;
  binary.identity = identity;
  return binary;
}

/// A past of `count` tests "S.tI", test I having passed in (I + 1) ms.
Past PastOf(int count, bool timed = true) {
  Past past;
  for (int i = 0; i < count; ++i) {
    past.tests.push_back({"S.t" + std::to_string(i), "s.cc", i, "", ""});
    TestHistory history;
    if (timed) history.Record(true, static_cast<uint64_t>(i + 1) * 1000);
    past.history.push_back(history);
  }
  return past;
}

/// The (binary, test) pairs each shard runs of `tests` tests per binary,
/// given the same pasts.
std::vector<std::set<std::string>> Split(int total, const std::vector<Binary>& binaries,
                                         const std::vector<Past>& pasts, int tests,
                                         const std::string& partition = "") {
  std::vector<std::set<std::string>> shards(static_cast<size_t>(total));
  for (int index = 0; index < total; ++index) {
    ShardPlan plan(Sharded(index, total, ShardFrom::kCi, partition));
    std::vector<BinaryPast> given;
    for (size_t b = 0; b < binaries.size(); ++b)
      given.push_back({&binaries[b], &pasts[b]});
    plan.Partition(given);
    for (const Binary& binary : binaries) {
      const auto rule = plan.RuleFor(binary);
      for (int t = 0; t < tests; ++t) {
        const std::string name = "S.t" + std::to_string(t);
        if (rule->Runs(name, static_cast<uint32_t>(t))) {
          shards[static_cast<size_t>(index)].insert(binary.identity + ":" + name);
        }
      }
    }
  }
  return shards;
}

void ExpectEachExactlyOnce(const std::vector<std::set<std::string>>& shards, size_t all) {
  std::set<std::string> seen;
  size_t total = 0;
  for (const auto& shard : shards) {
    total += shard.size();
    seen.insert(shard.begin(), shard.end());
  }
  EXPECT_EQ(seen.size(), all);
  EXPECT_EQ(total, all) << "a test ran on two shards";
}

TEST(ShardPlanTest, OneShardRunsEverything) {
  ShardPlan plan(RunOptions{});
  EXPECT_EQ(plan.RuleFor(BinaryNamed("a")), nullptr);
}

TEST(ShardPlanTest, GoogleTestsOwnShardsGoByCount) {
  ShardPlan plan(Sharded(1, 3, ShardFrom::kTestRunner));
  plan.Partition({});
  EXPECT_EQ(plan.partition(), rook::Partition::kCount);
  const auto rule = plan.RuleFor(BinaryNamed("a"));
  std::vector<uint32_t> runs;
  for (uint32_t position = 0; position < 7; ++position) {
    if (rule->Runs("any", position)) runs.push_back(position);
  }
  EXPECT_EQ(runs, (std::vector<uint32_t>{1, 4}));
}

TEST(ShardPlanTest, WithoutHistoryACiShardGoesByHash) {
  const std::vector<Binary> binaries = {BinaryNamed("a"), BinaryNamed("b")};
  const std::vector<Past> pasts = {PastOf(40, false), PastOf(40, false)};
  ShardPlan plan(Sharded(0, 4, ShardFrom::kCi));
  plan.Partition({{&binaries[0], &pasts[0]}, {&binaries[1], &pasts[1]}});
  EXPECT_EQ(plan.partition(), rook::Partition::kHash);
  const auto rule = plan.RuleFor(binaries[0]);
  EXPECT_EQ(rule->Runs("S.t3", 3), rook::HashShard("a", "", "S.t3", 4) == 0);
  ExpectEachExactlyOnce(Split(4, binaries, pasts, 40), 80);
}

TEST(ShardPlanTest, WithHistoryACiShardGoesByTimeAndEachTestRunsOnce) {
  const std::vector<Binary> binaries = {BinaryNamed("a"), BinaryNamed("b")};
  const std::vector<Past> pasts = {PastOf(50), PastOf(30)};
  ShardPlan plan(Sharded(0, 3, ShardFrom::kCi));
  plan.Partition({{&binaries[0], &pasts[0]}, {&binaries[1], &pasts[1]}});
  EXPECT_EQ(plan.partition(), rook::Partition::kTime);
  EXPECT_THAT(plan.Line(),
              testing::StartsWith("redqueen: shard 1 of 3 (from --shard), by "
                                  "time: 80 of 80 tests with history"));
  // Tests 50..59 of a and 30..59 of b are new since: they go by hash, still
  // once.
  ExpectEachExactlyOnce(Split(3, binaries, pasts, 60), 120);
}

TEST(ShardPlanTest, TimeSharesTheWorkEvenlyWhereCountDoesNot) {
  const std::vector<Binary> binaries = {BinaryNamed("a")};
  const std::vector<Past> pasts = {PastOf(60)};
  auto load = [&](const std::vector<std::set<std::string>>& shards) {
    std::vector<uint64_t> ms;
    for (const auto& shard : shards) {
      uint64_t sum = 0;
      for (const std::string& test : shard) sum += std::stoul(test.substr(5)) + 1;
      ms.push_back(sum);
    }
    return ms;
  };
  const auto time = load(Split(4, binaries, pasts, 60));
  const auto count = load(Split(4, binaries, pasts, 60, "count"));
  const auto spread = [](const std::vector<uint64_t>& ms) {
    return *std::max_element(ms.begin(), ms.end()) -
           *std::min_element(ms.begin(), ms.end());
  };
  EXPECT_LE(spread(time), 5u) << "longest first evens 1830 ms out";
  EXPECT_GE(spread(count), 40u) << "test i mod 4 leaves the last shard the longest";
}

TEST(ShardPlanTest, AShardWithThreeTimesThePawnsTakesThreeTimesTheWork) {
  const std::vector<Binary> binaries = {BinaryNamed("a")};
  const std::vector<Past> pasts = {PastOf(80)};
  const TimeSplit split =
      SplitByTime({{&binaries[0], &pasts[0]}}, "*", false, 2, std::vector<double>{3, 1});
  ASSERT_EQ(split.plan.expected_us.size(), 2u);
  const double ratio = static_cast<double>(split.plan.expected_us[0]) /
                       static_cast<double>(split.plan.expected_us[1]);
  EXPECT_NEAR(ratio, 3.0, 0.1);
}

TEST(ShardPlanTest, TheDigestTellsDifferentHistoriesApart) {
  const std::vector<Binary> binaries = {BinaryNamed("a")};
  std::vector<Past> pasts = {PastOf(10)};
  auto digest = [&] {
    ShardPlan plan(Sharded(0, 2, ShardFrom::kCi));
    plan.Partition({{&binaries[0], &pasts[0]}});
    return plan.history_digest();
  };
  const std::string before = digest();
  EXPECT_EQ(digest(), before);
  pasts[0].history[3].Record(true, 999'000);
  EXPECT_NE(digest(), before);
}

TEST(ShardPlanTest, AFilterNarrowsWhatIsSplit) {
  const std::vector<Binary> binaries = {BinaryNamed("a")};
  const std::vector<Past> pasts = {PastOf(20)};
  RunOptions options = Sharded(0, 2, ShardFrom::kCi);
  options.gtest_filter = "S.t1*";
  ShardPlan plan(options);
  plan.Partition({{&binaries[0], &pasts[0]}});
  EXPECT_THAT(plan.Line(), testing::HasSubstr("11 of 11 tests with history"));
}

}  // namespace
}  // namespace redqueen::queen
