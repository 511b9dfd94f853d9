#include "queen/options.h"

#include <sched.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "queen/exit_codes.h"

namespace redqueen::queen {

int AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

bool ParseDuration(const std::string& text, std::chrono::microseconds* duration) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  const std::string unit = text.substr(used);
  double seconds_per_unit = 0;
  if (unit.empty() || unit == "s") {
    seconds_per_unit = 1;
  } else if (unit == "ms") {
    seconds_per_unit = 1e-3;
  } else if (unit == "m") {
    seconds_per_unit = 60;
  } else if (unit == "h") {
    seconds_per_unit = 3600;
  } else {
    return false;
  }
  if (value < 0) return false;
  *duration = std::chrono::microseconds(static_cast<int64_t>(value * seconds_per_unit * 1e6));
  return true;
}

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

  CLI::App app{"redqueen: a parallel runner for GoogleTest suites"};
  app.require_subcommand(1);
  CLI::App* run = app.add_subcommand(
      "run", "Run GoogleTest binaries' tests on parallel pawns");
  run->add_option("BINARY", options->binaries,
                  "GoogleTest binaries (linked with redqueen::gtest_main or not); "
                  "their tests share one queue and the pawns")
;
  run->add_option("--from-ctest", options->from_ctest,
                  "Also run the GoogleTest binaries of the CTest tests in this build "
                  "directory");
  run->add_option("-j,--jobs", options->jobs,
                  "Pawns (worker processes); default: the CPUs available")
      ->check(CLI::PositiveNumber);
  run->add_option("--gtest_filter", options->gtest_filter,
                  "Run only the tests matching this gtest filter");
  run->add_option("--pawn", options->pawn,
                  "auto: resident pawns for binaries linked with redqueen::gtest_main, "
                  "exec pawns for any other gtest binary")
      ->check(CLI::IsMember({"auto", "resident", "exec"}))
      ->capture_default_str();
  run->add_flag("--gtest_also_run_disabled_tests", options->also_run_disabled,
                "Also run DISABLED_ tests");
  run->add_option("--db", options->db_path, "The result store (SQLite)")
      ->capture_default_str();
  run->add_option("--max-restarts", options->max_restarts,
                  "Replacement pawns allowed before the run stops")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  auto duration = [](std::chrono::microseconds* out) {
    return [out](const std::string& text) {
      if (!ParseDuration(text, out)) {
        throw CLI::ValidationError("'" + text + "' is not a duration (90s, 1.5m, 500ms)");
      }
    };
  };
  run->add_option_function<std::string>("--timeout", duration(&options->timeout),
                                         "A test running longer is ended: TIMEOUT "
                                         "(e.g. 90s, 2m; default: none)");
  run->add_option_function<std::string>(
      "--slow", duration(&options->slow),
      "Print a warning line when a test runs longer (e.g. 30s; default: never)");
  run->add_option_function<std::string>(
      "--kill-grace", duration(&options->kill_grace),
      "Between SIGTERM and SIGKILL for a test past --timeout (default 5s)");
  run->add_option("--list-timeout", options->list_timeout,
                  "Seconds to wait for an unmodified binary's --gtest_list_tests")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run->add_option("--output-cap", options->output_cap,
                  "Bytes of output kept per test (head and tail)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run->footer("Arguments after -- are passed to every pawn.");

  try {
    app.parse(ours, argv);
  } catch (const CLI::CallForHelp&) {
    const CLI::App* help_for = run->parsed() ? run : &app;
    std::fputs(help_for->help().c_str(), stdout);
    *exit_code = kExitPassed;
    return false;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (message.empty()) message = "bad command line";
    std::fprintf(stderr, "redqueen: error: %s (see 'redqueen run --help')\n",
                 message.c_str());
    *exit_code = kExitUsage;
    return false;
  }
  if (options->binaries.empty() && options->from_ctest.empty()) {
    std::fprintf(stderr,
                 "redqueen: error: no test binary given (name one, or pass --from-ctest "
                 "BUILD_DIR; see 'redqueen run --help')\n");
    *exit_code = kExitUsage;
    return false;
  }
  // -j beats REDQUEEN_JOBS, which beats the CPUs this process may use.
  if (const char* env = std::getenv("REDQUEEN_JOBS"); options->jobs == 0 && env) {
    char* end = nullptr;
    const long jobs = std::strtol(env, &end, 10);
    if (*env == '\0' || *end != '\0' || jobs < 1 || jobs > 4096) {
      std::fprintf(stderr,
                   "redqueen: error: REDQUEEN_JOBS='%s' is not a number of pawns "
                   "(unset it, or set it to a positive number)\n",
                   env);
      *exit_code = kExitUsage;
      return false;
    }
    options->jobs = static_cast<int>(jobs);
  }
  if (options->jobs == 0) options->jobs = AvailableCpus();
  return true;
}

}  // namespace redqueen::queen
