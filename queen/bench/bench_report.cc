#include "queen/bench/bench_report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "queen/bench/bench_table.h"
#include "queen/bench/fingerprint.h"
#include "queen/bench/stats.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"

namespace redqueen::queen::bench {
namespace {

BenchStatistics StatisticsOf(const BenchResult& result, bool cpu) {
  const Summary summary = Summarize(Times(result, cpu));
  BenchStatistics statistics;
  statistics.rounds = summary.rounds;
  for (const BenchSample& sample : result.samples)
    statistics.iterations += sample.iterations;
  statistics.min = summary.min;
  statistics.max = summary.max;
  statistics.mean = summary.mean;
  statistics.median = summary.median;
  statistics.stddev = summary.stddev;
  statistics.iqr = summary.iqr;
  return statistics;
}

/// "12.3%": how much the samples spread, as the CV of the wall times.
std::string Spread(const std::vector<double>& times) {
  const Summary summary = Summarize(times);
  if (summary.rounds < 2 || summary.mean <= 0) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * summary.stddev / summary.mean);
  return text;
}

std::vector<std::string> Row(const BenchResult& result, const SavedRun* previous,
                             const GateOptions& gate) {
  // `bench ab` keeps each benchmark three times, one per arm.
  const std::string name =
      result.arm.empty() ? result.name : result.name + " [" + result.arm + "]";
  if (!result.error.empty()) return {name, "ERROR: " + result.error};
  const std::vector<double> times = Times(result, gate.use_cpu_time);
  std::vector<std::string> row = {
      name, FormatTimeInterval(MedianInterval(times)),
      std::to_string(result.samples.empty() ? 0 : result.samples.front().iterations),
      std::to_string(result.samples.size()), Spread(times)};
  if (!previous) return row;
  const BenchResult* before = Find(*previous, result.binary, result.name);
  if (!before) return row;
  const Judgement judgement =
      CompareSamples(Times(*before, gate.use_cpu_time), times, gate.gate);
  row.push_back(FormatChangeInterval(judgement.ratio));
  row.push_back(VerdictName(judgement.verdict));
  return row;
}

std::string Median(const std::vector<double>& values) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", Summarize(values).median);
  return text;
}

/// "name=median" for each figure of the samples' maps that `pick` gives.
std::string FigureList(const BenchResult& result,
                       const std::map<std::string, double>& (*pick)(const BenchSample&)) {
  std::map<std::string, std::vector<double>> values;
  for (const BenchSample& sample : result.samples) {
    for (const auto& [name, value] : pick(sample)) values[name].push_back(value);
  }
  std::string text;
  for (const auto& [name, list] : values) {
    text += (text.empty() ? "" : " ") + name + "=" + Median(list);
  }
  return text;
}

const std::map<std::string, double>& CountersOf(const BenchSample& s) {
  return s.counters;
}
const std::map<std::string, double>& QualityOf(const BenchSample& s) { return s.quality; }

}  // namespace

std::vector<double> Times(const BenchResult& result, bool cpu) {
  std::vector<double> times;
  for (const BenchSample& sample : result.samples) {
    times.push_back(cpu ? sample.cpu_ns : sample.real_ns);
  }
  return times;
}

const BenchResult* Find(const SavedRun& run, const std::string& binary,
                        const std::string& name) {
  for (const BenchResult& result : run.results) {
    if (result.name == name && (binary.empty() || result.binary == binary) &&
        !result.samples.empty()) {
      return &result;
    }
  }
  return nullptr;
}

std::string RunTable(const SavedRun& run, const SavedRun* previous,
                     const GateOptions& gate) {
  std::vector<std::vector<std::string>> rows = {
      {"benchmark", gate.use_cpu_time ? "cpu time [95%]" : "time [95%]", "iterations",
       "rounds", "cv"}};
  if (previous) {
    rows[0].push_back("change vs " + previous->source);
    rows[0].push_back("verdict");
  }
  for (const BenchResult& result : run.results)
    rows.push_back(Row(result, previous, gate));
  return FormatTable(rows);
}

