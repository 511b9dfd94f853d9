// Feeds the Rook's events into the Bishop's store, and at the end of the run
// leaves the binary's list and history for its next run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bishop/store.h"
#include "proto/binary_identity.h"
#include "proto/history.h"
#include "rook/run_sink.h"

namespace redqueen::queen {

/// The message of a store that failed as the run wrote to it, with the fix.
std::string StoreFailure(const std::exception& e);

class StoreSink : public rook::RunSink {
 public:
  StoreSink(std::string binary, std::string target);

  /// What the store had for this binary (Store::LoadSuite): its ids serve
  /// when the Rook runs the same list, with no lookup.
  void Remember(const bishop::SuiteRecord& suite);
  /// The store and the run's row, opened and made after the sink, before
  /// any event.
  void Begin(bishop::Store* store, int64_t run_id) {
    store_ = store;
    run_id_ = run_id;
  }

  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected, uint64_t list_hash) override;
  void OnResult(const TestResult& result, const RunTotals& totals) override;

  /// What listed the run's list (known_listing.h's ListedByAtEnd), kept
  /// with it for the next run; none by default.
  void ListedBy(std::optional<proto::ListingIdentity> identity) {
    listed_by_ = std::move(identity);
  }
  /// From Remember: the remembered list's hash and what listed it.
  uint64_t remembered_hash() const { return known_hash_; }
  const std::optional<proto::ListingIdentity>& remembered_listing() const {
    return remembered_by_;
  }

  /// Keeps the list, its ids and the tests' history for the next run: the
  /// Rook's history from before this run (`before`, aligned with the list)
  /// with this run's outcomes added. Nothing when no list was verified, or
  /// once done.
  void SaveSuite(uint64_t list_hash, const History& before);

  /// A CI shard's: keeps the tests (indexes into the list) its filter
  /// selected before the shard took its share.
  void SaveShardTests(const std::vector<uint32_t>& matched);

 private:
  /// A final result that counts for history (skips do not).
  struct Outcome {
    uint32_t index;
    bool passed;
    uint64_t duration_us;
  };

  History Advance(History history) const;

  bishop::Store* store_ = nullptr;
  int64_t run_id_ = 0;
  std::string binary_;
  std::string target_;
  /// The Rook's list, valid for as long as the Rook lives.
  const std::vector<proto::TestInfo>* tests_ = nullptr;
  std::vector<int64_t> test_ids_;
  std::vector<Outcome> outcomes_;
  bool saved_ = false;
  /// From Remember: the run whose suite was read, its list and ids.
  int64_t seen_run_id_ = 0;
  uint64_t known_hash_ = 0;
  std::vector<int64_t> known_ids_;
  std::optional<proto::ListingIdentity> remembered_by_;
  std::optional<proto::ListingIdentity> listed_by_;
};

}  // namespace redqueen::queen
