// redqueen's command line as a whole: the first look at it (--version,
// help, unknown commands, options before the command), and the completion
// scripts and man page written from the option table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "queen/commands.h"
#include "queen/usage.h"

namespace redqueen::queen {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

struct Prepared {
  bool go_on = false;
  int exit_code = -1;
  std::vector<std::string> args;
  std::string out;
  std::string err;
};

/// PrepareCommand on "redqueen ARGS", with what it printed.
Prepared Prepare(std::vector<std::string> args) {
  Prepared result;
  result.args = std::move(args);
  result.args.insert(result.args.begin(), "redqueen");
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  result.go_on = PrepareCommand(&result.args, &result.exit_code);
  result.out = testing::internal::GetCapturedStdout();
  result.err = testing::internal::GetCapturedStderr();
  return result;
}

/// `err` is one line of bad usage saying `line`.
void ExpectUsageError(const Prepared& p, const std::string& line) {
  EXPECT_FALSE(p.go_on);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_EQ(p.err, "redqueen: error: " + line + "\n");
  EXPECT_EQ(p.out, "");
}

/// Every command of the tree that has options, with their names.
std::vector<std::pair<std::string, std::vector<std::string>>> OptionsOfEveryCommand() {
  const std::unique_ptr<CLI::App> tree = MakeCommandTree();
  std::vector<std::pair<std::string, std::vector<std::string>>> commands;
  for (const CLI::App* command : tree->get_subcommands({})) {
    if (!command->get_group().empty()) {
      commands.emplace_back(command->get_name(), OptionNames(*command));
    }
  }
  return commands;
}

TEST(CommandTest, VersionIsTheProjectsAndOpensTheHelp) {
  EXPECT_THAT(Version(), testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
  Prepared p = Prepare({"--version"});
  EXPECT_FALSE(p.go_on);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_EQ(p.out, "redqueen " + Version() + "\n");
  p = Prepare({"--help"});
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_THAT(p.out, StartsWith("redqueen " + Version() + ": "));
  EXPECT_THAT(p.out, HasSubstr("\nUsage: redqueen [OPTIONS]"));
}

TEST(CommandTest, HelpIsTheHelpOptionOfTheCommandItNames) {
  for (const auto& [command, options] : OptionsOfEveryCommand()) {
    const Prepared p = Prepare({"help", command});
    if (command == "help" || command == "completion") {
      // Answered here, as `command --help` is.
      const Prepared direct = Prepare({command, "--help"});
      EXPECT_EQ(p.exit_code, 0) << command;
      EXPECT_EQ(p.out, direct.out) << command;
      EXPECT_THAT(p.out, HasSubstr("Usage: redqueen " + command)) << command;
      continue;
    }
    EXPECT_TRUE(p.go_on) << command << ": " << p.err;
    EXPECT_EQ(p.args, (std::vector<std::string>{"redqueen", command, "--help"}));
  }
  const Prepared bare = Prepare({"help"});
  EXPECT_EQ(bare.exit_code, 0);
  EXPECT_EQ(bare.out, Prepare({"--help"}).out);
}

TEST(CommandTest, AnUnknownCommandIsOneLineWithTheNearestOrTheList) {
  ExpectUsageError(Prepare({"rnu"}), "unknown command 'rnu' (did you mean run?)");
  ExpectUsageError(Prepare({"help", "sohw"}),
                   "unknown command 'sohw' (did you mean show?)");
  const Prepared p = Prepare({"help", "nosuch"});
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_THAT(p.err,
              StartsWith("redqueen: error: unknown command 'nosuch' (the commands: "
                         "run, list, plan, config, runs, show,"));
  EXPECT_THAT(p.err, Not(HasSubstr(" man"))) << "hidden";
  ExpectUsageError(Prepare({}),
                   "no command given; 'redqueen run BINARY...' runs a suite's "
                   "tests (see 'redqueen --help')");
}

TEST(CommandTest, OptionsBeforeTheCommandAreShownAfterIt) {
  ExpectUsageError(Prepare({"-j", "2", "run", "x"}),
                   "options go after the command: redqueen run -j 2 ...");
  ExpectUsageError(Prepare({"--db", "a.db", "show"}),
                   "options go after the command: redqueen show --db a.db");
  ExpectUsageError(Prepare({"--jobs=2", "x_test"}),
                   "options go after the command: redqueen run --jobs=2 x_test");
  ExpectUsageError(Prepare({"--verison"}),
                   "unknown option --verison (did you mean --version?)");
}

TEST(CommandTest, CompletionTakesBashOrZsh) {
  ExpectUsageError(Prepare({"completion", "fish"}),
                   "SHELL must be one of bash, zsh, not 'fish'");
  ExpectUsageError(Prepare({"completion"}),
                   "SHELL is required (see 'redqueen completion --help')");
  const Prepared p = Prepare({"completion", "bash"});
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_THAT(p.out, HasSubstr("complete -F _redqueen redqueen"));
}

TEST(CommandTest, TheOtherCommandsGoOnUntouched) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"run", "x", "-j", "2"}, {"show", "3"}, {"list", "--help"}}) {
    const Prepared p = Prepare(args);
    EXPECT_TRUE(p.go_on) << args[0] << ": " << p.err;
    EXPECT_EQ(std::vector<std::string>(p.args.begin() + 1, p.args.end()), args);
  }
}

