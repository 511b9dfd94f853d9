// The command line of `redqueen run`, parsed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "queen/run_environment.h"

namespace CLI {
class App;
}  // namespace CLI

namespace redqueen::queen {

/// One setting of `redqueen run`, as `redqueen config` prints it.
struct Setting {
  std::string name;    ///< The long option name.
  std::string value;   ///< TOML: quoted string, number, boolean or list.
  std::string source;  ///< "command line", "REDQUEEN_JOBS", a file, "default".
};

/// One --target: every selected test runs once per target, in pawns started
/// with the target's environment.
struct Target {
  std::string name;
  std::vector<std::pair<std::string, std::string>> env;
  int jobs = 0;  ///< Most pawns at once (--target-jobs; 0: as many as -j).
};

/// GoogleTest's flags that steer a run, as given (--gtest_* before or after
/// `--`, or GTEST_* variables). Reconcile turns them into redqueen's own
/// settings, unless redqueen's own options say otherwise.
struct GtestRun {
  std::optional<int64_t> repeat;  ///< Negative: until stopped.
  bool shuffle = false;
  int64_t random_seed = 0;  ///< 0: a new seed each run.
  bool fail_fast = false;
  std::string output;  ///< "xml[:PATH]", "json[:PATH]"; PATH/ is a folder.
  bool brief = false;  ///< Print only failures as tests end.
  std::string color = "auto";
  bool print_time = true;
  bool list_tests = false;
};

struct RunOptions {
  std::vector<std::string> binaries;
  /// A build directory whose CTest tests name the binaries (--from-ctest).
  std::string from_ctest;
  int jobs = 0;                    ///< 0: the CPUs this process may use.
  std::string gtest_filter = "*";  ///< gtest's default: every test.
  /// How the filter was given, for messages ("--gtest_filter", "GTEST_FILTER").
  std::string gtest_filter_spelt = "--gtest_filter";
  /// auto (resident when the binary links redqueen::gtest_main), resident, exec.
  std::string pawn = "auto";
  bool also_run_disabled = false;
  std::string db_path = ".redqueen/redqueen.db";
  /// Where to write the run's JUnit XML report (empty: none).
  std::string junit_path;
  /// Where to write the run's summary and every result as JSON (empty: none).
  std::string json_path;
  /// Folders for one JUnit or JSON file per binary (--gtest_output=xml:DIR/).
  std::string junit_dir;
  std::string json_dir;
  /// Where to write JSON Lines events as the run goes ("-": stdout).
  std::string events_path;
  int max_restarts = 100;
  /// Per-test limit (0: none), and SIGTERM-to-SIGKILL grace.
  std::chrono::microseconds timeout{0};
  std::chrono::microseconds slow{0};  ///< Warn about tests running longer.
  std::chrono::microseconds kill_grace{std::chrono::seconds(5)};
  /// Seconds an exec pawn waits for `BINARY --gtest_list_tests`.
  int list_timeout = 60;
  size_t output_cap = 256 * 1024;
  /// history, declared, random or random:SEED.
  std::string order = "history";
  bool failed_first = false;
  /// Only the tests that did not pass in the last run of each binary.
  bool rerun_failed = false;
  int retries = 0;
  bool flaky_fails = false;  ///< A FLAKY test fails the run.
  /// Runs of every test; 0 with --until-fail: until a failure.
  int repeat = 1;
  bool until_fail = false;
  int max_fail = 0;  ///< 0: no limit; --fail-fast is 1.
  /// When no test matches the filter: fail (exit 4), warn or pass. Without
  /// --no-tests, fail for a filter its user gave, warn otherwise.
  std::string no_tests = "fail";
  std::string mode = "parallel";  ///< or sequential.
  std::vector<std::string> serial;
  bool by_suite = false;
  /// Kill the largest pawn while more of the machine's memory is in use.
  double max_memory = 90;
  /// --target and --target-jobs as given, and as parsed.
  std::vector<std::string> target_specs;
  std::vector<std::string> target_jobs;
  std::vector<Target> targets;
  /// Everything after `--` but the gtest flags that steer the run, and the
  /// gtest flags for pawns given among redqueen's: given to every pawn.
  std::vector<std::string> pawn_args;
  GtestRun gtest;
  /// --partition: how the shards split each binary's tests: count
  /// (GoogleTest's rule), hash (of each test's name) or time (by the store's
  /// history). Empty: the run decides, count when only a test runner's
  /// variables name the shard (ShardFrom::kTestRunner), else time when
  /// there is history, else hash.
  std::string partition;
  /// --shard K/N as given (K from 1; empty: not given).
  std::string shard_option;
  /// --shards N: the total for a Kubernetes Indexed Job's
  /// JOB_COMPLETION_INDEX, which has none (0: not given).
  int shards = 0;
  /// --plan FILE: the split `redqueen plan` wrote (empty: none).
  std::string plan_path;
  /// `redqueen plan`: write the split of every shard, run nothing.
  bool plan_only = false;
  /// redqueen plan -o FILE (empty: stdout), --target-time (0: not given:
  /// --shards says N), --max-shards.
  std::string plan_output;
  std::chrono::microseconds target_time{0};
  int max_shards = 64;
  /// redqueen plan --shard-jobs: each shard's pawns, when the machines
  /// differ (empty: alike).
  std::vector<int> shard_jobs;
  /// Which shard this run is (ResolveShard): from --shard, the CI's
  /// variables, or GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS (Bazel's TEST_*).
  ShardSpec shard;
  RunnerFiles runner_files;
  /// `redqueen list`, or --gtest_list_tests: print the selected tests, run none.
  bool list_only = false;
  std::string list_format = "text";  ///< or json.
  /// The whole command line, recorded with the run.
  std::string command_line;
  /// The settings file read (empty: none).
  std::string config_path;
  /// `redqueen config`: print `settings` instead of running.
  bool print_config = false;
  std::vector<Setting> settings;
};

/// "history", "declared", "random", "random:SEED": false when none of them.
/// `*seed` is set only for random:SEED.
bool ParseOrder(const std::string& text, std::string* kind, uint64_t* seed, bool* seeded);

/// "NAME:KEY=VALUE[,KEY=VALUE...]" each, and "NAME=N" for their pawn caps.
/// False with a one-line `*error` (which spec, what is wrong).
bool ParseTargets(const std::vector<std::string>& specs,
                  const std::vector<std::string>& jobs, std::vector<Target>* targets,
                  std::string* error);

/// The longest duration an option takes: far past any test, and far below
/// where a count of microseconds overflows.
inline constexpr int kMaxDurationHours = 1000;
/// The most pawns -j and REDQUEEN_JOBS take.
inline constexpr int kMaxJobs = 4096;

/// "90s", "1.5m", "500ms", "5us", "2" (seconds): false when not a duration from 0
/// to kMaxDurationHours (NaN and infinity are not).
bool ParseDuration(const std::string& text, std::chrono::microseconds* duration);
/// Why `text` is not a duration ParseDuration takes, with the range, to
/// follow an option's name: "must be a duration from 0 to 1000h (...), not 'x'".
std::string DurationError(const std::string& text);

/// Empty when `text` is a number from `min` to `max` (a whole one when
/// `whole`), else what it must be, with the range in plain numbers, to
/// follow an option's name: "must be from 1 to 4096, not 0", "must be a
/// whole number from 1 to 4096, not '1.5'". The one place that words a
/// range. Checked on the text, before CLI11 converts it, so that no value
/// can overflow the option it is meant for.
std::string CheckNumber(const std::string& text, double min, double max,
                        bool whole = true);
/// CheckNumber as a CLI11 check (`->check(WholeIn(1, 100))`).
std::function<std::string(const std::string&)> WholeIn(int64_t min, int64_t max);

/// CPUs in this process's affinity mask (what `taskset` or a container allows).
int AvailableCpus();

/// Which of the commands that take run's options get them declared: each
/// declaration of the table costs 1.1 million instructions (callgrind), and
/// a run needs run's alone, not all four twice over.
struct DeclaredOptions {
  bool all = true;                         ///< Every command's (help, completion, man).
  std::vector<std::string> commands = {};  ///< Else these commands' alone.
};

/// Declares `redqueen run` on `app`, and `list`, `plan` and `config`, which
/// take the same options, all stored into `options`; returns run. The table
/// that parses them also prints their help and writes the completion scripts
/// and the man page (commands.h). A command that is not in `declared` is
/// there without its options, so that it is still a command.
CLI::App* AddRunCommands(CLI::App* app, RunOptions* options,
                         const DeclaredOptions& declared = {});

/// Parses argv. Returns true to go on and run; false when the process should
/// exit with `*exit_code` (help printed: 0; bad usage, one line on stderr: 2).
bool ParseCommandLine(int argc, char** argv, RunOptions* options, int* exit_code);

}  // namespace redqueen::queen
