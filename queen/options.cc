#include "queen/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>

#include "queen/config_command.h"
#include "queen/config_file.h"
#include "queen/exit_codes.h"
#include "queen/gtest_flags.h"
#include "queen/gtest_options.h"
#include "queen/print_error.h"
#include "queen/usage.h"

namespace redqueen::queen {

namespace {

/// A listing runs nothing: options that only act on a run are refused
/// rather than ignored, and --format is for listings alone.
bool CheckListing(const OriginOf& origin, const RunOptions& options, std::string* error) {
  if (!options.list_only) {
    if (origin("format").rank == Origin::kCommandLine) {
      *error = "--format is for 'redqueen list' (and --gtest_list_tests); drop it";
      return false;
    }
    return true;
  }
  if (options.rerun_failed) {
    *error =
        "a listing does not read the store, so --rerun-failed cannot narrow it; "
        "'redqueen show --status FAILED' prints what did not pass";
    return false;
  }
  for (const char* name :
       {"junit",        "json",         "events",          "repeat",
        "until-fail",   "retries",      "flaky-fails",     "timeout",
        "slow",         "kill-grace",   "fail-fast",       "max-fail",
        "order",        "failed-first", "serial",          "by-suite",
        "max-memory",   "gtest_repeat", "gtest_shuffle",   "gtest_fail_fast",
        "gtest_output", "gtest_brief",  "gtest_print_time"}) {
    if (origin(name).rank == Origin::kCommandLine) {
      *error = "--" + std::string(name) +
               " acts on a run, and a listing runs nothing; drop it";
      return false;
    }
  }
  return true;
}

/// Rules between options that CLI11 cannot say; false with a message.
bool Reconcile(const OriginOf& origin, RunOptions* options, bool jobs_given,
               std::vector<Setting>* mapped, std::string* error) {
  if (options->mode == "sequential") {
    if (jobs_given && options->jobs > 1) {
      *error =
          "--mode sequential runs one pawn; drop -j " + std::to_string(options->jobs);
      return false;
    }
    if (origin("order").rank != Origin::kDefault && options->order != "declared") {
      *error = "--mode sequential runs the tests in declared order; drop --order " +
               options->order;
      return false;
    }
  }
  if (!MapGtestRun(origin, options, mapped, error) ||
      !CheckListing(origin, *options, error)) {
    return false;
  }
  if (options->mode == "sequential") {
    options->jobs = 1;
    options->order = "declared";
  }
  if (!ParseTargets(options->target_specs, options->target_jobs, &options->targets,
                    error)) {
    return false;
  }
  if (options->until_fail) {
    // Without --repeat, until the first failure (or Ctrl-C).
    if (options->repeat == 1) options->repeat = 0;
    options->max_fail = 1;
  }
  return true;
}

/// Declares the options of `redqueen run` on `run`, stored into `options`.
void AddRunOptions(CLI::App* run, RunOptions* options) {
  run->add_option("BINARY", options->binaries,
                  "GoogleTest binaries (linked with redqueen::gtest_main or not); "
                  "their tests share one queue and the pawns")
      ->type_name("FILE");
  run->add_option("--from-ctest", options->from_ctest,
                  "Also run the GoogleTest binaries of the CTest tests in this build "
                  "directory")
      ->type_name("DIR");
  run->add_option("-j,--jobs", options->jobs,
                  "Pawns (worker processes); default: the CPUs available")
      ->check(WholeIn(1, kMaxJobs));
  run->add_option("--pawn", options->pawn,
                  "auto: resident pawns for binaries linked with redqueen::gtest_main, "
                  "exec pawns for any other gtest binary")
      ->check(CLI::IsMember({"auto", "resident", "exec"}))
      ->capture_default_str();
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
  run->add_option("--max-restarts", options->max_restarts,
                  "Replacement pawns allowed before the run stops")
      ->check(WholeIn(0, 1'000'000))
      ->capture_default_str();
  auto duration = [](const char* name, std::chrono::microseconds* out) {
    return [name, out](const std::string& text) {
      if (!ParseDuration(text, out)) {
        throw CLI::ValidationError(std::string(name) + ": " + DurationError(text));
      }
    };
  };
  run->add_option_function<std::string>("--timeout",
                                        duration("--timeout", &options->timeout),
                                        "A test running longer is ended: TIMEOUT "
                                        "(e.g. 90s, 2m; 0: none)")
      ->type_name("DURATION")
      ->default_str("0");
  run->add_option_function<std::string>(
         "--slow", duration("--slow", &options->slow),
         "Print a warning line when a test runs longer (e.g. 30s; 0: never)")
      ->type_name("DURATION")
      ->default_str("0");
  run->add_option_function<std::string>(
         "--kill-grace", duration("--kill-grace", &options->kill_grace),
         "Between SIGTERM and SIGKILL for a test past --timeout")
      ->type_name("DURATION")
      ->default_str("5s");
  run->add_option("--list-timeout", options->list_timeout,
                  "Seconds a pawn may take to start and list its tests, and to exit "
                  "after its last test")
      ->check(WholeIn(1, 86'400))
      ->capture_default_str();
  run->add_option("--output-cap", options->output_cap,
                  "Bytes of output kept per test (head and tail)")
      ->check(WholeIn(1, int64_t{1} << 30))
      ->capture_default_str();
  run->add_option("--order", options->order,
                  "history (longest expected first, from earlier runs), declared, or "
                  "random[:SEED]")
      ->check([](const std::string& text) {
        std::string kind;
        uint64_t seed = 0;
        bool seeded = false;
        return ParseOrder(text, &kind, &seed, &seeded)
                   ? std::string()
                   : "'" + text +
                         "' is not an order (history, declared, random, random:SEED)";
      })
      ->capture_default_str();
  run->add_flag("--rerun-failed", options->rerun_failed,
                "Run only the tests that did not pass in the last completed run of each "
                "binary (failed, crashed, timed out, or not run because it stopped); "
                "every test when there is none");
  run->add_flag("--failed-first", options->failed_first,
                "Run the tests that did not pass last time first");
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
  std::string in_test;
  for (const GtestFlag& flag : GtestFlags()) {
    if (flag.role == FlagRole::kPawn) in_test += " --gtest_" + std::string(flag.name);
  }
  run->footer(
      "Arguments after -- are passed to every pawn, but for the GoogleTest flags above, "
      "which mean the same there. These act inside a test's process and reach every "
      "pawn, wherever they are given:" +
      in_test +
      ". --gtest_flagfile=FILE is read. "
      "GTEST_* variables (and Bazel's TESTBRIDGE_TEST_ONLY, XML_OUTPUT_FILE, "
      "TEST_SHARD_INDEX...) mean what they mean to the binary; an option beats its "
      "variable. Any option can be set in the [run] section of redqueen.toml; 'redqueen "
      "config' prints the settings in effect and where each came from.");
}

}  // namespace

CLI::App* AddRunCommands(CLI::App* app, RunOptions* options) {
  CLI::App* run =
      app->add_subcommand("run", "Run GoogleTest binaries' tests on parallel pawns");
  AddRunOptions(run, options);
  AddRunOptions(app->add_subcommand("list",
                                    "Print the tests 'run' would select (with the "
                                    "same options), one a line, and run none"),
                options);
  AddRunOptions(app->add_subcommand("config",
                                    "Print the settings 'run' would use (with the "
                                    "same options) and where each came from"),
                options);
  return run;
}

namespace {

/// The parser of `redqueen run` (and list, config), storing into `options`;
/// with a settings file when `config` is not empty.
std::unique_ptr<CLI::App> MakeApp(RunOptions* options, const std::string& config,
                                  CLI::App** run) {
  auto app = std::make_unique<CLI::App>("", "redqueen");
  app->require_subcommand(1);
  *run = AddRunCommands(app.get(), options);
  if (!config.empty()) {
    app->set_config("--config-file", config, "", /*config_required=*/true);
    app->allow_config_extras(CLI::config_extras_mode::error);
  }
  return app;
}

/// Parses `args` (without the program name). False when the process should
/// exit: help printed (0) or bad usage (2). `command` is the one given
/// (list and config are parsed as run, whose settings they share).
bool Parse(CLI::App& app, const std::vector<std::string>& args, const std::string& config,
           const std::string& command, int* exit_code) {
  std::vector<std::string> reversed(args.rbegin(),
                                    args.rend());  // CLI11 takes them last first.
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    const CLI::App* asked = command.empty() ? nullptr : app.get_subcommand(command);
    std::fputs((asked && app.got_subcommand("run") ? asked->help("redqueen") : app.help())
                   .c_str(),
               stdout);
    *exit_code = kExitPassed;
    return false;
  } catch (const CLI::ConfigError& e) {
    std::string message = e.what();
    const std::string unknown = "not able to parse ";
    if (const size_t at = message.find(unknown); at != std::string::npos) {
      message = "unknown setting '" + message.substr(at + unknown.size()) +
                "' (settings are the long option names of 'redqueen run', in [run])";
    }
    return UsageError(config + ": " + message, exit_code, command);
  } catch (const CLI::ParseError& e) {
    // The command line alone is parsed first: with the file, the file is wrong.
    const std::string where = config.empty() ? "" : config + ": ";
    return UsageError(where + ParseErrorLine(e, app, args), exit_code);
  }
  return true;
}

/// Paths in the settings file are relative to its folder, wherever redqueen
/// runs from; those given on the command line, to the working directory.
void ResolveFromConfig(const std::string& config, const std::set<std::string>& given,
                       RunOptions* options) {
  const std::filesystem::path folder = std::filesystem::path(config).parent_path();
  auto resolve = [&folder](std::string* path) {
    if (!path->empty() && std::filesystem::path(*path).is_relative()) {
      *path = (folder / *path).lexically_normal().string();
    }
  };
  if (!given.count("BINARY")) {
    for (std::string& binary : options->binaries) resolve(&binary);
  }
  if (!given.count("db")) {
    const RunOptions defaults;
    if (options->db_path != defaults.db_path) resolve(&options->db_path);
  }
  if (!given.count("from-ctest")) resolve(&options->from_ctest);
  if (!given.count("junit")) resolve(&options->junit_path);
  if (!given.count("json")) resolve(&options->json_path);
  if (!given.count("events") && options->events_path != "-")
    resolve(&options->events_path);
}

}  // namespace

bool ParseCommandLine(int argc, char** argv, RunOptions* options, int* exit_code) {
  // Arguments after `--` belong to the pawns; CLI11 never sees them.
  int ours = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      ours = i;
      options->pawn_args.assign(argv + i + 1, argv + argc);
      break;
    }
  }
  for (int i = 0; i < argc; ++i) {
    if (i) options->command_line += ' ';
    options->command_line += argv[i];
  }
  std::vector<std::string> args(argv + 1, argv + ours);
  const std::string command = args.empty() ? "run" : args[0];
  // `redqueen config ARGS` is `redqueen run ARGS` that prints instead of
  // runs; `redqueen list ARGS`, one that lists.
  if (!args.empty() && args[0] == "config") {
    options->print_config = true;
    args[0] = "run";
  } else if (!args.empty() && args[0] == "list") {
    options->list_only = true;
    args[0] = "run";
  }
  std::string error;
  std::string explicit_config;
  if (!TakeConfigOption(&args, &explicit_config, &error) ||
      !SortGtestFlags(&args, &options->pawn_args, &error)) {
    return UsageError(error, exit_code, command);
  }
  const std::string config = explicit_config.empty()
                                 ? FindConfigFile(std::filesystem::current_path())
                                 : explicit_config;
  if (!config.empty() && !CheckConfigFile(config, &error)) {
    return UsageError(error, exit_code, command);
  }

