// One `redqueen run`: probe the binary, open the store, start the Rook on an
// event loop with the terminal and the store as sinks, handle Ctrl-C, print
// the summary, and decide the exit code.
#pragma once

#include "queen/options.h"

namespace redqueen::queen {

/// Runs the session; returns the process exit code (see exit_codes.h).
int RunSession(const RunOptions& options);

}  // namespace redqueen::queen
