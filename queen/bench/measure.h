// Measuring one benchmark: its own process, pinned to its own CPU, killed
// past a deadline, read back from the file it wrote (never from its
// stdout, which the code under test may print to).
#pragma once

#include <string>

#include "proto/bench.h"
#include "queen/bench/discover.h"

namespace redqueen::queen::bench {

struct MeasureSettings {
  double bench_time =
      1;  ///< Seconds of kept rounds (fixture), min time (Google Benchmark).
  double min_round = 5e-6;  ///< The fixture's shortest round, seconds.
  double warmup = 0.1;      ///< Seconds of rounds the fixture runs and drops first.
  int repetitions = 10;     ///< Google Benchmark's --benchmark_repetitions.
  double timeout = 300;     ///< Seconds a benchmark's process may take.
  std::string scratch_dir;  ///< Where the processes write their results.
};

/// What a benchmark's process tells of how it was built.
struct BuildInfo {
  std::string compiler;
  std::string build_type;
};

/// Runs `job` once on `cpu` (-1: anywhere). Never throws for what the
/// benchmark does: a crash, a failure, a timeout or an unreadable result
/// is the result's `error`.
BenchResult Measure(const BenchJob& job, const MeasureSettings& settings, int cpu,
                    BuildInfo* build);

/// Reads the lines RedQueen's fixture appends to REDQUEEN_BENCH_OUT (one
/// per benchmark it ran) into `result` (the one named result->name);
/// false with `*error` when there is none or it is malformed.
bool ParseFixtureLines(const std::string& text, BenchResult* result, BuildInfo* build,
                       std::string* error);

}  // namespace redqueen::queen::bench
