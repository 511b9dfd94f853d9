// The one-line error every redqueen command prints before its exit code.
#pragma once

#include <cstdio>
#include <string>

#include "queen/exit_codes.h"

namespace redqueen::queen {

/// "redqueen: error: MESSAGE" on stderr.
inline void PrintError(const std::string& message) {
  std::fprintf(stderr, "redqueen: error: %s\n", message.c_str());
}

/// Prints the error line and gives back `exit_code`, so that a command ends
/// with `return ErrorExit(message, kExitInfra);`.
[[nodiscard]] inline int ErrorExit(const std::string& message, int exit_code) {
  PrintError(message);
  return exit_code;
}

/// The error line of a bad command line, for the parsers whose false means
/// "exit with *exit_code": sets kExitUsage and returns false. `help_command`
/// names the help to see after the message (empty: none).
inline bool UsageError(const std::string& message, int* exit_code,
                       const std::string& help_command = "") {
  *exit_code = ErrorExit(help_command.empty()
                             ? message
                             : message + " (see 'redqueen " + help_command + " --help')",
                         kExitUsage);
  return false;
}

}  // namespace redqueen::queen
