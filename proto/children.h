// A process's own children, found and ended. redqueen and the exec pawn are
// child subreapers (Linux): whatever a test leaves behind, also a process
// that called setsid() to leave its group, becomes their child when its own
// parent dies, and is killed and reaped here, so that no process of a run
// outlives it. Each pawn's descendants carry its tag in their environment,
// so that redqueen ends those of a pawn that ended and leaves those of the
// pawns that live. (Both ends of the channel need this; it is here because
// proto is the one library they share.)
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace redqueen::proto {

/// Makes this process the parent of its orphaned descendants.
void BecomeSubreaper();

/// This process's children, zombies included (read from /proc).
std::vector<pid_t> OwnChildren();

/// SIGKILLs and reaps every child of this process but those in `keep` (and,
/// when `tag` is given, but those without the environment entry `tag`), and
/// whatever they leave behind, until none is left. Returns how many ended.
int KillOrphans(const std::set<pid_t>& keep = {}, const std::string& tag = "");

}  // namespace redqueen::proto
