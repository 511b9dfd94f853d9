// What the Rook tells its sinks: the list it runs, and each test's result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/messages.h"
#include "rook/clock.h"

namespace redqueen::rook {

/// The outcome of one attempt at one test.
struct TestResult {
  uint32_t index = 0;  ///< Into the TestList: registration order.
  TestStatus status = TestStatus::kPassed;
  uint32_t repetition = 0;  ///< 0 unless --repeat.
  uint32_t attempt = 1;
  /// False for an attempt that is retried: a later one has the final word.
  bool final = true;
  uint64_t duration_us = 0;
  std::vector<proto::Failure> failures;
  /// The gtest skip message, or why redqueen did not run the test.
  std::string skip_message;
  /// For CRASHED: "signal 11 (SIGSEGV)", "exit code 1", ...
  std::string crash;
  /// Captured stdout+stderr, kept for tests that did not pass (capped).
  std::string output;
  int pawn = -1;
  Clock::TimePoint finished_at;
};

/// Receives the run as it happens. The Bishop and the terminal are sinks.
class RunSink {
 public:
  virtual ~RunSink() = default;
  /// The verified test list and the indexes selected to run. The list
  /// stays valid, unchanged, for as long as the Rook lives.
  virtual void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                             const std::vector<uint32_t>& selected) = 0;
  /// Every attempt; the last of each test and repetition is `final`.
  virtual void OnResult(const TestResult& result) = 0;
  /// A test has been running past --slow (once per test and attempt).
  virtual void OnSlow(uint32_t /*index*/, uint64_t /*running_for_us*/, int /*pawn*/) {}
  /// A test began on a pawn (only with RookOptions::report_starts).
  virtual void OnTestStarted(uint32_t /*index*/, uint32_t /*repetition*/,
                             uint32_t /*attempt*/, int /*pawn*/) {}
  /// A pawn process started, or ended (`how`: "exit code 0", "signal 9 ...").
  virtual void OnPawnStarted(int /*pawn*/, int /*pid*/) {}
  virtual void OnPawnExited(int /*pawn*/, int /*pid*/, const std::string& /*how*/) {}
};

}  // namespace redqueen::rook
