#include "rook/partition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace redqueen::rook {
namespace {

TEST(PartitionTest, NamesRoundTrip) {
  for (const Partition partition :
       {Partition::kCount, Partition::kHash, Partition::kTime}) {
    EXPECT_EQ(ParsePartition(PartitionName(partition)), partition);
  }
  EXPECT_EQ(PartitionName(Partition::kCount), "count");
  EXPECT_EQ(PartitionName(Partition::kHash), "hash");
  EXPECT_EQ(PartitionName(Partition::kTime), "time");
}

TEST(PartitionTest, ParseRefusesAnyOtherSpelling) {
  for (const char* name : {"Time", "TIME", "time ", " time", "times", "", "lpt"}) {
    EXPECT_EQ(ParsePartition(name), std::nullopt) << name;
  }
}

TEST(PartitionTest, CountShardIsGtestsRule) {
  EXPECT_EQ(CountShard(0, 3), 0u);
  EXPECT_EQ(CountShard(4, 3), 1u);
  EXPECT_EQ(CountShard(5, 3), 2u);
  EXPECT_EQ(CountShard(7, 1), 0u);
}

struct Pinned {
  const char* binary;
  const char* target;
  const char* name;
  uint64_t hash;
  uint32_t of_4;
  uint32_t of_16;
};

// Computed once, by an implementation apart from this one (Python), and
// never to change: shards of one run built from different redqueen versions
// must agree on where each test goes.
constexpr Pinned kPinned[] = {
    {"", "", "", 0x81d23fd7003c2305ULL, 3, 15},
    {"bin/a", "", "Suite.Test", 0x19003d54e43c1943ULL, 1, 1},
    {"bin/a", "", "Suite.Other", 0xf19b4bd23133b1faULL, 2, 6},
    {"bin/a", "linux", "Suite.Test", 0x88a6f115b50d046aULL, 0, 8},
    {"bin/b", "", "Suite.Test", 0xb310fb0b8c07668aULL, 2, 10},
    {"/build/tests/rook_test", "", "FilterTest.GlobBacktracks", 0x0f146775579e5e31ULL, 1,
     5},
    {"/build/tests/rook_test", "", "FilterTest.OnlyNegativeMeansAllBut",
     0x1bd019ea9ef34ac6ULL, 3, 7},
    {"sha256:9f86d081", "x86_64", "Words/P.Get/1", 0xc247031370998cafULL, 1, 9},
    {"sha256:9f86d081", "x86_64", "Words/P.Get/2", 0x096476cabfb10f42ULL, 2, 14},
    {"fixture_passing", "", "DISABLED_Suite.Test", 0x340ce47b70e5d637ULL, 1, 1},
    {"ab", "c", "n", 0x07d00f4ad8e2439bULL, 2, 2},
    {"a", "bc", "n", 0xa313d304ed816603ULL, 0, 12},
    {"caf\xc3\xa9", "", "Unicode.\xc3\xa9t\xc3\xa9", 0xfb9a7dd49b572ad4ULL, 0, 8},
};

TEST(StableTestHashTest, PinnedValuesNeverChange) {
  for (const Pinned& row : kPinned) {
    SCOPED_TRACE(std::string(row.binary) + "|" + row.target + "|" + row.name);
    EXPECT_EQ(StableTestHash(row.binary, row.target, row.name), row.hash);
    EXPECT_EQ(HashShard(row.binary, row.target, row.name, 4), row.of_4);
    EXPECT_EQ(HashShard(row.binary, row.target, row.name, 16), row.of_16);
  }
}

TEST(StableTestHashTest, WhereOneFieldEndsCounts) {
  EXPECT_NE(StableTestHash("ab", "c", "n"), StableTestHash("a", "bc", "n"));
  EXPECT_NE(StableTestHash("a", "bc", ""), StableTestHash("a", "b", "c"));
  EXPECT_NE(StableTestHash("", "a", ""), StableTestHash("a", "", ""));
  EXPECT_NE(StableTestHash("", "", "a"), StableTestHash("", "a", ""));
}

std::vector<TimedTest> Numbered(const std::string& binary, int from, int to,
                                uint64_t estimate_us = 0) {
  std::vector<TimedTest> tests;
  for (int i = from; i < to; ++i) {
    tests.push_back({binary, "", "Suite.Test" + std::to_string(i), estimate_us});
  }
  return tests;
}

TEST(HashShardTest, SpreadsManyTestsEvenly) {
  // Names as suites have them: FNV-1a alone gave 1,163 to 5,005 a shard.
  std::vector<int> per_shard(16, 0);
  for (int i = 0; i < 50'000; ++i) {
    ++per_shard[HashShard("bin/test_" + std::to_string(i % 40), "",
                          "Suite" + std::to_string(i / 100) + ".Test" + std::to_string(i),
                          16)];
  }
  for (int count : per_shard) {
    EXPECT_NEAR(count, 50'000 / 16, 50'000 / 16 / 20) << "within 5% of the mean";
  }
}

TEST(HashShardTest, SpreadsTestsOverEveryShard) {
  std::vector<int> per_shard(16, 0);
  for (const TimedTest& test : Numbered("bin", 0, 1600)) {
    ++per_shard[HashShard(test.binary, test.target, test.name, 16)];
  }
  for (const int tests : per_shard) {
    EXPECT_GT(tests, 60);
    EXPECT_LT(tests, 140);
  }
}

TEST(HashShardTest, AddingAndRemovingTestsMovesNoOther) {
  const std::vector<TimedTest> before = Numbered("bin", 0, 300);
  std::vector<TimedTest> after = Numbered("bin", 100, 600);  // 0-99 gone, 300-599 new
  const std::vector<TimedTest> timed = Numbered("other", 0, 50, 1000);
  after.insert(after.begin() + 40, timed.begin(), timed.end());
  const TimePlan first = TimePartition(before, 8, {}, {});
  std::map<std::string, uint32_t> shard_before;
  for (size_t i = 0; i < before.size(); ++i)
    shard_before[before[i].name] = first.shard_of[i];
  const TimePlan second = TimePartition(after, 8, {}, {});
  int kept = 0;
  for (size_t i = 0; i < after.size(); ++i) {
    const auto it = shard_before.find(after[i].name);
    if (after[i].binary != "bin" || it == shard_before.end()) continue;
    ++kept;
    EXPECT_EQ(second.shard_of[i], it->second) << after[i].name;
    EXPECT_EQ(second.shard_of[i], HashShard("bin", "", after[i].name, 8));
  }
  EXPECT_EQ(kept, 200);
}

// A mix with many equal estimates, several binaries with start-up costs and
// tests without history: what could make the order of the input show.
std::vector<TimedTest> Mixed() {
  std::vector<TimedTest> tests;
  std::mt19937_64 random(7);
  for (int i = 0; i < 600; ++i) {
    const std::string binary = "bin" + std::to_string(i % 5);
    const std::string target = i % 7 == 0 ? "arm" : "";
    tests.push_back({binary, target, "S.T" + std::to_string(i / 3), random() % 12 * 50});
  }
  return tests;
}

std::map<std::string, uint64_t> MixedStartup() {
  return {{"bin0\n", 400}, {"bin1\n", 2000}, {"bin2\narm", 900}, {"bin4\n", 30}};
}

TEST(TimePartitionTest, SameShardsInAnyOrder) {
  std::vector<TimedTest> tests = Mixed();
  const std::vector<double> weights = {1, 2, 1, 3, 1};
  const TimePlan reference = TimePartition(tests, 5, weights, MixedStartup());
  std::map<std::tuple<std::string, std::string, std::string>, uint32_t> shard_by_test;
  for (size_t i = 0; i < tests.size(); ++i) {
    shard_by_test[{tests[i].binary, tests[i].target, tests[i].name}] =
        reference.shard_of[i];
  }
  ASSERT_EQ(shard_by_test.size(), tests.size());
  std::mt19937_64 random(11);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(tests.begin(), tests.end(), random);
    const TimePlan plan = TimePartition(tests, 5, weights, MixedStartup());
    EXPECT_EQ(plan.expected_us, reference.expected_us);
    for (size_t i = 0; i < tests.size(); ++i) {
      ASSERT_EQ(plan.shard_of[i],
                (shard_by_test[{tests[i].binary, tests[i].target, tests[i].name}]))
          << tests[i].binary << " " << tests[i].name;
    }
  }
}

