// The one-line error every redqueen command prints before its exit code.
#pragma once

#include <cstdio>
#include <string>

namespace redqueen::queen {

/// "redqueen: error: MESSAGE" on stderr.
inline void PrintError(const std::string& message) {
  std::fprintf(stderr, "redqueen: error: %s\n", message.c_str());
}

}  // namespace redqueen::queen
