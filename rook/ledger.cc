#include "rook/ledger.h"

#include <algorithm>
#include <string>

namespace redqueen::rook {

uint32_t Ledger::BeginRepetition(size_t executions) {
  const auto repetition = static_cast<uint32_t>(repetitions_.size());
  repetitions_.push_back({executions, false});
  open_ += executions;
  return repetition;
}

Conclusion Ledger::Conclude(const Work& work, TestResult result, bool may_retry) {
  result.repetition = work.repetition;
  result.attempt = work.attempt;
  ++attempts_in_;
  total_duration_us_ += result.duration_us;
  if (IsFailure(result.status) && static_cast<int>(work.attempt) <= retries_ &&
      may_retry) {
    result.final = false;
    const Work next{work.index, work.repetition, work.attempt + 1, result.pawn};
    return Conclusion{std::move(result), next};
  }
  if (result.status == TestStatus::kPassed && work.attempt > 1) {
    result.status = TestStatus::kFlaky;
  }
  return Conclusion{std::move(result), std::nullopt};
}

bool Ledger::Record(const TestResult& result) {
  if (!result.final) return false;
  const bool failed = IsFailure(result.status);
  Repetition& repetition = repetitions_.at(result.repetition);
  --repetition.open;
  repetition.failed = repetition.failed || failed;
  --open_;
  totals_.Add(result.status);
  return failed;
}

std::vector<TestResult> Ledger::NotRunResults(std::vector<Work> left, NotRun reason) {
  std::sort(left.begin(), left.end(), [](const Work& a, const Work& b) {
    return a.repetition != b.repetition ? a.repetition < b.repetition : a.index < b.index;
  });
  std::vector<TestResult> results;
  for (const Work& work : left) {
    TestResult out;
    out.index = work.index;
    out.repetition = work.repetition;
    out.attempt = work.attempt;
    out.status = TestStatus::kSkipped;
    out.not_run = reason;
    out.skip_message = NotRunMessage(reason);
    results.push_back(std::move(out));
  }
  return results;
}

uint32_t Ledger::RepetitionsPassed() const {
  uint32_t passed = 0;
  for (const Repetition& repetition : repetitions_) {
    passed += repetition.open == 0 && !repetition.failed;
  }
  return passed;
}

uint64_t Ledger::MeanDurationUs() const {
  return attempts_in_ == 0 ? 0 : std::max<uint64_t>(total_duration_us_ / attempts_in_, 1);
}

}  // namespace redqueen::rook
