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

#include "bishop/store.h"
#include "knight/knight.h"
#include "queen/exit_codes.h"
#include "queen/probe.h"
#include "queen/store_sink.h"
#include "queen/summary.h"
#include "queen/terminal.h"
#include "rook/rook.h"

namespace redqueen::queen {
namespace {

namespace asio = boost::asio;
using rook::RookOutcome;

/// Commit interval of the store: a killed redqueen loses less than this.
constexpr auto kFlushInterval = std::chrono::milliseconds(50);
/// How often the status line may move without a result arriving.
constexpr auto kTickInterval = std::chrono::milliseconds(250);

void PrintError(const std::string& message) {
  std::fprintf(stderr, "redqueen: error: %s\n", message.c_str());
}

/// Fans the Rook's events out to every sink and keeps each result; a sink
/// that throws stops the run instead of crashing it.
class Sinks : public rook::RunSink {
 public:
  Sinks(std::vector<rook::RunSink*> sinks, std::function<void(std::string)> on_error)
      : sinks_(std::move(sinks)), on_error_(std::move(on_error)) {}

  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected) override {
    results_.resize(tests.size());
    selected_ = selected.size();
    Each([&](rook::RunSink* sink) { sink->OnTestsListed(tests, selected); });
  }

  void OnResult(const rook::TestResult& result) override {
    results_[result.index] = result;
    Each([&](rook::RunSink* sink) { sink->OnResult(result); });
  }

  const std::vector<std::optional<rook::TestResult>>& results() const { return results_; }
  size_t selected() const { return selected_; }

 private:
  template <class F>
  void Each(F f) {
    for (rook::RunSink* sink : sinks_) {
      try {
        f(sink);
      } catch (const std::exception& e) {
        on_error_(e.what());
      }
    }
  }

