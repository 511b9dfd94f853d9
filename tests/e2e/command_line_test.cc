// End to end: the command line as a user meets it: --version, help, the
// one-line errors for what is mistyped or misplaced, and the completion
// scripts and man page the build writes, checked by bash, zsh and groff
// where they are installed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;
using testing::StartsWith;

/// `name`'s path on PATH, or "" (the test then skips what needs it).
std::string Which(const std::string& name) {
  std::stringstream path(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string dir; std::getline(path, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The long options `redqueen COMMAND --help` lists, in its option column.
std::vector<std::string> HelpOptions(const std::string& command) {
  const Outcome help = RunRedqueen({command, "--help"});
  std::vector<std::string> options;
  // "  -j,--jobs ..." or "  --db ...": no std::regex, which GCC 12 warns
  // about inside itself under ASan.
  std::istringstream lines(help.out);
  for (std::string text; std::getline(lines, text);) {
    if (text.rfind("  ", 0) != 0) continue;
    size_t at = 2;
    if (text.size() > 5 && text[2] == '-' && text[3] != '-' && text[4] == ',') at = 5;
    if (text.compare(at, 2, "--") != 0) continue;
    const size_t end = text.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", at + 2);
    options.push_back(text.substr(at, end - at));
  }
  return options;
}

/// The commands `redqueen --help` lists.
std::vector<std::string> Commands() {
  const Outcome help = RunRedqueen({"--help"});
  std::vector<std::string> commands;
  const std::string heading = "Subcommands:\n";
  std::istringstream lines(help.out.substr(help.out.find(heading) + heading.size()));
  for (std::string text; std::getline(lines, text) && text.rfind("  ", 0) == 0;) {
    commands.push_back(text.substr(2, text.find(' ', 2) - 2));
  }
  return commands;
}

/// `shell -n` reads `script`, saved as `path`, without a word.
void ExpectShellReads(const std::string& shell, const std::string& script,
                      const std::string& path) {
  std::ofstream(path) << script;
  const Outcome syntax = RunProgram(shell, {"-n", path});
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
  EXPECT_EQ(syntax.err, "") << shell;
}

void ExpectOneLineOfBadUsage(const Outcome& outcome, const std::string& line) {
  EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
  EXPECT_EQ(outcome.err, "redqueen: error: " + line + "\n");
  EXPECT_EQ(outcome.out, "");
}

TEST(CommandLineTest, VersionAndHelpNameTheProgramAndItsVersion) {
  const Outcome version = RunRedqueen({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, testing::MatchesRegex("redqueen [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  const Outcome help = RunRedqueen({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, StartsWith(version.out.substr(0, version.out.size() - 1) + ": "));
  EXPECT_THAT(help.out, HasSubstr("\nUsage: redqueen [OPTIONS] SUBCOMMAND\n"));
  EXPECT_THAT(RunRedqueen({"run", "--help"}).out,
              HasSubstr("\nUsage: redqueen run [OPTIONS] [BINARY...]\n"));
}

TEST(CommandLineTest, HelpCommandPrintsWhatTheHelpOptionPrints) {
  const std::vector<std::string> commands = Commands();
  ASSERT_GE(commands.size(), 11u);
  EXPECT_EQ(RunRedqueen({"help"}).out, RunRedqueen({"--help"}).out);
  for (const std::string& command : commands) {
    const Outcome help = RunRedqueen({"help", command});
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_EQ(help.out, RunRedqueen({command, "--help"}).out) << command;
    EXPECT_THAT(help.out, HasSubstr("Usage: redqueen " + command + " ")) << command;
  }
  const Outcome unknown = RunRedqueen({"help", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, StartsWith("redqueen: error: unknown command 'nosuch' (the "
                                      "commands: run, "));
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1);
}

TEST(CommandLineTest, MistakesAreOneLineThatSaysWhatWasMeant) {
  ExpectOneLineOfBadUsage(RunRedqueen({"run", Fixture("passing"), "--jbos", "2"}),
                          "unknown option --jbos (did you mean --jobs?)");
  ExpectOneLineOfBadUsage(RunRedqueen({"rnu", Fixture("passing")}),
                          "unknown command 'rnu' (did you mean run?)");
  ExpectOneLineOfBadUsage(RunRedqueen({"-j", "2", "run", Fixture("passing")}),
                          "options go after the command: redqueen run -j 2 ...");
  ExpectOneLineOfBadUsage(RunRedqueen({"run", Fixture("passing"), "-j", "0"}),
                          "-j must be from 1 to 4096, not 0");
  ExpectOneLineOfBadUsage(RunRedqueen({"run", Fixture("passing"), "--pawn", "remote"}),
                          "--pawn must be one of auto, resident, exec, not 'remote'");
  ExpectOneLineOfBadUsage(RunRedqueen({"show", "--stauts", "FAILED", "--db", "x.db"}),
                          "unknown option --stauts (did you mean --status?)");
  ExpectOneLineOfBadUsage(
      RunRedqueen(std::vector<std::string>{}),
      "no command given; 'redqueen run BINARY...' runs a suite's tests "
      "(see 'redqueen --help')");
}

TEST(CommandLineTest, ABadOrDisagreeingShardIsOneLine) {
  ExpectOneLineOfBadUsage(
      RunRedqueen({"run", Fixture("passing"), "--shard", "3/2"}),
      "--shard must be K/N with K from 1 to N (1 to 2 here), not '3/2'");
  Launch disagreeing{{"run", Fixture("passing"), "--shard", "1/2"}};
  disagreeing.env = {{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "2"}};
  ExpectOneLineOfBadUsage(RunRedqueen(disagreeing),
                          "the shard sources disagree: --shard 1/2 is shard 1 of 2 but "
                          "GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=2 is shard 2 of 2 (drop "
                          "--shard, or make it 2/2)");
  Launch indexed{{"run", Fixture("passing"), "--shards", "2"}};
  indexed.env = {{"JOB_COMPLETION_INDEX", "2"}};
  ExpectOneLineOfBadUsage(
      RunRedqueen(indexed),
      "JOB_COMPLETION_INDEX=2 is not a shard of --shards 2 (the index "
      "runs from 0 to 1)");
}

TEST(CommandLineTest, ConfigNamesTheCiShardAndHowTheShardsSplit) {
  Launch launch{{"config", Fixture("passing")}};
  launch.env = {{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "4"}};
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_THAT(outcome.out,
              HasSubstr("\n# shard 2 of 4 of each binary's selected tests, from GitLab "
                        "CI_NODE_INDEX=2, CI_NODE_TOTAL=4; partition by time, or by hash "
                        "without history\n"));
  EXPECT_THAT(outcome.out, testing::ContainsRegex("\npartition = \"\" +# default\n"));
}

TEST(CommandLineTest, BashCompletesCommandsOptionsAndTheirValues) {
  const Outcome script = RunRedqueen({"completion", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  for (const std::string& option : HelpOptions("run")) {
    EXPECT_NE(script.out.find(" " + option), std::string::npos) << option;
  }
  const std::string bash = Which("bash");
  if (bash.empty()) GTEST_SKIP() << "no bash";
  Scratch scratch;
  ExpectShellReads(bash, script.out, scratch.Path("redqueen.bash"));
  // What a user pressing Tab would be offered.
  const Outcome offered = RunProgram(
      bash,
      {"-c", "source " + scratch.Path("redqueen.bash") + "\n" +
                 "try() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _redqueen;"
                 " echo \"${COMPREPLY[*]}\"; }\n"
                 "try redqueen r\ntry redqueen run --jo\ntry redqueen run --pawn ''\n"
                 "try redqueen run --mode = s\ntry redqueen help sl\n"
                 "try redqueen completion ''\n"});
  EXPECT_EQ(offered.out,
            "run runs report\n--jobs\nauto resident exec\nsequential\nslowest\n"
            "bash zsh\n")
      << offered.err;
}

TEST(CommandLineTest, ZshReadsItsCompletionScript) {
  const Outcome script = RunRedqueen({"completion", "zsh"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_THAT(script.out, StartsWith("#compdef redqueen\n"));
  for (const std::string& option : HelpOptions("run")) {
    // A flag, or one that takes a value ("--jobs=[...]").
    EXPECT_TRUE(script.out.find(option + "[") != std::string::npos ||
                script.out.find(option + "=[") != std::string::npos)
        << option;
  }
  const std::string zsh = Which("zsh");
  if (zsh.empty()) GTEST_SKIP() << "no zsh installed: its syntax check is skipped";
  Scratch scratch;
  ExpectShellReads(zsh, script.out, scratch.Path("_redqueen"));
  const Outcome loaded = RunProgram(
      zsh, {"-f", "-c",
            "autoload -U compinit && compinit -u -D && source " +
                scratch.Path("_redqueen") + " && print -r -- $_comps[redqueen]"});
  EXPECT_EQ(loaded.out, "_redqueen\n") << loaded.err;
}

TEST(CommandLineTest, TheBuiltManPageHasEveryRunOptionAndRendersCleanly) {
  const std::string page = ReadFile(REDQUEEN_MAN_PAGE);
  EXPECT_EQ(page, RunRedqueen({"man"}).out);
  EXPECT_THAT(page, StartsWith(".TH REDQUEEN 1 "));
  for (const char* code : {"0", "1", "2", "3", "4", "130"}) {
    EXPECT_THAT(page, HasSubstr(".B \\&" + std::string(code) + "\n"))
        << "exit code " << code;
  }
  for (std::string option : HelpOptions("run")) {
    for (size_t at = option.find('-'); at != std::string::npos;
         at = option.find('-', at + 2)) {
      option.replace(at, 1, "\\-");
    }
    EXPECT_NE(page.find(option + "\\fR"), std::string::npos) << option;
  }
  if (const std::string groff = Which("groff"); !groff.empty()) {
    const Outcome rendered =
        RunProgram(groff, {"-man", "-Tutf8", "-ww", "-P-cbou", REDQUEEN_MAN_PAGE});
    EXPECT_EQ(rendered.exit_code, 0);
    EXPECT_EQ(rendered.err, "") << "groff warns";
    // Plain text (-P-cbou): an option's \- renders as the hyphen it is typed with.
    EXPECT_NE(rendered.out.find("\n       --max-memory FLOAT\n"), std::string::npos);
  } else if (const std::string man = Which("man"); !man.empty()) {
    const Outcome rendered = RunProgram(man, {"--warnings", "-l", REDQUEEN_MAN_PAGE});
    EXPECT_EQ(rendered.exit_code, 0);
    EXPECT_EQ(rendered.err, "") << "man warns";
  } else {
    GTEST_SKIP() << "neither groff nor man installed: rendering is not checked";
  }
}

}  // namespace
}  // namespace redqueen::e2e
