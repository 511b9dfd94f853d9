// The test binaries CTest knows in a build directory (--from-ctest DIR).
#pragma once

#include <string>
#include <vector>

namespace redqueen::queen {

/// Runs `ctest --show-only=json-v1` in `build_dir` and returns, in CTest's
/// order and without repeats, the executables of its tests that are
/// GoogleTest binaries (probed, not run). False with a one-line `*error`
/// when CTest cannot be run or its answer read.
bool BinariesFromCtest(const std::string& build_dir, std::vector<std::string>* binaries,
                       std::string* error);

}  // namespace redqueen::queen
