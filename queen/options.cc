#include "queen/options.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "queen/config_command.h"
#include "queen/config_file.h"
#include "queen/exit_codes.h"
#include "queen/gtest_flags.h"
#include "queen/gtest_options.h"
#include "queen/print_error.h"
#include "queen/run_environment.h"
#include "queen/usage.h"

namespace redqueen::queen {

namespace {

/// The options that act on a run only: a listing or a plan refuses them
/// rather than ignoring them.
constexpr const char* kRunOnly[] = {
    "junit",        "json",        "events",          "repeat",        "until-fail",
    "retries",      "flaky-fails", "timeout",         "slow",          "kill-grace",
    "fail-fast",    "max-fail",    "order",           "failed-first",  "serial",
    "by-suite",     "max-memory",  "gtest_repeat",    "gtest_shuffle", "gtest_fail_fast",
    "gtest_output", "gtest_brief", "gtest_print_time"};

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
  // A listing of one shard is useful, but one by time needs the store.
  if (origin("partition").rank == Origin::kCommandLine && options.partition == "time") {
    *error =
        "a listing does not read the store, so --partition time cannot split it by "
        "history; list with --partition hash or count";
    return false;
  }
  for (const char* name : kRunOnly) {
    if (origin(name).rank == Origin::kCommandLine) {
      *error = "--" + std::string(name) +
               " acts on a run, and a listing runs nothing; drop it";
      return false;
    }
  }
  return true;
}

/// `redqueen plan` splits the tests and runs none; its own options are for
/// it alone.
bool CheckPlanning(const OriginOf& origin, const RunOptions& options,
                   std::string* error) {
  if (!options.plan_only) {
    for (const char* name : {"output", "target-time", "max-shards", "shard-jobs"}) {
      if (origin(name).rank == Origin::kCommandLine) {
        *error = "--" + std::string(name) + " is for 'redqueen plan'; drop it";
        return false;
      }
    }
    return true;
  }
  if ((options.shards == 0) == (options.target_time.count() == 0)) {
    *error = options.shards == 0
                 ? "redqueen plan needs --shards N (how many CI machines), or "
                   "--target-time D to choose N"
                 : "--shards and --target-time both say how many shards; pass one";
    return false;
  }
  if (!options.shard_jobs.empty() &&
      static_cast<int>(options.shard_jobs.size()) != options.shards) {
    *error = options.shards == 0
                 ? "--shard-jobs needs --shards N (with --target-time the shards are "
                   "alike)"
                 : "--shard-jobs gives " + std::to_string(options.shard_jobs.size()) +
                       " shards' pawns, but --shards is " +
                       std::to_string(options.shards) + " (give one number a shard)";
    return false;
  }
  for (const char* name : kRunOnly) {
    if (origin(name).rank == Origin::kCommandLine) {
      *error =
          "--" + std::string(name) + " acts on a run, and a plan runs nothing; drop it";
      return false;
    }
  }
  for (const char* name : {"shard", "plan", "rerun-failed"}) {
    if (origin(name).rank == Origin::kCommandLine) {
      *error =
          "redqueen plan splits the tests for every shard: drop --" + std::string(name);
      return false;
    }
  }
  if (options.shard.total > 1) {
    *error = "redqueen plan plans every shard, but " + options.shard.source +
             " makes this run one of them (run the plan in a job of its own)";
    return false;
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
      !CheckListing(origin, *options, error) || !CheckPlanning(origin, *options, error)) {
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

/// The parser of `redqueen run` (and list, plan, config, which parse as
/// run), storing into `options`; with a settings file when `config` is not
/// empty. `command`, the one given, has its options for its --help.
std::unique_ptr<CLI::App> MakeApp(RunOptions* options, const std::string& config,
                                  const std::string& command, CLI::App** run) {
  auto app = std::make_unique<CLI::App>("", "redqueen");
  app->require_subcommand(1);
  *run = AddRunCommands(app.get(), options, DeclaredOptions{false, {"run", command}});
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

/// Records the command line, and gives the arguments after `--` to the
/// pawns (CLI11 never sees them); returns redqueen's own, without the
/// program name.
std::vector<std::string> SplitArguments(int argc, char** argv, RunOptions* options) {
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
  return std::vector<std::string>(argv + 1, argv + ours);
}

/// The command given (run when none). `redqueen config ARGS` is `redqueen
/// run ARGS` that prints instead of runs; `redqueen list ARGS`, one that
/// lists: both are parsed as run.
std::string TakeCommand(std::vector<std::string>* args, RunOptions* options) {
  if (args->empty()) return "run";
  const std::string command = (*args)[0];
  if (command == "config") {
    options->print_config = true;
    (*args)[0] = "run";
  } else if (command == "list") {
    options->list_only = true;
    (*args)[0] = "run";
  } else if (command == "plan") {
    options->plan_only = true;
    (*args)[0] = "run";
  }
  return command;
}

/// Takes --config and the pawns' gtest flags out of `args`; `*config` is the
/// settings file to read (empty: none). False with `*error`.
bool FindSettingsFile(std::vector<std::string>* args, RunOptions* options,
                      std::string* config, std::string* error) {
  std::string explicit_config;
  if (!TakeConfigOption(args, &explicit_config, error) ||
      !SortGtestFlags(args, &options->pawn_args, error)) {
    return false;
  }
  *config = explicit_config.empty() ? FindConfigFile(std::filesystem::current_path())
                                    : explicit_config;
  return config->empty() || CheckConfigFile(*config, error);
}

/// A parsed command line: its parser, whose options also say what the
/// settings file set, and the options the command line itself gave.
struct Parsed {
  std::unique_ptr<CLI::App> app;
  CLI::App* run = nullptr;
  std::set<std::string> given;
};

/// Parses the command line alone first, since what it sets beats the
/// settings file and REDQUEEN_JOBS, then again with the file. False when the
/// process should exit with `*exit_code`.
bool ParseWithSettings(const std::vector<std::string>& args, const std::string& config,
                       const std::string& command, RunOptions* options, Parsed* parsed,
                       int* exit_code) {
  const RunOptions defaults = *options;
  parsed->app = MakeApp(options, "", command, &parsed->run);
  if (!Parse(*parsed->app, args, config, command, exit_code)) return false;
  for (const CLI::Option* option : parsed->run->get_options()) {
    if (option->count() > 0) parsed->given.insert(option->get_single_name());
  }
  if (!config.empty()) {
    *options = defaults;
    parsed->app = MakeApp(options, config, command, &parsed->run);
    if (!Parse(*parsed->app, args, config, command, exit_code)) return false;
  }
  options->config_path = config;
  if (!config.empty()) ResolveFromConfig(config, parsed->given, options);
  return true;
}

/// What the variables redqueen runs under say: GTEST_* (each one read added
/// to `from_env`), the shard (with --shard and --shards) and the runner's
/// files. False with `*error`.
bool ReadEnvironment(const std::set<std::string>& given, RunOptions* options,
                     std::vector<Setting>* from_env, std::string* error) {
  const GetEnv getenv = [](const char* name) { return std::getenv(name); };
  if (!ApplyGtestVariables(getenv, given, options, from_env, error) ||
      // A plan's --shards is how many it plans, not which this run is.
      !ResolveShard(options->shard_option, options->plan_only ? 0 : options->shards,
                    getenv, &options->shard, error)) {
    return false;
  }
  options->runner_files = ReadRunnerFiles(getenv);
  return true;
}

/// The command line beats the environment, which beats the settings file.
/// The answer refers to `parsed` and `from_env`, which must outlive it.
OriginOf OriginIn(const Parsed& parsed, const std::vector<Setting>& from_env,
                  const std::string& config) {
  return [&parsed, &from_env, config](const std::string& name) -> Origin {
    if (parsed.given.count(name)) return {Origin::kCommandLine, "command line"};
    for (const Setting& variable : from_env) {
      if (variable.name == name) return {Origin::kVariable, variable.source};
    }
    const CLI::Option* option = parsed.run->get_option_no_throw("--" + name);
    if (option && option->count() > 0) return {Origin::kSettingsFile, config};
    return {};
  };
}

/// -j beats REDQUEEN_JOBS, which beats the settings file, which beats the
/// CPUs this process may use; `*source` names the variable or the CPUs when
/// they set it. False with `*error` for a bad REDQUEEN_JOBS.
bool ResolveJobs(bool jobs_given, RunOptions* options, std::string* source,
                 std::string* error) {
  if (const char* env = std::getenv("REDQUEEN_JOBS"); !jobs_given && env) {
    if (const std::string refusal = CheckNumber(env, 1, kMaxJobs); !refusal.empty()) {
      *error = "REDQUEEN_JOBS " + refusal + " (unset it, or set it to one)";
      return false;
    }
    const long jobs = std::strtol(env, nullptr, 10);
    options->jobs = static_cast<int>(jobs);
    *source = "REDQUEEN_JOBS";
  }
  if (options->jobs == 0) {
    options->jobs = AvailableCpus();
    *source = "the CPUs available";
  }
  return true;
}

/// --db beats REDQUEEN_DB, which beats the settings file; the variable, when
/// it sets the store, is added to `from_env` as the others are.
void ResolveDb(bool db_given, RunOptions* options, std::vector<Setting>* from_env) {
  const char* env = std::getenv("REDQUEEN_DB");
  if (db_given || !env || !*env) return;
  options->db_path = env;
  from_env->push_back(Setting{"db", "\"" + options->db_path + "\"", "REDQUEEN_DB"});
}

/// What `redqueen config` prints: each setting and where it came from, with
/// what the variables and then the gtest flags set in place of what the
/// parser saw.
std::vector<Setting> SettingsInEffect(const Parsed& parsed, const std::string& config,
                                      const std::string& jobs_source, int jobs,
                                      const std::vector<Setting>& from_env,
                                      const std::vector<Setting>& mapped) {
  std::vector<Setting> settings =
      Settings(*parsed.run, parsed.given, config, jobs_source, jobs);
  for (Setting& setting : settings) {
    for (const auto* overrides : {&from_env, &mapped}) {
      for (const Setting& over : *overrides) {
        if (over.name == setting.name) setting = over;
      }
    }
  }
  return settings;
}

}  // namespace

bool ParseCommandLine(int argc, char** argv, RunOptions* options, int* exit_code) {
  std::vector<std::string> args = SplitArguments(argc, argv, options);
  const std::string command = TakeCommand(&args, options);
  std::string error;
  std::string config;
  if (!FindSettingsFile(&args, options, &config, &error)) {
    return UsageError(error, exit_code, command);
  }
  Parsed parsed;
  if (!ParseWithSettings(args, config, command, options, &parsed, exit_code))
    return false;
  std::vector<Setting> from_env;
  // A bad variable: no command's help would help.
  if (!ReadEnvironment(parsed.given, options, &from_env, &error)) {
    return UsageError(error, exit_code);
  }
  const bool jobs_given = parsed.given.count("jobs") > 0;
  std::vector<Setting> mapped;
  if (!Reconcile(OriginIn(parsed, from_env, config), options, jobs_given, &mapped,
                 &error)) {
    return UsageError(error, exit_code, command);
  }
  if (options->binaries.empty() && options->from_ctest.empty() &&
      !options->print_config) {
    return UsageError("no test binary given (name one, or pass --from-ctest BUILD_DIR)",
                      exit_code, command);
  }
  std::string jobs_source;
  if (!ResolveJobs(jobs_given, options, &jobs_source, &error)) {
    return UsageError(error, exit_code);
  }
  ResolveDb(parsed.given.count("db") > 0, options, &from_env);
  if (options->print_config) {
    options->settings =
        SettingsInEffect(parsed, config, jobs_source, options->jobs, from_env, mapped);
  }
  return true;
}

}  // namespace redqueen::queen
