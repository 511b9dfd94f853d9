#include "queen/bench/bench_command.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>

#include "queen/bench/ab.h"
#include "queen/bench/bench_run.h"
#include "queen/bench/bench_views.h"
#include "queen/exit_codes.h"
#include "queen/options.h"
#include "queen/print_error.h"
#include "queen/usage.h"

namespace redqueen::queen::bench {
namespace {

/// A DURATION option read into seconds.
void AddSeconds(CLI::App* app, const std::string& name, double* seconds,
                const std::string& description, const std::string& default_text) {
  app->add_option_function<std::string>(
         name,
         [name, seconds](const std::string& text) {
           std::chrono::microseconds duration{};
           // The fixture takes up to 1e6 s; a day is past any benchmark.
           if (!ParseDuration(text, &duration) || duration.count() == 0 ||
               duration > std::chrono::hours(24)) {
             throw CLI::ValidationError(name +
                                        " must be a duration above 0 and at most 24h "
                                        "(e.g. 1s, 200ms, 5us), not '" +
                                        text + "'");
           }
           *seconds = static_cast<double>(duration.count()) / 1e6;
         },
         description)
      ->type_name("DURATION")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->default_str(default_text);
}

/// --threshold 5 or 5%: a percentage, kept as a fraction.
void AddPercent(CLI::App* app, const std::string& name, double* fraction,
                const std::string& description) {
  app->add_option_function<std::string>(
         name,
         [name, fraction](const std::string& text) {
           const std::string number = !text.empty() && text.back() == '%'
                                          ? text.substr(0, text.size() - 1)
                                          : text;
           char* end = nullptr;
           const double value = std::strtod(number.c_str(), &end);
           if (number.empty() || *end != '\0' || !(value >= 0 && value < 100)) {
             throw CLI::ValidationError(name +
                                        " must be a percentage from 0 to 100 (e.g. "
                                        "5 or 5%), not '" +
                                        text + "'");
           }
           *fraction = value / 100;
         },
         description)
      ->type_name("PERCENT")
      ->default_str(std::to_string(static_cast<int>(*fraction * 100)) + "%");
}

void AddDb(CLI::App* app, std::string* db_path) {
  app->add_option("--db", *db_path, "The result store; REDQUEEN_DB when not given")
      ->type_name("FILE")
      ->capture_default_str();
}

void AddMeasureOptions(CLI::App* app, MeasureOptions* measure, const std::string& time) {
  app->add_option("--filter", measure->filter,
                  "The benchmarks to measure, in GoogleTest's filter syntax "
                  "(POSITIVE[-NEGATIVE], ':'-separated globs)")
      ->capture_default_str();
  app->add_option(
         "--cpus", measure->cpus,
         "CPUs to measure on, one benchmark at a time on each (e.g. 1,3 or 2-3); "
         "redqueen itself runs on a CPU not listed. Default: the CPU that has served the "
         "fewest interrupts")
      ->type_name("LIST");
  AddSeconds(app, "--bench-time", &measure->settings.bench_time,
             "How long a fixture benchmark's rounds run; Google Benchmark's "
             "--benchmark_min_time per repetition",
             time);
  AddSeconds(app, "--bench-min-round", &measure->settings.min_round,
             "The fixture's shortest round: calls are grouped until a round takes this",
             "5us");
  AddSeconds(app, "--bench-warmup", &measure->settings.warmup,
             "The fixture's rounds run and dropped before the measured ones", "100ms");
  AddSeconds(app, "--bench-timeout", &measure->settings.timeout,
             "A benchmark's process is killed after this", "300s");
}

void AddGateOptions(CLI::App* app, GateOptions* gate) {
  AddPercent(app, "--threshold", &gate->gate.threshold,
             "Slower only when the whole interval of the change lies beyond this");
  app->add_option("--alpha", gate->gate.alpha,
                  "The significance level of the test that a change is real")
      ->check(CLI::Range(0.0001, 0.5))
      ->capture_default_str();
  app->add_flag(
      "--fail-unstable,!--no-fail-unstable", gate->fail_unstable,
      "Exit 3 when a benchmark is too noisy to judge (default where CI is set)");
  app->add_option_function<std::string>(
         "--metric", [gate](const std::string& m) { gate->use_cpu_time = m == "cpu"; },
         "Judge wall time (real) or CPU time (cpu)")
      ->check(CLI::IsMember({"real", "cpu"}))
      ->default_str("real");
  app->add_option("--json", gate->json_path, "Write the comparison as JSON to FILE")
      ->type_name("FILE");
}

class BenchParser : public CLI::App {
 public:
  BenchParser();
  /// bench BINARY...: its own positionals and options.
  void AddMeasuring();
  /// list, runs, show, report: what reads binaries or the store only.
  void AddReading();
  void AddCompare();
  void AddAb();