TEST(TimePartitionTest, EqualEstimatesGoByIdentityThenLowestShard) {
  // Sorted by name alone, "b"'s T.x could come second and take shard 1.
  const std::vector<TimedTest> tests = {
      {"b", "", "T.x", 10}, {"a", "", "T.y", 10}, {"a", "", "T.x", 10}};
  const TimePlan plan = TimePartition(tests, 2, {}, {});
  EXPECT_EQ(plan.shard_of, (std::vector<uint32_t>{0, 1, 0}));
  EXPECT_EQ(plan.expected_us, (std::vector<uint64_t>{20, 10}));
}

TEST(TimePartitionTest, LongestFirst) {
  const std::vector<TimedTest> tests = {{"a", "", "T.s1", 3},
                                        {"a", "", "T.l", 10},
                                        {"a", "", "T.s2", 3},
                                        {"a", "", "T.m", 6}};
  const TimePlan plan = TimePartition(tests, 2, {}, {});
  // 10 to shard 0; 6 to 1; T.s1's 3 to 1 (9 against 13); T.s2's 3 to 1 (12 against 13).
  EXPECT_EQ(plan.shard_of, (std::vector<uint32_t>{1, 0, 1, 1}));
  EXPECT_EQ(plan.expected_us, (std::vector<uint64_t>{10, 12}));
}

