// The run summary: the same fields in every mode, for the terminal and store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rook/clock.h"
#include "rook/result.h"

namespace redqueen::queen {

struct RunSummary {
  std::string status;  ///< passed, failed, interrupted, error.
  int64_t total_tests = 0;
  int64_t tests_passed = 0;
  /// FAILED, CRASHED and TIMEOUT tests.
  int64_t tests_failed = 0;
  int64_t tests_skipped = 0;
  /// Tests whose execution did not complete: the pawn died or hung.
  int64_t execution_errors = 0;
  int64_t flaky = 0;
  double execution_time = 0;  ///< Seconds.
  std::string started_at;
  std::string completed_at;
};

/// "2026-11-22T02:11:25.123Z".
std::string Iso8601(rook::Clock::TimePoint time);

/// Adds one final result (one per test and repetition) to the counts.
void Count(const rook::TestResult& final, RunSummary* summary);

/// Sets the times, and `status` to passed or failed from the counts (the
/// caller decides it for interrupted and errored runs).
void Conclude(rook::Clock::TimePoint started, rook::Clock::TimePoint completed,
              RunSummary* summary);

/// Adds `part`'s counts to `total` (one summary over several binaries).
void Accumulate(const RunSummary& part, RunSummary* total);

/// The summary block printed at the end of a run, one "key: value" a line.
std::string FormatSummary(const RunSummary& summary);

}  // namespace redqueen::queen
