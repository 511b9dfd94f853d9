// The bench commands that measure nothing: list, runs, show, compare.
#pragma once

#include <string>
#include <vector>

#include "queen/bench/bench_options.h"

namespace redqueen::queen::bench {

/// `bench list BINARY...`: each benchmark as "BINARY NAME (kind)".
int ListBenchmarks(const std::vector<std::string>& binaries, const std::string& filter);

/// `bench runs`: the newest `limit` bench runs of the store.
int ListRuns(const std::string& db_path, int limit);

/// `bench show [RUN]`: a run's table and figures (0: the newest run).
int ShowRun(const std::string& db_path, int64_t run_id, const GateOptions& gate);

/// `bench report -o FILE`: the benchmark page of the newest `runs` runs.
int WriteReport(const std::string& db_path, int runs, const std::string& path);

struct CompareOptions {
  std::string db_path = ".redqueen/redqueen.db";
  std::string base;
  std::string fresh;
  bool cross_machine = false;
  GateOptions gate;
};

/// `bench compare BASE NEW`: the exit code of the gate.
int CompareMain(const CompareOptions& options);

}  // namespace redqueen::queen::bench
