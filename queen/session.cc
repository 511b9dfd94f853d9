#include "queen/session.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>

#include "bishop/store.h"
#include "knight/limits.h"
#include "proto/children.h"
#include "queen/binary_run.h"
#include "queen/events.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"
#include "queen/run_dir.h"
#include "queen/run_outcome.h"
#include "queen/run_reports.h"
#include "queen/runner_files.h"
#include "queen/summary.h"
#include "queen/terminal.h"
#include "queen/tick.h"
#include "rook/board.h"
#include "rook/rook.h"

namespace redqueen::queen {
namespace {

namespace asio = boost::asio;

/// Commit interval of the store: a killed redqueen loses less than this.
constexpr auto kFlushInterval = std::chrono::milliseconds(50);

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

/// Everything checked before the store is opened: the plan file, the
/// binaries (probed), the process limits their pawns need, the report paths
/// and the runner's files. 0, or the exit code (the error printed).
int Prepare(const RunOptions& options, std::vector<BinaryRun>* binaries,
            ShardPlan* shard_plan) {
  std::string error;
  if (!options.plan_path.empty() && !shard_plan->ReadPlan(options.plan_path, &error)) {
    PrintError(error);
    return kExitUsage;
  }
  if (!ProbeBinaries(options, binaries, &error)) {
    PrintError(error);
    return kExitInfra;
  }
  const bool any_exec = std::any_of(binaries->begin(), binaries->end(),
                                    [](const BinaryRun& b) { return !b.resident; });
  if (!knight::FitsLimits(options.jobs, any_exec, &error) ||
      !CheckReportPaths(options, &error)) {
    PrintError(error);
    return kExitUsage;
  }
  if (!BeginRunnerFiles(options.runner_files, &error)) {
    PrintError(error);
    return kExitInfra;
  }
  return 0;
}

/// Why a run whose store could not be opened, or whose row could not be
/// made, stopped its pawns.
constexpr const char* kNotStored = "the store could not take the run";

/// The store at `path`, or null (the error printed).
std::unique_ptr<bishop::Store> OpenStore(const std::string& path) {
  std::string error;
  std::unique_ptr<bishop::Store> store = bishop::Store::Open(path, &error);
  if (!store) PrintError(error);
  return store;
}

/// The run's row in the store; 0 (the error printed) when it cannot be made.
int64_t BeginRun(bishop::Store& store, const bishop::RunRecord& record) {
  try {
    return store.BeginRun(record);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    // Busy: another process writes the store, which is writable.
    const char* fix = what.find("locked") != std::string::npos
                          ? " (another process holds the store; wait for it, or pass "
                            "--db with another store)"
                          : " (pass --db with a writable path)";
    PrintError(what + fix);
    return 0;
  }
}

bishop::RunRecord RecordOf(const RunOptions& options, rook::Clock::TimePoint started) {
  bishop::RunRecord record;
  record.started_at = Iso8601(started);
  record.command = options.command_line;
  record.jobs = options.jobs;
  return record;
}

std::unique_ptr<Terminal> MakeTerminal(const RunOptions& options,
                                       const std::vector<std::string>& names) {
  // With --events -, stdout carries JSON Lines only; people read stderr.
  const bool events_on_stdout = options.events_path == "-";
  const bool tty = isatty(events_on_stdout ? STDERR_FILENO : STDOUT_FILENO);
  TerminalStyle style;
  style.brief = options.gtest.brief;
  style.print_time = options.gtest.print_time;
  style.color = UseColor(options.gtest.color, tty, std::getenv("TERM"));
  return std::make_unique<Terminal>(events_on_stdout ? stderr : stdout, tty, names,
                                    static_cast<uint32_t>(options.repeat), style);
}

/// The Board over every binary's Rook, with --target's groups.
std::unique_ptr<rook::Board> MakeBoard(const RunOptions& options,
                                       const std::vector<BinaryRun>& binaries,
                                       std::vector<rook::Rook*> rooks) {
  auto board = std::make_unique<rook::Board>(options.jobs, rooks, options.max_fail);
  if (!options.targets.empty()) {
    std::vector<size_t> groups;
    for (const BinaryRun& binary : binaries) groups.push_back(binary.target_index);
    std::vector<int> caps;
    for (const Target& target : options.targets) caps.push_back(target.jobs);
    board->SetGroups(std::move(groups), std::move(caps));
  }
  return board;
}

/// Whether the store is opened and read before any pawn starts. The Board
/// orders several binaries by what the store remembers of them, and an exec
/// pawn takes the list the store remembers rather than list again. The
/// pawns of one binary of resident pawns start first: the store opens (a
/// millisecond of reads and locks) while they load and list their tests.
bool LoadFirst(const std::vector<BinaryRun>& binaries) {
  return binaries.size() > 1 ||
         std::any_of(binaries.begin(), binaries.end(),
                     [](const BinaryRun& b) { return !b.resident; });
}

/// Runs the Board on the event loop until every pawn is gone, with Ctrl-C
/// stopping the pawns and the store flushed on a timer; `load` opens the
/// store (unless it is open), makes the run's row and reads what the store
/// remembers, before the pawns start when `load_first`, else while they do.
/// It returns the store, or null when the run cannot be stored (the Board
/// aborted). True when a signal interrupted the run.
bool RunToTheEnd(asio::io_context& io, rook::Board& board, Terminal& terminal,
                 const std::function<void(std::string)>& on_error,
                 const std::string& start_line,
                 const std::function<bishop::Store*()>& load, bool load_first) {
  // SIGHUP (a closed terminal, a dropped ssh session) ends the run as
  // SIGTERM does, rather than leaving it "running" with its temp folder.
  asio::signal_set interrupts(io, SIGINT, SIGTERM, SIGHUP);
  bool interrupted = false;
  interrupts.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted = true;
    terminal.Note("redqueen: interrupted; stopping the pawns");
    board.Interrupt();
  });
  asio::steady_timer flush_timer(io);
  auto stored = [&] {
    if (bishop::Store* store = load()) FlushPeriodically(flush_timer, *store, on_error);
  };
  asio::steady_timer tick_timer(io);
  TickEvery(tick_timer, [&terminal, &board] {
    terminal.Tick();
    board.Tick();
  });
  terminal.Note(start_line);
  if (load_first) stored();
  board.Start([&] {
    interrupts.cancel();
    flush_timer.cancel();
    tick_timer.cancel();
    io.stop();
  });
  if (!load_first) stored();
  io.run();
  // No process of the run outlives it.
  proto::KillOrphans();
  return interrupted;
}

