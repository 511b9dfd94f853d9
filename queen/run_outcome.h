// How a run came out, once its event loop ended: the summary over every
// binary, the failures to list, the verdict and its exit code; printed, and
// closed in the store. Reports are written from it (run_reports.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bishop/store.h"
#include "queen/binary_run.h"
#include "queen/options.h"
#include "queen/summary.h"
#include "queen/terminal.h"
#include "rook/clock.h"

namespace redqueen::queen {

struct RunOutcome {
  RunSummary summary;
  rook::RookOutcome outcome = rook::RookOutcome::kCompleted;
  /// Why the run ended in error (a Rook's, or a sink's); empty otherwise.
  std::string error;
  /// The error is one binary's own (and `error` is labelled with it).
  bool error_is_own = false;
  /// Some binary's pawns agreed and its tests began.
  bool began = false;
  /// The results listed at the end, with their binary's index.
  std::vector<std::pair<size_t, const TestResult*>> failures;
  /// Lines printed before the summary: per binary, per target, --until-fail.
  std::string lines;
  /// Why no test ran, when none matched (see --no-tests); empty otherwise.
  std::string no_tests;
  int exit_code = 0;
};

/// What the run's binaries came to. `interrupted`: Ctrl-C or a signal;
/// `sink_error`: the first failure of a sink or the store.
RunOutcome OutcomeOf(const RunOptions& options, std::vector<BinaryRun>& binaries,
                     rook::Clock::TimePoint started, rook::Clock::TimePoint completed,
                     bool interrupted, const std::string& sink_error);

/// The failures, the summary, and the error or the no-tests line.
void PrintOutcome(const RunOptions& options, const RunOutcome& outcome,
                  Terminal& terminal);

/// Closes the run's record: each binary's suite for its next run (and, for a
/// CI shard, the tests it had to split), and the summary. When the store fails (a full
/// disk), it says so, naming the store, and still marks the run as ended in error if the
/// store takes that much; `summary` then says "error". False when the store failed.
bool CloseRun(bishop::Store& store, std::vector<BinaryRun>& binaries, int64_t run_id,
              bool sharded, RunSummary* summary);

}  // namespace redqueen::queen
