// Plain passes, written compactly. Nearly every result of a run is a pass
// with nothing to keep but its timing; as a row of `execution_rows` each
// cost SQLite about 1.5 us (15 bound columns and an index entry), the most
// of the Queen's time in a run of 10,000 trivial tests. So a flush writes
// each run's and shard's plain passes as one row of `passes`: a JSON array
// of [test_id, repetition, attempt, final, duration_us, finished_us, pawn],
// with consecutive execution ids from first_id. The `executions` view
// (schema.cc) gives them back as ordinary rows, so every reader, and anyone
// with the sqlite3 shell, sees one table as before.
#pragma once

#include <cstdint>
#include <string>

#include "proto/result.h"

namespace redqueen::bishop {

/// A pass with no failure, output, message or crash: all a `passes` row
/// keeps.
bool IsPlainPass(const TestResult& result);

/// The plain passes of one run and shard, as one `passes` row's JSON.
class PassRows {
 public:
  PassRows(int64_t run_id, uint32_t shard) : run_id_(run_id), shard_(shard) {}

  void Add(int64_t test_id, const TestResult& pass);

  int64_t run_id() const { return run_id_; }
  uint32_t shard() const { return shard_; }
  size_t count() const { return count_; }
  /// The JSON array, closed.
  std::string Json() const { return json_ + "]"; }

 private:
  int64_t run_id_;
  uint32_t shard_;
  size_t count_ = 0;
  std::string json_ = "[";
};

}  // namespace redqueen::bishop
