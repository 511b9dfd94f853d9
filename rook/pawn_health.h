// Pawn health: on each tick of the clock, what to do about each pawn — a
// test past --slow (report it), past --timeout (SIGTERM, then SIGKILL after
// the grace), a set-up, tear-down, start or exit past its deadline, a
// channel that is stuck, and while memory is short the pawn holding the
// most. It only reads the pawns (their state, the scoreboard through the
// Worker's const queries) and returns verdicts: the Rook acts on them.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "knight/worker.h"
#include "proto/messages.h"
#include "rook/clock.h"
#include "rook/work.h"

namespace redqueen::rook {

/// How long a pawn may wait, every command read, while it owes results,
/// before its channel counts as stuck (a test wrote half a frame): its last
/// results may still be in the pipe, behind a busy Queen.
inline constexpr auto kStuckChannel = std::chrono::seconds(5);

/// A pawn holding less is never killed for --max-memory: when the machine is
/// full for other reasons, killing small pawns would only fail their tests.
inline constexpr uint64_t kMinMemoryVictimBytes = 64ull << 20;

/// "5s", "0.5s".
std::string Seconds(std::chrono::microseconds limit);

/// Where a pawn is in its life, in the Rook's pawn table.
enum class PawnState { kStarting, kListing, kReady, kBusy, kStopping, kGone };

/// What the checks need remembered of one pawn. The Rook keeps one per
/// pawn and writes it as it acts.
struct PawnWatch {
  /// When the pawn entered its state (started, was asked for its list, was
  /// sent its batch, was told to stop).
  Clock::TimePoint since;
  /// Shutdown was sent: the pawn must exit within start_timeout.
  bool told_to_stop = false;
  /// It did not, and was killed.
  bool exit_overdue = false;
  /// The test ended for its timeout, and when SIGKILL follows SIGTERM;
  /// what the pawn was doing, when not inside that test ("SetUpTestSuite
  /// of HS"), and the limit it passed.
  int64_t timed_out = -1;
  Clock::TimePoint kill_at;
  std::string timeout_where;
  std::chrono::microseconds timeout_limit{0};
  /// The last test reported slow, so that each is reported once.
  int64_t slow_reported = -1;
  /// Killed for --max-memory, with this percent of memory in use.
  double memory_killed_at = 0;
};

/// One pawn as the checks read it.
struct PawnView {
  PawnState state = PawnState::kGone;
  const PawnWatch* watch = nullptr;
  const knight::Worker* worker = nullptr;  ///< Null once the pawn is gone.
  /// The tests it was sent and has not reported, in the order it runs them.
  const std::deque<Work>* batch = nullptr;
};

/// The limits the checks hold pawns to (RookOptions has their meaning).
struct HealthLimits {
  std::chrono::microseconds timeout{0};
  std::chrono::microseconds slow{0};
  std::chrono::microseconds kill_grace{0};
  std::chrono::microseconds start_timeout{0};
  double max_memory_percent = 0;
};

/// What to do about one pawn.
struct HealthVerdict {
  enum class Act {
    kNone,
    /// SIGTERM: test `index` passed `limit`; `words` say where, when it was
    /// outside the test itself ("SetUpTestSuite of T").
    kTerminate,
    kKill,         ///< SIGKILL: the grace after its SIGTERM is over.
    kKillStuck,    ///< Its channel is stuck: `words` are the violation.
    kKillOverdue,  ///< It did not exit in time (ExitOverdue() says so).
    /// It did not say hello or send its list in time: the run stops with
    /// the pawn's description followed by `words`.
    kFail,
  };
  Act act = Act::kNone;
  int64_t index = -1;
  std::chrono::microseconds limit{0};
  std::string words;
  /// A test to report as slow, and how long it has run (-1: none).
  int64_t slow = -1;
  uint64_t slow_for_us = 0;
};

class PawnHealth {
 public:
  explicit PawnHealth(HealthLimits limits) : limits_(limits) {}

  /// The verdict on `pawn` at `now`; `tests` name a suite whose set-up or
  /// tear-down hangs.
  HealthVerdict Check(const PawnView& pawn, const std::vector<proto::TestInfo>& tests,
                      Clock::TimePoint now) const;
  /// With `used_percent` of the machine's memory in use: the pawn (index
  /// into `pawns`) to kill, the busy or ready one holding the most and at
  /// least kMinMemoryVictimBytes; -1 while memory is not short or none is.
  int MemoryVictim(double used_percent, const std::vector<PawnView>& pawns) const;
  /// When SIGKILL follows a SIGTERM sent at `now`.
  Clock::TimePoint KillAt(Clock::TimePoint now) const {
    return now +
           std::chrono::duration_cast<Clock::TimePoint::duration>(limits_.kill_grace);
  }
  /// Why the run stops when a pawn told to stop did not exit in time, after
  /// the pawn's description.
  std::string ExitOverdue() const;

 private:
  /// Deadlines outside tests: a busy pawn's set-ups, tear-downs and exit, and
  /// a pawn that owes results while it says it waits for a command.
  HealthVerdict CheckPhase(const PawnView& pawn,
                           const std::vector<proto::TestInfo>& tests,
                           Clock::TimePoint now) const;
  /// A pawn that does not say hello, send its list or exit in time.
  HealthVerdict CheckStartAndExit(const PawnView& pawn, Clock::TimePoint now) const;

  HealthLimits limits_;
};

}  // namespace redqueen::rook
