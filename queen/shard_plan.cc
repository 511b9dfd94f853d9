#include "queen/shard_plan.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "queen/plan_file.h"
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
  std::string digest = "0";
  /// --plan: the file, and the planned tests this run's Rooks asked about.
  std::string plan_path;
  std::unordered_set<std::string> seen;
  /// By "identity\ntarget": the lists the plan was made from.
  std::map<std::string, uint64_t> list_hashes;
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
  BinaryRule(std::shared_ptr<ShardPlan::State> state, const Binary& binary)
      : state_(std::move(state)), identity_(binary.identity), target_(binary.target) {}

  bool Runs(const std::string& name, uint32_t) const override {
    const auto total = static_cast<uint32_t>(state_->shard.total);
    const auto index = static_cast<uint32_t>(state_->shard.index);
    if (!state_->planned.empty()) {
      std::string key = KeyOf(identity_, target_, name);
      const auto it = state_->planned.find(key);
      if (it != state_->planned.end()) {
        if (!state_->plan_path.empty()) state_->seen.insert(std::move(key));
        return it->second == index;
      }
    }
    return rook::HashShard(identity_, target_, name, total) == index;
  }

 private:
  std::shared_ptr<ShardPlan::State> state_;
  std::string identity_;
  std::string target_;
};

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
      tests.push_back({one.binary->identity, one.binary->target, name, estimate});
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

TimeSplit SplitByTime(const std::vector<BinaryPast>& pasts, const std::string& filter,
                      bool also_run_disabled, uint32_t count,
                      const std::vector<double>& weights) {
  TimeSplit split;
  split.tests = TimedTests(pasts, rook::TestFilter(filter), also_run_disabled);
  std::map<std::string, uint64_t> startup;
  for (const BinaryPast& one : pasts) {
    startup[one.binary->identity + '\n' + one.binary->target] = kBinaryStartupUs;
  }
  split.plan = rook::TimePartition(split.tests, count, weights, startup);
  for (const rook::TimedTest& test : split.tests) {
    split.timed += test.estimate_us > 0;
    // A sum of mixed terms: the same tests and estimates give the same
    // digest however the binaries were listed.
    split.digest +=
        rook::MixBits(rook::StableTestHash(test.binary, test.target, test.name) ^
                      rook::MixBits(test.estimate_us));
  }
  return split;
}

std::string DigestText(uint64_t digest) {
  char text[17];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(digest));
  return text;
}

bool ShardPlan::ReadPlan(const std::string& path, std::string* error) {
  State& s = *state_;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "--plan " + path + ": cannot be read (is the plan job's artifact there?)";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  PlanFile plan;
  if (!ParsePlan(text.str(), &plan, error)) {
    *error = "--plan " + path + ": " + *error;
    return false;
  }
  // A plan of one shard (--target-time found one enough) runs every test.
  if (plan.shards == 1 && s.shard.total <= 1) return true;
  if (s.shard.total <= 1 || plan.shards != static_cast<uint32_t>(s.shard.total)) {
    *error = "--plan " + path + " splits the tests over " + std::to_string(plan.shards) +
             " shards, but " +
             (s.shard.total <= 1 ? std::string("this run is no shard")
                                 : "this is shard " + std::to_string(s.shard.index + 1) +
                                       " of " + std::to_string(s.shard.total)) +
             " (pass --shard K/" + std::to_string(plan.shards) +
             ", or make the plan for " + std::to_string(std::max(s.shard.total, 1)) + ")";
    return false;
  }
  s.plan_path = path;
  s.partition = rook::Partition::kTime;
  s.digest = plan.history_digest;
  s.imbalance = plan.imbalance;
  for (const PlannedTest& test : plan.tests) {
    s.planned.emplace(KeyOf(test.binary, test.target, test.name), test.shard);
    s.timed += test.estimate_us > 0;
  }
  s.list_hashes = plan.list_hashes;
  s.tests = plan.tests.size();
  const auto index = static_cast<size_t>(s.shard.index);
  if (index < plan.expected_us.size()) s.expected_us = plan.expected_us[index];
  return true;
}

void ShardPlan::Partition(const std::vector<BinaryPast>& pasts) {
  State& s = *state_;
  if (s.partition == rook::Partition::kCount || s.shard.total <= 1 ||
      !s.plan_path.empty()) {
    return;
  }
  const TimeSplit split = SplitByTime(pasts, s.filter, s.also_run_disabled,
                                      static_cast<uint32_t>(s.shard.total));
  s.tests = split.tests.size();
  s.timed = split.timed;
  if (!s.asked && s.timed > 0) s.partition = rook::Partition::kTime;
  if (s.partition != rook::Partition::kTime) return;
  for (size_t i = 0; i < split.tests.size(); ++i) {
    const rook::TimedTest& test = split.tests[i];
    if (test.estimate_us > 0) {
      s.planned.emplace(KeyOf(test.binary, test.target, test.name),
                        split.plan.shard_of[i]);
    }
  }
  s.digest = DigestText(split.digest);
  s.expected_us = split.plan.expected_us[static_cast<size_t>(s.shard.index)];
  s.imbalance = rook::Imbalance(split.plan.expected_us);
}

std::vector<std::string> ShardPlan::PlannedNotSeen() const {
  const State& s = *state_;
  if (s.plan_path.empty()) return {};
  std::map<std::string, size_t> gone;  // By "identity" or "identity@target".
  for (const auto& [key, shard] : s.planned) {
    if (s.seen.count(key)) continue;
    const size_t first = key.find('\n');
    const size_t second = key.find('\n', first + 1);
    const std::string target = key.substr(first + 1, second - first - 1);
    ++gone[key.substr(0, first) + (target.empty() ? "" : "@" + target)];
  }
  std::vector<std::string> lines;
  for (const auto& [binary, count] : gone) {
    lines.push_back("redqueen: plan: " + std::to_string(count) +
                    (count == 1 ? " test" : " tests") + " of " + binary + " in " +
                    s.plan_path + (count == 1 ? " was" : " were") +
                    " not in this run (gone since the plan, or not selected)");
  }
  return lines;
}

std::string ShardPlan::ChangedSincePlan(const Binary& binary, uint64_t list_hash) const {
  const State& s = *state_;
  const auto it = s.list_hashes.find(binary.identity + '\n' + binary.target);
  if (s.plan_path.empty() || it == s.list_hashes.end() || it->second == list_hash) {
    return "";
  }
  return "redqueen: plan: the tests of " + LabelOf(binary) + " changed since " +
         s.plan_path +
         " was made (tests it does not know went by their hash; make a new "
         "plan to balance them)";
}

rook::Partition ShardPlan::partition() const { return state_->partition; }

const std::string& ShardPlan::history_digest() const { return state_->digest; }

std::string ShardPlan::Line() const {
  const State& s = *state_;
  std::string line = "redqueen: shard " + std::to_string(s.shard.index + 1) + " of " +
                     std::to_string(s.shard.total) + " (from " + s.shard.source +
                     "), by " + std::string(rook::PartitionName(s.partition));
  if (!s.plan_path.empty()) line += " as " + s.plan_path + " says";
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
  record.history_digest = s.digest;
  char host[HOST_NAME_MAX + 1] = "";
  if (gethostname(host, sizeof host) != 0) host[0] = '\0';
  host[HOST_NAME_MAX] = '\0';
  record.host = host;
  return record;
}

}  // namespace redqueen::queen
