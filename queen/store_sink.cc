#include "queen/store_sink.h"

#include <stdexcept>

#include "queen/summary.h"

namespace redqueen::queen {
namespace {

/// Results queued that make the sink commit them at once rather than at the
/// flush timer. A run of short tests otherwise leaves them all to its end,
/// where nothing else is left to do while they are written (10,000 took
/// 16 ms); more commits cost little, and each holds the store's lock as
/// briefly as the timer's.
constexpr size_t kCommitRows = 1024;

}  // namespace

std::string StoreFailure(const std::exception& e) {
  return std::string(e.what()) + " (make room for it, or pass --db with another store)";
}

StoreSink::StoreSink(std::string binary, std::string target)
    : binary_(std::move(binary)), target_(std::move(target)) {}

void StoreSink::Remember(const bishop::SuiteRecord& suite) {
  seen_run_id_ = suite.run_id;
  known_hash_ = suite.past.list_hash;
  known_ids_ = suite.test_ids;
  remembered_by_ = suite.listed_by;
}

void StoreSink::OnTestsListed(const std::vector<proto::TestInfo>& tests,
                              const std::vector<uint32_t>&, uint64_t list_hash) {
  tests_ = &tests;
  // The Rook has checked the list against its hash: a rerun's hash is the
  // remembered one without hashing 10,000 names again.
  if (!known_ids_.empty() && known_ids_.size() == tests.size() &&
      list_hash == known_hash_) {
    test_ids_ = std::move(known_ids_);
  } else {
    test_ids_ = store_->AddTests(binary_, tests, target_);
  }
}

void StoreSink::OnResult(const TestResult& result, const RunTotals&) {
  store_->AddExecution(run_id_, test_ids_.at(result.index), result);
  if (result.final && result.status != TestStatus::kSkipped) {
    const bool passed =
        result.status == TestStatus::kPassed || result.status == TestStatus::kFlaky;
    outcomes_.push_back({result.index, passed, result.duration_us});
  }
  if (store_->queued() >= kCommitRows) {
    try {
      store_->Flush();
    } catch (const std::exception& e) {
      throw std::runtime_error(StoreFailure(e));
    }
  }
}

History StoreSink::Advance(History history) const {
  history.resize(tests_->size());
  for (const Outcome& outcome : outcomes_) {
    history[outcome.index].Record(outcome.passed, outcome.duration_us);
  }
  return history;
}

void StoreSink::SaveSuite(uint64_t list_hash, const History& before) {
  if (!tests_ || saved_) return;
  saved_ = true;
  const History* base = &before;
  History theirs_carried;
  int64_t seen = seen_run_id_;
  // Twice at most: within the store's write transaction, the second sees
  // what the first saw.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (store_->SaveSuite(
            binary_, target_, seen, run_id_,
            bishop::EncodeSuite(list_hash, *tests_, test_ids_, Advance(*base),
                                listed_by_ ? &*listed_by_ : nullptr))) {
      return;
    }
    // Another run of this binary finished since this one began: build on
    // what it left, so that neither run's outcomes are lost.
    const std::optional<bishop::SuiteRecord> theirs = store_->LoadSuite(binary_, target_);
    if (!theirs) return;
    seen = theirs->run_id;
    theirs_carried = Carry(theirs->past, *tests_);
    base = &theirs_carried;
  }
}

void StoreSink::SaveShardTests(const std::vector<uint32_t>& matched) {
  if (!tests_) return;
  std::vector<int64_t> ids;
  ids.reserve(matched.size());
  for (uint32_t index : matched) ids.push_back(test_ids_.at(index));
  store_->RecordShardTests(run_id_, ids);
}

}  // namespace redqueen::queen