TEST(CompletionTest, BothScriptsNameEveryCommandAndEveryOptionOfIt) {
  for (const char* shell : {"bash", "zsh"}) {
    const Prepared p = Prepare({"completion", shell});
    ASSERT_EQ(p.exit_code, 0) << shell;
    for (const auto& [command, options] : OptionsOfEveryCommand()) {
      EXPECT_THAT(p.out, HasSubstr(command)) << shell;
      for (const std::string& option : options) {
        // bash lists it as a word, zsh as an _arguments spec.
        EXPECT_TRUE(p.out.find(" " + option + " ") != std::string::npos ||
                    p.out.find(option + "'") != std::string::npos ||
                    p.out.find(")" + option) != std::string::npos ||
                    p.out.find("'" + option) != std::string::npos ||
                    p.out.find("*" + option) != std::string::npos)
            << shell << ": " << command << " " << option;
      }
    }
  }
}

TEST(CompletionTest, ValuesCompleteFromTheTable) {
  const std::string bash = Prepare({"completion", "bash"}).out;
  EXPECT_THAT(bash,
              HasSubstr("--pawn) _redqueen_reply -W 'auto resident exec'; return ;;"));
  EXPECT_THAT(bash, HasSubstr("--from-ctest) compopt -o filenames 2>/dev/null; "
                              "_redqueen_reply -d; return ;;"));
  EXPECT_THAT(bash, HasSubstr("run|list|plan|config)")) << "same options, one case";
  const std::string zsh = Prepare({"completion", "zsh"}).out;
  EXPECT_THAT(zsh, HasSubstr("#compdef redqueen\n"));
  EXPECT_THAT(zsh, HasSubstr("'--pawn=[auto\\: resident pawns"));
  EXPECT_THAT(zsh, HasSubstr(":TEXT:(auto resident exec)'"));
  EXPECT_THAT(zsh, HasSubstr("'*--serial=["));
  EXPECT_THAT(zsh, HasSubstr("'*:BINARY:_files'"));
}

TEST(ManPageTest, HasATitleEveryCommandAndEveryRunOption) {
  const std::string page = ManPageText();
  EXPECT_THAT(page, StartsWith(".TH REDQUEEN 1 \"\" \"redqueen " + Version() + "\""));
  EXPECT_THAT(page, HasSubstr("\n.SH \"\\&EXIT STATUS\"\n"));
  EXPECT_EQ(page, Prepare({"man"}).out);
  for (const auto& [command, options] : OptionsOfEveryCommand()) {
    EXPECT_THAT(page, HasSubstr(".SS \"\\&redqueen " + command)) << command;
  }
  const std::unique_ptr<CLI::App> tree = MakeCommandTree();
  for (std::string option : OptionNames(*tree->get_subcommand("run"))) {
    // Roff writes an option's hyphens as \-, so that they stay hyphens.
    for (size_t at = option.find('-'); at != std::string::npos;
         at = option.find('-', at + 2)) {
      option.replace(at, 1, "\\-");
    }
    EXPECT_THAT(page, HasSubstr("\\fB\\&" + option + "\\fR")) << option;
  }
  EXPECT_THAT(page, HasSubstr("Takes the options of \\fB\\&redqueen run\\fR."))
      << "list and config do not repeat them";
}

}  // namespace
}  // namespace redqueen::queen
