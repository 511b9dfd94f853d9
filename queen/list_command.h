// `redqueen list BINARY...` (and `redqueen run ... --gtest_list_tests`): the
// tests a run with the same options would select, listed by the binaries'
// own pawns and chosen by the same rules (filter, DISABLED_, shard), run none.
#pragma once

#include "queen/options.h"

namespace redqueen::queen {

/// Prints the selection, one test a line (or JSON with --format json);
/// returns the exit code (3 when a binary cannot be listed).
int ListSession(const RunOptions& options);

}  // namespace redqueen::queen
