#include "queen/history_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bishop/store.h"
#include "queen/exit_codes.h"
#include "queen/html_report.h"
#include "queen/json_report.h"
#include "queen/junit.h"
#include "queen/options.h"
#include "queen/print_error.h"
#include "queen/report_text.h"
#include "queen/usage.h"

namespace redqueen::queen {
namespace {

struct HistoryOptions {
  std::string db_path = ".redqueen/redqueen.db";
  int64_t run = 0;  ///< 0: the newest.
  int count = 10;
  int runs = 10;
  std::vector<std::string> statuses;
  std::string junit_path;
  std::string json_path;
  std::string html_path;
};

std::string Label(const bishop::RunExecution& e) {
  return BinaryLabel(e.binary, e.target) + ": " + e.name;
}

int ListRuns(bishop::Store& store, const HistoryOptions& options) {
  std::printf("%5s  %-24s  %-11s %6s %6s %6s %7s %5s %9s  %s\n", "RUN", "STARTED",
              "STATUS", "TESTS", "PASSED", "FAILED", "SKIPPED", "FLAKY", "TIME",
              "COMMAND");
  for (const bishop::RunRow& row : store.Runs(options.count)) {
    const auto& s = row.summary;
    std::printf(
        "%5lld  %-24s  %-11s %6lld %6lld %6lld %7lld %5lld %8.3fs  %s\n",
        static_cast<long long>(row.id), row.run.started_at.c_str(), s.status.c_str(),
        static_cast<long long>(s.total_tests), static_cast<long long>(s.tests_passed),
        static_cast<long long>(s.tests_failed), static_cast<long long>(s.tests_skipped),
        static_cast<long long>(s.flaky), s.execution_time, row.run.command.c_str());
  }
  return kExitPassed;
}

int Show(bishop::Store& store, int64_t run, const HistoryOptions& options) {
  for (const bishop::RunExecution& e : store.RunExecutions(run)) {
    if (!e.final) continue;
    if (!options.statuses.empty() &&
        std::find(options.statuses.begin(), options.statuses.end(),
                  StatusName(e.status)) == options.statuses.end()) {
      continue;
    }
    std::printf("%-8s %s (%.3fs)\n", std::string(StatusName(e.status)).c_str(),
                Label(e).c_str(), e.duration_us / 1e6);
    std::istringstream text(FailureText(e));
    for (std::string line; std::getline(text, line);)
      std::printf("    %s\n", line.c_str());
    if (e.status == TestStatus::kSkipped && !e.skip_message.empty()) {
      std::printf("    %s\n", e.skip_message.c_str());
    }
  }
  return kExitPassed;
}

int Slowest(bishop::Store& store, int64_t run, const HistoryOptions& options) {
  std::vector<bishop::RunExecution> finals;
  for (bishop::RunExecution& e : store.RunExecutions(run)) {
    if (e.final && e.status != TestStatus::kSkipped) finals.push_back(std::move(e));
  }
  std::stable_sort(finals.begin(), finals.end(), [](const auto& a, const auto& b) {
    return a.duration_us > b.duration_us;
  });
  finals.resize(std::min(finals.size(), static_cast<size_t>(options.count)));
  for (const bishop::RunExecution& e : finals) {
    std::printf("%9.3fs  %s\n", e.duration_us / 1e6, Label(e).c_str());
  }
  return kExitPassed;
}

int Flaky(bishop::Store& store, const HistoryOptions& options) {
  int shown = 0;
  for (const bishop::Outcomes& t : store.RecentOutcomes(options.runs)) {
    const bool changed = t.flaky > 0 || (t.passed > 0 && t.failed > 0);
    if (!changed) continue;
    ++shown;
    std::printf("%s: %s: %d passed, %d failed, %d flaky in the last %d runs\n",
                BinaryLabel(t.binary, t.target).c_str(), t.name.c_str(), t.passed,
                t.failed, t.flaky, options.runs);
  }
  if (shown == 0)
    std::printf("no test changed its outcome in the last %d runs\n", options.runs);
  return kExitPassed;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

int Export(bishop::Store& store, const bishop::RunRow& row,
           const HistoryOptions& options) {
  if (options.junit_path.empty() && options.json_path.empty()) {
    return ErrorExit("export needs --junit FILE or --json FILE", kExitUsage);
  }
  const std::vector<bishop::RunExecution> executions = store.RunExecutions(row.id);
  if (!options.junit_path.empty() &&
      !WriteFile(options.junit_path, JunitXml(executions))) {
    return ErrorExit("cannot write '" + options.junit_path + "'", kExitInfra);
  }
  if (!options.json_path.empty() &&
      !WriteFile(options.json_path, RunJson(row.id, row.run, row.summary, executions))) {
    return ErrorExit("cannot write '" + options.json_path + "'", kExitInfra);
  }
  return kExitPassed;
}

/// A history command's parser, with what it parses into.
class HistoryParser : public CLI::App {
 public:
  explicit HistoryParser(const std::string& command);
  HistoryOptions options;
};

/// The history commands in the order --help lists them, with what each does.
const std::vector<std::pair<std::string, std::string>>& Commands() {
  static const std::vector<std::pair<std::string, std::string>> commands = {
      {"runs", "List past runs with their summaries"},
      {"show", "Print a run's results in registration order"},
      {"slowest", "Print a run's slowest tests"},
      {"flaky", "Print the tests whose outcome changed in recent runs"},
      {"export", "Write a past run's JUnit XML or JSON report"},
      {"report", "Write a self-contained HTML picture of a run"}};
  return commands;
}

std::string DescriptionOf(const std::string& command) {
  for (const auto& [name, description] : Commands()) {
    if (name == command) return description;
  }
  return "";
}

HistoryParser::HistoryParser(const std::string& command)
    : CLI::App(DescriptionOf(command), command) {
  add_option("--db", options.db_path, "The result store; REDQUEEN_DB when not given")
      ->type_name("FILE")
      ->capture_default_str();
  if (command != "runs" && command != "flaky") {
    add_option("RUN", options.run,
               "A run's number (see 'redqueen runs'); default: the newest");
  }
  if (command == "runs" || command == "slowest") {
    add_option("-n", options.count, "How many to list")
        ->check(WholeIn(1, 1'000'000))
        ->capture_default_str();
  }
  if (command == "show") {
    add_option("--status", options.statuses,
               "Only results with this status (PASSED, FAILED, CRASHED, TIMEOUT, "
               "SKIPPED, FLAKY; repeatable)")
        ->check(
            CLI::IsMember({"PASSED", "FAILED", "CRASHED", "TIMEOUT", "SKIPPED", "FLAKY"}))
        ->expected(1)
        ->take_all();
  }
  if (command == "flaky") {
    add_option("--runs", options.runs, "How many recent runs to look at")
        ->check(WholeIn(1, 1'000'000))
        ->capture_default_str();
  }
  if (command == "report") {
    add_option("-o,--output", options.html_path, "The HTML file to write")
        ->type_name("FILE")
        ->required();
  }
  if (command == "export") {
    add_option("--junit", options.junit_path, "Write the run as JUnit XML here")
        ->type_name("FILE");
    add_option("--json", options.json_path, "Write the run as JSON here")
        ->type_name("FILE");
  }
}

}  // namespace

const std::vector<std::string>& HistoryCommands() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& command : Commands()) list.push_back(command.first);
    return list;
  }();
  return names;
}

