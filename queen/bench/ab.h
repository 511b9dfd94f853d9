// `redqueen bench ab BASE_BINARY NEW_BINARY`: two builds measured in one
// invocation, alternately on one pinned CPU, judged on paired ratios so that
// the machine's drift cancels, with the base measured against itself for
// the noise floor a change must exceed.
//
// Each cycle runs three processes back to back, A B A' (the next cycle
// A' B A): B's ratio to the geometric mean of the A's beside it cancels a
// drift that is linear over the cycle, and A over A' (A first in one cycle,
// last in the next) cancels it over the cycles of the noise floor.
#pragma once

#include <string>
#include <vector>

#include "queen/bench/bench_options.h"

namespace redqueen::queen::bench {

struct AbOptions {
  std::string db_path = ".redqueen/redqueen.db";
  std::string base_binary;
  std::string new_binary;
  int cycles = 10;
  MeasureOptions measure;
  GateOptions gate;
  std::string command;
};

/// One process's figure for one arm of one cycle: the median of its
/// samples (wall and CPU), as one sample.
BenchSample CycleSample(const BenchResult& process, int cycle);

/// The paired ratios B / sqrt(A * A') and the ratios A / A' of each cycle
/// (the k-th sample of each arm is cycle k's); `cpu` picks CPU time.
void PairedRatios(const std::vector<BenchSample>& a, const std::vector<BenchSample>& b,
                  const std::vector<BenchSample>& a2, bool cpu,
                  std::vector<double>* ratios, std::vector<double>* a_against_a);

/// Runs `redqueen bench ab`; returns the exit code.
int AbSession(const AbOptions& options);

}  // namespace redqueen::queen::bench
