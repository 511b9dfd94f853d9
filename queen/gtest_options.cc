#include "queen/gtest_options.h"

#include <climits>

namespace redqueen::queen {
namespace {

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

/// --gtest_output's "FORMAT[:PATH]" as --junit or --json, or a folder with a
/// file per binary.
bool MapGtestOutput(const OriginOf& origin, RunOptions* options,
                    std::vector<Setting>* mapped, std::string* error) {
  const std::string& output = options->gtest.output;
  if (output.empty()) return true;
  const size_t colon = output.find(':');
  const std::string format = output.substr(0, colon);
  if (format != "xml" && format != "json") {
    *error = Spelt("gtest_output", origin) + " '" + output +
             "': the format is xml or json (--gtest_output=xml:FILE)";
    return false;
  }
  const char* own = format == "xml" ? "junit" : "json";
  if (origin("gtest_output").rank <= origin(own).rank) return true;
  // gtest's names: no path is test_detail.FORMAT here; a path ending in
  // '/' (or an empty one) is a folder, with a file per binary.
  std::string path =
      colon == std::string::npos ? "test_detail." + format : output.substr(colon + 1);
  if (path.empty()) path = "./";
  const bool folder = path.back() == '/';
  std::string& file = format == "xml" ? options->junit_path : options->json_path;
  std::string& dir = format == "xml" ? options->junit_dir : options->json_dir;
  file = folder ? "" : path;
  dir = folder ? path : "";
  mapped->push_back({own, Quoted(folder ? path + " (a file per binary)" : path),
                     Spelt("gtest_output", origin)});
  return true;
}

}  // namespace

// Those given after `--` are moved here (gtest_flags.h). Given twice, the
// last one counts, as in gtest.
void AddGtestOptions(CLI::App* run, RunOptions* options) {
  const std::string group = "GoogleTest flags (also after --, and as GTEST_* variables)";
  auto last = [&group](CLI::Option* option) {
    option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->group(group);
  };
  last(run->add_option("--gtest_filter", options->gtest_filter,
                       "Run only the tests matching this gtest filter (GTEST_FILTER, "
                       "Bazel's TESTBRIDGE_TEST_ONLY)")
           ->capture_default_str());
  last(run->add_flag("--gtest_also_run_disabled_tests", options->also_run_disabled,
                     "Also run DISABLED_ tests"));
  last(run->add_option_function<int64_t>(
              "--gtest_repeat", [options](int64_t n) { options->gtest.repeat = n; },
              "Run every test N times (-1: until stopped); as --repeat")
           ->check(WholeIn(INT32_MIN, INT32_MAX))
           ->default_str("1"));
  last(run->add_flag("--gtest_shuffle", options->gtest.shuffle,
                     "Random order; as --order random"));
  last(run->add_option(
              "--gtest_random_seed", options->gtest.random_seed,
              "The seed of --gtest_shuffle (0: a new one); as --order random:SEED")
           ->check(WholeIn(INT32_MIN, INT32_MAX))
           ->capture_default_str());
  last(run->add_flag("--gtest_fail_fast", options->gtest.fail_fast, "As --fail-fast"));
  last(run->add_option(
      "--gtest_output", options->gtest.output,
      "xml[:FILE|:DIR/] or json[:FILE|:DIR/]: the run's JUnit XML or "
      "JSON report there (DIR/: one file per binary); as --junit, --json"));
  last(run->add_flag("--gtest_brief", options->gtest.brief,
                     "Print only failures as tests end"));
  last(run->add_option("--gtest_color", options->gtest.color,
                       "yes, no or auto: colour the status words")
           ->capture_default_str());
  last(run->add_flag("--gtest_print_time", options->gtest.print_time,
                     "Print each reported test's duration (--gtest_print_time=0: do not)")
           ->default_str("true"));
  last(run->add_flag("--gtest_list_tests", options->gtest.list_tests,
                     "Print the tests the run would select, and run none; as "
                     "'redqueen list'"));
}

std::string Spelt(const std::string& name, const OriginOf& origin) {
  const Origin from = origin(name);
  return from.rank == Origin::kVariable ? from.source : "--" + name;
}

bool MapGtestRun(const OriginOf& origin, RunOptions* options,
                 std::vector<Setting>* mapped, std::string* error) {
  const GtestRun& gtest = options->gtest;
  auto outranks = [&origin](const char* gtest_name, const char* own) {
    return origin(gtest_name).rank > origin(own).rank;
  };
  if (gtest.repeat && outranks("gtest_repeat", "repeat")) {
    if (*gtest.repeat == 0) {
      *error = Spelt("gtest_repeat", origin) +
               "=0 runs no test; give a count instead (-1: until stopped)";
      return false;
    }
    options->repeat = *gtest.repeat < 0 ? 0 : static_cast<int>(*gtest.repeat);
    mapped->push_back(
        {"repeat", std::to_string(options->repeat), Spelt("gtest_repeat", origin)});
  }
  if (gtest.shuffle && outranks("gtest_shuffle", "order")) {
    if (options->mode == "sequential") {
      *error = "--mode sequential runs the tests in declared order; drop " +
               Spelt("gtest_shuffle", origin);
      return false;
    }
    // gtest's own folding of a seed into 1..99999.
    const uint32_t seed =
        gtest.random_seed == 0
            ? 0
            : (static_cast<uint32_t>(gtest.random_seed) - 1U) % 99'999U + 1U;
    options->order = seed == 0 ? "random" : "random:" + std::to_string(seed);
    mapped->push_back({"order", Quoted(options->order), Spelt("gtest_shuffle", origin)});
  }
  if (gtest.fail_fast && outranks("gtest_fail_fast", "max-fail") &&
      outranks("gtest_fail_fast", "fail-fast")) {
    options->max_fail = 1;
    mapped->push_back({"max-fail", "1", Spelt("gtest_fail_fast", origin)});
  }
  if (gtest.list_tests) options->list_only = true;
  // A filter its user typed that matches nothing is likely a typo; one a
  // test runner set for many binaries (Bazel's --test_filter) is not.
  if (origin("no-tests").rank == Origin::kDefault) {
    const Origin filter = origin("gtest_filter");
    const bool typed =
        filter.rank == Origin::kCommandLine || filter.rank == Origin::kSettingsFile;
    options->no_tests = typed ? "fail" : "warn";
    if (!typed) {
      mapped->push_back({"no-tests", Quoted("warn"),
                         filter.rank == Origin::kVariable
                             ? "default, as " + filter.source + " set the filter"
                             : "default, as no filter was given"});
    }
  }
  options->gtest_filter_spelt = Spelt("gtest_filter", origin);
  return MapGtestOutput(origin, options, mapped, error);
}

}  // namespace redqueen::queen