TEST(TimePartitionTest, TwiceThePawnsTakeTwiceTheWork) {
  const std::vector<TimedTest> tests = Numbered("bin", 0, 400, 100);
  const TimePlan plan = TimePartition(tests, 3, {1, 2, 1}, {});
  ASSERT_EQ(plan.expected_us.size(), 3u);
  EXPECT_EQ(plan.expected_us[0] + plan.expected_us[1] + plan.expected_us[2], 40000u);
  EXPECT_NEAR(plan.expected_us[1], 20000, 200);
  EXPECT_NEAR(plan.expected_us[0], 10000, 200);
  EXPECT_NEAR(plan.expected_us[2], 10000, 200);
}

TEST(TimePartitionTest, NoWeightsAreAllOne) {
  const std::vector<TimedTest> tests = Mixed();
  const TimePlan unweighted = TimePartition(tests, 4, {}, MixedStartup());
  const TimePlan ones = TimePartition(tests, 4, {1, 1, 1, 1}, MixedStartup());
  EXPECT_EQ(unweighted.shard_of, ones.shard_of);
  EXPECT_EQ(unweighted.expected_us, ones.expected_us);
}

TEST(TimePartitionTest, StartUpIsChargedOncePerBinaryAndTargetOnEachShard) {
  std::vector<TimedTest> tests = Numbered("a", 0, 4, 10);
  tests.push_back({"a", "arm", "Suite.Test0", 10});
  const TimePlan one = TimePartition(tests, 1, {}, {{"a\n", 100}, {"a\narm", 7}});
  EXPECT_EQ(one.expected_us, (std::vector<uint64_t>{4 * 10 + 100 + 10 + 7}));
  // Four tests of 10 over two shards that each start "a": 120 on each.
  const TimePlan two = TimePartition(Numbered("a", 0, 4, 10), 2, {}, {{"a\n", 100}});
  EXPECT_EQ(two.expected_us, (std::vector<uint64_t>{120, 120}));
}

TEST(TimePartitionTest, ALargeStartUpKeepsABinarysTestsTogether) {
  const std::vector<TimedTest> tests = {{"a", "", "T.a1", 1000},
                                        {"b", "", "T.b1", 800},
                                        {"a", "", "T.a2", 300},
                                        {"b", "", "T.b2", 200}};
  // Free to start anywhere, "b" is split: T.b2 takes shard 0 (1200 against 1300).
  const TimePlan free = TimePartition(tests, 2, {}, {});
  EXPECT_EQ(free.shard_of, (std::vector<uint32_t>{0, 1, 1, 0}));
  // Costly to start, "b" keeps a shard to itself: T.a2 goes to shard 0 (1300
  // against 6100), and T.b2 stays with T.b1 (6000 against 6500 had it paid
  // for "b" again on shard 0).
  const TimePlan costly = TimePartition(tests, 2, {}, {{"b\n", 5000}});
  EXPECT_EQ(costly.shard_of, (std::vector<uint32_t>{0, 1, 0, 1}));
  EXPECT_EQ(costly.expected_us, (std::vector<uint64_t>{1300, 6000}));
}

TEST(TimePartitionTest, TestsWithoutEstimateGoToTheirHashShard) {
  std::vector<TimedTest> tests = Numbered("timed", 0, 40, 100);
  const TimePlan timed_only = TimePartition(tests, 4, {}, {});
  const std::vector<TimedTest> unknown = Numbered("new", 0, 40);
  tests.insert(tests.begin() + 20, unknown.begin(), unknown.end());
  const TimePlan plan = TimePartition(tests, 4, {}, {});
  EXPECT_EQ(plan.expected_us, timed_only.expected_us);  // they add nothing
  for (size_t i = 0; i < tests.size(); ++i) {
    const TimedTest& test = tests[i];
    if (test.binary == "new") {
      EXPECT_EQ(plan.shard_of[i], HashShard("new", "", test.name, 4)) << test.name;
    } else {
      const size_t before = i < 20 ? i : i - unknown.size();
      EXPECT_EQ(plan.shard_of[i], timed_only.shard_of[before]) << test.name;
    }
  }
}

