// `redqueen list BINARY...`: the tests a run with the same options would
// select, listed by the binaries' own pawns and chosen by the same rules
// (filter, DISABLED_, shard); and --gtest_list_tests, which prints what the
// binary itself would. Neither runs a test.
#pragma once

#include "queen/options.h"

namespace redqueen::queen {

/// Prints the selection, one test a line (or JSON with --format json), or
/// with --gtest_list_tests gtest's own listing;
/// returns the exit code (3 when a binary cannot be listed).
int ListSession(const RunOptions& options);

}  // namespace redqueen::queen
