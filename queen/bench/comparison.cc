#include "queen/bench/comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "queen/bench/bench_table.h"
#include "queen/bench/fingerprint.h"
#include "queen/bench/google_benchmark.h"
#include "queen/exit_codes.h"

namespace redqueen::queen::bench {
namespace {

bool AllDigits(const std::string& text) {
  return !text.empty() && text.size() < 18 &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

bool LoadFile(const std::string& path, SavedRun* run, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  run->source = path;
  if (json.is_discarded()) {
    *error = "'" + path +
             "' is not JSON: a result file of --save or --json, or Google "
             "Benchmark's --benchmark_out";
    return false;
  }
  if (IsBenchFileJson(json)) {
    BenchFile file;
    if (!ReadBenchFile(path, &file, error)) return false;
    run->machine = file.machine;
    run->record.machine_key = MachineKey(file.machine);
    for (SavedBenchmark& benchmark : file.benchmarks) {
      run->results.push_back(std::move(benchmark.result));
    }
    return true;
  }
  // Google Benchmark's own file tells too little of the machine for a key:
  // such a comparison cannot be checked for being on one machine.
  if (!ParseGoogleBenchmarkJson(text.str(), path, &run->results, &run->machine, error)) {
    *error = "'" + path + "': " + *error;
    return false;
  }
  return true;
}

/// The result in `run` that stands for `result` of the other run: the same
/// name, from the binary of the same file name when the name is in several.
const BenchResult* Counterpart(const SavedRun& run, const BenchResult& result) {
  const BenchResult* found = nullptr;
  int named = 0;
  for (const BenchResult& candidate : run.results) {
    if (candidate.name != result.name) continue;
    ++named;
    if (!found || std::filesystem::path(candidate.binary).filename() ==
                      std::filesystem::path(result.binary).filename()) {
      found = &candidate;
    }
  }
  return named ? found : nullptr;
}

Comparison Unmatched(const std::string& name, const char* missing) {
  Comparison row;
  row.name = name;
  row.missing = missing;
  return row;
}

double MedianOf(const std::vector<double>& values) { return Summarize(values).median; }

Comparison Judged(const BenchResult& base, const BenchResult& fresh,
                  const GateOptions& options) {
  Comparison row;
  row.name = fresh.name;
  if (!fresh.error.empty() || fresh.samples.empty()) {
    row.missing = "ERROR: " + (fresh.error.empty() ? "no samples" : fresh.error);
    row.broken = !base.samples.empty();
    return row;
  }
  if (!base.error.empty() || base.samples.empty()) {
    row.missing = "the base has no samples: " + base.error;
    return row;
  }
  for (const auto& [side, result] :
       {std::pair("base", &base), std::pair("new", &fresh)}) {
    if (const std::string why = Unjudgeable(*result, options.use_cpu_time);
        !why.empty()) {
      row.missing = std::string("cannot judge the ") + side + ": " + why;
      row.undecided = true;
      return row;
    }
  }
  const std::vector<double> before = Times(base, options.use_cpu_time);
  const std::vector<double> after = Times(fresh, options.use_cpu_time);
  row.base_ns = MedianOf(before);
  row.new_ns = MedianOf(after);
  row.judgement = CompareSamples(before, after, options.gate);
  return row;
}

nlohmann::json RowJson(const Comparison& row) {
  nlohmann::json json = {{"name", row.name}};
  if (!row.missing.empty()) {
    json["missing"] = row.missing;
    json["broken"] = row.broken;
    return json;
  }
  const Judgement& j = row.judgement;
  json.update({{"verdict", VerdictName(j.verdict)},
               {"base_ns", row.base_ns},
               {"new_ns", row.new_ns},
               {"ratio", j.ratio.estimate},
               {"low", j.ratio.low},
               {"high", j.ratio.high},
               {"p", j.p},
               {"threshold", j.threshold},
               {"why", j.why}});
  if (row.has_a_against_a) {
    json["a_against_a"] = {{"ratio", row.a_against_a.estimate},
                           {"low", row.a_against_a.low},
                           {"high", row.a_against_a.high}};
  }
  return json;
}

std::string PValue(double p) {
  char text[32];
  std::snprintf(text, sizeof text, p < 0.001 ? "%.0e" : "%.3f", p);
  return text;
}

}  // namespace

std::string Unjudgeable(const BenchResult& result, bool cpu) {
  for (const BenchSample& sample : result.samples) {
    const double time = cpu ? sample.cpu_ns : sample.real_ns;
    if (!std::isfinite(time) || time <= 0) {
      return std::string(cpu ? "CPU" : "wall") + " time of repetition " +
             std::to_string(sample.repetition) + " is " + std::to_string(time) +
             (cpu ? " (not measured: judge --metric real)" : "");
    }
  }
  return "";
}

bool LoadSide(bishop::Store* store, const std::string& arg, SavedRun* run,
              std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) return LoadFile(arg, run, error);
  if (AllDigits(arg) && store) return LoadRun(*store, std::stoll(arg), run, error);
  *error = "'" + arg +
           "' is neither a bench run of the store ('redqueen bench runs') nor "
           "a file";
  return false;
}

std::vector<Comparison> CompareRuns(const SavedRun& base, const SavedRun& fresh,
                                    const GateOptions& options) {
  std::vector<Comparison> rows;
  for (const BenchResult& result : fresh.results) {
    const BenchResult* before = Counterpart(base, result);
    if (before) {
      rows.push_back(Judged(*before, result, options));
    } else {
      rows.push_back(Unmatched(result.name, "only in the new"));
    }
  }
  for (const BenchResult& result : base.results) {
    if (!Counterpart(fresh, result)) {
      rows.push_back(Unmatched(result.name, "only in the base"));
    }
  }
  return rows;
}

std::string ComparisonTable(const std::vector<Comparison>& rows, const std::string& base,
                            const std::string& fresh, double alpha) {
  char level[16];
  std::snprintf(level, sizeof level, "[%g%%]", 100 * (1 - alpha));
  std::vector<std::vector<std::string>> table = {
      {"benchmark", base, fresh, std::string("change ") + level, "p", "verdict"}};
  const bool noise = std::any_of(rows.begin(), rows.end(),
                                 [](const Comparison& r) { return r.has_a_against_a; });
  if (noise) table[0].insert(table[0].begin() + 4, std::string("A/A ") + level);
  for (const Comparison& row : rows) {
    if (!row.missing.empty()) {
      table.push_back({row.name, "", "", row.missing});
      continue;
    }
    std::vector<std::string> cells = {row.name,
                                      FormatDuration(row.base_ns),
                                      FormatDuration(row.new_ns),
                                      FormatChangeInterval(row.judgement.ratio),
                                      PValue(row.judgement.p),
                                      VerdictName(row.judgement.verdict)};
    if (noise) {
      cells.insert(cells.begin() + 4,
                   row.has_a_against_a ? FormatChangeInterval(row.a_against_a) : "");
    }
    table.push_back(cells);
  }
  return FormatTable(table);
}

int ExitCodeOf(const std::vector<Comparison>& rows, bool fail_unstable) {
  bool unstable = false;
  for (const Comparison& row : rows) {
    if (row.broken) return kExitTestsFailed;
    unstable |= row.undecided;
    if (!row.missing.empty()) continue;
    if (row.judgement.verdict == Verdict::kSlower) return kExitTestsFailed;
    unstable |= row.judgement.verdict == Verdict::kUnstable;
  }
  return unstable && fail_unstable ? kExitInfra : kExitPassed;
}

bool WriteComparisonJson(const std::string& path, const std::vector<Comparison>& rows,
                         const std::string& base, const std::string& fresh,
                         const GateOptions& options, int exit_code, std::string* error) {
  nlohmann::json json = {{"base", base},
                         {"new", fresh},
                         {"threshold", options.gate.threshold},
                         {"alpha", options.gate.alpha},
                         {"metric", options.use_cpu_time ? "cpu" : "real"},
                         {"exit_code", exit_code},
                         {"benchmarks", nlohmann::json::array()}};
  for (const Comparison& row : rows) json["benchmarks"].push_back(RowJson(row));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << json.dump(2) << "\n";
  if (!out.flush()) {
    *error = "cannot write --json '" + path + "'";
    return false;
  }
  return true;
}

std::string VerdictCounts(const std::vector<Comparison>& rows) {
  std::map<std::string, int> counts;
  for (const Comparison& row : rows) {
    counts[row.missing.empty() ? VerdictName(row.judgement.verdict)
           : row.broken        ? "broken"
                               : "not compared"]++;
  }
  std::string text;
  for (const char* name :
       {"slower", "broken", "unstable", "faster", "no change", "not compared"}) {
    if (counts[name])
      text += (text.empty() ? "" : ", ") + std::to_string(counts[name]) + " " + name;
  }
  return text;
}

}  // namespace redqueen::queen::bench
