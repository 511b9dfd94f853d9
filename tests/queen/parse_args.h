// Parsing a redqueen command line in a unit test, as main() parses argv.
#pragma once

#include <string>
#include <vector>

#include "queen/options.h"

namespace redqueen::queen {

/// Parses "redqueen ARGS" into a fresh `*options`: the exit code when it
/// says not to run, else -1.
inline int ParseArgs(std::vector<std::string> args, RunOptions* options) {
  args.insert(args.begin(), "redqueen");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  *options = RunOptions{};
  int code = -1;
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data(), options, &code)
             ? -1
             : code;
}

}  // namespace redqueen::queen
