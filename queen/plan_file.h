// The plan file `redqueen plan` writes and `redqueen run --plan` reads: where
// every selected test of every binary runs, made once from one store, so that
// every CI machine splits alike whatever store it has.
//
//   {"format": "redqueen-plan-1", "shards": 4, "partition": "time",
//    "history_digest": "9f3a...", "imbalance": 1.01,
//    "expected_s": [41.2, 41.0, 40.9, 41.1],
//    "binaries": [{"binary": "test/x_test", "target": "", "list_hash": "1f2e...",
//                  "tests": [{"name": "Suite.Test", "shard": 1, "estimate_s": 0.012}]}],
//    "without_history": [{"binary": "test/y_test", "target": ""}]}
//
// Shards count from 1, as --shard K/N does.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace redqueen::queen {

struct PlannedTest {
  std::string binary;  ///< Identity.
  std::string target;
  std::string name;
  uint32_t shard = 0;  ///< From 0 here; from 1 in the file.
  uint64_t estimate_us = 0;
};

struct PlanFile {
  uint32_t shards = 1;
  std::string history_digest;
  double imbalance = 1;
  std::vector<uint64_t> expected_us;  ///< Per shard, its tests' serial time.
  /// Per shard, its pawns (--shard-jobs; empty: alike).
  std::vector<int> jobs;
  /// By binary (and target), in the order the run names them.
  std::vector<PlannedTest> tests;
  /// By "identity\ntarget": the list the plan was made from (proto::ListHash),
  /// so that a binary changed since can be told.
  std::map<std::string, uint64_t> list_hashes;
  /// Binaries the store has no history of: their tests go by hash.
  std::vector<std::pair<std::string, std::string>> without_history;
};

std::string PlanJson(const PlanFile& plan);

/// False with a one-line `*error` when `text` is not a plan this redqueen
/// writes (not JSON, another format, a shard out of range, ...).
bool ParsePlan(const std::string& text, PlanFile* plan, std::string* error);

}  // namespace redqueen::queen
