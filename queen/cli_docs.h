// What redqueen writes about its own command line, from the same CLI11
// option table that parses it: shell completion scripts (bash, zsh) and the
// man page (roff). So neither can name an option the parser does not take,
// or miss one it does.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace redqueen::queen {

/// The completion script for `shell` ("bash" or "zsh") of the program
/// `tree` parses: its visible commands, each command's options (the values
/// of options with choices, file names for FILE options and positionals,
/// folders for DIR ones). Empty for another shell.
std::string CompletionScript(const CLI::App& tree, const std::string& shell);

/// A section of the man page beyond what the table holds.
struct ManSection {
  std::string title;  ///< "EXIT STATUS".
  std::string text;   ///< A paragraph before the items (may be empty).
  std::vector<std::pair<std::string, std::string>> items;  ///< Tag, then its text.
};

/// The man page of the program `tree` parses, in roff (man macros): NAME
/// ("redqueen - `summary`"), SYNOPSIS, DESCRIPTION (`description`), COMMANDS
/// (every visible command with its options, defaults and footer; a command
/// with the options of an earlier one says so instead of listing them
/// again), then `sections`.
std::string ManPage(const CLI::App& tree, const std::string& version,
                    const std::string& summary, const std::string& description,
                    const std::vector<ManSection>& sections);

}  // namespace redqueen::queen
