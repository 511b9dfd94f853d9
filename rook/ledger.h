// The ledger: what the results mean for the run. It counts the executions
// planned and without a final result, repetition by repetition, keeps the
// running totals every result event carries, decides whether a failed
// attempt runs again (and calls a retry that passes FLAKY), and writes the
// results of the tests a stopped run leaves unfinished. It touches no queue
// and no sink: the Rook queues what it says to run again and reports.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "proto/result.h"
#include "rook/work.h"

namespace redqueen::rook {

/// What one attempt's result means.
struct Conclusion {
  /// Stamped with its repetition and attempt; FLAKY for a retry that
  /// passed; not final when `again` is set.
  TestResult result;
  /// The next attempt, to run ahead of everything queued (nullopt: the
  /// result is final).
  std::optional<Work> again;
};

class Ledger {
 public:
  /// `retries`: how often a failed, crashed or timed-out test runs again;
  /// `repeat`: runs of every test (0: until the run is stopped).
  Ledger(int retries, uint32_t repeat) : retries_(retries), repeat_(repeat) {}

  /// Opens the next repetition, of `executions` tests; returns its number.
  uint32_t BeginRepetition(size_t executions);
  /// True while `repeat` allows another repetition.
  bool MoreRepetitions() const { return repeat_ == 0 || repetitions_.size() < repeat_; }

  /// The attempt `work` ended with `result`. `may_retry`: the run goes on
  /// (it is not stopping), so a failure may run again.
  Conclusion Conclude(const Work& work, TestResult result, bool may_retry);
  /// A test whose pawn was killed for --max-memory runs again once per
  /// repetition (another pawn may have been the hog): true the first time.
  bool FirstMemoryKill(const Work& work) {
    return memory_requeued_.insert({work.index, work.repetition}).second;
  }
  /// Counts a result as it is reported: a final one closes its execution
  /// and goes into the totals. True for a final failure.
  bool Record(const TestResult& result);

  /// The results of `left`, which will not run for `reason`, in
  /// registration order (repetition, then index), as every report lists
  /// tests.
  static std::vector<TestResult> NotRunResults(std::vector<Work> left, NotRun reason);

  /// Executions planned and without a final result.
  size_t open() const { return open_; }
  uint32_t repetitions_begun() const {
    return static_cast<uint32_t>(repetitions_.size());
  }
  /// Repetitions that ended with every test passing.
  uint32_t RepetitionsPassed() const;
  /// The counts of the final results so far.
  const RunTotals& totals() const { return totals_; }
  /// The mean duration of the attempts concluded so far, at least 1 us once
  /// any was (tests faster than the clock most need large batches); 0: none.
  uint64_t MeanDurationUs() const;
  /// Results of attempts received so far.
  size_t attempts_in() const { return attempts_in_; }

 private:
  /// Open results and whether any failed, of one repetition.
  struct Repetition {
    size_t open = 0;
    bool failed = false;
  };

  int retries_;
  uint32_t repeat_;
  std::vector<Repetition> repetitions_;
  size_t open_ = 0;
  RunTotals totals_;
  /// Results of every attempt concluded, for the mean duration.
  size_t attempts_in_ = 0;
  uint64_t total_duration_us_ = 0;
  /// Tests (index, repetition) already run again after a memory kill.
  std::set<std::pair<uint32_t, uint32_t>> memory_requeued_;
};

}  // namespace redqueen::rook
