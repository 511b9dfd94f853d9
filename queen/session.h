// One `redqueen run`, as its steps: probe the binaries and check what must
// hold before anything runs, open the store and begin the run's row, wire
// each binary's Rook to its sinks (binary_run.h), run the Board on the event
// loop until every pawn is gone (Ctrl-C stops it), then what the run came to
// (run_outcome.h): printed, closed in the store, reported.
#pragma once

#include "queen/options.h"

namespace redqueen::queen {

/// Runs the session; returns the process exit code (see exit_codes.h).
int RunSession(const RunOptions& options);

}  // namespace redqueen::queen