  std::vector<rook::RunSink*> sinks_;
  std::function<void(std::string)> on_error_;
  std::vector<std::optional<rook::TestResult>> results_;
  size_t selected_ = 0;
};

/// A private folder for capture files and pawn temp dirs, removed at the end.
class RunDir {
 public:
  RunDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/redqueen-XXXXXX";
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~RunDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Absolute(const std::string& path) {
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

/// How the store names a binary: its path relative to the working directory,
/// however it was given, so that a/foo_test and b/foo_test stay distinct and
/// ./foo_test and $PWD/foo_test are one.
std::string Identity(const std::string& path) {
  std::error_code ec;
  const auto relative = std::filesystem::proximate(path, ec);
  return ec ? std::filesystem::path(path).lexically_normal().string()
            : relative.lexically_normal().string();
}

/// This executable, which serves as the exec pawn too.
std::string SelfPath() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : path.string();
}

void FlushPeriodically(asio::steady_timer& timer, bishop::Store& store,
                       std::function<void(std::string)> on_error) {
  timer.expires_after(kFlushInterval);
  timer.async_wait([&timer, &store, on_error](const boost::system::error_code& ec) {
    if (ec) return;
    try {
      store.Flush();
    } catch (const std::exception& e) {
      on_error(e.what());
      return;
    }
    FlushPeriodically(timer, store, on_error);
  });
}

void TickPeriodically(asio::steady_timer& timer, Terminal& terminal) {
  timer.expires_after(kTickInterval);
  timer.async_wait([&timer, &terminal](const boost::system::error_code& ec) {
    if (ec) return;
    terminal.Tick();
    TickPeriodically(timer, terminal);
  });
}

/// The run's final status and exit code, from how the Rook ended.
int Conclude(rook::RookOutcome outcome, bool interrupted, RunSummary* summary) {
  if (outcome == rook::RookOutcome::kInterrupted || interrupted) {
    summary->status = "interrupted";
    return kExitInterrupted;
  }
  if (outcome == rook::RookOutcome::kError) {
    summary->status = "error";
    return kExitInfra;
  }
  return summary->tests_failed > 0 ? kExitTestsFailed : kExitPassed;
}

std::vector<const rook::TestResult*> FailuresOf(
    const std::vector<std::optional<rook::TestResult>>& results) {
  std::vector<const rook::TestResult*> failures;
  for (const auto& result : results) {
    if (result && IsFailure(result->status)) failures.push_back(&*result);
  }
  return failures;
}

bishop::RunSummaryRecord RecordOf(const RunSummary& summary) {
  bishop::RunSummaryRecord record;
  record.status = summary.status;
  record.completed_at = summary.completed_at;
  record.total_tests = summary.total_tests;
  record.tests_passed = summary.tests_passed;
  record.tests_failed = summary.tests_failed;
  record.tests_skipped = summary.tests_skipped;
  record.execution_errors = summary.execution_errors;
  record.flaky = summary.flaky;
  record.execution_time = summary.execution_time;
  return record;
}

}  // namespace

int RunSession(const RunOptions& options) {
  std::string error;
  const BinaryKind kind = ProbeBinary(options.binary, &error);
  if (kind == BinaryKind::kUnusable) {
    PrintError(error);
    return kExitInfra;
  }
  const bool resident = options.pawn == "resident" ||
                        (options.pawn == "auto" && kind == BinaryKind::kResidentPawn);
  if (resident && kind != BinaryKind::kResidentPawn) {
    PrintError("'" + options.binary +
               "' is not linked with redqueen::gtest_main, so it cannot serve as a "
               "resident pawn; link redqueen::gtest_main instead of GTest::gtest_main "
               "(CMake: target_link_libraries(<target> PRIVATE redqueen::gtest_main)), "
               "or drop --pawn resident. None of its tests were run.");
    return kExitInfra;
  }

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
  const std::string binary = Identity(options.binary);

  asio::io_context io;
  knight::PawnSpec spec;
  if (resident) {
    spec.binary = Absolute(options.binary);
    spec.args = options.pawn_args;
  } else {
    spec.binary = SelfPath();
    spec.args = {"exec-pawn", "--list-timeout=" + std::to_string(options.list_timeout),
                 Absolute(options.binary), "--"};
    spec.args.insert(spec.args.end(), options.pawn_args.begin(), options.pawn_args.end());
  }
  spec.run_dir = run_dir.path();
  spec.pawn_count = options.jobs;
  knight::KnightFactory factory(io, spec);

  rook::RookOptions rook_options;
  rook_options.jobs = options.jobs;
  rook_options.max_restarts = options.max_restarts;
  rook_options.filter = options.gtest_filter;
  rook_options.also_run_disabled = options.also_run_disabled;
  rook_options.output_cap = options.output_cap;

  int64_t run_id = 0;
  try {
    run_id = store->BeginRun(run_record);
  } catch (const std::exception& e) {
    PrintError(std::string(e.what()) + " (pass --db with a writable path)");
    return kExitInfra;
  }

  Terminal terminal(stdout, isatty(STDOUT_FILENO));
  StoreSink store_sink(store.get(), run_id, binary);
  std::unique_ptr<rook::Rook> rook;
  std::string sink_error;
  auto on_sink_error = [&](std::string message) {
    if (sink_error.empty()) sink_error = std::move(message);
    if (rook) rook->Abort(sink_error);
  };
  Sinks sinks({&store_sink, &terminal}, on_sink_error);
  rook = std::make_unique<rook::Rook>(rook_options, &factory, &clock, &sinks);

  asio::signal_set interrupts(io, SIGINT, SIGTERM);
  bool interrupted = false;
  interrupts.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted = true;
    terminal.Note("redqueen: interrupted; stopping the pawns");
    rook->Interrupt();
  });
  asio::steady_timer flush_timer(io);
  FlushPeriodically(flush_timer, *store, on_sink_error);
  asio::steady_timer tick_timer(io);
  TickPeriodically(tick_timer, terminal);

  terminal.Note("redqueen: running " + binary + " on " + std::to_string(options.jobs) +
                (resident ? " resident" : " exec") + " pawn" +
                (options.jobs == 1 ? "" : "s"));
  rook->Start([&] {
    interrupts.cancel();
    flush_timer.cancel();
    tick_timer.cancel();
    io.stop();
  });
  io.run();

  const RookOutcome outcome = rook->outcome();
  RunSummary summary =
      Summarize(sinks.results(), sinks.selected(), started, clock.Now());
  const int code = Conclude(outcome, interrupted, &summary);
  // A run that never began (pawns disagreed, would not start) has no summary
  // worth printing: the error line says it all.
  if (rook->running_began() || outcome != RookOutcome::kError) {
    terminal.Finish(FailuresOf(sinks.results()), FormatSummary(summary));
  }
  if (outcome == RookOutcome::kError) PrintError(rook->error());
  try {
    store->FinishRun(run_id, RecordOf(summary));
  } catch (const std::exception& e) {
    PrintError(e.what());
    return kExitInfra;
  }
  return code;
}

}  // namespace redqueen::queen