/// With --events: the event log, its run_start written. False (the error
/// printed) when it cannot be written.
bool OpenEvents(const RunOptions& options, const std::vector<std::string>& names,
                std::unique_ptr<EventLog>* events) {
  if (options.events_path.empty()) return true;
  std::string error;
  *events = EventLog::Open(options.events_path, &error);
  if (!*events) {
    PrintError(error);
    return false;
  }
  (*events)->RunStart(names, options.jobs);
  return true;
}

/// Closes the run in the store, writes its reports and the runner's files;
/// returns the exit code.
int EndRun(const RunOptions& options, bishop::Store& store,
           std::vector<BinaryRun>& binaries, const bishop::RunRecord& run_record,
           int64_t run_id, RunOutcome* outcome) {
  const bool closed =
      CloseRun(store, binaries, run_id, options.shard.total > 1, &outcome->summary);
  std::vector<ReportPart> parts;
  for (const BinaryRun& binary : binaries) {
    parts.push_back({binary.path, binary.report_sink.get(), binary.rook->totals()});
  }
  if (!WriteReports(options, parts, run_id, run_record, outcome->summary)) {
    return kExitInfra;
  }
  // A run that came to its end, whatever its verdict: not a premature exit.
  const int code = outcome->exit_code;
  EndRunnerFiles(options.runner_files,
                 closed && (code == kExitPassed || code == kExitTestsFailed ||
                            code == kExitNoTests));
  return closed ? code : kExitInfra;
}

/// Keeps the Rooks until the process exits, unfreed. A Rook of 10,000 tests
/// holds some 40,000 allocations (names, results, plans): freeing them one
/// by one took about 1 ms of the run's tail, after the last pawn's exit and
/// before the exit status reaches the shell or ctest. Only memory stays:
/// a Rook finishes once every pawn is gone (Rook::MaybeFinish). Held from
/// a static, so LeakSanitizer sees it reachable.
void LeaveRooksToTheExit(std::vector<BinaryRun>& binaries) {
  static auto* const kept = new std::vector<std::unique_ptr<rook::Rook>>;
  for (BinaryRun& binary : binaries) kept->push_back(std::move(binary.rook));
}

}  // namespace

