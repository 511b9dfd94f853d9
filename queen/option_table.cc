// The table of `redqueen run`'s options, shared by list and config (options.h
// declares AddRunCommands). Each group is declared in the order --help,
// the completion scripts and the man page show it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <string>

#include "queen/gtest_flags.h"
#include "queen/gtest_options.h"
#include "queen/options.h"  // IWYU pragma: associated

namespace redqueen::queen {
namespace {

/// A DURATION option (90s, 2m...), refused with its name when it is not one.
void AddDurationOption(CLI::App* run, const std::string& name,
                       std::chrono::microseconds* out, const std::string& description,
                       const std::string& default_text) {
  run->add_option_function<std::string>(
         name,
         [name, out](const std::string& text) {
           if (!ParseDuration(text, out)) {
             throw CLI::ValidationError(name + ": " + DurationError(text));
           }
         },
         description)
      ->type_name("DURATION")
      ->default_str(default_text);
}

std::string CheckOrder(const std::string& text) {
  std::string kind;
  uint64_t seed = 0;
  bool seeded = false;
  return ParseOrder(text, &kind, &seed, &seeded)
             ? std::string()
             : "'" + text + "' is not an order (history, declared, random, random:SEED)";
}

/// The binaries whose tests run.
void AddBinaryOptions(CLI::App* run, RunOptions* options) {
  run->add_option("BINARY", options->binaries,
                  "GoogleTest binaries (linked with redqueen::gtest_main or not); "
                  "their tests share one queue and the pawns")
      ->type_name("FILE");
  run->add_option("--from-ctest", options->from_ctest,
                  "Also run the GoogleTest binaries of the CTest tests in this build "
                  "directory")
      ->type_name("DIR");
}

/// How many pawns, and of which kind.
void AddPawnOptions(CLI::App* run, RunOptions* options) {
  run->add_option("-j,--jobs", options->jobs,
                  "Pawns (worker processes); default: the CPUs available")
      ->check(WholeIn(1, kMaxJobs));
  run->add_option("--pawn", options->pawn,
                  "auto: resident pawns for binaries linked with redqueen::gtest_main, "
                  "exec pawns for any other gtest binary")
      ->check(CLI::IsMember({"auto", "resident", "exec"}))
      ->capture_default_str();
}

/// Where the results go: the store and the report files.
void AddResultOptions(CLI::App* run, RunOptions* options) {
  run->add_option("--db", options->db_path, "The result store (SQLite)")
      ->type_name("FILE")
      ->capture_default_str();
  run->add_option(
         "--junit", options->junit_path,
         "Write the run's results as JUnit XML (Surefire's flavour) to this file")
      ->type_name("FILE");
  run->add_option("--json", options->json_path,
                  "Write the run's summary and every result as JSON to this file")
      ->type_name("FILE");
  run->add_option(
         "--events", options->events_path,
         "Write JSON Lines as things happen (run, pawn and test starts and ends, "
         "results) to this file, or '-' for stdout, flushed per line")
      ->type_name("FILE");
}

/// What a pawn and a test may take: restarts, time and output.
void AddLimitOptions(CLI::App* run, RunOptions* options) {
  run->add_option("--max-restarts", options->max_restarts,
                  "Replacement pawns allowed before the run stops")
      ->check(WholeIn(0, 1'000'000))
      ->capture_default_str();
  AddDurationOption(run, "--timeout", &options->timeout,
                    "A test running longer is ended: TIMEOUT (e.g. 90s, 2m; 0: none)",
                    "0");
  AddDurationOption(run, "--slow", &options->slow,
                    "Print a warning line when a test runs longer (e.g. 30s; 0: never)",
                    "0");
  AddDurationOption(run, "--kill-grace", &options->kill_grace,
                    "Between SIGTERM and SIGKILL for a test past --timeout", "5s");
  run->add_option("--list-timeout", options->list_timeout,
                  "Seconds a pawn may take to start and list its tests, and to exit "
                  "after its last test")
      ->check(WholeIn(1, 86'400))
      ->capture_default_str();
  run->add_option("--output-cap", options->output_cap,
                  "Bytes of output kept per test (head and tail)")
      ->check(WholeIn(1, int64_t{1} << 30))
      ->capture_default_str();
}

/// What earlier runs decide: the order, and which tests run.
void AddHistoryOptions(CLI::App* run, RunOptions* options) {
  run->add_option("--order", options->order,
                  "history (longest expected first, from earlier runs), declared, or "
                  "random[:SEED]")
      ->check(CheckOrder)
      ->capture_default_str();
  run->add_flag("--rerun-failed", options->rerun_failed,
                "Run only the tests that did not pass in the last completed run of each "
                "binary (failed, crashed, timed out, or not run because it stopped); "
                "every test when there is none");
  run->add_flag("--failed-first", options->failed_first,
                "Run the tests that did not pass last time first");
}

/// How often a test runs, and when the run stops or fails.
void AddRetryOptions(CLI::App* run, RunOptions* options) {
  run->add_option("--retries", options->retries,
                  "Run a failed, crashed or timed-out test again, up to N times; one "
                  "that then passes is FLAKY")
      ->check(WholeIn(0, 1'000))
      ->capture_default_str();
  run->add_flag("--flaky-fails", options->flaky_fails, "A FLAKY test fails the run");
  run->add_option("--repeat", options->repeat, "Run every test N times")
      ->check(WholeIn(1, 1'000'000))
      ->capture_default_str();
  run->add_flag("--until-fail", options->until_fail,
                "Repeat (up to --repeat times, else without end) until a test fails");
  run->add_flag_callback(
      "--fail-fast", [options] { options->max_fail = 1; },
      "Stop at the first failed test (same as --max-fail 1)");
  run->add_option("--max-fail", options->max_fail,
                  "Stop handing out tests after N failed tests; the rest are SKIPPED "
                  "(0: never)")
      ->check(WholeIn(0, 1'000'000))
      ->capture_default_str();
  run->add_option("--no-tests", options->no_tests,
                  "When no test of any binary matches the filter: fail (exit 4; usually "
                  "a mistyped filter), warn, or pass. An empty shard, or nothing to "
                  "rerun, passes")
      ->check(CLI::IsMember({"fail", "warn", "pass"}))
      ->capture_default_str();
}

/// Which pawns run which tests, and when.
void AddSchedulingOptions(CLI::App* run, RunOptions* options) {
  run->add_option("--mode", options->mode,
                  "parallel, or sequential: one pawn, declared order")
      ->check(CLI::IsMember({"parallel", "sequential"}))
      ->capture_default_str();
  run->add_option("--serial", options->serial,
                  "Tests matching this gtest filter run alone, one at a time, before "
                  "the others (repeatable)")
      ->expected(1)
      ->take_all();
  run->add_flag("--by-suite", options->by_suite,
                "Send all tests of a test suite to one pawn, in declared order");
  run->add_option(
         "--target", options->target_specs,
         "NAME:KEY=VALUE[,KEY=VALUE...]: run every test once per target, in pawns "
         "with that environment (repeatable)")
      ->expected(1)
      ->take_all();
  run->add_option("--target-jobs", options->target_jobs,
                  "NAME=N: at most N pawns at once for that target (repeatable)")
      ->expected(1)
      ->take_all();
  run->add_option("--max-memory", options->max_memory,
                  "While more than this percent of the machine's memory is in use, "
                  "kill the pawn holding the most (64 MiB or more) and requeue its test "
                  "once (0: never)")
      ->check([](const std::string& text) { return CheckNumber(text, 0, 100, false); })
      ->capture_default_str();
}

/// Which of the CI's machines this is, and how the machines split the tests.
void AddShardOptions(CLI::App* run, RunOptions* options) {
  run->add_option("--shard", options->shard_option,
                  "Run shard K (from 1) of N of each binary's selected tests; default: "
                  "the CI's (CI_NODE_INDEX, CIRCLE_NODE_INDEX, BUILDKITE_PARALLEL_JOB, "
                  "JOB_COMPLETION_INDEX with --shards) or GTEST_SHARD_INDEX's; off: not "
                  "the CI's")
      ->type_name("K/N")
      ->check(CheckShardOption);
  run->add_option("--shards", options->shards,
                  "How many shards there are, for a Kubernetes Indexed Job's "
                  "JOB_COMPLETION_INDEX (which does not say)")
      ->check(WholeIn(1, kMaxShards));
  run->add_option("--partition", options->partition,
                  "How the shards split the tests: count (GoogleTest's rule), hash (of "
                  "each test's name) or time (by earlier runs); default: count for "
                  "GTEST_SHARD_INDEX's shards, else time, or hash without history")
      ->check(CLI::IsMember({"count", "hash", "time"}));
  run->add_option("--plan", options->plan_path,
                  "Run the tests the plan file ('redqueen plan') gives this shard; a "
                  "test it does not know goes by its hash")
      ->type_name("FILE");
}

/// What 'redqueen plan' writes, and how many shards it plans.
void AddPlanOptions(CLI::App* run, RunOptions* options) {
  run->add_option("-o,--output", options->plan_output,
                  "Where 'redqueen plan' writes the plan (default: stdout)")
      ->type_name("FILE");
  AddDurationOption(run, "--target-time", &options->target_time,
                    "'redqueen plan': the fewest shards whose longest is expected to "
                    "end within this; prints a CI matrix of them",
                    "");
  run->add_option(
         "--shard-jobs", options->shard_jobs,
         "'redqueen plan --shards N': each shard's pawns (-j), N numbers, when "
         "the machines differ: a shard with twice the pawns takes twice the work")
      ->delimiter(',')
      ->check(WholeIn(1, 4096))
      ->type_name("J,J,...");
  run->add_option("--max-shards", options->max_shards,
                  "'redqueen plan --target-time': at most this many shards")
      ->check(WholeIn(1, 1024))
      ->capture_default_str();
}

/// The end of run's help: what reaches the pawns, and from where settings come.
std::string RunFooter() {
  std::string in_test;
  for (const GtestFlag& flag : GtestFlags()) {
    if (flag.role == FlagRole::kPawn) in_test += " --gtest_" + std::string(flag.name);
  }
  return "Arguments after -- are passed to every pawn, but for the GoogleTest flags "
         "above, which mean the same there. These act inside a test's process and reach "
         "every pawn, wherever they are given:" +
         in_test +
         ". --gtest_flagfile=FILE is read. "
         "GTEST_* variables (and Bazel's TESTBRIDGE_TEST_ONLY, XML_OUTPUT_FILE, "
         "TEST_SHARD_INDEX...) mean what they mean to the binary; an option beats its "
         "variable. Any option can be set in the [run] section of redqueen.toml; "
         "'redqueen config' prints the settings in effect and where each came from.";
}

/// Declares the options of `redqueen run` on `run`, stored into `options`.
void AddRunOptions(CLI::App* run, RunOptions* options) {
  AddBinaryOptions(run, options);
  AddPawnOptions(run, options);
  AddResultOptions(run, options);
  AddLimitOptions(run, options);
  AddHistoryOptions(run, options);
  AddRetryOptions(run, options);
  AddSchedulingOptions(run, options);
  AddShardOptions(run, options);
  AddPlanOptions(run, options);
  run->add_option("--format", options->list_format,
                  "What 'redqueen list' (and --gtest_list_tests) prints: text, a test a "
                  "line, or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddGtestOptions(run, options);
  // Taken out of the arguments before CLI11 sees them (config_file.h); here
  // for --help.
  run->add_option("--config", options->config_path,
                  "Settings file (default: redqueen.toml here or in a parent folder)")
      ->type_name("FILE");
  run->footer(RunFooter());
}

}  // namespace

CLI::App* AddRunCommands(CLI::App* app, RunOptions* options,
                         const DeclaredOptions& declared) {
  const auto add = [&](const std::string& name, const std::string& summary) {
    CLI::App* command = app->add_subcommand(name, summary);
    if (declared.all || std::find(declared.commands.begin(), declared.commands.end(),
                                  name) != declared.commands.end()) {
      AddRunOptions(command, options);
    }
    return command;
  };
  CLI::App* run = add("run", "Run GoogleTest binaries' tests on parallel pawns");
  add("list",
      "Print the tests 'run' would select (with the same options), one a line, and run "
      "none");
  add("plan",
      "Split the selected tests of every binary over --shards N CI machines by the "
      "store's history, and write where each runs; run none");
  add("config",
      "Print the settings 'run' would use (with the same options) and where each came "
      "from");
  return run;
}

}  // namespace redqueen::queen
