// "A worker" as the Rook sees it: something that takes commands and produces
// events. The Knight implements it over a real process; the Rook's tests
// implement it with fakes. Events arrive through the io_context's loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "proto/messages.h"
#include "proto/scoreboard.h"

namespace redqueen::knight {

/// How a worker ended, and what its scoreboard said at the time.
struct ExitInfo {
  bool signaled = false;
  int signal = 0;     ///< When signaled.
  int exit_code = 0;  ///< When not signaled.
  /// Index of the test the worker was running when it died, or -1.
  int64_t running = -1;
  /// Where that test's output begins in the capture file.
  uint64_t output_begin = 0;
  /// How long that test had been running.
  uint64_t running_for_us = 0;
  /// The test that was running when the frame left unfinished on the
  /// channel began to arrive, or -1: the one that wrote it, when a test did.
  int64_t partial_frame_test = -1;
  /// Set when the worker was killed for sending a malformed frame.
  std::string protocol_error;
  /// Set when redqueen itself ended the worker, and why ("it closed its
  /// channel to redqueen while running"): then its signal was ours, not a
  /// crash of its own.
  std::string killed_because;

  /// "signal 11 (SIGSEGV)", "exit code 1", "protocol error: ...",
  /// "it closed its channel to redqueen while running (killed by redqueen)".
  std::string Describe() const;
};

/// Receives what workers say and when they end. Handlers run on the loop.
class WorkerEvents {
 public:
  virtual ~WorkerEvents() = default;
  virtual void OnMessage(int slot, proto::PawnMessage message) = 0;
  /// The worker's process is reaped and its channel drained; the worker may be
  /// destroyed from here.
  virtual void OnExit(int slot, const ExitInfo& info) = 0;
};

class Worker {
 public:
  virtual ~Worker() = default;
  virtual void Send(const proto::RookMessage& message) = 0;
  /// Kills the worker's whole process group; OnExit follows.
  virtual void Kill() = 0;
  /// Asks the worker's process group to end (SIGTERM); Kill() if it won't.
  virtual void Terminate() = 0;
  /// The test the worker runs now and for how long, from its scoreboard;
  /// false between tests.
  virtual bool Running(int64_t* index, uint64_t* running_for_us) const = 0;
  /// What the worker does now, by its scoreboard.
  struct Whereabouts {
    proto::Phase phase = proto::Phase::kStarting;
    int64_t subject = -1;  ///< The test the phase concerns, or -1.
    uint64_t for_us = 0;   ///< Since the phase began.
    /// Commands sent that the worker has not read yet.
    uint64_t unread = 0;
  };
  /// False when the worker has no scoreboard.
  virtual bool Where(Whereabouts* where) const = 0;
  /// The captured output in [begin, end) (end beyond the file means "to the
  /// end"), at most `cap` bytes: the head and tail, with a note of the cut.
  virtual std::string ReadOutput(uint64_t begin, uint64_t end, size_t cap) = 0;
  virtual int pid() const = 0;
  /// Takes back the tests of the batch the worker runs that it has not
  /// started yet (work stealing): returns how many of the batch, in the
  /// order it runs them, it started and keeps; the rest are the Rook's to
  /// hand out again. A worker that has not begun its batch keeps it all.
  /// -1: the worker cannot tell (no scoreboard); nothing is taken back.
  virtual int64_t TakeBackUnstarted() = 0;
  /// Resident memory of the worker's whole process group (the pawn and the
  /// processes its tests started), in bytes.
  virtual uint64_t ResidentBytes() const = 0;
  /// True when the worker, waiting and sound, can be given to another
  /// binary's factory (WorkerFactory::Adopt) instead of being shut down.
  virtual bool CanServeAnother() const { return false; }
};

class WorkerFactory {
 public:
  virtual ~WorkerFactory() = default;
  /// Starts the worker for `slot` (replacements reuse the slot). Null with
  /// `*error` set when it cannot be started.
  virtual std::unique_ptr<Worker> Start(int slot, WorkerEvents* events,
                                        std::string* error) = 0;
  /// True when Adopt can take a worker another factory started.
  virtual bool CanAdopt() const { return false; }
  /// Makes `worker` (CanServeAnother, of another factory) this factory's
  /// worker for `slot`, serving this factory's binary from now on; it
  /// starts over as a new worker would, with a hello. Null with `*error`
  /// set when it cannot (the worker is then gone).
  virtual std::unique_ptr<Worker> Adopt(int /*slot*/, WorkerEvents* /*events*/,
                                        std::unique_ptr<Worker> /*worker*/,
                                        std::string* error) {
    *error = "this binary's pawns cannot be taken over";
    return nullptr;
  }
};

}  // namespace redqueen::knight