int RunSession(const RunOptions& options) {
  // First, so that it outlives every Knight and timer that uses it.
  asio::io_context io;
  std::vector<BinaryRun> binaries;
  ShardPlan shard_plan(options);
  if (const int code = Prepare(options, &binaries, &shard_plan)) return code;
  // Whatever the tests leave behind, also outside their pawn's process
  // group, becomes redqueen's to end (proto/children.h).
  proto::BecomeSubreaper();

  const bool load_first = LoadFirst(binaries);
  std::unique_ptr<bishop::Store> store;
  if (load_first && !(store = OpenStore(options.db_path))) return kExitInfra;
  RunDir run_dir;
  if (run_dir.path().empty()) {
    PrintError("cannot create a temporary folder for pawn output (is TMPDIR writable?)");
    return kExitInfra;
  }
  const rook::SystemClock clock;
  const auto started = clock.Now();
  const bishop::RunRecord run_record = RecordOf(options, started);
  // The run's row is made in `load`: its first write after the last run's
  // close creates the store's WAL file and syncs it and its folder, which
  // the pawns of a single resident binary need not wait for (they start
  // first, and the store opens after them); with LoadFirst, before any pawn.
  int64_t run_id = 0;

  std::vector<std::string> names;
  for (const BinaryRun& binary : binaries) names.push_back(LabelOf(binary));
  std::unique_ptr<Terminal> terminal = MakeTerminal(options, names);
  std::unique_ptr<EventLog> events;
  if (!OpenEvents(options, names, &events)) return kExitInfra;

  std::unique_ptr<rook::Board> board;
  std::string sink_error;
  auto on_sink_error = [&](std::string message) {
    if (sink_error.empty()) sink_error = std::move(message);
    if (board) board->Abort(sink_error);
  };
  rook::RookOptions rook_options =
      RookOptionsFor(options, binaries.size(), PlanOptionsFor(options, *terminal));
  rook_options.report_starts = events != nullptr;
  const RunWiring wiring{&io,    &store,         terminal.get(), events.get(),
                         &clock, run_dir.path(), &shard_plan,    on_sink_error};
  board =
      MakeBoard(options, binaries, WireBinaries(options, rook_options, wiring, binaries));

  const bool interrupted = RunToTheEnd(
      io, *board, *terminal, on_sink_error, StartLine(binaries, options),
      [&]() -> bishop::Store* {
        if (!store) store = OpenStore(options.db_path);
        if (store) run_id = BeginRun(*store, run_record);
        if (run_id == 0) {
          // OpenStore or BeginRun printed why. The pawns stop before any
          // test; this text is never shown.
          board->Abort(kNotStored);
          return nullptr;
        }
        for (BinaryRun& binary : binaries) binary.store_sink->Begin(store.get(), run_id);
        if (std::string load_error; !LoadSuites(*store, binaries, options.rerun_failed,
                                                shard_plan, *terminal, &load_error)) {
          on_sink_error(load_error);
        } else if (options.shard.total > 1) {
          terminal->Note(shard_plan.Line());
          try {
            store->RecordShard(run_id, shard_plan.Record());
          } catch (const std::exception& e) {
            on_sink_error(StoreFailure(e));
          }
        }
        return store.get();
      },
      load_first);
  if (run_id == 0) {
    // Nothing ran and nothing is stored: the event log still ends, and a
    // Ctrl-C while the store was busy still reads as one.
    const RunOutcome outcome =
        OutcomeOf(options, binaries, started, clock.Now(), interrupted, kNotStored);
    if (events) events->RunEnd(outcome.summary);
    return outcome.exit_code;
  }

  RunOutcome outcome =
      OutcomeOf(options, binaries, started, clock.Now(), interrupted, sink_error);
  for (const std::string& line : shard_plan.PlannedNotSeen()) terminal->Note(line);
  for (const BinaryRun& binary : binaries) {
    if (!binary.rook->running_began()) continue;
    const std::string changed =
        shard_plan.ChangedSincePlan(binary, binary.rook->list_hash());
    if (!changed.empty()) terminal->Note(changed);
  }
  if (events) events->RunEnd(outcome.summary);
  PrintOutcome(options, outcome, *terminal);
  const int code = EndRun(options, *store, binaries, run_record, run_id, &outcome);
  LeaveRooksToTheExit(binaries);
  return code;
}

}  // namespace redqueen::queen
