// `redqueen plan`: the split of every selected test of every binary over N CI
// machines, from the history in the store, written once so that every
// machine runs its share (`redqueen run --plan FILE`) whatever store it has.
#pragma once

#include "queen/options.h"

namespace redqueen::queen {

/// Writes the plan (-o FILE, or stdout); with --target-time, the fewest
/// shards that end in time, and a CI matrix of them on stdout. Returns the
/// exit code.
int PlanSession(const RunOptions& options);

}  // namespace redqueen::queen
