// Joining the stores of a suite's CI shards (`redqueen merge`) into one run:
// reading each shard's newest run, checking that together they ran every
// test they selected exactly once, and writing the whole pipeline's run,
// its executions and the history it teaches the next split.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bishop/store.h"

namespace redqueen::queen {

/// What a merge reads of one shard's store: its newest run.
struct ShardRun {
  std::string path;
  bishop::RunRow row;
  bishop::ShardRecord shard;
  /// Every test the run selected or executed, in the order the store has
  /// them (StoredTest::selected: its shard_tests).
  std::vector<bishop::StoredTest> tests;
  std::vector<bishop::RunExecution> executions;
  /// By binary and target: the test list in registration order, from the
  /// suite this run left (none when a later run of the store replaced it).
  std::map<std::pair<std::string, std::string>, std::vector<proto::TestInfo>> lists;
};

/// Reads the newest run of the store at `path`, opened for reading. False
/// with a one-line `*error` naming the file ("shard store 'x.db' ...") when
/// it is missing, cannot be read or has no run.
bool LoadShard(const std::string& path, ShardRun* shard, std::string* error);

/// How many tests a message names before "and N more".
inline constexpr size_t kNamedTests = 10;

/// What keeps `shards` from being one pipeline's whole run, one line each
/// (what, and how to fix it); empty when they are. The checks go by stage:
/// each run alone (finished, a shard), then the runs together (count,
/// partition, history, each index once and none missing, the same tests
/// selected), then the tests (each selected test's final execution in
/// exactly one shard, per repetition); a stage's problems hide the later
/// ones, which they would only repeat.
std::vector<std::string> CheckShards(const std::vector<ShardRun>& shards);

/// Writes `shards` (checked) into `out` as one run with `command`; returns
/// its id. Its row sums the shards' jobs and final results, spans their
/// times, is failed when any shard failed (error or interrupted when any
/// was), and is shard kMergedShards of their count with their hosts in
/// shard order; each execution keeps its shard (from 1). Each binary's
/// suite in `out` learns the shards' durations, as a run's own would.
int64_t MergeShards(bishop::Store& out, const std::vector<ShardRun>& shards,
                    const std::string& command);

}  // namespace redqueen::queen
