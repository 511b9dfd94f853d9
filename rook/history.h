// What the Rook knows about a binary's tests from earlier runs (the Bishop
// keeps it): the list they had, how long each test took, and whether it
// passed last time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/messages.h"

namespace redqueen::rook {

/// Passing durations remembered per test: enough for a median that survives
/// two outliers.
inline constexpr size_t kRememberedPasses = 5;

struct TestHistory {
  /// Durations of the most recent passing executions, newest first; the
  /// first `passes` hold one.
  std::array<uint64_t, kRememberedPasses> passing_us{};
  uint8_t passes = 0;
  /// The last final execution (not counting skips) did not pass.
  bool failed_last = false;

  /// Records a final outcome of a newer run (skips are not outcomes).
  void Record(bool passed, uint64_t duration_us);
};

/// By test index, aligned with the test list; empty when nothing is known.
using History = std::vector<TestHistory>;

/// What the store remembers of a binary (and target) from the last run that
/// listed it.
struct Past {
  uint64_t list_hash = 0;  ///< proto::ListHash of `tests`.
  std::vector<proto::TestInfo> tests;
  History history;  ///< Aligned with `tests`.
};

/// The history of `tests` carried over from `past` by test name, for when
/// the list changed (tests added, removed, renamed or moved). Tests `past`
/// did not have start with none.
History Carry(const Past& past, const std::vector<proto::TestInfo>& tests);

/// The duration to expect from recent passes: their median, so that one
/// outlier (a loaded machine, a cold cache) does not move it.
std::optional<uint64_t> ExpectedDuration(const TestHistory& history);

/// The expected duration of every test of a list of `count` (by index), each
/// at least 1 us: its history, or for a test never seen passing the median of
/// the others. Empty when no selected test has history: the Rook then
/// batches by count.
std::vector<uint64_t> Estimate(size_t count, const std::vector<uint32_t>& selected,
                               const History& history);

}  // namespace redqueen::rook
