#include "queen/store_sink.h"

#include "queen/summary.h"

namespace redqueen::queen {

StoreSink::StoreSink(bishop::Store* store, int64_t run_id, std::string binary,
                     std::string target)
    : store_(store),
      run_id_(run_id),
      binary_(std::move(binary)),
      target_(std::move(target)) {}

void StoreSink::Remember(const bishop::SuiteRecord& suite) {
  seen_run_id_ = suite.run_id;
  known_hash_ = suite.past.list_hash;
  known_ids_ = suite.test_ids;
}

void StoreSink::OnTestsListed(const std::vector<proto::TestInfo>& tests,
                              const std::vector<uint32_t>&) {
  tests_ = &tests;
  if (!known_ids_.empty() && known_ids_.size() == tests.size() &&
      proto::ListHash(tests) == known_hash_) {
    test_ids_ = std::move(known_ids_);
  } else {
    test_ids_ = store_->AddTests(binary_, tests, target_);
  }
}

bishop::ExecutionRecord ExecutionOf(const rook::TestResult& result, int64_t test_id) {
  bishop::ExecutionRecord record;
  record.test_id = test_id;
  record.repetition = static_cast<int>(result.repetition);
  record.attempt = static_cast<int>(result.attempt);
  record.final = result.final;
  record.status = std::string(StatusName(result.status));
  record.duration_us = result.duration_us;
  record.finished_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           result.finished_at.time_since_epoch())
                           .count();
  record.pawn = result.pawn;
  record.skip_message = result.skip_message;
  record.crash = result.crash;
  record.output = result.output;
  record.failures = result.failures;
  return record;
}

void StoreSink::OnResult(const rook::TestResult& result) {
  store_->AddExecution(run_id_, ExecutionOf(result, test_ids_.at(result.index)));
  if (result.final && result.status != TestStatus::kSkipped) {
    const bool passed =
        result.status == TestStatus::kPassed || result.status == TestStatus::kFlaky;
    outcomes_.push_back({result.index, passed, result.duration_us});
  }
}

rook::History StoreSink::Advance(rook::History history) const {
  history.resize(tests_->size());
  for (const Outcome& outcome : outcomes_) {
    history[outcome.index].Record(outcome.passed, outcome.duration_us);
  }
  return history;
}

void StoreSink::SaveSuite(uint64_t list_hash, const rook::History& before) {
  if (!tests_ || saved_) return;
  saved_ = true;
  rook::History base = before;
  int64_t seen = seen_run_id_;
  // Twice at most: within the store's write transaction, the second sees
  // what the first saw.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (store_->SaveSuite(
            binary_, target_, seen, run_id_,
            bishop::EncodeSuite(list_hash, *tests_, test_ids_, Advance(base)))) {
      return;
    }
    // Another run of this binary finished since this one began: build on
    // what it left, so that neither run's outcomes are lost.
    const std::optional<bishop::SuiteRecord> theirs = store_->LoadSuite(binary_, target_);
    if (!theirs) return;
    seen = theirs->run_id;
    base = rook::Carry(theirs->past, *tests_);
  }
}

}  // namespace redqueen::queen
