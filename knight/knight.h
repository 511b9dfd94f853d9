// The Knight: one pawn process, its channel, its scoreboard, its death.
//
// A Knight spawns the pawn with Boost.Process in a process group of its own,
// the channel on fds 3 (commands) and 4 (events), stdout and stderr appended
// to a capture file, stdin from /dev/null, and every other descriptor
// close-on-exec. It turns frames into OnMessage events and the end of the
// process into exactly one OnExit, after the channel is drained and the
// process reaped.
//
// Its code: knight.cc (its life, the Worker calls, the factory), spawn.cc
// (starting the pawn), channel.cc (frames both ways), reap.cc (the end).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "knight/worker.h"
#include "proto/frame.h"
#include "proto/scoreboard.h"

namespace redqueen::knight {

/// What every pawn of a run is started with.
struct PawnSpec {
  /// Distinguishes this binary's files and shared memory from another's.
  std::string label = "0";
  std::string binary;
  std::vector<std::string> args;  ///< After the binary name.
  std::string run_dir;            ///< Capture files and private temp dirs.
  int pawn_count = 1;
  /// Extra environment for every pawn (on top of redqueen's own).
  std::vector<std::pair<std::string, std::string>> env;
  /// Variables of redqueen's own environment that no pawn gets.
  std::vector<std::string> unset_env;
};

class KnightFactory;

class Knight : public Worker {
 public:
  Knight(KnightFactory* factory, int slot, WorkerEvents* events);
  ~Knight() override;

  /// Spawns the process; false with `*error` set when it could not start.
  bool Spawn(const PawnSpec& spec, int generation, std::string* error);
  /// Makes this waiting exec pawn `factory`'s, for `slot`: it is told to
  /// serve `spec`'s binary (proto::Serve) and says hello again. Its output
  /// before this is not read as the new binary's.
  void ServeAnother(KnightFactory* factory, int slot, WorkerEvents* events,
                    const PawnSpec& spec);

  void Send(const proto::RookMessage& message) override;
  void Kill() override;
  void Terminate() override;
  bool Running(int64_t* index, uint64_t* running_for_us) const override;
  bool Where(Whereabouts* where) const override;
  std::string ReadOutput(uint64_t begin, uint64_t end, size_t cap) override;
  uint64_t ResidentBytes() const override;
  int pid() const override { return pid_; }
  int64_t TakeBackUnstarted() override;
  bool CanServeAnother() const override;

  /// Reaps the process if it has ended (called on SIGCHLD).
  void TryReap();

 private:
  void ReadMore();
  void OnBytes(size_t size);
  /// Decodes and delivers the frames in the first `size` bytes of the
  /// buffer; false after a protocol error.
  bool Consume(size_t size);
  /// Keeps which test was running when an unfinished frame began.
  void NoteUnfinishedFrame();
  void OnChannelClosed();
  /// The pawn closed its channel: it should be exiting. One that is still
  /// there after kExitGrace closed it while running, and is killed.
  void AwaitExitAfterEof(std::chrono::steady_clock::time_point deadline);
  void PollForExit();
  void DrainChannel();
  void FailProtocol(const std::string& error);
  /// SIGKILL to the pawn's group and to the pawn itself (a test may have
  /// moved it to another group); `why` is kept for the report.
  void KillGroup(const std::string& why = "");
  /// The scoreboard as it is now, kept as what the pawn was doing when its
  /// channel failed (it may go on for a while before it dies).
  void Snapshot();
  void MaybeFinish();
  bool CreateScoreboard(std::string* error);
  void RemoveScoreboardName();

  KnightFactory* factory_;
  int slot_;
  WorkerEvents* events_;
  int pid_ = -1;
  int command_fd_ = -1;
  uint64_t commands_sent_ = 0;
  boost::asio::posix::stream_descriptor events_pipe_;
  boost::asio::steady_timer reap_timer_;
  std::vector<char> read_buffer_;
  proto::FrameReader reader_;
  std::string capture_path_;
  /// Where the output of the binary it serves now begins in the capture
  /// file (past what it wrote for earlier binaries).
  uint64_t output_base_ = 0;
  std::string tmp_dir_;
  uint32_t token_ = 0;
  std::string pawn_tag_;
  /// "REDQUEEN_PAWN_TAG=...", in the environment of all the pawn starts.
  std::string orphan_tag_;
  std::string scoreboard_name_;
  std::unique_ptr<boost::interprocess::mapped_region> scoreboard_region_;
  proto::Scoreboard* scoreboard_ = nullptr;
  std::string protocol_error_;
  std::string killed_because_;
  /// Set by Kill(): nothing more the pawn says is delivered.
  bool killed_ = false;
  /// The running test when the channel's unfinished frame began (kNone:
  /// no frame unfinished).
  static constexpr int64_t kNone = -2;
  int64_t partial_frame_test_ = kNone;
  bool snapshot_taken_ = false;
  int64_t snapshot_running_ = -1;
  uint64_t snapshot_output_begin_ = 0;
  int64_t snapshot_started_ns_ = 0;
  bool channel_closed_ = false;
  bool reaped_ = false;
  bool finished_ = false;
  int wait_status_ = 0;
  /// Held weakly by the pipe's and the timer's handlers. Destroying the
  /// Knight cancels its operations, but one that had already completed has
  /// its handler queued, and asio runs it anyway, with success: it must find
  /// this expired rather than touch a freed Knight (seen under ASan when the
  /// Rook destroyed a Knight in the same turn its reap timer fired).
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

/// Starts Knights for the Rook, and reaps them: the single owner of SIGCHLD.
class KnightFactory : public WorkerFactory {
 public:
  KnightFactory(boost::asio::io_context& io, PawnSpec spec);
  ~KnightFactory() override;

  std::unique_ptr<Worker> Start(int slot, WorkerEvents* events,
                                std::string* error) override;
  bool CanAdopt() const override;
  std::unique_ptr<Worker> Adopt(int slot, WorkerEvents* events,
                                std::unique_ptr<Worker> worker,
                                std::string* error) override;

  boost::asio::io_context& io() { return io_; }
  void Register(Knight* knight) { live_.insert(knight); }
  void Unregister(Knight* knight) { live_.erase(knight); }

 private:
  void WaitForChildSignal();

  boost::asio::io_context& io_;
  PawnSpec spec_;
  boost::asio::signal_set sigchld_;
  std::set<Knight*> live_;
  int generation_ = 0;
};

}  // namespace redqueen::knight
