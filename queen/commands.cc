#include "queen/commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "queen/bench/bench_command.h"
#include "queen/cli_docs.h"
#include "queen/exit_codes.h"
#include "queen/history_commands.h"
#include "queen/merge_command.h"
#include "queen/nearest.h"
#include "queen/options.h"
#include "queen/print_error.h"
#include "queen/usage.h"

namespace redqueen::queen {
namespace {

constexpr const char* kSummary = "a parallel runner for GoogleTest suites";

/// The tree, with what its options would be parsed into: only help's and
/// completion's ever are.
class Tree : public CLI::App {
 public:
  /// `with_run_options`: also the options of run and the commands that take
  /// them (for help, completion and the man page; telling a command from a
  /// mistake needs none of them).
  explicit Tree(bool with_run_options = true);
  RunOptions run;
  std::string help_command;
  std::string shell;
};

/// The names of the commands `app` shows in its help.
std::vector<std::string> VisibleCommands(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    names.push_back(sub->get_name());
  }
  return names;
}

Tree::Tree(bool with_run_options)
    : CLI::App("redqueen " + Version() + ": " + kSummary, "redqueen") {
  set_version_flag("--version", "redqueen " + Version(),
                   "Print redqueen's version and exit");
  require_subcommand(1);
  AddRunCommands(this, &run, DeclaredOptions{with_run_options});
  for (const std::string& name : HistoryCommands())
    add_subcommand(MakeHistoryParser(name));
  add_subcommand(MakeMergeParser());
  add_subcommand(bench::MakeBenchParser());
  CLI::App* help_app =
      add_subcommand("help", "Print redqueen's help, or a command's (as COMMAND --help)");
  CLI::App* completion = add_subcommand(
      "completion",
      "Print a script that completes redqueen's commands and options in bash or zsh");
  std::vector<std::string> commands = VisibleCommands(*this);
  help_app->add_option("COMMAND", help_command, "The command to print the help of")
      ->check(CLI::IsMember(commands));
  completion->add_option("SHELL", shell, "bash or zsh")
      ->check(CLI::IsMember({"bash", "zsh"}))
      ->required();
  completion->footer(
      "bash: source <(redqueen completion bash), or save it as "
      "~/.local/share/bash-completion/completions/redqueen. zsh: save it as _redqueen in "
      "a "
      "folder of $fpath.");
  add_subcommand("man", "Print redqueen's man page (roff)")->group("");
  footer(
      "'redqueen help COMMAND' (or 'redqueen COMMAND --help') prints a command's "
      "options; "
      "options go after the command.");
}

bool Answer(const std::string& text, int* exit_code) {
  std::fputs(text.c_str(), stdout);
  *exit_code = kExitPassed;
  return false;
}

bool IsCommand(const CLI::App& tree, const std::string& word) {
  return !tree.get_subcommands(
                  [&word](const CLI::App* s) { return s->get_name() == word; })
              .empty();
}

std::string UnknownCommand(const CLI::App& tree, const std::string& word) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(word, ec)) {
    return "'" + word + "' is not a command; to run its tests: redqueen run " + word;
  }
  const std::vector<std::string> commands = VisibleCommands(tree);
  const std::string nearest = Nearest(word, commands);
  if (!nearest.empty())
    return "unknown command '" + word + "' (did you mean " + nearest + "?)";
  std::string list;
  for (const std::string& command : commands)
    list += (list.empty() ? "" : ", ") + command;
  return "unknown command '" + word + "' (the commands: " + list + ")";
}

/// `redqueen -j 2 run x`: the options before the command, or an unknown
/// option of redqueen itself.
std::string BeforeTheCommand(const CLI::App& tree, const std::vector<std::string>& args) {
  auto joined = [&args](size_t from, size_t to) {
    std::string text;
    for (size_t i = from; i < to; ++i) text += " " + args[i];
    return text;
  };
  for (size_t i = 2; i < args.size(); ++i) {
    if (IsCommand(tree, args[i])) {
      return "options go after the command: redqueen " + args[i] + joined(1, i) +
             (i + 1 < args.size() ? " ..." : "");
    }
  }
  const std::string name = args[1].substr(0, args[1].find('='));
  const std::vector<std::string> run_options = OptionNames(*tree.get_subcommand("run"));
  if (std::find(run_options.begin(), run_options.end(), name) != run_options.end()) {
    return "options go after the command: redqueen run" + joined(1, args.size());
  }
  const std::string nearest = Nearest(name, OptionNames(tree));
  return "unknown option " + name +
         (nearest.empty() ? " (see 'redqueen --help')"
                          : " (did you mean " + nearest + "?)");
}

