// The scoreboard: a few lock-free words in shared memory that a pawn updates at
// every test start and at every change of what it is doing, so the Rook knows
// which test a dead or hung pawn was running, since when, where its output
// began, and what the pawn was doing outside tests (a suite's set-up, an
// environment's tear-down, exiting) — without a syscall per test.
// One writer (the pawn), no locks: Boost.Interprocess 1.74 has no robust
// mutexes, and a pawn can die at any instruction.
#pragma once

#include <algorithm>
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
  /// Which tests of its batch the pawn may still start: the Rook takes back
  /// those it has not started (work stealing) by compare-and-swap on this
  /// one word, and the pawn claims each test by compare-and-swap before it
  /// starts it, so a test is either started here or taken back, never both
  /// (BatchClaims).
  std::atomic<uint64_t> claims{0};

  /// The pawn's side: it now does `what`, about test `test`.
  void Enter(Phase what, int64_t test, int64_t now_ns) {
    subject.store(test, std::memory_order_relaxed);
    phase_ns.store(now_ns, std::memory_order_relaxed);
    phase.store(static_cast<int32_t>(what), std::memory_order_release);
  }
};

/// The claims word: the batch it is for (BatchOf the number of the Run
/// command, what commands_read is once the pawn read it; 0: none to claim),
/// how many of the batch's tests (in the order it runs them) the pawn has
/// started, and how many it may start.
struct BatchClaims {
  static constexpr uint64_t kMaxTests = (uint64_t{1} << 24) - 1;

  uint16_t batch = 0;
  uint32_t started = 0;  ///< 24 bits.
  uint32_t limit = 0;    ///< 24 bits.

  uint64_t Pack() const {
    return uint64_t{batch} << 48 | uint64_t{started} << 24 | limit;
  }
  static BatchClaims Unpack(uint64_t word) {
    return {static_cast<uint16_t>(word >> 48),
            static_cast<uint32_t>(word >> 24 & kMaxTests),
            static_cast<uint32_t>(word & kMaxTests)};
  }
  /// The low 16 bits, but never 0, so that every command's batch can be
  /// claimed; as pawns built before agree on all other numbers, stealing
  /// from them still works.
  static uint16_t BatchOf(uint64_t command) {
    const auto batch = static_cast<uint16_t>(command);
    return batch != 0 ? batch : uint16_t{0xFFFF};
  }
};

/// The Rook's side, as it sends Run command number `command` of `tests`
/// tests: none started, all may be. A batch too large for the word is not
/// claimed test by test (the pawn then runs it all; nothing is taken back).
inline void OfferBatch(Scoreboard& board, uint64_t command, size_t tests) {
  const BatchClaims claims{
      tests > BatchClaims::kMaxTests ? uint16_t{0} : BatchClaims::BatchOf(command), 0,
      static_cast<uint32_t>(std::min<size_t>(tests, BatchClaims::kMaxTests))};
  board.claims.store(claims.Pack(), std::memory_order_release);
}

/// The pawn's side: claims the next `count` tests of the batch of command
/// `command` before starting them; returns how many it got (fewer, or 0,
/// once the Rook took the rest back). A word for another batch (a Rook that
/// offers none) limits nothing.
inline uint32_t ClaimTests(Scoreboard& board, uint64_t command, uint32_t count) {
  uint64_t word = board.claims.load(std::memory_order_acquire);
  for (;;) {
    BatchClaims claims = BatchClaims::Unpack(word);
    if (claims.batch != BatchClaims::BatchOf(command) || claims.batch == 0) return count;
    const uint32_t got =
        std::min(count, claims.limit - std::min(claims.limit, claims.started));
    if (got == 0) return 0;
    claims.started += got;
    if (board.claims.compare_exchange_weak(word, claims.Pack(),
                                           std::memory_order_acq_rel))
      return got;
  }
}

/// The Rook's side: takes back every test of the batch of command `command`
/// that the pawn has not started; returns how many it keeps, or -1
/// when the word is for no batch of this command (nothing taken back). A
/// pawn that has started none keeps its batch: it is about to begin, and
/// taking it all would only move the work.
inline int64_t TakeBackUnstarted(Scoreboard& board, uint64_t command) {
  uint64_t word = board.claims.load(std::memory_order_acquire);
  for (;;) {
    BatchClaims claims = BatchClaims::Unpack(word);
    if (claims.batch != BatchClaims::BatchOf(command) || claims.batch == 0) return -1;
    if (claims.started == 0 || claims.limit <= claims.started) return claims.limit;
    claims.limit = claims.started;
    if (board.claims.compare_exchange_weak(word, claims.Pack(),
                                           std::memory_order_acq_rel))
      return claims.started;
  }
}

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