bool IsHistoryCommand(std::string_view command) {
  const std::vector<std::string>& names = HistoryCommands();
  return std::find(names.begin(), names.end(), command) != names.end();
}

std::shared_ptr<CLI::App> MakeHistoryParser(const std::string& command) {
  return std::make_shared<HistoryParser>(command);
}

int HistoryMain(int argc, char** argv) {
  const std::string command = argv[1];
  HistoryParser app(command);
  HistoryOptions& options = app.options;
  // After the parser took its defaults: its help, the completion scripts and
  // the man page say the same in every environment.
  if (const char* env = std::getenv("REDQUEEN_DB"); env && *env) options.db_path = env;
  if (int exit_code = 0; !ParseCommand(app, argc, argv, &exit_code)) return exit_code;
  std::error_code ec;
  if (!std::filesystem::exists(options.db_path, ec)) {
    return ErrorExit("no result store at '" + options.db_path +
                         "' (run 'redqueen run' first, or pass --db)",
                     kExitInfra);
  }
  std::string error;
  std::unique_ptr<bishop::Store> store =
      bishop::Store::OpenForReading(options.db_path, &error);
  if (!store) return ErrorExit(error, kExitInfra);
  try {
    if (command == "runs") return ListRuns(*store, options);
    if (command == "flaky") return Flaky(*store, options);
    const std::vector<bishop::RunRow> rows = store->Runs(1, options.run);
    if (rows.empty()) {
      return ErrorExit(options.run == 0 ? "the store has no runs yet"
                                        : "no run " + std::to_string(options.run) +
                                              " in the store (see 'redqueen runs')",
                       kExitUsage);
    }
    if (command == "show") return Show(*store, rows[0].id, options);
    if (command == "slowest") return Slowest(*store, rows[0].id, options);
    if (command == "report") {
      if (!WriteFile(options.html_path,
                     HtmlReport(rows[0], store->RunExecutions(rows[0].id)))) {
        return ErrorExit("cannot write '" + options.html_path + "'", kExitInfra);
      }
      return kExitPassed;
    }
    return Export(*store, rows[0], options);
  } catch (const std::exception& e) {
    return ErrorExit(e.what(), kExitInfra);
  }
}

}  // namespace redqueen::queen
