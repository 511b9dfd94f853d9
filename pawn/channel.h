// The pawn's end of the channel: blocking reads of Rook messages from the
// command fd and writes of frames to the event fd.
#pragma once

#include "proto/frame.h"

namespace redqueen::pawn {

class Channel {
 public:
  Channel(int command_fd, int event_fd);

  /// Blocks for the next message. False on EOF (the Rook is gone) or on a
  /// malformed frame; the pawn then exits.
  bool Receive(proto::RookMessage* message);

  /// Writes one frame whole. A Rook that went away ends the pawn (SIGPIPE).
  void Send(const proto::PawnMessage& message);

 private:
  int command_fd_;
  int event_fd_;
  proto::FrameReader reader_;
  std::string out_;
};

}  // namespace redqueen::pawn
