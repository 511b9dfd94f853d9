// The JSON listing an unmodified gtest binary wrote (--gtest_list_tests
// --gtest_output=json), or whatever a broken one left in its place: it must
// neither throw nor trust a field's type.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "pawn/gtest_report.h"
#include "tests/fuzz/require.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using redqueen::fuzz::Require;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<redqueen::proto::TestInfo> tests;
  if (!redqueen::pawn::ParseGtestListing(text, &tests)) return 0;
  for (const redqueen::proto::TestInfo& test : tests) {
    Require(test.line >= 0, "a test's line is never negative");
  }
  return 0;
}
