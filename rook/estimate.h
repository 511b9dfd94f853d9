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

/// The expected duration of every test of a list of `count` (by index), each
/// at least 1 us: its history, or for a test never seen passing the median of
/// the others. Empty when no selected test has history: the Rook then
/// batches by count.
std::vector<uint64_t> Estimate(size_t count, const std::vector<uint32_t>& selected,
                               const History& history);

}  // namespace redqueen::rook
