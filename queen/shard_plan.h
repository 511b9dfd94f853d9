// This run's CI shard of the whole suite: which tests of every binary it
// runs, decided alike on every shard from what each sees alike (the tests,
// their names and, for `time`, the history in the store), so that the shards
// never need to talk. GoogleTest's own shards (ctest, Bazel) use `count`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bishop/store.h"
#include "proto/history.h"
#include "queen/binaries.h"
#include "queen/options.h"
#include "queen/run_environment.h"
#include "rook/partition.h"
#include "rook/shard_rule.h"

namespace redqueen::queen {

/// A binary's past as the time partition reads it.
struct BinaryPast {
  const Binary* binary;
  const Past* past;  ///< Null: the store has none.
};

/// Every shard charges a binary's start-up (spawning its pawns, listing its
/// tests) to itself once: what a test costs beside its own duration.
inline constexpr uint64_t kBinaryStartupUs = 30'000;

/// The time split of every binary's remembered selected tests over `count`
/// shards, as every shard (and `redqueen plan`) computes it.
struct TimeSplit {
  std::vector<rook::TimedTest> tests;  ///< Estimates 0: no history.
  rook::TimePlan plan;                 ///< Aligned with `tests`.
  size_t timed = 0;                    ///< Tests with an estimate.
  /// Of the tests and estimates split by, whatever order they came in.
  uint64_t digest = 0;
};

/// `weights`: each shard's pawns, when the machines differ (empty: alike).
TimeSplit SplitByTime(const std::vector<BinaryPast>& pasts, const std::string& filter,
                      bool also_run_disabled, uint32_t count,
                      const std::vector<double>& weights = {});

/// A digest as the store and plan files write it (hex).
std::string DigestText(uint64_t digest);

class ShardPlan {
 public:
  /// The shard, --partition and the tests' selection of `options`. Without
  /// --partition: `count` for GoogleTest's own shards (ctest, Bazel), else
  /// `time` when Partition finds history, `hash` when it finds none.
  explicit ShardPlan(const RunOptions& options);

  /// The rule of `binary`'s Rook; it reads what Partition decides, which
  /// happens before any test is selected.
  std::shared_ptr<const rook::ShardRule> RuleFor(const Binary& binary) const;

  /// --plan: the split comes from the file, not the store. False with a
  /// one-line `*error` when it cannot be read, is not a plan, or was made
  /// for another number of shards.
  bool ReadPlan(const std::string& path, std::string* error);

  /// Decides the split from every binary's past (time); a no-op for the
  /// other partitions, and with a plan.
  void Partition(const std::vector<BinaryPast>& pasts);

  /// With a plan: a line per binary with tests planned that this run did
  /// not select (gone since the plan, or filtered out), saying how many.
  std::vector<std::string> PlannedNotSeen() const;
  /// With a plan: a line when `binary`'s list (proto::ListHash) is not the
  /// one the plan was made from; "" when it is, or the plan does not say.
  std::string ChangedSincePlan(const Binary& binary, uint64_t list_hash) const;

  rook::Partition partition() const;
  /// What the split was made from: tests and their estimates, in hex ("0"
  /// for count and hash). Shards that read different histories split
  /// differently.
  const std::string& history_digest() const;
  /// "redqueen: shard 2 of 4 (from GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=4),
  /// by time: 812 of 1,054 tests with history, expected 41.2 s (imbalance
  /// 1.01)".
  std::string Line() const;
  /// The shard as the run's row keeps it, with this machine's name.
  bishop::ShardRecord Record() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace redqueen::queen
