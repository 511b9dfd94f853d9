// A process's own children, found and ended. redqueen and every pawn are
// child subreapers (Linux): whatever a test leaves behind, also a process
// that called setsid() to leave its group, becomes their child when its own
// parent dies, and is killed and reaped here, so that no process of a run
// outlives it. (Both ends of the channel need this; it is here because proto
// is the one library they share.)
#pragma once

#include <sys/types.h>

#include <set>
#include <vector>

namespace redqueen::proto {

/// Makes this process the parent of its orphaned descendants.
void BecomeSubreaper();

/// This process's children, zombies included (read from /proc).
std::vector<pid_t> OwnChildren();

/// SIGKILLs and reaps every child of this process but those in `keep`, and
/// whatever they leave behind, until none is left. Returns how many ended.
int KillOrphans(const std::set<pid_t>& keep = {});

}  // namespace redqueen::proto
