#include "queen/run_outcome.h"

#include <algorithm>
#include <cstdint>

#include "queen/exit_codes.h"
#include "queen/print_error.h"

namespace redqueen::queen {
namespace {

using rook::RookOutcome;

/// The run's final status and exit code, from how the Rooks ended.
int ExitCode(RookOutcome outcome, bool interrupted, RunSummary* summary) {
  if (outcome == RookOutcome::kInterrupted || interrupted) {
    summary->status = "interrupted";
    return kExitInterrupted;
  }
  if (outcome == RookOutcome::kError) {
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

/// "x_test: 5 passed, 1 failed, 0 skipped".
std::string CountsLine(const std::string& label, const RunTotals& counts) {
  return label + ": " + std::to_string(counts.tests_passed) + " passed, " +
         std::to_string(counts.tests_failed) + " failed, " +
         std::to_string(counts.tests_skipped) + " skipped\n";
}

/// What to say when no test of any binary matched the filter (empty when one
/// did). An empty shard, or --rerun-failed with nothing to rerun, matched.
std::string NoTestsLine(const RunOptions& options,
                        const std::vector<BinaryRun>& binaries) {
  size_t listed = 0;
  for (const BinaryRun& binary : binaries) {
    if (!binary.rook->running_began() || !binary.rook->matched().empty()) return "";
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

/// The worst of the Rooks' outcomes (an error over an interruption), the
/// first Rook's own error (labelled with its binary; one passed on to every
/// Rook, as the store's, is not labelled), and whether any began.
void AddRookOutcome(const BinaryRun& binary, RunOutcome* out) {
  out->began = out->began || binary.rook->running_began();
  const RookOutcome own = binary.rook->outcome();
  if (own == RookOutcome::kError && binary.rook->error_is_own()) {
    if (!out->error_is_own) out->error = LabelOf(binary) + ": " + binary.rook->error();
    out->error_is_own = true;
  } else if (own == RookOutcome::kError && out->error.empty()) {
    out->error = binary.rook->error();
  }
  if (own == RookOutcome::kError ||
      (own == RookOutcome::kInterrupted && out->outcome != RookOutcome::kError)) {
    out->outcome = own;
  }
}

/// Adds up the binaries' totals into the summary, with a line per binary
/// when there are several (and per target with --target); and the failures.
void AddTotals(const RunOptions& options, std::vector<BinaryRun>& binaries,
               RunOutcome* out) {
  std::vector<RunTotals> per_target(options.targets.size());
  for (size_t i = 0; i < binaries.size(); ++i) {
    BinaryRun& binary = binaries[i];
    const RunTotals& part = binary.rook->totals();
    Accumulate(part, &out->summary);
    if (binaries.size() > std::max<size_t>(options.targets.size(), 1)) {
      out->lines += CountsLine(LabelOf(binary), part);
    }
    if (!options.targets.empty()) per_target[binary.target_index].Add(part);
    for (const TestResult* result :
         FailuresOf(binary.sinks->notable(), options.flaky_fails)) {
      out->failures.emplace_back(i, result);
    }
    AddRookOutcome(binary, out);
  }
  for (size_t t = 0; t < per_target.size(); ++t) {
    out->lines += CountsLine("target " + options.targets[t].name, per_target[t]);
  }
}

/// --until-fail: how many repetitions passed, every binary's alike.
std::string UntilFailLine(const std::vector<BinaryRun>& binaries, bool failed) {
  uint32_t passed = UINT32_MAX;
  for (const BinaryRun& binary : binaries) {
    // A binary with no selected test has no repetitions to count.
    if (binary.rook->repetitions_begun() > 0) {
      passed = std::min(passed, binary.rook->RepetitionsPassed());
    }
  }
  if (passed == UINT32_MAX) passed = 0;
  return "until-fail: " + std::to_string(passed) + " repetition" +
         (passed == 1 ? "" : "s") + " passed" +
         (failed ? " before the first failure" : "") + "\n";
}

}  // namespace

RunOutcome OutcomeOf(const RunOptions& options, std::vector<BinaryRun>& binaries,
                     rook::Clock::TimePoint started, rook::Clock::TimePoint completed,
                     bool interrupted, const std::string& sink_error) {
  RunOutcome out;
  AddTotals(options, binaries, &out);
  if (!sink_error.empty() && out.error.empty()) out.error = sink_error;
  if (!out.error.empty()) out.outcome = RookOutcome::kError;
  Conclude(started, completed, &out.summary);
  if (options.flaky_fails) {
    // FLAKY tests count as failed ones.
    out.summary.status =
        out.summary.tests_failed + out.summary.flaky > 0 ? "failed" : "passed";
  }
  out.exit_code = ExitCode(out.outcome, interrupted, &out.summary);
  if (out.exit_code == kExitPassed) out.no_tests = NoTestsLine(options, binaries);
  if (!out.no_tests.empty() && options.no_tests == "fail") out.exit_code = kExitNoTests;
  if (options.until_fail && out.began) {
    out.lines = UntilFailLine(binaries, out.summary.tests_failed > 0) + out.lines;
  }
  return out;
}

void PrintOutcome(const RunOptions& options, const RunOutcome& out, Terminal& terminal) {
  // A run that never began (pawns disagreed, would not start) has no summary
  // worth printing: the error line says it all.
  if (out.began || out.outcome != RookOutcome::kError) {
    terminal.Finish(out.failures, out.lines + FormatSummary(out.summary));
  }
  if (out.outcome == RookOutcome::kError) PrintError(out.error);
  if (!out.no_tests.empty() && options.no_tests == "fail") {
    PrintError(out.no_tests +
               (options.gtest_filter != "*" ? " (is the filter mistyped?" : " (") +
               " --no-tests warn or pass accepts it)");
  } else if (!out.no_tests.empty() && options.no_tests == "warn") {
    terminal.Note("redqueen: warning: " + out.no_tests);
  }
}

bool CloseRun(bishop::Store& store, std::vector<BinaryRun>& binaries, int64_t run_id,
              bool sharded, RunSummary* summary) {
  try {
    for (BinaryRun& binary : binaries) {
      if (!binary.rook->running_began()) continue;
      binary.store_sink->SaveSuite(binary.rook->list_hash(), binary.rook->history());
      if (sharded) binary.store_sink->SaveShardTests(binary.rook->matched());
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

}  // namespace redqueen::queen
