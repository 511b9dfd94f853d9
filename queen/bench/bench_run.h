// `redqueen bench BINARY...`: every benchmark of the binaries measured, one
// at a time on each benchmark CPU, stored as a bench run, shown as a table
// beside the previous run on this machine, and saved as a numbered file.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bishop/store.h"
#include "proto/bench.h"
#include "queen/bench/bench_options.h"
#include "queen/bench/cpus.h"

namespace redqueen::queen::bench {

/// Runs work(i, cpu, &told) for each i below `count`, as many at once as
/// `cpus` has CPUs, each on its own; then, one at a time, keeps what the
/// work told of its build in `*build` and calls done(i, finished so far).
void ShareCpus(size_t count, const std::vector<int>& cpus, BuildInfo* build,
               const std::function<void(size_t, int, BuildInfo*)>& work,
               const std::function<void(size_t, size_t)>& done);

/// Measures `jobs` in order, as many at once as `cpus` has CPUs, each on
/// its own; `done(result, finished, total)` after each (from any thread,
/// one at a time). Results come back in the jobs' order.
std::vector<BenchResult> MeasureAll(
    const std::vector<BenchJob>& jobs, const MeasureSettings& settings,
    const std::vector<int>& cpus, BuildInfo* build,
    const std::function<void(const BenchResult&, size_t, size_t)>& done);

/// The jobs of every binary, or false with the exit code's line printed.
bool FindAllBenchmarks(const std::vector<std::string>& binaries,
                       const std::string& filter, std::vector<BenchJob>* jobs,
                       int* exit_code);

/// The CPUs to measure on, with redqueen pinned off them; false with the
/// line printed (exit 2).
bool TakeCpus(const std::string& cpus_option, CpuPlan* plan);

/// The machine, with its warnings printed.
Fingerprint ReadMachine();

/// A private folder for the benchmarks' result files, under TMPDIR; it is
/// removed with this object.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// The checkout's commit (with "-dirty" for uncommitted changes), or "".
std::string GitCommit();

/// What a measuring command (bench, bench ab) has set up before its first
/// benchmark: redqueen off the benchmarks' CPUs, the store open, the
/// machine read, a folder for the benchmarks' files.
struct Measuring {
  CpuPlan cpus;
  std::unique_ptr<bishop::Store> store;
  Fingerprint machine;
  std::string started_at;
  ScratchDir scratch;
  MeasureSettings settings;  ///< With the scratch folder.

  /// False with the line printed and `*exit_code` (a bad --cpus: 2; a store
  /// that cannot be opened: 3), before anything is measured.
  bool Prepare(const MeasureOptions& options, const std::string& db_path, int* exit_code);
  /// The run's row, with what the benchmarks told of their build.
  bishop::BenchRunRecord Record(const BuildInfo& build, const std::string& command,
                                const std::string& label, const std::string& kind);
};

/// Runs `redqueen bench BINARY...`; returns the exit code.
int BenchSession(const BenchOptions& options);

}  // namespace redqueen::queen::bench
