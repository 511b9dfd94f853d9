// What the Rook knows about a binary's tests from earlier runs (the Bishop
// reads it): how long each took, and whether it passed last time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "proto/messages.h"

namespace redqueen::rook {

struct TestHistory {
  /// Recent durations of passing executions, newest first; empty when the
  /// test never passed.
  std::vector<uint64_t> passing_durations_us;
  /// The outcome of its last execution was not a pass.
  bool failed_last = false;
};

/// By full test name.
using History = std::unordered_map<std::string, TestHistory>;

/// The duration to expect from recent passes: their median, so that one
/// outlier (a loaded machine, a cold cache) does not move it.
std::optional<uint64_t> ExpectedDuration(const TestHistory& history);

/// The expected duration of every test (by index), each at least 1 us: its
/// history, or for a test never seen passing the median of the others. Empty
/// when no selected test has history: the Rook then batches by count.
std::vector<uint64_t> Estimate(const std::vector<proto::TestInfo>& tests,
                               const std::vector<uint32_t>& selected,
                               const History& history);

}  // namespace redqueen::rook
