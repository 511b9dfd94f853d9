#include "rook/partition.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>
#include <tuple>
#include <utility>

namespace redqueen::rook {
namespace {

constexpr std::array<std::pair<Partition, std::string_view>, 3> kNames = {{
    {Partition::kCount, "count"},
    {Partition::kHash, "hash"},
    {Partition::kTime, "time"},
}};

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t FnvByte(uint64_t hash, uint8_t byte) { return (hash ^ byte) * kFnvPrime; }

// The length follows the bytes, least significant byte first whatever the
// host's order, so that no two splits of one string hash alike.
uint64_t FnvField(uint64_t hash, std::string_view field) {
  for (const char c : field) hash = FnvByte(hash, static_cast<uint8_t>(c));
  uint64_t length = field.size();
  for (int i = 0; i < 8; ++i, length >>= 8) {
    hash = FnvByte(hash, static_cast<uint8_t>(length & 0xff));
  }
  return hash;
}

// Each test's binary (and target) as a dense index, with its start-up cost.
struct Binaries {
  std::vector<size_t> of_test;
  std::vector<uint64_t> startup_us;
};

Binaries IndexBinaries(const std::vector<TimedTest>& tests,
                       const std::map<std::string, uint64_t>& startup_us) {
  Binaries binaries;
  binaries.of_test.reserve(tests.size());
  std::map<std::string, size_t> index;
  for (const TimedTest& test : tests) {
    const std::string key = test.binary + '\n' + test.target;
    const auto [it, added] = index.try_emplace(key, index.size());
    if (added) {
      const auto cost = startup_us.find(key);
      binaries.startup_us.push_back(cost == startup_us.end() ? 0 : cost->second);
    }
    binaries.of_test.push_back(it->second);
  }
  return binaries;
}

// The tests with an estimate, in the order LPT places them. Identity breaks
// ties so that the order, and so every placement, ignores the input's order.
std::vector<size_t> LongestFirst(const std::vector<TimedTest>& tests) {
  std::vector<size_t> order;
  for (size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].estimate_us > 0) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&tests](size_t a, size_t b) {
    const TimedTest& x = tests[a];
    const TimedTest& y = tests[b];
    if (x.estimate_us != y.estimate_us) return x.estimate_us > y.estimate_us;
    return std::tie(x.binary, x.target, x.name) < std::tie(y.binary, y.target, y.name);
  });
  return order;
}

// What the shards hold so far: their work, and which binaries each has
// already paid to start.
class Shards {
 public:
  Shards(uint32_t count, const std::vector<double>& weights, size_t binaries)
      : count_(count),
        weights_(weights.empty() ? std::vector<double>(count, 1.0) : weights),
        load_us_(count, 0),
        started_(binaries * count, false) {
    assert(weights_.size() == count);
    assert(std::all_of(weights_.begin(), weights_.end(), [](double w) { return w > 0; }));
  }

  // The shard that would finish first with this test, the lowest on a tie.
  uint32_t Best(uint64_t estimate_us, size_t binary, uint64_t startup_us) const {
    uint32_t best = 0;
    double best_finish = std::numeric_limits<double>::infinity();
    for (uint32_t shard = 0; shard < count_; ++shard) {
      const uint64_t work =
          load_us_[shard] + estimate_us + (Started(shard, binary) ? 0 : startup_us);
      const double finish = static_cast<double>(work) / weights_[shard];
      if (finish < best_finish) {
        best = shard;
        best_finish = finish;
      }
    }
    return best;
  }

  void Add(uint32_t shard, uint64_t estimate_us, size_t binary, uint64_t startup_us) {
    load_us_[shard] += estimate_us;
    if (!Started(shard, binary)) {
      started_[binary * count_ + shard] = true;
      load_us_[shard] += startup_us;
    }
  }

  std::vector<uint64_t> TakeLoads() { return std::move(load_us_); }

 private:
  bool Started(uint32_t shard, size_t binary) const {
    return started_[binary * count_ + shard];
  }

  uint32_t count_;
  std::vector<double> weights_;
  std::vector<uint64_t> load_us_;
  std::vector<bool> started_;  // By binary, then shard.
};

}  // namespace

std::string_view PartitionName(Partition partition) {
  for (const auto& [value, name] : kNames) {
    if (value == partition) return name;
  }
  return "?";
}

std::optional<Partition> ParsePartition(std::string_view name) {
  for (const auto& [value, spelling] : kNames) {
    if (spelling == name) return value;
  }
  return std::nullopt;
}

uint32_t CountShard(size_t position, uint32_t count) {
  assert(count > 0);
  return static_cast<uint32_t>(position % count);
}

uint64_t StableTestHash(std::string_view binary, std::string_view target,
                        std::string_view name) {
  return FnvField(FnvField(FnvField(kFnvOffset, binary), target), name);
}

uint64_t MixBits(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

uint32_t HashShard(std::string_view binary, std::string_view target,
                   std::string_view name, uint32_t count) {
  assert(count > 0);
  // FNV-1a's low bits depend only on the low bits of each input byte, so its
  // value modulo a small count is far from even (50,000 test names over 16
  // shards: 1,163 to 5,005 a shard): its bits are mixed first.
  return static_cast<uint32_t>(MixBits(StableTestHash(binary, target, name)) % count);
}

TimePlan TimePartition(const std::vector<TimedTest>& tests, uint32_t count,
                       const std::vector<double>& weights,
                       const std::map<std::string, uint64_t>& startup_us) {
  assert(count > 0);
  const Binaries binaries = IndexBinaries(tests, startup_us);
  Shards shards(count, weights, binaries.startup_us.size());
  TimePlan plan;
  plan.shard_of.assign(tests.size(), 0);
  for (const size_t i : LongestFirst(tests)) {
    const size_t binary = binaries.of_test[i];
    const uint64_t startup = binaries.startup_us[binary];
    const uint32_t shard = shards.Best(tests[i].estimate_us, binary, startup);
    shards.Add(shard, tests[i].estimate_us, binary, startup);
    plan.shard_of[i] = shard;
  }
  // Placement is done: the tests without an estimate only add the start-ups
  // they bring, whatever order they come in.
  for (size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].estimate_us > 0) continue;
    const TimedTest& test = tests[i];
    const size_t binary = binaries.of_test[i];
    plan.shard_of[i] = HashShard(test.binary, test.target, test.name, count);
    shards.Add(plan.shard_of[i], 0, binary, binaries.startup_us[binary]);
  }
  plan.expected_us = shards.TakeLoads();
  return plan;
}

double Imbalance(const std::vector<uint64_t>& expected_us) {
  if (expected_us.size() <= 1) return 1;
  const uint64_t most = *std::max_element(expected_us.begin(), expected_us.end());
  if (most == 0) return 1;
  double total = 0;
  for (const uint64_t us : expected_us) total += static_cast<double>(us);
  return static_cast<double>(most) / (total / static_cast<double>(expected_us.size()));
}

}  // namespace redqueen::rook
