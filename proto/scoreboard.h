// The scoreboard: a few lock-free words in shared memory that a pawn updates at
// every test start, so the Rook knows which test a dead or hung pawn was
// running, since when, and where its output began — without a syscall per test.
// One writer (the pawn), no locks: Boost.Interprocess 1.74 has no robust
// mutexes, and a pawn can die at any instruction.
#pragma once

#include <atomic>
#include <cstdint>

namespace redqueen::proto {

struct Scoreboard {
  static constexpr int64_t kIdle = -1;

  /// Index of the running test, or kIdle between tests.
  std::atomic<int64_t> running{kIdle};
  /// steady_clock nanoseconds when the running test started.
  std::atomic<int64_t> started_ns{0};
  /// Offset in the capture file where the running test's output begins.
  std::atomic<uint64_t> output_begin{0};
};

static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

}  // namespace redqueen::proto
