// What `redqueen bench` and its commands are told on the command line.
#pragma once

#include <string>
#include <vector>

#include "queen/bench/measure.h"
#include "queen/bench/verdict.h"

namespace redqueen::queen::bench {

/// How a measuring command (bench, bench ab) measures.
struct MeasureOptions {
  std::string filter = "*";  ///< gtest's filter syntax, over benchmark names.
  std::string cpus;          ///< --cpus LIST; empty: one CPU, the last.
  MeasureSettings settings;
};

/// How compare and ab judge.
struct GateOptions {
  Gate gate;
  /// Exit 3 when a benchmark is unstable: the default where the CI
  /// variable is set (every hosted CI sets CI=true).
  bool fail_unstable = false;
  bool use_cpu_time = false;  ///< --metric cpu: judge CPU time, not wall time.
  std::string json_path;      ///< --json FILE: the comparison as JSON.
};

struct BenchOptions {
  std::string db_path = ".redqueen/redqueen.db";
  std::vector<std::string> binaries;  ///< bench BINARY...
  MeasureOptions measure;
  bool save = false;  ///< --save [LABEL]
  std::string label = "run";
  std::string json_path;  ///< bench --json FILE: the run's results.
  std::string command;    ///< The whole command line, for the store.
};

}  // namespace redqueen::queen::bench
