// Which of a binary's selected tests this run's shard runs: GoogleTest's own
// rule for the shards ctest and Bazel ask for, or a CI shard's share of the
// whole suite (queen/shard_plan.h), which the Queen decides for every binary.
#pragma once

#include <cstdint>
#include <string>

namespace redqueen::rook {

class ShardRule {
 public:
  virtual ~ShardRule() = default;
  /// `position`: the test's place among the binary's tests that the filter
  /// and the DISABLED_ rule select, in registration order (from 0).
  virtual bool Runs(const std::string& name, uint32_t position) const = 0;
};

}  // namespace redqueen::rook
