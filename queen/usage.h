// What a command line that CLI11 refuses is told: one line that names what
// was wrong and, where the line alone cannot, where to read more. Shared by
// every parser of redqueen (run's, the history commands', the command tree).
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace redqueen::queen {

/// Every name the options of `app` answer to ("-j", "--jobs", ...), but
/// positionals': what an unknown option is compared with.
std::vector<std::string> OptionNames(const CLI::App& app);

/// The line (without "redqueen: error: ") for `error`, thrown by parsing
/// `args` (in command line order) with `app`, the root of its parser:
/// "unknown option --jbos (did you mean --jobs?)" from the options of the
/// command being parsed; "-j must be from 1 to 4096, not 0" for a check that
/// says "must be ...", with the option as it was spelt; CLI11's own words
/// otherwise, followed by "(see 'redqueen COMMAND --help')".
std::string ParseErrorLine(const CLI::ParseError& error, const CLI::App& app,
                           const std::vector<std::string>& args);

/// "redqueen COMMAND --help" for the command `app` is parsing (its deepest
/// parsed subcommand); app's root is "redqueen" or a command's own parser.
std::string HelpCommand(const CLI::App& app);

/// Parses argv[2..] with `app`, the own parser of the command argv[1]:
/// false when the process should exit with `*exit_code` (its help printed:
/// 0; a bad command line, one line on stderr: 2).
bool ParseCommand(CLI::App& app, int argc, char** argv, int* exit_code);

}  // namespace redqueen::queen
