// One benchmark's measurements, in the one shape every layer holds them:
// from either kind of benchmark (RedQueen's fixture in a GoogleTest suite,
// or a Google Benchmark binary) to the store, the result files and the
// comparisons. And the machine they were measured on.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace redqueen {

/// One timed repetition of a benchmark: a round of the fixture, a
/// repetition of Google Benchmark, one process of `bench ab`.
struct BenchSample {
  int repetition = 0;      ///< From 0, in the order measured.
  int64_t iterations = 0;  ///< Calls timed together.
  double real_ns = 0;      ///< Wall time per iteration.
  double cpu_ns = 0;       ///< CPU time per iteration; 0 when not measured.
  /// Google Benchmark's counters and rates (bytes_per_second, ...), the
  /// fixture's Counter rates (NAME_per_second).
  std::map<std::string, double> counters;
  /// The fixture's Quality figures: what the code computed, not how fast.
  std::map<std::string, double> quality;
};

enum class BenchKind { kFixture, kGoogleBenchmark };

/// "fixture" or "google-benchmark", as the store and the files name it.
inline const char* BenchKindName(BenchKind kind) {
  return kind == BenchKind::kFixture ? "fixture" : "google-benchmark";
}

/// One benchmark of one run.
struct BenchResult {
  std::string binary;  ///< The binary's path as given.
  std::string name;    ///< Suite.Name, or Google Benchmark's name.
  BenchKind kind = BenchKind::kFixture;
  /// Of `bench ab`: "A" (the base), "B" (the new build), "A2" (the base's
  /// second run of each cycle, for the noise floor); empty otherwise.
  std::string arm;
  std::vector<BenchSample> samples;
  /// Why it has no (or too few) samples: crashed, timed out, skipped,
  /// Google Benchmark's error_message. Empty when it measured.
  std::string error;
};

/// The machine a run measured on, and how it was set up. What tells two
/// machines apart is MachineKey's part; the rest are conditions, kept and
/// warned about.
struct Fingerprint {
  std::string cpu_model;    ///< /proc/cpuinfo's "model name".
  std::string cpu_flags;    ///< A digest of its "flags".
  int logical_cpus = 0;     ///< Online CPUs.
  int physical_cores = 0;   ///< Distinct (package, core) pairs; 0: unknown.
  bool smt = false;         ///< More than one thread per core.
  std::string governor;     ///< cpufreq's scaling_governor of cpu0; "" if none.
  std::string boost;        ///< "on", "off", or "" when the machine does not say.
  std::string kernel;       ///< uname's release.
  int aslr = -1;            ///< /proc/sys/kernel/randomize_va_space; -1 unknown.
  double load_average = 0;  ///< 1-minute load when the run started.
  std::string compiler;     ///< Of the benchmark binary, where it tells.
  std::string build_type;   ///< release or debug, where the binary tells.
};

}  // namespace redqueen
