// The resident pawn: serves the Rook's commands inside the test binary.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "pawn/channel.h"
#include "proto/scoreboard.h"

namespace redqueen::pawn {

class ResidentPawn {
 public:
  /// `scoreboard` may be null (no shared memory offered).
  ResidentPawn(Channel* channel, proto::Scoreboard* scoreboard);

  /// Says Hello, then serves commands until Shutdown or EOF. Returns the exit
  /// code for the process.
  int Serve();

 private:
  class Reporter;

  void CollectTests();
  void RunBatch(const std::vector<uint32_t>& indexes);
  /// Keeps every test out of the `batch` (sorted indexes) from running, and
  /// suites without a test in it from setting up.
  void Prune(const std::vector<uint32_t>& batch);
  /// The index of a test gtest starts: the batch's next one, as gtest runs
  /// a batch in registration order (`expected`), else looked up.
  uint32_t IndexOf(const testing::TestInfo& info, uint32_t expected);
  /// Claims the batch's next `count` tests before they start (the Rook may
  /// have taken them back: proto::ClaimTests); returns how many it got.
  uint32_t Claim(uint32_t count);
  /// Keeps `batch[from, to)` from running: the Rook took them back. Their
  /// suites, but that of `current` (running now), set up only for a test
  /// that still runs.
  void Drop(const std::vector<uint32_t>& batch, size_t from, size_t to, uint32_t current);
  proto::TestList List() const;
  /// "Suite.Test", as the list and gtest's filter name it, into `name`.
  static void FullName(const testing::TestInfo& info, std::string* name);

  Channel* channel_;
  proto::Scoreboard* scoreboard_;
  /// Owned by gtest's listener list once appended.
  Reporter* reporter_ = nullptr;
  std::vector<const testing::TestInfo*> tests_;
  /// proto::ListHash of the tests, as List() would send them.
  uint64_t list_hash_ = 0;
  /// The binary's --gtest_filter, restored while a batch runs.
  std::string own_filter_;
  /// Made the first time a test is not the one IndexOf expects.
  std::unordered_map<const testing::TestInfo*, uint32_t> index_of_;
  /// The suite of each test, aligned with tests_: each suite's together.
  std::vector<const testing::TestSuite*> suites_;
  /// The number of the Run command being served (scoreboard's claims).
  uint64_t command_ = 0;
};

}  // namespace redqueen::pawn
