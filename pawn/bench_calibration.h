// How a REDQUEEN_BENCHMARK is measured, apart from gtest and the real clock:
// its settings (from the environment), the calibration rule, and the JSON
// line that records the result. Everything here is pure given a BenchClock,
// so that tests drive it with a fake one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "proto/bench.h"

namespace redqueen {

/// Where measuring takes its time from. Both in nanoseconds from any origin.
struct BenchClock {
  virtual ~BenchClock() = default;
  virtual int64_t NowNs() = 0;  ///< Wall time, monotonic.
  virtual int64_t CpuNs() = 0;  ///< CPU time of the whole process.
};

/// CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID.
BenchClock& RealBenchClock();

/// How long to measure, in seconds; the defaults are pytest-benchmark's.
struct BenchSettings {
  double time_s = 1;          ///< REDQUEEN_BENCH_TIME: the kept rounds.
  double min_round_s = 5e-6;  ///< REDQUEEN_BENCH_MIN_ROUND: shortest round.
  double warmup_s = 0.1;      ///< REDQUEEN_BENCH_WARMUP: rounds not kept.
};

/// getenv, or a fake one: returns nullptr for an unset variable.
using EnvLookup = std::function<const char*(const char* name)>;

/// Reads the REDQUEEN_BENCH_* settings that are set over the defaults in
/// `settings`. False, with `err` naming the variable, if one is not a number
/// of seconds in range.
bool ReadBenchSettings(const EnvLookup& env, BenchSettings* settings, std::string* err);

/// Runs the measured code `iterations` times in a row.
using RunRound = std::function<void(int64_t iterations)>;

/// The most rounds a benchmark keeps (each is a sample to store and judge).
inline constexpr int64_t kMaxRounds = 10'000;

/// Measures by RedQueen's rule (pytest-benchmark's): times one call; if it
/// takes a second or more, keeps 5 rounds of one call. Otherwise grows the
/// iterations per round ×10 while a round is under half of min_round, scales
/// them so that a round takes at least min_round, runs rounds for warmup_s
/// and keeps max(5, ceil(time_s / round time)) rounds, at most kMaxRounds
/// (min_round is raised to time_s / kMaxRounds). One sample per kept
/// round, times per iteration.
std::vector<BenchSample> MeasureBench(const BenchSettings& settings, BenchClock& clock,
                                      const RunRound& run_round);

/// One timed call: what a benchmark does when it is not being measured.
std::vector<BenchSample> MeasureOnce(BenchClock& clock, const RunRound& run_round);

/// Adds to every sample the counters, given per call, as NAME_per_second
/// rates, and the quality figures as they are.
void AddFigures(const std::map<std::string, double>& per_call,
                const std::map<std::string, double>& quality,
                std::vector<BenchSample>* samples);

/// What one line of REDQUEEN_BENCH_OUT says.
struct BenchLine {
  std::string name;        ///< Suite.Name.
  std::string compiler;    ///< __VERSION__ of the benchmark's source.
  std::string build_type;  ///< "release" (NDEBUG) or "debug".
  std::vector<BenchSample> samples;
};

/// The "redqueen-bench-1" JSON object of `line`, newline-terminated. A figure
/// that is not finite is written as null, which JSON can hold.
std::string BenchJsonLine(const BenchLine& line);

}  // namespace redqueen
