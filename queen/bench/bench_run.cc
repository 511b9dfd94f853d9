#include "queen/bench/bench_run.h"

#include <stdlib.h>

#include <atomic>
#include <boost/process/search_path.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "bishop/store.h"
#include "pawn/child_process.h"
#include "queen/bench/bench_report.h"
#include "queen/bench/bench_table.h"
#include "queen/bench/fingerprint.h"
#include "queen/bench/result_file.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"
#include "queen/summary.h"

namespace redqueen::queen::bench {
namespace {

void Warn(const std::string& line) {
  std::fprintf(stderr, "redqueen: warning: %s\n", line.c_str());
}

/// What `git args...` in the working directory printed; nullopt unless it
/// ran and exited 0 (no git, not a checkout).
std::optional<std::string> Git(const std::vector<std::string>& args) {
  const std::string git_path = boost::process::search_path("git").string();
  if (git_path.empty()) return std::nullopt;
  pawn::ChildProcess git;
  git.KillAt(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  std::string out, error;
  if (!git.Start(git_path, args, &error)) return std::nullopt;
  while (git.Read(&out)) {
  }
  if (git.Wait() != 0) return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

void PrintProgress(const BenchResult& result, size_t finished, size_t total) {
  std::vector<double> times;
  for (const BenchSample& sample : result.samples) times.push_back(sample.real_ns);
  const std::string figure = result.error.empty()
                                 ? FormatDuration(MedianInterval(times).estimate)
                                 : "ERROR: " + result.error;
  std::fprintf(stderr, "[%zu/%zu] %s  %s\n", finished, total, result.name.c_str(),
               figure.c_str());
}

}  // namespace

void ShareCpus(size_t count, const std::vector<int>& cpus, BuildInfo* build,
               const std::function<void(size_t, int, BuildInfo*)>& work,
               const std::function<void(size_t, size_t)>& done) {
  std::atomic<size_t> next{0};
  size_t finished = 0;
  std::mutex mutex;
  auto work_on = [&](int cpu) {
    for (size_t i = next++; i < count; i = next++) {
      BuildInfo told;
      work(i, cpu, &told);
      std::lock_guard<std::mutex> lock(mutex);
      if (!told.build_type.empty()) *build = told;
      done(i, ++finished);
    }
  };
  std::vector<std::thread> threads;
  for (int cpu : cpus) threads.emplace_back(work_on, cpu);
  for (std::thread& thread : threads) thread.join();
}

std::vector<BenchResult> MeasureAll(
    const std::vector<BenchJob>& jobs, const MeasureSettings& settings,
    const std::vector<int>& cpus, BuildInfo* build,
    const std::function<void(const BenchResult&, size_t, size_t)>& done) {
  std::vector<BenchResult> results(jobs.size());
  ShareCpus(
      jobs.size(), cpus, build,
      [&](size_t i, int cpu, BuildInfo* told) {
        results[i] = Measure(jobs[i], settings, cpu, told);
      },
      [&](size_t i, size_t finished) { done(results[i], finished, jobs.size()); });
  return results;
}

bool FindAllBenchmarks(const std::vector<std::string>& binaries,
                       const std::string& filter, std::vector<BenchJob>* jobs,
                       int* exit_code) {
  for (const std::string& binary : binaries) {
    if (std::string error; !FindBenchmarks(binary, filter, jobs, &error)) {
      *exit_code = ErrorExit(error, kExitInfra);
      return false;
    }
  }
  if (jobs->empty()) {
    *exit_code = ErrorExit(
        filter == "*"
            ? "no benchmark in the binaries given (REDQUEEN_BENCHMARK in a suite linked "
              "with redqueen::gtest_main, or a Google Benchmark binary)"
            : "no benchmark matches --filter " + filter +
                  " ('redqueen bench list BINARY...' lists them)",
        kExitNoTests);
    return false;
  }
  return true;
}

bool TakeCpus(const std::string& cpus_option, CpuPlan* plan) {
  std::vector<int> requested;
  std::string error;
  if ((!cpus_option.empty() && !ParseCpuList(cpus_option, &requested, &error)) ||
      !PlanCpus(requested, AllowedCpus(), QuietestAllowedCpu(), plan, &error)) {
    PrintError(error);
    return false;
  }
  if (plan->queen_cpu < 0) {
    Warn("redqueen shares a CPU with the benchmarks: leave one CPU out of --cpus");
  } else if (!PinSelf(plan->queen_cpu)) {
    Warn("redqueen could not move itself to CPU " + std::to_string(plan->queen_cpu));
  }
  return true;
}

Fingerprint ReadMachine() {
  const Fingerprint machine = ReadFingerprint();
  for (const std::string& line : Warnings(machine)) Warn(line);
  return machine;
}

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/redqueen-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot make a folder under " +
                             pattern.substr(0, pattern.rfind('/')) +
                             " for the benchmarks' results (set TMPDIR)");
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string GitCommit() {
  const std::optional<std::string> commit = Git({"rev-parse", "HEAD"});
  if (!commit || commit->empty()) return "";
  const std::optional<std::string> changes =
      Git({"status", "--porcelain", "--untracked-files=no"});
  // A status that failed is not a clean tree.
  if (!changes) return *commit + "-unchecked";
  return changes->empty() ? *commit : *commit + "-dirty";
}

bool Measuring::Prepare(const MeasureOptions& options, const std::string& db_path,
                        int* exit_code) {
  if (!TakeCpus(options.cpus, &cpus)) {
    *exit_code = kExitUsage;
    return false;
  }
  std::string error;
  store = bishop::Store::Open(db_path, &error);
  if (!store) {
    *exit_code = ErrorExit(error, kExitInfra);
    return false;
  }
  machine = ReadMachine();
  started_at = Iso8601(std::chrono::system_clock::now());
  settings = options.settings;
  settings.scratch_dir = scratch.path();
  return true;
}

bishop::BenchRunRecord Measuring::Record(const BuildInfo& build,
                                         const std::string& command,
                                         const std::string& label,
                                         const std::string& kind) {
  machine.compiler = build.compiler;
  machine.build_type = build.build_type;
  return {started_at,
          command,
          GitCommit(),
          label,
          kind,
          MachineKey(machine),
          FingerprintJson(machine).dump()};
}

int BenchSession(const BenchOptions& options) {
  int exit_code = kExitPassed;
  std::vector<BenchJob> jobs;
  Measuring measuring;
  if (!FindAllBenchmarks(options.binaries, options.measure.filter, &jobs, &exit_code) ||
      !measuring.Prepare(options.measure, options.db_path, &exit_code)) {
    return exit_code;
  }
  const MeasureSettings& settings = measuring.settings;
  if (settings.repetitions * settings.bench_time * 2 > settings.timeout) {
    Warn(
        "--repetitions " + std::to_string(settings.repetitions) +
        " of --bench-time take about " +
        std::to_string(static_cast<int>(settings.repetitions * settings.bench_time * 2)) +
        " s a Google Benchmark, near or past --bench-timeout: raise it");
  }
  BuildInfo build;
  SavedRun run;
  run.results = MeasureAll(jobs, measuring.settings, measuring.cpus.bench_cpus, &build,
                           PrintProgress);
  run.record = measuring.Record(build, options.command, options.label, "bench");
  run.machine = measuring.machine;
  return ReportRun(*measuring.store, options, &run);
}

}  // namespace redqueen::queen::bench
