// What the fuzz targets check beyond crashes: a property that does not hold
// aborts, so that libFuzzer saves the input like any other crash.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace redqueen::fuzz {

inline void Require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property violated: %s\n", property);
  std::abort();
}

}  // namespace redqueen::fuzz
