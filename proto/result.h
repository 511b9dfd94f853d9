// One attempt at one test, in the one shape every layer above the wire holds:
// the Rook makes it from a pawn's Result (or from a pawn's death, a timeout, a
// stop), the sinks read it, the store binds it to its INSERT and gives it back
// to the reports. And the running totals of a binary's final results.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/messages.h"
#include "proto/status.h"

namespace redqueen {

/// Why redqueen did not run a test (its SKIPPED, not gtest's GTEST_SKIP).
/// Stored as its integer: --rerun-failed reruns every test with a reason.
enum class NotRun : uint8_t {
  kRan = 0,                 ///< It ran (gtest may still have skipped it).
  kFailFast = 1,            ///< --fail-fast or --max-fail stopped the run before it.
  kInterrupted = 2,         ///< The run was interrupted before it began.
  kInterruptedRunning = 3,  ///< The run was interrupted while it ran.
  kRunStopped = 4,          ///< The run stopped on an error before it began.
};

inline constexpr NotRun kLastNotRun = NotRun::kRunStopped;

/// The skip message of a test not run for `reason` ("fail-fast", ...); for
/// kInterruptedRunning, the start of it (the time it ran follows).
std::string_view NotRunMessage(NotRun reason);

struct TestResult {
  uint32_t index = 0;  ///< Into the binary's test list: registration order.
  TestStatus status = TestStatus::kPassed;
  uint32_t repetition = 0;  ///< 0 unless --repeat.
  uint32_t attempt = 1;
  /// False for an attempt that is retried: a later one has the final word.
  bool final = true;
  uint64_t duration_us = 0;
  int64_t finished_us = 0;  ///< Unix time in microseconds.
  int pawn = -1;
  /// 0: run by this run's own redqueen. In a run that `redqueen merge`
  /// made of CI shards' runs, the shard that ran it, from 1; its machine is
  /// that item of the run's host list.
  uint32_t shard = 0;
  NotRun not_run = NotRun::kRan;
  std::vector<proto::Failure> failures;
  /// The gtest skip message, or why redqueen did not run the test.
  std::string skip_message;
  /// For CRASHED: "signal 11 (SIGSEGV)", "exit code 1", ...
  std::string crash;
  /// Captured stdout+stderr, kept for tests that did not pass (capped).
  std::string output;
};

/// The counts of a binary's final results (one per test and repetition) so
/// far: the Rook keeps them, every report reads them.
struct RunTotals {
  int64_t total_tests = 0;
  int64_t tests_passed = 0;  ///< PASSED and FLAKY.
  int64_t tests_failed = 0;  ///< FAILED, CRASHED and TIMEOUT.
  int64_t tests_skipped = 0;
  /// Tests whose execution did not complete: the pawn died or hung.
  int64_t execution_errors = 0;
  int64_t flaky = 0;

  /// Counts one final result.
  void Add(TestStatus final_status);
  /// Adds another binary's totals.
  void Add(const RunTotals& other);
};

}  // namespace redqueen