  BenchOptions bench;
  std::vector<std::string> list_binaries;
  std::string list_filter = "*";
  int runs_limit = 20;
  std::string report_path;
  int report_runs = 50;
  int64_t show_run = 0;
  GateOptions show_gate;
  CompareOptions compare;
  AbOptions ab;
  CLI::App* list = nullptr;
  CLI::App* runs = nullptr;
  CLI::App* show = nullptr;
  CLI::App* compare_app = nullptr;
  CLI::App* ab_app = nullptr;
  CLI::App* report = nullptr;
};

BenchParser::BenchParser()
    : CLI::App("Measure benchmarks, compare runs, gate on regressions", "bench") {
  AddMeasuring();
  AddReading();
  AddCompare();
  AddAb();
}

void BenchParser::AddMeasuring() {
  add_option("BINARY", bench.binaries,
             "Google Benchmark binaries, or GoogleTest binaries with REDQUEEN_BENCHMARKs")
      ->type_name("FILE");
  AddMeasureOptions(this, &bench.measure, "1s");
  add_option(
      "--repetitions", bench.measure.settings.repetitions,
      "Google Benchmark's repetitions of each benchmark (the fixture keeps every round)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  add_option("--save", bench.label,
             "Also write the run as .redqueen/bench/NNNN_LABEL.json (next free number)")
      ->expected(0, 1)
      ->type_name("[LABEL]");
  add_option("--json", bench.json_path, "Write the run (statistics and samples) to FILE")
      ->type_name("FILE");
  AddDb(this, &bench.db_path);
  footer(
      "Exit 1 when a benchmark failed to measure. 'redqueen bench compare' and "
      "'redqueen bench ab' gate: exit 1 on a regression, 3 on an unstable benchmark with "
      "--fail-unstable.");
}

void BenchParser::AddReading() {
  list = add_subcommand("list", "List the benchmarks of binaries, measuring none");
  list->add_option("BINARY", list_binaries, "Binaries")->required()->type_name("FILE");
  list->add_option("--filter", list_filter, "GoogleTest's filter syntax")
      ->capture_default_str();

  runs = add_subcommand("runs", "List the store's bench runs, newest first");
  runs->add_option("--limit", runs_limit, "How many")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  AddDb(runs, &bench.db_path);

  show = add_subcommand("show", "Show a bench run's table (default: the newest)");
  show->add_option("RUN", show_run, "A run number of 'redqueen bench runs'")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 62));
  AddDb(show, &bench.db_path);

  report = add_subcommand("report",
                          "Write the benchmark page: each benchmark's history over runs, "
                          "with its interval band");
  report->add_option("-o,--output", report_path, "The HTML file to write")
      ->type_name("FILE")
      ->required();
  report->add_option("--runs", report_runs, "How many recent bench runs")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  AddDb(report, &bench.db_path);
}

void BenchParser::AddCompare() {
  compare_app = add_subcommand(
      "compare", "Judge NEW against BASE: exit 1 when a benchmark is slower");
  compare_app
      ->add_option(
          "BASE", compare.base,
          "A bench run number, a saved result file, or a Google Benchmark JSON file")
      ->required();
  compare_app->add_option("NEW", compare.fresh, "The same kinds as BASE")->required();
  compare_app->add_flag("--cross-machine", compare.cross_machine,
                        "Compare runs of different machines");
  AddGateOptions(compare_app, &compare.gate);
  AddDb(compare_app, &compare.db_path);
}

void BenchParser::AddAb() {
  ab_app = add_subcommand("ab",
                          "Run two builds alternately on one CPU and judge NEW against "
                          "BASE on paired ratios, past the base's own A/A noise");
  ab_app->add_option("BASE_BINARY", ab.base_binary, "The base build")
      ->required()
      ->type_name("FILE");
  ab_app->add_option("NEW_BINARY", ab.new_binary, "The new build")
      ->required()
      ->type_name("FILE");
  // Six pairs are the fewest that bound a change at 95% (2/2^6 < 5%).
  ab_app->add_option("--cycles", ab.cycles, "Cycles of A B A' (each a process per arm)")
      ->check(CLI::Range(6, 10000))
      ->capture_default_str();
  ab.measure.settings.bench_time = 0.2;
  AddMeasureOptions(ab_app, &ab.measure, "200ms");
  AddGateOptions(ab_app, &ab.gate);
  AddDb(ab_app, &ab.db_path);
}

std::string CommandLine(int argc, char** argv) {
  std::string command = "redqueen";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  return command;
}

}  // namespace

std::shared_ptr<CLI::App> MakeBenchParser() { return std::make_shared<BenchParser>(); }

int BenchMain(int argc, char** argv) {
  BenchParser app;
  // Hosted CIs set CI=true; CI=false or 0 says this is not one.
  const char* ci = std::getenv("CI");
  const bool in_ci =
      ci && *ci && std::strcmp(ci, "false") != 0 && std::strcmp(ci, "0") != 0;
  app.compare.gate.fail_unstable = app.ab.gate.fail_unstable = in_ci;
  if (const char* env = std::getenv("REDQUEEN_DB"); env && *env) {
    app.bench.db_path = app.compare.db_path = app.ab.db_path = env;
  }
  if (int exit_code = 0; !ParseCommand(app, argc, argv, &exit_code)) return exit_code;
  app.bench.command = app.ab.command = CommandLine(argc, argv);
  if (app.list->parsed()) return ListBenchmarks(app.list_binaries, app.list_filter);
  if (app.runs->parsed()) return ListRuns(app.bench.db_path, app.runs_limit);
  if (app.show->parsed()) return ShowRun(app.bench.db_path, app.show_run, app.show_gate);
  if (app.report->parsed())
    return WriteReport(app.bench.db_path, app.report_runs, app.report_path);
  if (app.compare_app->parsed()) return CompareMain(app.compare);
  if (app.ab_app->parsed()) return AbSession(app.ab);
  if (app.bench.binaries.empty()) {
    int exit_code = 0;
    UsageError(
        "redqueen bench needs a BINARY to measure, or a command (list, runs, show, "
        "compare, ab)",
        &exit_code, "bench");
    return exit_code;
  }
  app.bench.save = app.get_option("--save")->count() > 0;
  if (app.bench.label.empty()) app.bench.label = "run";
  return BenchSession(app.bench);
}

}  // namespace redqueen::queen::bench
