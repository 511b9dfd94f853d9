#include "queen/shard_plan.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "rook/estimate.h"
#include "rook/filter.h"

namespace redqueen::queen {

struct ShardPlan::State {
  ShardSpec shard;
  std::optional<rook::Partition> asked;
  rook::Partition partition = rook::Partition::kHash;
  std::string filter;
  bool also_run_disabled = false;
  /// time: by "identity\ntarget\nname", the shard of each test with history.
  std::unordered_map<std::string, uint32_t> planned;
  size_t tests = 0;
  size_t timed = 0;
  uint64_t expected_us = 0;
  double imbalance = 1;
  uint64_t digest = 0;
};

namespace {

std::string KeyOf(const std::string& identity, const std::string& target,
                  const std::string& name) {
  return identity + '\n' + target + '\n' + name;
}

class CountRule : public rook::ShardRule {
 public:
  explicit CountRule(ShardSpec shard) : shard_(std::move(shard)) {}
  bool Runs(const std::string&, uint32_t position) const override {
    return rook::CountShard(position, static_cast<uint32_t>(shard_.total)) ==
           static_cast<uint32_t>(shard_.index);
  }

 private:
  ShardSpec shard_;
};

/// hash, and time (a test the time split does not know goes by its hash).
class BinaryRule : public rook::ShardRule {
 public:
  BinaryRule(std::shared_ptr<const ShardPlan::State> state, const Binary& binary)
      : state_(std::move(state)), identity_(binary.identity), target_(binary.target) {}

  bool Runs(const std::string& name, uint32_t) const override {
    const auto total = static_cast<uint32_t>(state_->shard.total);
    const auto index = static_cast<uint32_t>(state_->shard.index);
    if (!state_->planned.empty()) {
      const auto it = state_->planned.find(KeyOf(identity_, target_, name));
      if (it != state_->planned.end()) return it->second == index;
    }
    return rook::HashShard(identity_, target_, name, total) == index;
  }

 private:
  std::shared_ptr<const ShardPlan::State> state_;
  std::string identity_;
  std::string target_;
};

/// Order-free: the same tests and estimates give the same digest however
/// the binaries were listed.
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

/// The selected tests of every binary's past, with their estimates.
std::vector<rook::TimedTest> TimedTests(const std::vector<BinaryPast>& pasts,
                                        const rook::TestFilter& filter,
                                        bool also_run_disabled) {
  std::vector<rook::TimedTest> tests;
  for (const BinaryPast& one : pasts) {
    if (!one.past) continue;
    const Past& past = *one.past;
    for (size_t i = 0; i < past.tests.size(); ++i) {
      const std::string& name = past.tests[i].name;
      if (!filter.Matches(name) || (!also_run_disabled && rook::IsDisabled(name))) {
        continue;
      }
      uint64_t estimate = 0;
      if (i < past.history.size()) {
        estimate = rook::ExpectedDuration(past.history[i]).value_or(0);
      }
      tests.push_back({one.binary->identity, one.binary->target, name,
                       std::max<uint64_t>(estimate, estimate ? 1 : 0)});
    }
  }
  return tests;
}

std::string Thousands(size_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return digits;
}

}  // namespace

ShardPlan::ShardPlan(const RunOptions& options) : state_(std::make_shared<State>()) {
  state_->shard = options.shard;
  // --partition is checked as it is parsed.
  if (!options.partition.empty()) state_->asked = rook::ParsePartition(options.partition);
  state_->filter = options.gtest_filter;
  state_->also_run_disabled = options.also_run_disabled;
  const std::optional<rook::Partition> partition = state_->asked;
  state_->partition = partition.value_or(state_->shard.from == ShardFrom::kTestRunner
                                             ? rook::Partition::kCount
                                             : rook::Partition::kHash);
}

std::shared_ptr<const rook::ShardRule> ShardPlan::RuleFor(const Binary& binary) const {
  if (state_->shard.total <= 1) return nullptr;
  if (state_->partition == rook::Partition::kCount) {
    return std::make_shared<CountRule>(state_->shard);
  }
  return std::make_shared<BinaryRule>(state_, binary);
}

void ShardPlan::Partition(const std::vector<BinaryPast>& pasts) {
  State& s = *state_;
  if (s.partition == rook::Partition::kCount || s.shard.total <= 1) return;
  const std::vector<rook::TimedTest> tests =
      TimedTests(pasts, rook::TestFilter(s.filter), s.also_run_disabled);
  s.tests = tests.size();
  s.timed = 0;
  for (const rook::TimedTest& test : tests) s.timed += test.estimate_us > 0;
  if (!s.asked && s.timed > 0) s.partition = rook::Partition::kTime;
  if (s.partition != rook::Partition::kTime) return;
  std::map<std::string, uint64_t> startup;
  for (const BinaryPast& one : pasts) {
    startup[one.binary->identity + '\n' + one.binary->target] = kBinaryStartupUs;
  }
  const auto total = static_cast<uint32_t>(s.shard.total);
  const rook::TimePlan plan = rook::TimePartition(tests, total, {}, startup);
  for (size_t i = 0; i < tests.size(); ++i) {
    const rook::TimedTest& test = tests[i];
    if (test.estimate_us > 0) {
      s.planned.emplace(KeyOf(test.binary, test.target, test.name), plan.shard_of[i]);
    }
    s.digest += Mix(rook::StableTestHash(test.binary, test.target, test.name) ^
                    Mix(test.estimate_us));
  }
  s.expected_us = plan.expected_us[static_cast<size_t>(s.shard.index)];
  s.imbalance = rook::Imbalance(plan.expected_us);
}

rook::Partition ShardPlan::partition() const { return state_->partition; }

uint64_t ShardPlan::history_digest() const { return state_->digest; }

std::string ShardPlan::Line() const {
  const State& s = *state_;
  std::string line = "redqueen: shard " + std::to_string(s.shard.index + 1) + " of " +
                     std::to_string(s.shard.total) + " (from " + s.shard.source +
                     "), by " + std::string(rook::PartitionName(s.partition));
  if (s.partition == rook::Partition::kTime) {
    char figures[96];
    std::snprintf(figures, sizeof figures, ", expected %.1fs (imbalance %.2f)",
                  static_cast<double>(s.expected_us) / 1e6, s.imbalance);
    line += ": " + Thousands(s.timed) + " of " + Thousands(s.tests) +
            " tests with history" + figures;
  }
  return line;
}

bishop::ShardRecord ShardPlan::Record() const {
  const State& s = *state_;
  bishop::ShardRecord record;
  record.index = s.shard.index;
  record.count = s.shard.total;
  record.partition = std::string(rook::PartitionName(s.partition));
  char digest[17];
  std::snprintf(digest, sizeof digest, "%llx", static_cast<unsigned long long>(s.digest));
  record.history_digest = digest;
  char host[HOST_NAME_MAX + 1] = "";
  if (gethostname(host, sizeof host) != 0) host[0] = '\0';
  host[HOST_NAME_MAX] = '\0';
  record.host = host;
  return record;
}

}  // namespace redqueen::queen