std::string FiguresText(const SavedRun& run) {
  std::string text;
  for (const BenchResult& result : run.results) {
    const std::string counters = FigureList(result, CountersOf);
    const std::string quality = FigureList(result, QualityOf);
    if (counters.empty() && quality.empty()) continue;
    text += "  " + result.name + ":";
    if (!counters.empty()) text += " " + counters;
    if (!quality.empty()) text += " quality: " + quality;
    text += "\n";
  }
  return text;
}

bool LoadRun(bishop::Store& store, int64_t id, SavedRun* run, std::string* error) {
  const std::optional<bishop::BenchRunRow> row = store.BenchRun(id);
  if (!row) {
    *error = "the store has no bench run " + std::to_string(id) +
             " ('redqueen bench runs' lists them)";
    return false;
  }
  run->id = id;
  run->record = row->run;
  run->machine = FingerprintFromJson(nlohmann::json::parse(row->run.fingerprint_json));
  run->results = store.BenchResults(id);
  run->source = "run " + std::to_string(id);
  return true;
}

bool PreviousRun(bishop::Store& store, const SavedRun& run, SavedRun* previous) {
  for (const bishop::BenchRunRow& row : store.BenchRuns(50)) {
    if (row.id >= run.id || row.run.kind != "bench" ||
        row.run.machine_key != run.record.machine_key) {
      continue;
    }
    std::string error;
    if (!LoadRun(store, row.id, previous, &error)) continue;
    for (const BenchResult& result : run.results) {
      if (Find(*previous, result.binary, result.name)) return true;
    }
  }
  return false;
}

BenchFile FileOf(const SavedRun& run) {
  BenchFile file;
  file.run_id = run.id;
  file.started_at = run.record.started_at;
  file.git_commit = run.record.git_commit;
  file.label = run.record.label;
  file.command = run.record.command;
  file.machine = run.machine;
  for (const BenchResult& result : run.results) {
    file.benchmarks.push_back(
        {result, StatisticsOf(result, false), StatisticsOf(result, true)});
  }
  return file;
}

int ReportRun(bishop::Store& store, const BenchOptions& options, SavedRun* run) {
  // A store that fails now must not cost what was measured: the table and
  // the files still come, and the exit code says the store failed.
  std::string store_error;
  try {
    run->id = store.BeginBenchRun(run->record);
    store.AddBenchResults(run->id, run->results);
    run->source = "run " + std::to_string(run->id);
  } catch (const std::exception& e) {
    store_error = std::string(e.what()) +
                  " (the run is not in the store; --save and --json still write it)";
    run->id = 0;
  }
  SavedRun previous;
  const bool has_previous = run->id && PreviousRun(store, *run, &previous);
  std::printf("redqueen: bench run %lld\n%s%s", static_cast<long long>(run->id),
              RunTable(*run, has_previous ? &previous : nullptr, GateOptions{}).c_str(),
              FiguresText(*run).c_str());
  std::string error;
  if (options.save) {
    const std::filesystem::path folder =
        std::filesystem::path(options.db_path).parent_path() / "bench";
    const std::string path = NextResultPath(folder.string(), options.label, &error);
    if (path.empty() || !WriteBenchFile(path, FileOf(*run), &error)) {
      return ErrorExit(error + (run->id ? " (the run is kept in the store as run " +
                                              std::to_string(run->id) + ")"
                                        : ""),
                       kExitInfra);
    }
    std::printf("redqueen: saved %s\n", path.c_str());
  }
  if (!options.json_path.empty() &&
      !WriteBenchFile(options.json_path, FileOf(*run), &error)) {
    return ErrorExit(error, kExitUsage);
  }
  if (!store_error.empty()) return ErrorExit(store_error, kExitInfra);
  const bool failed = std::any_of(run->results.begin(), run->results.end(),
                                  [](const BenchResult& r) { return !r.error.empty(); });
  return failed ? kExitTestsFailed : kExitPassed;
}

}  // namespace redqueen::queen::bench