/// The man page's EXIT STATUS, from the one table of exit codes.
std::vector<std::pair<std::string, std::string>> ExitStatusItems() {
  std::vector<std::pair<std::string, std::string>> items;
  for (const ExitCodeMeaning& exit : kExitCodeMeanings) {
    items.emplace_back(std::to_string(exit.code), exit.meaning);
  }
  return items;
}

}  // namespace

std::string Version() { return REDQUEEN_VERSION; }

std::unique_ptr<CLI::App> MakeCommandTree() { return std::make_unique<Tree>(); }

std::string ManPageText() {
  const Tree tree;
  const std::vector<ManSection> sections = {
      {"EXIT STATUS", "", ExitStatusItems()},
      {"ENVIRONMENT",
       "",
       {{"REDQUEEN_JOBS", "Pawns when -j is not given; beats the settings file."},
        {"REDQUEEN_DB",
         "The result store when --db is not given; beats the settings file."},
        {"CI",
         "When set (every hosted CI sets it), bench compare and bench ab exit 3 on a "
         "benchmark too noisy to judge, as with --fail-unstable."},
        {"GTEST_*",
         "GoogleTest's variables mean what they mean to the binary (GTEST_FILTER, "
         "GTEST_REPEAT, GTEST_SHARD_INDEX, ...); an option beats its variable."},
        {"TEST_SHARD_INDEX, XML_OUTPUT_FILE, TEST_TMPDIR, ...",
         "The variables Bazel sets for a test (its test encyclopedia), read as it means "
         "them: the shard, the report file, the premature-exit and warnings files, the "
         "temporary folder."}}},
      {"FILES",
       "",
       {{"redqueen.toml",
         "Settings: any option of run, by its long name, in its [run] "
         "section; found in the working directory or the nearest parent."},
        {".redqueen/redqueen.db",
         "The result store (SQLite), under the working directory."},
        {".redqueen/bench/NNNN_LABEL.json",
         "bench --save's numbered result files, beside the store."}}}};
  return ManPage(
      tree, Version(), kSummary,
      "redqueen runs the tests of GoogleTest binaries on long-lived worker processes "
      "(pawns), hands them tests as they become free, contains a crash to the test "
      "that caused it, and streams every result into a SQLite history, from which "
      "later runs order their tests. Options go after the command.",
      sections);
}

bool PrepareCommand(std::vector<std::string>* args, int* exit_code) {
  if (args->size() < 2) {
    return UsageError(
        "no command given; 'redqueen run BINARY...' runs a suite's tests "
        "(see 'redqueen --help')",
        exit_code);
  }
  const std::string word = (*args)[1];
  if (word != "help" && word != "completion" && word != "man" &&
      IsCommand(Tree(/*with_run_options=*/false), word)) {
    return true;  // The command parses its own options.
  }
  Tree tree;
  const std::vector<std::string> top = OptionNames(tree);
  const bool top_option = std::find(top.begin(), top.end(), word) != top.end();
  if (word.size() > 1 && word[0] == '-' && !top_option) {
    return UsageError(BeforeTheCommand(tree, *args), exit_code);
  }
  if (!top_option && !IsCommand(tree, word))
    return UsageError(UnknownCommand(tree, word), exit_code);
  if (word != "help" && word != "completion" && word != "man" && !top_option) return true;
  if (word == "help" && args->size() > 2 && (*args)[2][0] != '-' &&
      !IsCommand(tree, (*args)[2])) {
    return UsageError(UnknownCommand(tree, (*args)[2]), exit_code);
  }

  const std::vector<std::string> rest(args->begin() + 1, args->end());
  try {
    tree.parse(std::vector<std::string>(rest.rbegin(), rest.rend()));
  } catch (const CLI::CallForHelp&) {
    return Answer(tree.help(), exit_code);
  } catch (const CLI::CallForVersion& e) {
    return Answer(std::string(e.what()) + "\n", exit_code);
  } catch (const CLI::ParseError& e) {
    return UsageError(ParseErrorLine(e, tree, rest), exit_code);
  }
  if (word == "completion") return Answer(CompletionScript(tree, tree.shell), exit_code);
  if (word == "man") return Answer(ManPageText(), exit_code);
  if (tree.help_command.empty()) {
    // The tree's help, not help's: parse again with nothing but --help.
    *args = {(*args)[0], "--help"};
  } else {
    *args = {(*args)[0], tree.help_command, "--help"};
  }
  return PrepareCommand(args, exit_code);
}

}  // namespace redqueen::queen
