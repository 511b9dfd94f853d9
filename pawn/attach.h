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
};

/// Maps the scoreboard, marks the channel's fds close-on-exec and removes the
/// pawn variables from the environment, so that nothing the tests start takes
/// itself for a pawn or holds the channel open.
Attachment AttachToRook();

}  // namespace redqueen::pawn
