#include "queen/session.h"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>

#include "bishop/store.h"
#include "knight/knight.h"
#include "knight/limits.h"
#include "proto/children.h"
#include "queen/binaries.h"
#include "queen/events.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"
#include "queen/report_sink.h"
#include "queen/report_text.h"
#include "queen/run_dir.h"
#include "queen/run_reports.h"
#include "queen/runner_files.h"
#include "queen/sinks.h"
#include "queen/store_sink.h"
#include "queen/summary.h"
#include "queen/terminal.h"
#include "queen/tick.h"
#include "rook/board.h"
#include "rook/rook.h"

namespace redqueen::queen {
namespace {

namespace asio = boost::asio;
using rook::RookOutcome;

/// Commit interval of the store: a killed redqueen loses less than this.
constexpr auto kFlushInterval = std::chrono::milliseconds(50);

/// A store that failed as the run wrote to it (its message names the file).
std::string StoreFailure(const std::exception& e) {
  return std::string(e.what()) + " (make room for it, or pass --db with another store)";
}

void FlushPeriodically(asio::steady_timer& timer, bishop::Store& store,
                       std::function<void(std::string)> on_error) {
  timer.expires_after(kFlushInterval);
  timer.async_wait([&timer, &store, on_error](const boost::system::error_code& ec) {
    if (ec) return;
    try {
      store.Flush();
    } catch (const std::exception& e) {
      on_error(StoreFailure(e));
      return;
    }
    FlushPeriodically(timer, store, on_error);
  });
}

/// The run's final status and exit code, from how the Rook ended.
int ExitCode(rook::RookOutcome outcome, bool interrupted, RunSummary* summary) {
  if (outcome == rook::RookOutcome::kInterrupted || interrupted) {
    summary->status = "interrupted";
    return kExitInterrupted;
  }
  if (outcome == rook::RookOutcome::kError) {
    summary->status = "error";
    return kExitInfra;
  }
  return summary->status == "failed" ? kExitTestsFailed : kExitPassed;
}

/// The results listed at the end: failures, and FLAKY ones with --flaky-fails.
std::vector<const TestResult*> FailuresOf(const std::vector<TestResult>& finals,
                                          bool flaky_fails) {
  std::vector<const TestResult*> failures;
  for (const auto& result : finals) {
    if (IsFailure(result.status) ||
        (flaky_fails && result.status == TestStatus::kFlaky)) {
      failures.push_back(&result);
    }
  }
  return failures;
}

rook::Order OrderOf(const std::string& kind) {
  if (kind == "declared") return rook::Order::kDeclared;
  if (kind == "random") return rook::Order::kRandom;
  return rook::Order::kHistory;
}

/// --order as the Rooks take it. A random order without a seed gets one,
/// printed so that the run can be repeated.
rook::PlanOptions PlanOptionsFor(const RunOptions& options, Terminal& terminal) {
  rook::PlanOptions plan;
  std::string kind;
  bool seeded = false;
  ParseOrder(options.order, &kind, &plan.seed, &seeded);
  plan.order = OrderOf(kind);
  if (plan.order == rook::Order::kRandom && !seeded) {
    plan.seed = std::random_device{}() % 1'000'000;
    terminal.Note("redqueen: random order, seed " + std::to_string(plan.seed) +
                  " (--order random:" + std::to_string(plan.seed) + " repeats it)");
  }
  plan.failed_first = options.failed_first;
  plan.by_suite = options.by_suite;
  return plan;
}

/// One binary of the run, with its pawns' factory, its sinks and its Rook.
struct BinaryRun : Binary {
  std::unique_ptr<knight::KnightFactory> factory;
  std::unique_ptr<StoreSink> store_sink;
  /// Only with --junit or --json.
  std::unique_ptr<ReportSink> report_sink;
  /// Only with TEST_WARNINGS_OUTPUT_FILE.
  std::unique_ptr<WarningsSink> warnings_sink;
  std::unique_ptr<Sinks> sinks;
  std::unique_ptr<rook::Rook> rook;
};

/// --rerun-failed: the tests of `binary` that did not pass in its last
/// completed run, or every test when it has none (a run that never ended is
/// no baseline); one line says which.
void RestrictToNotPassed(bishop::Store& store, BinaryRun& binary, Terminal& terminal) {
  std::optional<bishop::LastFailures> last =
      store.NotPassedLastTime(binary.identity, binary.target);
  const std::string label = BinaryLabel(binary.identity, binary.target);
  if (!last) {
    terminal.Note("redqueen: --rerun-failed: no completed run of " + label +
                  " in the store: running every test");
    return;
  }
  const size_t count = last->names.size();
  terminal.Note("redqueen: --rerun-failed: " + std::to_string(count) +
                (count == 1 ? " test of " : " tests of ") + label +
                " did not pass in run " + std::to_string(last->run_id));
  binary.rook->RestrictTo(
      std::make_shared<const std::unordered_set<std::string>>(std::move(last->names)));
}

/// Gives each Rook (and store sink) what the store remembers of its binary
/// (and, for --rerun-failed, what did not pass last time). Called once the
/// pawns are starting, so the reading overlaps their start-up. False with
/// `*error` when the store cannot be read.
bool LoadSuites(bishop::Store& store, std::vector<BinaryRun>& binaries, bool rerun_failed,
                Terminal& terminal, std::string* error) {
  try {
    for (BinaryRun& binary : binaries) {
      if (std::optional<bishop::SuiteRecord> suite =
              store.LoadSuite(binary.identity, binary.target)) {
        binary.store_sink->Remember(*suite);
        binary.rook->SetPast(std::move(suite->past));
      }
      if (rerun_failed) RestrictToNotPassed(store, binary, terminal);
    }
  } catch (const std::exception& e) {
    *error = std::string(e.what()) + " (pass --db with another store)";
    return false;
  }
  return true;
}

/// "x_test: 5 passed, 1 failed, 0 skipped".
std::string CountsLine(const std::string& label, const RunTotals& counts) {
  return label + ": " + std::to_string(counts.tests_passed) + " passed, " +
         std::to_string(counts.tests_failed) + " failed, " +
         std::to_string(counts.tests_skipped) + " skipped\n";
}

std::string StartLine(const std::vector<BinaryRun>& binaries, const RunOptions& options) {
  const int jobs = options.jobs;
  std::string kinds;
  const bool any_resident = std::any_of(binaries.begin(), binaries.end(),
                                        [](const BinaryRun& b) { return b.resident; });
  const bool any_exec = std::any_of(binaries.begin(), binaries.end(),
                                    [](const BinaryRun& b) { return !b.resident; });
  kinds = any_resident && any_exec ? " resident and exec"
          : any_resident           ? " resident"
                                   : " exec";
  const size_t distinct = binaries.size() / std::max<size_t>(options.targets.size(), 1);
  std::string what =
      distinct == 1 ? binaries[0].identity : std::to_string(distinct) + " binaries";
  if (!options.targets.empty()) {
    what += " for " + std::to_string(options.targets.size()) + " targets";
  }
  return "redqueen: running " + what + " on " + std::to_string(jobs) + kinds + " pawn" +
         (jobs == 1 ? "" : "s");
}

/// Closes the run's record: each binary's suite for its next run, and the
/// summary. When the store fails (a full disk), it says so, naming the
/// store, and still marks the run as ended in error if the store takes that
/// much; `summary` then says "error". False when the store failed.
bool CloseRun(bishop::Store& store, std::vector<BinaryRun>& binaries, int64_t run_id,
              RunSummary* summary) {
  try {
    for (BinaryRun& binary : binaries) {
      if (binary.rook->running_began()) {
        binary.store_sink->SaveSuite(binary.rook->list_hash(), binary.rook->history());
      }
    }
    store.FinishRun(run_id, *summary);
    return true;
  } catch (const std::exception& e) {
    PrintError(StoreFailure(e));
  }
  summary->status = "error";
  try {
    store.Abandon();
    store.FinishRun(run_id, *summary);
  } catch (const std::exception&) {
    PrintError("the store could not mark run " + std::to_string(run_id) +
               " as ended: it stays 'running' there, and --rerun-failed passes over it");
  }
  return false;
}

/// What to say when no test of any binary matched the filter (empty when one
/// did). An empty shard, or --rerun-failed with nothing to rerun, matched.
std::string NoTestsLine(const RunOptions& options,
                        const std::vector<BinaryRun>& binaries) {
  size_t listed = 0;
  for (const BinaryRun& binary : binaries) {
    if (!binary.rook->running_began() || binary.rook->matched() > 0) return "";
    listed += binary.rook->listed();
  }
  const std::string of = binaries.size() == 1
                             ? LabelOf(binaries[0])
                             : std::to_string(binaries.size()) + " binaries";
  if (options.gtest_filter != "*") {
    return "no test of " + of + " matches " + options.gtest_filter_spelt + " '" +
           options.gtest_filter + "'";
  }
  return listed == 0 ? of + " has no test" : "every test of " + of + " is DISABLED_";
}

}  // namespace

int RunSession(const RunOptions& options) {
  // First, so that it outlives every Knight and timer that uses it.
  asio::io_context io;
  std::vector<BinaryRun> binaries;
  {
    std::vector<Binary> probed;
    std::string probe_error;
    if (!ProbeAll(options, &probed, &probe_error)) {
      PrintError(probe_error);
      return kExitInfra;
    }
    for (Binary& binary : PerTarget(options, std::move(probed))) {
      binaries.emplace_back();
      static_cast<Binary&>(binaries.back()) = std::move(binary);
    }
  }
  {
    std::string limit_error;
    const bool any_exec = std::any_of(binaries.begin(), binaries.end(),
                                      [](const BinaryRun& b) { return !b.resident; });
    if (!knight::FitsLimits(options.jobs, any_exec, &limit_error)) {
      PrintError(limit_error);
      return kExitUsage;
    }
  }
  {
    std::string check_error;
    if (!CheckReportPaths(options, &check_error)) {
      PrintError(check_error);
      return kExitUsage;
    }
    if (!BeginRunnerFiles(options.runner_files, &check_error)) {
      PrintError(check_error);
      return kExitInfra;
    }
  }
  // Whatever the tests leave behind, also outside their pawn's process
  // group, becomes redqueen's to end (proto/children.h).
  proto::BecomeSubreaper();

  std::string error;
  std::unique_ptr<bishop::Store> store = bishop::Store::Open(options.db_path, &error);
  if (!store) {
    PrintError(error);
    return kExitInfra;
  }
  RunDir run_dir;
  if (run_dir.path().empty()) {
    PrintError("cannot create a temporary folder for pawn output (is TMPDIR writable?)");
    return kExitInfra;
  }

  const rook::SystemClock clock;
  const auto started = clock.Now();
  bishop::RunRecord run_record;
  run_record.started_at = Iso8601(started);
  run_record.command = options.command_line;
  run_record.jobs = options.jobs;
  int64_t run_id = 0;
  try {
    run_id = store->BeginRun(run_record);
  } catch (const std::exception& e) {
    PrintError(std::string(e.what()) + " (pass --db with a writable path)");
    return kExitInfra;
  }

  std::vector<std::string> names;
  for (const BinaryRun& binary : binaries) names.push_back(LabelOf(binary));
  // With --events -, stdout carries JSON Lines only; people read stderr.
  const bool events_on_stdout = options.events_path == "-";
  const bool tty = isatty(events_on_stdout ? STDERR_FILENO : STDOUT_FILENO);
  TerminalStyle style;
  style.brief = options.gtest.brief;
  style.print_time = options.gtest.print_time;
  style.color = UseColor(options.gtest.color, tty, std::getenv("TERM"));
  Terminal terminal(events_on_stdout ? stderr : stdout, tty, names,
                    static_cast<uint32_t>(options.repeat), style);
  std::unique_ptr<rook::Board> board;
  std::string sink_error;
  auto on_sink_error = [&](std::string message) {
    if (sink_error.empty()) sink_error = std::move(message);
    if (board) board->Abort(sink_error);
  };

  std::unique_ptr<EventLog> events;
  if (!options.events_path.empty()) {
    std::string events_error;
    events = EventLog::Open(options.events_path, &events_error);
    if (!events) {
      PrintError(events_error);
      return kExitInfra;
    }
    events->RunStart(names, options.jobs);
  }
  rook::RookOptions rook_options =
      RookOptionsFor(options, binaries.size(), PlanOptionsFor(options, terminal));
  rook_options.report_starts = events != nullptr;
  std::vector<rook::Rook*> rooks;
  for (size_t i = 0; i < binaries.size(); ++i) {
    BinaryRun& binary = binaries[i];
    binary.factory = std::make_unique<knight::KnightFactory>(
        io, SpecFor(options, binary, i, run_dir.path()));
    binary.store_sink =
        std::make_unique<StoreSink>(store.get(), run_id, binary.identity, binary.target);
    std::vector<rook::RunSink*> sinks = {binary.store_sink.get(), terminal.Sink(i)};
    if (events) sinks.push_back(events->Sink(i));
    if (!options.junit_path.empty() || !options.json_path.empty() ||
        !options.junit_dir.empty() || !options.json_dir.empty()) {
      binary.report_sink = std::make_unique<ReportSink>(binary.identity, binary.target);
      sinks.push_back(binary.report_sink.get());
    }
    if (!options.runner_files.warnings.empty()) {
      binary.warnings_sink =
          std::make_unique<WarningsSink>(options.runner_files.warnings, LabelOf(binary));
      sinks.push_back(binary.warnings_sink.get());
    }
    binary.sinks = std::make_unique<Sinks>(std::move(sinks), on_sink_error);
    binary.rook = std::make_unique<rook::Rook>(rook_options, binary.factory.get(), &clock,
                                               binary.sinks.get());
    // Written while the pawns exit, rather than after.
    binary.rook->OnAllResultsIn([&binary, &store, on_sink_error] {
      try {
        binary.store_sink->SaveSuite(binary.rook->list_hash(), binary.rook->history());
        store->Flush();
      } catch (const std::exception& e) {
        on_sink_error(StoreFailure(e));
      }
    });
    rooks.push_back(binary.rook.get());
  }
  board = std::make_unique<rook::Board>(options.jobs, rooks, options.max_fail);
  if (!options.targets.empty()) {
    std::vector<size_t> groups;
    for (const BinaryRun& binary : binaries) groups.push_back(binary.target_index);
    std::vector<int> caps;
    for (const Target& target : options.targets) caps.push_back(target.jobs);
    board->SetGroups(std::move(groups), std::move(caps));
  }

  // SIGHUP (a closed terminal, a dropped ssh session) ends the run as
  // SIGTERM does, rather than leaving it "running" with its temp folder.
  asio::signal_set interrupts(io, SIGINT, SIGTERM, SIGHUP);
  bool interrupted = false;
  interrupts.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted = true;
    terminal.Note("redqueen: interrupted; stopping the pawns");
    board->Interrupt();
  });
  asio::steady_timer flush_timer(io);
  FlushPeriodically(flush_timer, *store, on_sink_error);
  asio::steady_timer tick_timer(io);
  TickEvery(tick_timer, [&terminal, &board] {
    terminal.Tick();
    board->Tick();
  });

  terminal.Note(StartLine(binaries, options));
  board->Start([&] {
    interrupts.cancel();
    flush_timer.cancel();
    tick_timer.cancel();
    io.stop();
  });
  if (std::string load_error;
      !LoadSuites(*store, binaries, options.rerun_failed, terminal, &load_error)) {
    board->Abort(load_error);
  }
  io.run();
  // No process of the run outlives it.
  proto::KillOrphans();

  const auto completed = clock.Now();
  RunSummary summary;
  RookOutcome outcome = RookOutcome::kCompleted;
  std::string rook_error;
  bool began = false;
  std::vector<std::pair<size_t, const TestResult*>> failures;
  std::string per_binary;
  uint32_t repetitions_passed = UINT32_MAX;
  std::vector<RunTotals> per_target(options.targets.size());
  for (size_t i = 0; i < binaries.size(); ++i) {
    BinaryRun& binary = binaries[i];
    const RunTotals& part = binary.rook->totals();
    Accumulate(part, &summary);
    // One line per binary when there are several; --target adds its own.
    if (binaries.size() > std::max<size_t>(options.targets.size(), 1)) {
      per_binary += CountsLine(LabelOf(binary), part);
    }
    if (!options.targets.empty()) per_target[binary.target_index].Add(part);
    for (const TestResult* result :
         FailuresOf(binary.sinks->notable(), options.flaky_fails)) {
      failures.emplace_back(i, result);
    }
    // A binary with no selected test has no repetitions to count.
    if (binary.rook->repetitions_begun() > 0) {
      repetitions_passed = std::min(repetitions_passed, binary.rook->RepetitionsPassed());
    }
    began = began || binary.rook->running_began();
    const RookOutcome own = binary.rook->outcome();
    if (own == RookOutcome::kError && rook_error.empty()) {
      rook_error = LabelOf(binary) + ": " + binary.rook->error();
    }
    if (own == RookOutcome::kError ||
        (own == RookOutcome::kInterrupted && outcome != RookOutcome::kError)) {
      outcome = own;
    }
  }
  for (size_t t = 0; t < per_target.size(); ++t) {
    per_binary += CountsLine("target " + options.targets[t].name, per_target[t]);
  }
  if (!sink_error.empty() && rook_error.empty()) rook_error = sink_error;
  if (!rook_error.empty()) outcome = RookOutcome::kError;
  Conclude(started, completed, &summary);
  if (options.flaky_fails) {
    // FLAKY tests count as failed ones.
    summary.status = summary.tests_failed + summary.flaky > 0 ? "failed" : "passed";
  }
  int code = ExitCode(outcome, interrupted, &summary);
  const std::string no_tests = code == kExitPassed ? NoTestsLine(options, binaries) : "";
  if (!no_tests.empty() && options.no_tests == "fail") code = kExitNoTests;
  if (events) events->RunEnd(summary);
  if (repetitions_passed == UINT32_MAX) repetitions_passed = 0;
  if (options.until_fail && began) {
    per_binary = "until-fail: " + std::to_string(repetitions_passed) + " repetition" +
                 (repetitions_passed == 1 ? "" : "s") + " passed" +
                 (summary.tests_failed > 0 ? " before the first failure" : "") + "\n" +
                 per_binary;
  }
  // A run that never began (pawns disagreed, would not start) has no summary
  // worth printing: the error line says it all.
  if (began || outcome != RookOutcome::kError) {
    terminal.Finish(failures, per_binary + FormatSummary(summary));
  }
  if (outcome == RookOutcome::kError) PrintError(rook_error);
  if (!no_tests.empty() && options.no_tests == "fail") {
    PrintError(no_tests +
               (options.gtest_filter != "*" ? " (is the filter mistyped?" : " (") +
               " --no-tests warn or pass accepts it)");
  } else if (!no_tests.empty() && options.no_tests == "warn") {
    terminal.Note("redqueen: warning: " + no_tests);
  }
  const bool closed = CloseRun(*store, binaries, run_id, &summary);
  std::vector<ReportPart> parts;
  for (const BinaryRun& binary : binaries) {
    parts.push_back({binary.path, binary.report_sink.get(), binary.rook->totals()});
  }
  if (!WriteReports(options, parts, run_id, run_record, summary)) return kExitInfra;
  // A run that came to its end, whatever its verdict: not a premature exit.
  EndRunnerFiles(options.runner_files,
                 closed && (code == kExitPassed || code == kExitTestsFailed ||
                            code == kExitNoTests));
  return closed ? code : kExitInfra;
}

}  // namespace redqueen::queen
