// What redqueen takes from the environment it runs in: the variables ctest,
// Bazel and CI systems set for a test binary (GoogleTest's GTEST_*, Bazel's
// test encyclopedia), read as its user's intent for the whole run. No pawn
// ever sees them: a pawn runs the tests it is given, not a shard or a
// filter of its own.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace redqueen::queen {

struct RunOptions;
struct Setting;

/// getenv, or a fake of it.
using GetEnv = std::function<const char*(const char*)>;

/// Every variable that steers a whole run; removed from pawns' environment.
const std::vector<std::string>& RunVariables();

/// This run's shard of each binary's selected tests, by GoogleTest's rule
/// (the i-th selected test belongs to shard i mod total).
struct ShardSpec {
  int index = 0;
  int total = 1;
  /// Where it came from ("GTEST_SHARD_INDEX=0, GTEST_TOTAL_SHARDS=2"; empty: none).
  std::string source;
};

/// Files a test runner asks for through the environment.
struct RunnerFiles {
  /// GTEST_SHARD_STATUS_FILE, TEST_SHARD_STATUS_FILE: touched at the start,
  /// saying that redqueen knows the sharding protocol.
  std::vector<std::string> shard_status;
  /// TEST_PREMATURE_EXIT_FILE: there while the run goes, removed at its end.
  std::string premature_exit;
  /// TEST_WARNINGS_OUTPUT_FILE: warnings (slow tests) are appended to it.
  std::string warnings;
};

/// Reads the GTEST_*/TEST_* shard variables as gtest does. False with a
/// one-line `*error` when one is set without the other, is not a number, is
/// out of range, or the two pairs disagree.
bool ReadShard(const GetEnv& getenv, ShardSpec* shard, std::string* error);

RunnerFiles ReadRunnerFiles(const GetEnv& getenv);

/// Sets what GTEST_* (and Bazel's TESTBRIDGE_*, XML_OUTPUT_FILE) variables
/// say into `options`, for each setting not in `given` (the options on the
/// command line, which beat them); each one read is added to `from_env` for
/// `redqueen config`. False with `*error` for a value redqueen cannot take
/// or a variable it refuses.
bool ApplyGtestVariables(const GetEnv& getenv, const std::set<std::string>& given,
                         RunOptions* options, std::vector<Setting>* from_env,
                         std::string* error);

}  // namespace redqueen::queen
