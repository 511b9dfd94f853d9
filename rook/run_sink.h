// What the Rook tells its sinks: the list it runs, and each test's result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/messages.h"
#include "proto/result.h"

namespace redqueen::rook {

/// Receives the run as it happens. The Bishop and the terminal are sinks.
class RunSink {
 public:
  virtual ~RunSink() = default;
  /// The verified test list, its proto::ListHash, and the indexes selected
  /// to run. The list stays valid, unchanged, for as long as the Rook lives.
  virtual void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                             const std::vector<uint32_t>& selected,
                             uint64_t list_hash) = 0;
  /// Every attempt; the last of each test and repetition is `final`.
  /// `totals` counts the final results so far, this one included.
  virtual void OnResult(const TestResult& result, const RunTotals& totals) = 0;
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
