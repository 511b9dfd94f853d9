// Which benchmarks a binary holds, found without measuring any: a Google
// Benchmark binary's own list, or the tests of a GoogleTest binary that
// REDQUEEN_BENCHMARK marked (their value parameter says so in the listing).
#pragma once

#include <string>
#include <vector>

#include "pawn/benchmark.h"
#include "proto/bench.h"

namespace redqueen::queen::bench {

/// One benchmark of one binary, to be measured in a process of its own.
struct BenchJob {
  std::string binary;
  std::string name;
  BenchKind kind = BenchKind::kFixture;
  std::string arm;  ///< Of `bench ab`; empty otherwise.
};

/// The value parameter REDQUEEN_BENCHMARK gives its tests.
inline constexpr const char* kFixtureMarker = kBenchmarkParam;

/// The benchmarks of `binary` that `filter` (gtest's syntax) matches, in
/// the binary's order. False with `*error` when the binary is missing, is
/// neither kind, or its listing fails. A binary with no benchmark gives
/// true and no job.
bool FindBenchmarks(const std::string& binary, const std::string& filter,
                    std::vector<BenchJob>* jobs, std::string* error);

/// Lines of a listing `text` a parser refused, to quote in an error.
std::string FirstLines(const std::string& text, int lines);

}  // namespace redqueen::queen::bench
