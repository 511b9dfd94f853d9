// What the machine lets this process hold, checked before any pawn starts:
// a -j the open-files or process limit cannot hold would fail pawns one by
// one in the middle of a run.
#pragma once

#include <string>

namespace redqueen::knight {

/// False with `*error` (naming the limit and how to change it) when `jobs`
/// pawns, `exec` ones among them, cannot all run at once under this
/// process's limits.
bool FitsLimits(int jobs, bool exec, std::string* error);

}  // namespace redqueen::knight
