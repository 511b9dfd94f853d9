// How a suite's tests are split over the CI shards (machines) of a run: each
// shard computes the same split on its own, so the split may depend only on
// what every shard sees alike (the tests and their history), never on the
// machine, the compiler or the order things were listed in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redqueen::rook {

enum class Partition : uint8_t {
  kCount,  ///< GoogleTest's own rule: position in the list modulo the shards.
  kHash,   ///< By a stable hash of the test: a test stays where it was.
  kTime,   ///< By expected durations, so that the shards end together.
};

/// "count", "hash", "time".
std::string_view PartitionName(Partition partition);

/// The partition PartitionName names, spelled exactly so; nullopt for any
/// other text.
std::optional<Partition> ParsePartition(std::string_view name);

/// GoogleTest's rule (GTEST_SHARD_INDEX): the shard of the test at `position`
/// among a binary's selected tests in registration order. `count` > 0.
uint32_t CountShard(size_t position, uint32_t count);

/// A 64-bit hash of (binary identity, target, full test name) that is the
/// same on every machine, compiler and redqueen version: FNV-1a 64 over the
/// three strings, each followed by its length as 8 little-endian bytes, so
/// that ("ab", "c") differs from ("a", "bc"). Shards of one run may be built
/// differently; that is why this is never std::hash. Changing it moves tests
/// between shards of runs that mix versions.
uint64_t StableTestHash(std::string_view binary, std::string_view target,
                        std::string_view name);

/// MurmurHash3's 64-bit finalizer: every bit of `x` moves every bit of the
/// result.
uint64_t MixBits(uint64_t x);

/// The shard (0-based, < `count`) of a test by `hash`: StableTestHash, its
/// bits mixed by MurmurHash3's finalizer, modulo `count`. Unchanged when
/// other tests are added or removed. `count` > 0.
uint32_t HashShard(std::string_view binary, std::string_view target,
                   std::string_view name, uint32_t count);

/// A test as the time partition sees it.
struct TimedTest {
  std::string binary;  ///< Identity.
  std::string target;
  std::string name;
  uint64_t estimate_us = 0;  ///< 0: no history (spread by hash).
};

struct TimePlan {
  std::vector<uint32_t> shard_of;  ///< Aligned with the tests given.
  /// Per shard: its tests' estimates plus start-up costs, not divided by
  /// weight.
  std::vector<uint64_t> expected_us;
};

/// Longest processing time first: tests with an estimate, longest first,
/// ties broken by (binary, target, name) ascending, each to the shard whose
/// finish time
///   (load + estimate + the binary's start-up cost if the shard has no test
///    of that binary yet) / weight
/// is least, ties to the lowest shard index. `weights` (one per shard, > 0;
/// empty: all 1) are the shards' pawn counts: a shard with twice the pawns
/// takes twice the work. `startup_us` maps "binary\ntarget" to a binary's
/// start-up cost (absent: 0), charged once to each shard that runs any test
/// of it, which keeps a binary that is costly to start on few shards.
///
/// Tests without an estimate go to their HashShard and add nothing to the
/// loads used for placement (nor do they count as having started their
/// binary there), but their shard's start-up is charged in expected_us if it
/// is the binary's first there. Deterministic: the same input in any order
/// gives every test the same shard. `count` > 0.
TimePlan TimePartition(const std::vector<TimedTest>& tests, uint32_t count,
                       const std::vector<double>& weights,
                       const std::map<std::string, uint64_t>& startup_us);

/// max / mean of `expected_us`: how much later than an even split the last
/// shard ends (1 for one shard or an all-zero plan).
double Imbalance(const std::vector<uint64_t>& expected_us);

}  // namespace redqueen::rook
