// redqueen's commands as one table, and the first look at a command line:
// before a command's own parser reads it (options.h for run, list and config;
// history_commands.h for the commands that read the store, merge_command.h
// for merge), this answers
// --help, --version, help, completion and man, and refuses an unknown
// command or options put before the command, each in one line (exit 2).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace redqueen::queen {

/// redqueen's version, from the CMake project.
std::string Version();

/// The parser of the whole command line: every command with its options,
/// and help, completion and man (hidden). It prints the help of redqueen
/// itself, and writes the completion scripts and the man page.
std::unique_ptr<CLI::App> MakeCommandTree();

/// redqueen's man page in roff, as `redqueen man` prints it.
std::string ManPageText();

/// Looks at `args` (args[0] is the program) before any command's parser:
/// false when the process should exit with `*exit_code` (an answer printed:
/// 0; bad usage, one line on stderr: 2). True to go on with `args`, which
/// `help COMMAND` turns into `COMMAND --help`.
bool PrepareCommand(std::vector<std::string>* args, int* exit_code);

}  // namespace redqueen::queen
