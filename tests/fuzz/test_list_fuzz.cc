// The text `BINARY --gtest_list_tests` printed, with whatever its main()
// printed around it: parsed, it is a list of "Suite.Test" names, or an error
// that names a line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pawn/test_list.h"
#include "tests/fuzz/require.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using redqueen::fuzz::Require;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<redqueen::proto::TestInfo> tests;
  std::string error;
  if (!redqueen::pawn::ParseTestList(text, &tests, &error)) {
    Require(error.rfind("line ", 0) == 0, "an error names its line");
    return 0;
  }
  for (const redqueen::proto::TestInfo& test : tests) {
    // The suite's name ends in the '.' of its line; the test's is not empty.
    const size_t dot = test.name.rfind('.', test.name.size() - 2);
    Require(test.name.size() >= 3 && dot != std::string::npos && dot > 0,
            "a test is named Suite.Test");
    Require(test.name.find('\n') == std::string::npos, "a name is one line");
  }
  return 0;
}
