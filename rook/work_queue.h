// The tests waiting for a pawn, and how a batch is cut from them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "rook/work.h"

namespace redqueen::rook {

/// How much one batch may hold: it closes once either limit is reached, and
/// holds at least one unit.
struct BatchLimit {
  size_t tests = SIZE_MAX;
  uint64_t expected_us = UINT64_MAX;
};

class WorkQueue {
 public:
  void PushBack(Unit unit);
  void PushFront(Unit unit);
  /// Each work its own unit, at the front, in the order given.
  void PushFrontEach(const std::vector<Work>& works,
                     const std::vector<uint64_t>& estimates);

  bool empty() const { return units_.empty(); }
  /// Tests queued (not units).
  size_t size() const { return tests_; }
  uint64_t expected_us() const { return expected_us_; }

  /// Cuts a batch for `pawn` from the front, within `limit`. A batch holds
  /// one attempt number (it becomes the pawn's REDQUEEN_ATTEMPT), no test
  /// twice (a process runs a test once per batch), and leading units only
  /// with leading ones. Units a batch cannot hold
  /// stay queued, in order; so do retries meant for another pawn when
  /// `avoid` (there is another pawn). Empty when nothing fits.
  std::vector<Work> Take(int pawn, BatchLimit limit, bool avoid);

  /// Empties the queue, returning every work in it.
  std::vector<Work> Drain();

 private:
  std::deque<Unit> units_;
  /// By test index: in the batch Take is cutting. Kept between calls, all
  /// false, so that a batch of 10,000 tests hashes none of them.
  std::vector<bool> in_batch_;
  size_t tests_ = 0;
  uint64_t expected_us_ = 0;
};

}  // namespace redqueen::rook
