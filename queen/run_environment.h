// What redqueen takes from the environment it runs in: the variables ctest,
// Bazel and CI systems set for a test binary (GoogleTest's GTEST_*, Bazel's
// test encyclopedia, the shard of a CI's parallel job), read as its user's
// intent for the whole run. No pawn
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

/// Every variable that steers a whole run.
const std::vector<std::string>& RunVariables();

/// Who named a run's shard; the first of them when several agree.
enum class ShardFrom {
  kNone,  ///< Nobody: the run is one shard of one.
  /// --shard K/N (on the command line or in the settings file).
  kCommandLine,
  /// A CI's variables: GitLab's, CircleCI's, Buildkite's, or a Kubernetes
  /// Indexed Job's JOB_COMPLETION_INDEX with --shards.
  kCi,
  /// GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS or Bazel's TEST_*: a test runner
  /// (ctest, Bazel) asking for GoogleTest's own rule per binary. Only when
  /// no other source names the shard.
  kTestRunner,
};

/// This run's shard of each binary's selected tests: which machine of the
/// CI's this is.
struct ShardSpec {
  int index = 0;  ///< From 0, whatever the source counts from.
  int total = 1;
  ShardFrom from = ShardFrom::kNone;
  /// Where it came from, every source that named it ("--shard 2/4 and
  /// GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=4"; empty: none).
  std::string source;
};

/// What is removed from pawns' environment: RunVariables, but the CI's
/// shard variables only when they named this run's shard (`shard`), since a
/// test may read them for its own ends (a port, a folder per CI node).
std::vector<std::string> HiddenFromPawns(const ShardSpec& shard);

/// The most shards a suite is split into (each is a machine).
inline constexpr int kMaxShards = 1024;

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

/// Empty when `text` is --shard's K/N (shard K, from 1, of N), else what it
/// must be, to follow the option's name ("must be K/N ..., not '3/2'").
std::string CheckShardOption(const std::string& text);

/// Which shard this run is, from every source that names one: --shard
/// (`shard_option`, "K/N"; empty: not given), the CI's variables (GitLab's
/// CI_NODE_INDEX/CI_NODE_TOTAL, from 1; CircleCI's and Buildkite's, from 0;
/// a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, from 0, with --shards
/// `shards` as its total; 0: not given) and the test runner's (ReadShard).
/// A CI's one shard of one is no shard (GitLab sets CI_NODE_TOTAL=1 in
/// every job that is not parallel). False with a one-line `*error` when a
/// source is bad, two name different shards, JOB_COMPLETION_INDEX has no
/// --shards, or --shards has no source that names the index.
bool ResolveShard(const std::string& shard_option, int shards, const GetEnv& getenv,
                  ShardSpec* shard, std::string* error);

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
