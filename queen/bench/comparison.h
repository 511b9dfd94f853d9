// Judging benchmarks of two sides: `bench compare`'s two runs or files,
// `bench ab`'s two builds. One row per benchmark, one exit code for CI.
#pragma once

#include <string>
#include <vector>

#include "queen/bench/bench_options.h"
#include "queen/bench/bench_report.h"
#include "queen/bench/verdict.h"

namespace redqueen::queen::bench {

/// One benchmark's judgement, or why it has none.
struct Comparison {
  std::string name;
  double base_ns = 0;  ///< Medians of the metric judged.
  double new_ns = 0;
  Judgement judgement;
  /// "only in the base", "only in the new", "ERROR: ..." when not judged.
  std::string missing;
  bool broken = false;  ///< The new side failed to measure what the base did.
  /// Not judged, and counted as unstable: `bench ab`'s base failed, or a
  /// side's samples cannot be judged (a time that is 0 or not a number).
  bool undecided = false;
  Interval a_against_a{1, 1, 1};  ///< `bench ab`'s noise floor interval.
  bool has_a_against_a = false;
};

/// Why `result`'s samples cannot be judged on wall (or `cpu`) time: one
/// that is 0, negative or not a number (a damaged file, Google Benchmark's
/// NaN); "" when every one can.
std::string Unjudgeable(const BenchResult& result, bool cpu);

/// BASE or NEW of compare: a result file (--save's, --json's), a Google
/// Benchmark JSON file, or a run number of `store` (may be null when none
/// is open). False with `*error` naming what `arg` is not.
bool LoadSide(bishop::Store* store, const std::string& arg, SavedRun* run,
              std::string* error);

/// The benchmarks of both runs, matched by name (and by binary when one
/// name is in several), judged on their samples.
std::vector<Comparison> CompareRuns(const SavedRun& base, const SavedRun& fresh,
                                    const GateOptions& options);

/// The terminal's table: benchmark, base, new, change [interval at 1 -
/// alpha], p, verdict.
std::string ComparisonTable(const std::vector<Comparison>& rows, const std::string& base,
                            const std::string& fresh, double alpha);

/// 1 when a benchmark is slower or broke, else 3 when one is unstable (or
/// undecided) and `fail_unstable`, else 0.
int ExitCodeOf(const std::vector<Comparison>& rows, bool fail_unstable);

/// Writes the comparison as JSON to `path`; false with `*error`.
bool WriteComparisonJson(const std::string& path, const std::vector<Comparison>& rows,
                         const std::string& base, const std::string& fresh,
                         const GateOptions& options, int exit_code, std::string* error);

/// The one-line summary: "2 slower, 1 faster, 5 no change, 0 unstable".
std::string VerdictCounts(const std::vector<Comparison>& rows);

}  // namespace redqueen::queen::bench
