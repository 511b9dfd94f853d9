// A JSON report an unmodified gtest binary wrote (--gtest_output=json), or
// whatever a broken or hostile one left in its place: the exec pawn reads it
// after every batch, so it must neither throw nor trust a field's type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pawn/gtest_report.h"
#include "tests/fuzz/require.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using redqueen::fuzz::Require;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& [name, test] : redqueen::pawn::ParseGtestReport(text)) {
    Require(test.line >= 0, "a test's line is never negative");
    for (const redqueen::proto::Failure& failure : test.failures) {
      Require(failure.line >= 0, "a failure's line is never negative");
      Require(!failure.file.empty() || failure.line == 0, "a line comes with a file");
    }
  }
  // A failure's text also comes straight from the report.
  const redqueen::proto::Failure failure =
      redqueen::pawn::ParseFailureText(std::string(text));
  Require(failure.line >= 0, "a failure text's line is never negative");
  return 0;
}
