// What every kind of pawn does first: take the channel and the scoreboard the
// Knight offered, and hide them from the processes the pawn starts.
#pragma once

#include <boost/interprocess/mapped_region.hpp>
#include <memory>

#include "proto/scoreboard.h"

namespace redqueen::pawn {

/// True when this process was started by a Knight.
bool StartedByRook();

struct Attachment {
  std::unique_ptr<boost::interprocess::mapped_region> region;
  proto::Scoreboard* scoreboard = nullptr;  ///< Null when none was offered.
  /// Where the channel is now (see AttachToRook).
  int command_fd = -1;
  int event_fd = -1;
  uint32_t token = 0;  ///< For the pawn's frames (frame.h).
};

/// Maps the scoreboard, moves the channel from fds 3 and 4 to the top of the
/// descriptor table, close-on-exec, and removes the pawn variables from the
/// environment: nothing the tests start takes itself for a pawn or holds the
/// channel open, and a test that closes, reuses or writes to fds 3 and 4 as
/// its own (they are the first a process opens) cannot touch the channel.
Attachment AttachToRook();

}  // namespace redqueen::pawn