TEST(TimePartitionTest, TestsWithoutEstimateStillChargeTheirStartUp) {
  // "new"'s tests land on their hash shards; each such shard pays its
  // start-up once, and a shard where a timed test of it runs not again.
  std::vector<TimedTest> tests = Numbered("new", 0, 8);
  tests.push_back({"new", "", "Timed.One", 50});
  const TimePlan plan = TimePartition(tests, 6, {}, {{"new\n", 1000}});
  EXPECT_EQ(plan.shard_of.back(), 0u);  // placed as if "new" had run nowhere
  std::vector<int> unknown_on(6, 0);
  for (size_t i = 0; i + 1 < tests.size(); ++i) ++unknown_on[plan.shard_of[i]];
  // The hash puts some on shard 0 with the timed test and leaves one shard bare.
  ASSERT_GT(unknown_on[0], 0);
  ASSERT_NE(std::count(unknown_on.begin(), unknown_on.end(), 0), 0);
  for (uint32_t shard = 0; shard < 6; ++shard) {
    const uint64_t startup = unknown_on[shard] > 0 || shard == 0 ? 1000 : 0;
    EXPECT_EQ(plan.expected_us[shard], startup + (shard == 0 ? 50 : 0)) << shard;
  }
}

TEST(PartitionTest, ImbalanceIsTheLastShardAgainstAnEvenSplit) {
  EXPECT_DOUBLE_EQ(Imbalance({100, 200, 300}), 1.5);
  EXPECT_DOUBLE_EQ(Imbalance({0, 0, 40, 0}), 4);
  EXPECT_DOUBLE_EQ(Imbalance({7, 7}), 1);
  EXPECT_DOUBLE_EQ(Imbalance({12345}), 1);
  EXPECT_DOUBLE_EQ(Imbalance({0, 0}), 1);
  EXPECT_DOUBLE_EQ(Imbalance({}), 1);
  const TimePlan plan = TimePartition(
      {{"a", "", "T.l", 10}, {"a", "", "T.m", 6}, {"a", "", "T.s", 3}}, 2, {}, {});
  EXPECT_DOUBLE_EQ(Imbalance(plan.expected_us), 10.0 / 9.5);
}

// Log-normal durations from the engine's bits alone (its own Box-Muller):
// std::normal_distribution differs between standard libraries.
std::vector<uint64_t> LogNormalUs(size_t count, double median_us, double sigma) {
  std::mt19937_64 random(20240611);
  const auto uniform = [&random] {
    return (static_cast<double>(random() >> 11) + 0.5) * 0x1p-53;  // in (0, 1)
  };
  std::vector<uint64_t> durations;
  durations.reserve(count);
  while (durations.size() < count) {
    const double radius = std::sqrt(-2 * std::log(uniform()));
    const double angle = 2 * std::numbers::pi * uniform();
    for (const double z : {radius * std::cos(angle), radius * std::sin(angle)}) {
      if (durations.size() == count) break;
      durations.push_back(static_cast<uint64_t>(
          std::max(1.0, std::round(median_us * std::exp(sigma * z)))));
    }
  }
  return durations;
}

TEST(TimePartitionTest, LongestFirstEvensOutManyLogNormalDurations) {
  const std::vector<uint64_t> durations = LogNormalUs(50000, 20000, 1.5);
  std::vector<TimedTest> tests;
  tests.reserve(durations.size());
  for (size_t i = 0; i < durations.size(); ++i) {
    tests.push_back({"bin" + std::to_string(i % 3), "", "Suite.Test" + std::to_string(i),
                     durations[i]});
  }
  const TimePlan plan =
      TimePartition(tests, 16, {}, {{"bin0\n", 500000}, {"bin1\n", 20000}});
  ASSERT_EQ(plan.expected_us.size(), 16u);
  EXPECT_LE(Imbalance(plan.expected_us), 1.05);
  // The same tests spread by hash alone are far worse: the bound says something.
  std::vector<uint64_t> by_hash(16, 0);
  for (const TimedTest& test : tests) {
    by_hash[HashShard(test.binary, test.target, test.name, 16)] += test.estimate_us;
  }
  EXPECT_GT(Imbalance(by_hash), 1.05);
}

}  // namespace
}  // namespace redqueen::rook
