#include "queen/bench/ab.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <tuple>

#include "queen/bench/bench_run.h"
#include "queen/bench/bench_table.h"
#include "queen/bench/comparison.h"
#include "queen/bench/fingerprint.h"
#include "queen/bench/stats.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"
#include "queen/summary.h"

namespace redqueen::queen::bench {
namespace {

/// One benchmark in both builds, and what its cycles measured.
struct AbPair {
  BenchJob base;
  BenchJob fresh;
  BenchResult a, b, a2;  ///< One sample per cycle each.
};

double MedianField(const BenchResult& process, double BenchSample::*field) {
  std::vector<double> values;
  for (const BenchSample& sample : process.samples) values.push_back(sample.*field);
  return Summarize(values).median;
}

BenchResult EmptyArm(const BenchJob& job, const char* arm) {
  BenchResult result;
  result.binary = job.binary;
  result.name = job.name;
  result.kind = job.kind;
  result.arm = arm;
  return result;
}

/// Measures one process of `job` into `arm`; false once it failed.
bool MeasureInto(const BenchJob& job, const MeasureSettings& settings, int cpu, int cycle,
                 BenchResult* arm, BuildInfo* build) {
  const BenchResult process = Measure(job, settings, cpu, build);
  if (!process.error.empty() || process.samples.empty()) {
    arm->error = process.error.empty() ? "it measured nothing" : process.error;
    arm->samples.clear();
    return false;
  }
  arm->samples.push_back(CycleSample(process, cycle));
  return true;
}

void RunCycles(AbPair* pair, int cycles, const MeasureSettings& settings, int cpu,
               BuildInfo* build) {
  pair->a = EmptyArm(pair->base, "A");
  pair->b = EmptyArm(pair->fresh, "B");
  pair->a2 = EmptyArm(pair->base, "A2");
  for (int cycle = 0; cycle < cycles; ++cycle) {
    BenchResult* first = cycle % 2 ? &pair->a2 : &pair->a;
    BenchResult* last = cycle % 2 ? &pair->a : &pair->a2;
    if (!MeasureInto(pair->base, settings, cpu, cycle, first, build) ||
        !MeasureInto(pair->fresh, settings, cpu, cycle, &pair->b, build) ||
        !MeasureInto(pair->base, settings, cpu, cycle, last, build)) {
      return;
    }
  }
}

bool Has(const std::vector<BenchJob>& jobs, const std::string& name) {
  return std::any_of(jobs.begin(), jobs.end(),
                     [&name](const BenchJob& job) { return job.name == name; });
}

/// Rows for the benchmarks only one build has: shown, not judged.
std::vector<Comparison> OneSided(const std::vector<BenchJob>& base,
                                 const std::vector<BenchJob>& fresh) {
  std::vector<Comparison> rows;
  for (const auto& [jobs, other, side] :
       {std::tuple(&fresh, &base, "only in the new"),
        std::tuple(&base, &fresh, "only in the base")}) {
    for (const BenchJob& job : *jobs) {
      if (Has(*other, job.name)) continue;
      Comparison row;
      row.name = job.name;
      row.missing = side;
      rows.push_back(row);
    }
  }
  return rows;
}

/// The benchmarks of the new build that the base has too, by name.
std::vector<AbPair> Pairs(const std::vector<BenchJob>& base,
                          const std::vector<BenchJob>& fresh) {
  std::vector<AbPair> pairs;
  for (const BenchJob& job : fresh) {
    for (const BenchJob& candidate : base) {
      if (candidate.name == job.name) {
        pairs.push_back({candidate, job, {}, {}, {}});
        break;
      }
    }
  }
  return pairs;
}

void MeasurePairs(std::vector<AbPair>* pairs, int cycles, const MeasureSettings& settings,
                  const std::vector<int>& cpus, BuildInfo* build) {
  ShareCpus(
      pairs->size(), cpus, build,
      [&](size_t i, int cpu, BuildInfo* told) {
        RunCycles(&(*pairs)[i], cycles, settings, cpu, told);
      },
      [&](size_t i, size_t finished) {
        std::fprintf(stderr, "[%zu/%zu] %s\n", finished, pairs->size(),
                     (*pairs)[i].fresh.name.c_str());
      });
}

Comparison Judge(const AbPair& pair, const GateOptions& options) {
  Comparison row;
  row.name = pair.fresh.name;
  for (const BenchResult* arm : {&pair.a, &pair.b, &pair.a2}) {
    if (!arm->error.empty()) {
      row.missing =
          "ERROR (" + std::string(arm == &pair.b ? "new" : "base") + "): " + arm->error;
      row.broken = arm == &pair.b;
      return row;
    }
  }
  for (const BenchResult* arm : {&pair.a, &pair.b, &pair.a2}) {
    if (const std::string why = Unjudgeable(*arm, options.use_cpu_time); !why.empty()) {
      row.missing = "cannot judge arm " + arm->arm + ": " + why;
      row.undecided = true;
      return row;
    }
  }
  std::vector<double> ratios, a_against_a;
  PairedRatios(pair.a.samples, pair.b.samples, pair.a2.samples, options.use_cpu_time,
               &ratios, &a_against_a);
  row.base_ns = Summarize(Times(pair.a, options.use_cpu_time)).median;
  row.new_ns = Summarize(Times(pair.b, options.use_cpu_time)).median;
  row.judgement = ComparePaired(ratios, a_against_a, options.gate);
  row.a_against_a = PairedRatioInterval(a_against_a, 1 - options.gate.alpha);
  row.has_a_against_a = true;
  return row;
}

bool FindBoth(const AbOptions& options, std::vector<AbPair>* pairs,
              std::vector<Comparison>* one_sided, int* exit_code) {
  std::vector<BenchJob> base, fresh;
  if (!FindAllBenchmarks({options.base_binary}, options.measure.filter, &base,
                         exit_code) ||
      !FindAllBenchmarks({options.new_binary}, options.measure.filter, &fresh,
                         exit_code)) {
    return false;
  }
  *pairs = Pairs(base, fresh);
  *one_sided = OneSided(base, fresh);
  if (pairs->empty()) {
    *exit_code =
        ErrorExit("the two binaries have no benchmark of the same name", kExitNoTests);
    return false;
  }
  for (AbPair& pair : *pairs) {
    pair.base.arm = "A";
    pair.fresh.arm = "B";
  }
  return true;
}

std::string Decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

BenchSample CycleSample(const BenchResult& process, int cycle) {
  BenchSample sample;
  sample.repetition = cycle;
  sample.iterations = process.samples.front().iterations;
  sample.real_ns = MedianField(process, &BenchSample::real_ns);
  sample.cpu_ns = MedianField(process, &BenchSample::cpu_ns);
  sample.counters = process.samples.front().counters;
  sample.quality = process.samples.front().quality;
  return sample;
}

void PairedRatios(const std::vector<BenchSample>& a, const std::vector<BenchSample>& b,
                  const std::vector<BenchSample>& a2, bool cpu,
                  std::vector<double>* ratios, std::vector<double>* a_against_a) {
  auto value = [cpu](const BenchSample& s) { return cpu ? s.cpu_ns : s.real_ns; };
  const size_t cycles = std::min({a.size(), b.size(), a2.size()});
  for (size_t k = 0; k < cycles; ++k) {
    ratios->push_back(value(b[k]) / std::sqrt(value(a[k]) * value(a2[k])));
    // A over A': A runs first in even cycles and last in odd ones, so a
    // drift over the invocation cancels in these as in B's ratios.
    a_against_a->push_back(value(a[k]) / value(a2[k]));
  }
}

int AbSession(const AbOptions& options) {
  const double confidence = 1 - options.gate.gate.alpha;
  if (!EnoughForPairedInterval(options.cycles, confidence)) {
    int fewest = options.cycles;
    while (!EnoughForPairedInterval(fewest, confidence)) ++fewest;
    return ErrorExit("--cycles " + std::to_string(options.cycles) +
                         " can never decide at --alpha " +
                         Decimal(options.gate.gate.alpha) + ": give at least " +
                         std::to_string(fewest) + " cycles",
                     kExitUsage);
  }
  int exit_code = kExitPassed;
  std::vector<AbPair> pairs;
  std::vector<Comparison> one_sided;
  if (!FindBoth(options, &pairs, &one_sided, &exit_code)) return exit_code;
  Measuring measuring;
  if (!measuring.Prepare(options.measure, options.db_path, &exit_code)) return exit_code;
  // A process is one figure of its cycle: the cycles are the repetitions.
  measuring.settings.repetitions = 1;
  BuildInfo build;
  MeasurePairs(&pairs, options.cycles, measuring.settings, measuring.cpus.bench_cpus,
               &build);
  const bishop::BenchRunRecord record =
      measuring.Record(build, options.command, "ab", "ab");

  std::vector<BenchResult> results;
  std::vector<Comparison> rows;
  for (const AbPair& pair : pairs) {
    results.insert(results.end(), {pair.a, pair.b, pair.a2});
    rows.push_back(Judge(pair, options.gate));
  }
  rows.insert(rows.end(), one_sided.begin(), one_sided.end());
  const int64_t run_id = measuring.store->BeginBenchRun(record);
  measuring.store->AddBenchResults(run_id, results);
  exit_code = ExitCodeOf(rows, options.gate.fail_unstable);
  std::string error;
  std::printf("redqueen: bench ab, run %lld: %d cycles of A B A' per benchmark\n%s%s\n",
              static_cast<long long>(run_id), options.cycles,
              ComparisonTable(rows, "base", "new", options.gate.gate.alpha).c_str(),
              VerdictCounts(rows).c_str());
  if (!options.gate.json_path.empty() &&
      !WriteComparisonJson(options.gate.json_path, rows, options.base_binary,
                           options.new_binary, options.gate, exit_code, &error)) {
    return ErrorExit(error, kExitUsage);
  }
  return exit_code;
}

}  // namespace redqueen::queen::bench
