// What the store remembers of a binary's tests from earlier runs and the Rook
// schedules by: the list they had, how long each test took, and whether it
// passed last time.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "proto/messages.h"

namespace redqueen {

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

}  // namespace redqueen
