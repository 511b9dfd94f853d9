// Every live pawn of this process, whatever its Knight's factory. A pawn's
// leftovers are ended when it is reaped (proto::KillOrphans), but those of
// the pawns in this set may still be in use: spawning adds a pawn, reaping
// takes it out.
#pragma once

#include <sys/types.h>

#include <set>

namespace redqueen::knight {

/// The children that are not orphans.
inline std::set<pid_t>& LivePawns() {
  static std::set<pid_t> pids;
  return pids;
}

}  // namespace redqueen::knight
