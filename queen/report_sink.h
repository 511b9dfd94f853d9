// Keeps a binary's executions for the run's reports (--junit, --json), so
// that they come from what the run holds, whatever became of the store.
#pragma once

#include <string>
#include <vector>

#include "bishop/store.h"
#include "rook/run_sink.h"

namespace redqueen::queen {

/// Only made when a report was asked for: a run without one holds nothing
/// beyond what the store queues.
class ReportSink : public rook::RunSink {
 public:
  ReportSink(std::string binary, std::string target)
      : binary_(std::move(binary)), target_(std::move(target)) {}

  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected,
                     uint64_t /*list_hash*/) override;
  void OnResult(const TestResult& result, const RunTotals& totals) override;

  /// Adds this binary's executions to `out` by test (registration order),
  /// repetition and attempt.
  void AppendTo(std::vector<bishop::RunExecution>* out) const;

  const std::string& binary() const { return binary_; }
  const std::string& target() const { return target_; }

 private:
  std::string binary_;
  std::string target_;
  /// The Rook's list, valid for as long as the Rook lives.
  const std::vector<proto::TestInfo>* tests_ = nullptr;
  std::vector<TestResult> executions_;
};

/// Every execution of the run's binaries, in the order the store's
/// RunExecutions gives them (by binary, target, test, repetition, attempt).
std::vector<bishop::RunExecution> ReportExecutions(std::vector<const ReportSink*> sinks);

}  // namespace redqueen::queen