  // The command line alone first: what it sets beats the file and REDQUEEN_JOBS.
  const RunOptions defaults = *options;
  CLI::App* run = nullptr;
  auto app = MakeApp(options, "", &run);
  if (!Parse(*app, args, config, command, exit_code)) return false;
  std::set<std::string> given;
  for (const CLI::Option* option : run->get_options()) {
    if (option->count() > 0) given.insert(option->get_single_name());
  }
  if (!config.empty()) {
    *options = defaults;
    app = MakeApp(options, config, &run);
    if (!Parse(*app, args, config, command, exit_code)) return false;
  }
  options->config_path = config;
  if (!config.empty()) ResolveFromConfig(config, given, options);

  std::vector<Setting> from_env;
  const GetEnv getenv = [](const char* name) { return std::getenv(name); };
  if (!ApplyGtestVariables(getenv, given, options, &from_env, &error) ||
      !ReadShard(getenv, &options->shard, &error)) {
    return UsageError(error, exit_code, "");
  }
  options->runner_files = ReadRunnerFiles(getenv);
  // The command line beats the environment, which beats the settings file.
  const OriginOf origin = [&](const std::string& name) -> Origin {
    if (given.count(name)) return {Origin::kCommandLine, "command line"};
    for (const Setting& variable : from_env) {
      if (variable.name == name) return {Origin::kVariable, variable.source};
    }
    const CLI::Option* option = run->get_option_no_throw("--" + name);
    if (option && option->count() > 0) return {Origin::kSettingsFile, config};
    return {};
  };
  std::vector<Setting> mapped;
  if (!Reconcile(origin, options, given.count("jobs") > 0, &mapped, &error)) {
    return UsageError(error, exit_code, command);
  }
  if (options->binaries.empty() && options->from_ctest.empty() &&
      !options->print_config) {
    return UsageError("no test binary given (name one, or pass --from-ctest BUILD_DIR)",
                      exit_code, command);
  }
  // -j beats REDQUEEN_JOBS, which beats the settings file, which beats the
  // CPUs this process may use.
  std::string jobs_source;
  if (const char* env = std::getenv("REDQUEEN_JOBS"); !given.count("jobs") && env) {
    if (const std::string refusal = CheckNumber(env, 1, kMaxJobs); !refusal.empty()) {
      return UsageError("REDQUEEN_JOBS " + refusal + " (unset it, or set it to one)",
                        exit_code);
    }
    const long jobs = std::strtol(env, nullptr, 10);
    options->jobs = static_cast<int>(jobs);
    jobs_source = "REDQUEEN_JOBS";
  }
  if (options->jobs == 0) {
    options->jobs = AvailableCpus();
    jobs_source = "the CPUs available";
  }
  // --db beats REDQUEEN_DB, which beats the settings file.
  std::string db_source;
  if (const char* env = std::getenv("REDQUEEN_DB"); !given.count("db") && env && *env) {
    options->db_path = env;
    db_source = "REDQUEEN_DB";
  }
  if (options->print_config) {
    options->settings = Settings(*run, given, config, jobs_source, options->jobs);
    for (Setting& setting : options->settings) {
      if (setting.name == "db" && !db_source.empty()) {
        setting.value = "\"" + options->db_path + "\"";
        setting.source = db_source;
      }
      for (const auto* overrides : {&from_env, &mapped}) {
        for (const Setting& over : *overrides) {
          if (over.name == setting.name) setting = over;
        }
      }
    }
  }
  return true;
}

}  // namespace redqueen::queen
