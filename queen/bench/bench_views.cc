#include "queen/bench/bench_views.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bishop/store.h"
#include "queen/bench/bench_html.h"
#include "queen/bench/bench_report.h"
#include "queen/bench/bench_run.h"
#include "queen/bench/bench_table.h"
#include "queen/bench/comparison.h"
#include "queen/bench/fingerprint.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"

namespace redqueen::queen::bench {
namespace {

/// The store for reading; null with the error printed. A store that is
/// not there yet is not an error for `compare` of two files.
std::unique_ptr<bishop::Store> OpenStore(const std::string& db_path, bool required) {
  std::error_code ec;
  if (!required && !std::filesystem::exists(db_path, ec)) return nullptr;
  std::string error;
  std::unique_ptr<bishop::Store> store = bishop::Store::OpenForReading(db_path, &error);
  if (!store) PrintError(error);
  return store;
}

std::string Machine(const Fingerprint& machine) {
  return machine.cpu_model + ", " + std::to_string(machine.logical_cpus) + " CPUs" +
         (machine.governor.empty() ? "" : ", governor " + machine.governor) +
         (machine.build_type.empty() ? "" : ", " + machine.build_type + " build");
}

/// Refuses two runs of different machines unless --cross-machine: the
/// line printed, false.
bool SameMachine(const SavedRun& base, const SavedRun& fresh, bool cross_machine) {
  if (base.record.machine_key.empty() || fresh.record.machine_key.empty()) {
    std::fprintf(stderr,
                 "redqueen: note: a Google Benchmark file does not say enough of its "
                 "machine to check that both sides ran on one\n");
    return true;
  }
  if (base.record.machine_key == fresh.record.machine_key || cross_machine) return true;
  PrintError("the two sides ran on different machines (" +
             DescribeDifference(base.machine, fresh.machine) +
             "): their times do not compare; --cross-machine compares them anyway");
  return false;
}

}  // namespace

int ListBenchmarks(const std::vector<std::string>& binaries, const std::string& filter) {
  std::vector<BenchJob> jobs;
  int exit_code = kExitPassed;
  if (!FindAllBenchmarks(binaries, filter, &jobs, &exit_code)) return exit_code;
  for (const BenchJob& job : jobs) {
    std::printf("%s %s (%s)\n", job.binary.c_str(), job.name.c_str(),
                BenchKindName(job.kind));
  }
  return kExitPassed;
}

int ListRuns(const std::string& db_path, int limit) {
  std::unique_ptr<bishop::Store> store = OpenStore(db_path, true);
  if (!store) return kExitInfra;
  std::vector<std::vector<std::string>> rows = {
      {"run", "started", "kind", "label", "commit", "benchmarks", "samples"}};
  for (const bishop::BenchRunRow& row : store->BenchRuns(limit)) {
    rows.push_back({std::to_string(row.id), row.run.started_at, row.run.kind,
                    row.run.label, row.run.git_commit.substr(0, 12),
                    std::to_string(row.benchmarks), std::to_string(row.samples)});
  }
  if (rows.size() == 1) {
    std::printf("no bench run in '%s' yet ('redqueen bench BINARY...' makes one)\n",
                db_path.c_str());
    return kExitPassed;
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  return kExitPassed;
}

int ShowRun(const std::string& db_path, int64_t run_id, const GateOptions& gate) {
  std::unique_ptr<bishop::Store> store = OpenStore(db_path, true);
  if (!store) return kExitInfra;
  if (run_id == 0) run_id = store->LatestBenchRun();
  if (run_id == 0) return ErrorExit("no bench run in '" + db_path + "' yet", kExitInfra);
  SavedRun run, previous;
  std::string error;
  if (!LoadRun(*store, run_id, &run, &error)) return ErrorExit(error, kExitInfra);
  const bool has_previous =
      run.record.kind == "bench" && PreviousRun(*store, run, &previous);
  std::printf(
      "bench run %lld, %s, %s%s\n  %s\n  on %s\n%s%s", static_cast<long long>(run.id),
      run.record.started_at.c_str(), run.record.kind.c_str(),
      run.record.git_commit.empty() ? "" : (", commit " + run.record.git_commit).c_str(),
      run.record.command.c_str(), Machine(run.machine).c_str(),
      RunTable(run, has_previous ? &previous : nullptr, gate).c_str(),
      FiguresText(run).c_str());
  return kExitPassed;
}

int WriteReport(const std::string& db_path, int runs, const std::string& path) {
  std::unique_ptr<bishop::Store> store = OpenStore(db_path, true);
  if (!store) return kExitInfra;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << BenchHtml(HistoryRuns(*store, runs));
  if (!out.flush()) return ErrorExit("cannot write '" + path + "'", kExitUsage);
  return kExitPassed;
}

int CompareMain(const CompareOptions& options) {
  std::unique_ptr<bishop::Store> store = OpenStore(options.db_path, false);
  SavedRun base, fresh;
  std::string error;
  if (!LoadSide(store.get(), options.base, &base, &error) ||
      !LoadSide(store.get(), options.fresh, &fresh, &error)) {
    return ErrorExit(error, kExitUsage);
  }
  for (const SavedRun* side : {&base, &fresh}) {
    if (side->record.kind == "ab") {
      return ErrorExit(side->source +
                           " is a bench ab run, judged in its own table ('redqueen "
                           "bench show " +
                           std::to_string(side->id) + "')",
                       kExitUsage);
    }
  }
  if (!SameMachine(base, fresh, options.cross_machine)) return kExitUsage;
  const std::vector<Comparison> rows = CompareRuns(base, fresh, options.gate);
  const int exit_code = ExitCodeOf(rows, options.gate.fail_unstable);
  std::printf(
      "%s%s\n",
      ComparisonTable(rows, base.source, fresh.source, options.gate.gate.alpha).c_str(),
      VerdictCounts(rows).c_str());
  if (!options.gate.json_path.empty() &&
      !WriteComparisonJson(options.gate.json_path, rows, base.source, fresh.source,
                           options.gate, exit_code, &error)) {
    return ErrorExit(error, kExitUsage);
  }
  return exit_code;
}

}  // namespace redqueen::queen::bench
