// How long the Rook expects each test to take, from its history.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "proto/history.h"

namespace redqueen::rook {

/// The duration to expect from recent passes: their median, so that one
/// outlier (a loaded machine, a cold cache) does not move it.
std::optional<uint64_t> ExpectedDuration(const TestHistory& history);

/// Below this, recorded durations are not told apart: an exec pawn times a
/// test by the child's output as it reads it, so a trivial test takes 1 us
/// or, where the pawn waited for the CPU, a few hundred.
inline constexpr uint64_t kPooledBelowUs = 1000;

/// The expected duration of every test of a list of `count` (by index), each
/// at least 1 us: its history, or for a test never seen passing the median of
/// the others. Tests expected under kPooledBelowUs each expect the mean of
/// them: their total about stands, and longest-first keeps them in registration
/// order (a batch then holds whole suites, which its filter names shortly).
/// Empty when no selected test has history: the Rook then batches by count.
std::vector<uint64_t> Estimate(size_t count, const std::vector<uint32_t>& selected,
                               const History& history);

}  // namespace redqueen::rook
