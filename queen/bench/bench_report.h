// A bench run as people and CI read it: the table beside the previous run
// on the same machine, the store's rows, the numbered result file.
#pragma once

#include <string>
#include <vector>

#include "bishop/store.h"
#include "proto/bench.h"
#include "queen/bench/bench_options.h"
#include "queen/bench/result_file.h"

namespace redqueen::queen::bench {

/// A bench run with everything it measured, wherever it was read from:
/// the store, a result file, a Google Benchmark JSON file.
struct SavedRun {
  int64_t id = 0;  ///< In the store; 0 for a file's run.
  bishop::BenchRunRecord record;
  Fingerprint machine;
  std::vector<BenchResult> results;
  std::string source;  ///< "run 3", or the file's path.
};

/// Per-iteration times of `result`'s samples: wall, or CPU with `cpu`.
std::vector<double> Times(const BenchResult& result, bool cpu = false);

/// The result of benchmark `name` of `binary` in `run` (binary "" matches
/// any); nullptr when it has none with samples.
const BenchResult* Find(const SavedRun& run, const std::string& binary,
                        const std::string& name);

/// The table of `run`'s benchmarks, each judged against the same one in
/// `previous` (nullptr: no such columns).
std::string RunTable(const SavedRun& run, const SavedRun* previous,
                     const GateOptions& gate);

/// Counters and quality figures of `run`, one line per benchmark that has
/// any (medians over its samples); "" when none has.
std::string FiguresText(const SavedRun& run);

/// Run `id` of `store`; false with `*error` when it has none.
bool LoadRun(bishop::Store& store, int64_t id, SavedRun* run, std::string* error);

/// The newest run before `run` on the same machine that measured any of
/// its benchmarks; false when there is none.
bool PreviousRun(bishop::Store& store, const SavedRun& run, SavedRun* previous);

/// The result file of `run`: statistics and every sample.
BenchFile FileOf(const SavedRun& run);

/// Stores `run` (setting its id), prints its table, saves and writes what
/// the options ask; the exit code: 1 when a benchmark measured nothing.
int ReportRun(bishop::Store& store, const BenchOptions& options, SavedRun* run);

}  // namespace redqueen::queen::bench
