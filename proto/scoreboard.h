// The scoreboard: a few lock-free words in shared memory that a pawn updates at
// every test start and at every change of what it is doing, so the Rook knows
// which test a dead or hung pawn was running, since when, where its output
// began, and what the pawn was doing outside tests (a suite's set-up, an
// environment's tear-down, exiting) — without a syscall per test.
// One writer (the pawn), no locks: Boost.Interprocess 1.74 has no robust
// mutexes, and a pawn can die at any instruction.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace redqueen::proto {

/// What a pawn is doing. Each phase has a deadline in the Rook.
enum class Phase : int32_t {
  kStarting = 0,             ///< Before its hello: static initializers, gtest's start.
  kListing = 1,              ///< Listing the binary's tests (an exec pawn's child).
  kWaiting = 2,              ///< Blocked on the Rook's next command: it owes nothing.
  kEnvironmentSetUp = 3,     ///< A global Environment's SetUp, before `subject`.
  kSuiteSetUp = 4,           ///< SetUpTestSuite of `subject`'s suite.
  kTest = 5,                 ///< Inside test `subject`.
  kSuiteTearDown = 6,        ///< TearDownTestSuite of `subject`'s suite.
  kEnvironmentTearDown = 7,  ///< A global Environment's TearDown.
  kExiting = 8,              ///< The test binary is exiting after its tests.
};

inline int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Scoreboard {
  static constexpr int64_t kIdle = -1;

  /// Index of the running test, or kIdle between tests.
  std::atomic<int64_t> running{kIdle};
  /// steady_clock nanoseconds when the running test started.
  std::atomic<int64_t> started_ns{0};
  /// Offset in the capture file where the running test's output begins.
  std::atomic<uint64_t> output_begin{0};
  /// What the pawn does now, since when (steady_clock nanoseconds), and the
  /// test it concerns (kIdle: none).
  std::atomic<int32_t> phase{static_cast<int32_t>(Phase::kStarting)};
  std::atomic<int64_t> phase_ns{0};
  std::atomic<int64_t> subject{kIdle};
  /// Commands the pawn has read from the Rook: one that waits having read
  /// them all owes no result.
  std::atomic<uint64_t> commands_read{0};

  /// The pawn's side: it now does `what`, about test `test`.
  void Enter(Phase what, int64_t test, int64_t now_ns) {
    subject.store(test, std::memory_order_relaxed);
    phase_ns.store(now_ns, std::memory_order_relaxed);
    phase.store(static_cast<int32_t>(what), std::memory_order_release);
  }
};

static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::atomic<int32_t>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

/// "SetUpTestSuite of HS", "the exit of the test binary": how reports name
/// a phase; `suite` is that of the phase's test.
inline const char* PhaseWords(Phase phase) {
  switch (phase) {
    case Phase::kStarting:
      return "the start of the test binary";
    case Phase::kListing:
      return "the listing of its tests";
    case Phase::kWaiting:
      return "waiting for the Rook";
    case Phase::kEnvironmentSetUp:
      return "the SetUp of a global Environment";
    case Phase::kSuiteSetUp:
      return "SetUpTestSuite of ";
    case Phase::kTest:
      return "the test";
    case Phase::kSuiteTearDown:
      return "TearDownTestSuite of ";
    case Phase::kEnvironmentTearDown:
      return "the TearDown of a global Environment";
    case Phase::kExiting:
      return "the exit of the test binary after its tests (an atexit handler or a "
             "static destructor)";
  }
  return "an unknown phase";
}

}  // namespace redqueen::proto
