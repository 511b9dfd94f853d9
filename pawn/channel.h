// The pawn's end of the channel: blocking reads of Rook messages from the
// command fd and writes of frames to the event fd.
#pragma once

#include <functional>
#include <vector>

#include "proto/frame.h"
#include "proto/scoreboard.h"

namespace redqueen::pawn {

class Channel {
 public:
  /// `token` marks every frame sent (frame.h).
  Channel(int command_fd, int event_fd, uint32_t token = 0);

  /// Blocks for the next message. False on EOF (the Rook is gone) or on a
  /// malformed frame; the pawn then exits.
  bool Receive(proto::RookMessage* message);

  /// Writes one frame whole, after any queued ones. A Rook that went away
  /// ends the pawn (SIGPIPE).
  void Send(const proto::PawnMessage& message);

  /// Adds a frame to be written by the next Send or Flush: one write for
  /// many fast passing tests instead of one each.
  void Queue(const proto::PawnMessage& message);
  void Flush();
  size_t queued_bytes() const { return out_.size(); }

  /// Whether the batch being run asked for Started messages.
  bool report_starts() const { return report_starts_; }
  void set_report_starts(bool report) { report_starts_ = report; }

  /// The pawn's scoreboard, where ServeCommands says when the pawn waits
  /// (null: none).
  proto::Scoreboard* scoreboard() const { return scoreboard_; }
  void set_scoreboard(proto::Scoreboard* scoreboard) { scoreboard_ = scoreboard; }

 private:
  int command_fd_;
  int event_fd_;
  uint32_t token_;
  proto::FrameReader reader_;
  std::string out_;
  bool report_starts_ = false;
  proto::Scoreboard* scoreboard_ = nullptr;
};

/// The command loop every pawn runs after its Hello: answers ListTests with
/// `list()`, runs each batch with `run`, says Bye on Shutdown, and hands
/// Serve to `serve` (exec pawns), which says the new Hello, or returns false
/// when it cannot (then the pawn exits 3; without `serve`, Serve is a
/// protocol error and the pawn exits 3). Returns the pawn's exit code (0 on
/// Shutdown, and on EOF: the Rook is gone).
int ServeCommands(Channel* channel, const std::function<proto::TestList()>& list,
                  const std::function<void(const std::vector<uint32_t>&)>& run,
                  const std::function<bool(const proto::Serve&)>& serve = nullptr);

}  // namespace redqueen::pawn
