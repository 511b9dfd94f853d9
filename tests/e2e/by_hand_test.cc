// A binary linked with redqueen::gtest_main, run by hand, must behave exactly
// like the same sources linked with GTest::gtest_main: same exit code, same
// output (but for timings and the path in "Running main() from"), same flags.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

/// Replaces each run of digits that follows `prefix` with "N".
std::string MaskNumbersAfter(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, prefix.size(), prefix) == 0) {
      out += prefix;
      i += prefix.size();
      if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        out += 'N';
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      }
      continue;
    }
    out += text[i++];
  }
  return out;
}

/// Output with what legitimately differs removed: timings, main()'s path and
/// the pids death tests print. (No std::regex: GCC 12 warns inside it.)
std::string Normalized(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string line = text.substr(start, end - start);
    out += line.rfind("Running main() from ", 0) == 0 ? "Running main()\n" : line;
    start = end;
  }
  for (const char* prefix : {"(", "pid "}) out = MaskNumbersAfter(out, prefix);
  return out;
}

struct Case {
  std::string fixture;
  std::vector<std::string> args;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.fixture;
  for (const std::string& arg : c.args) *os << " " << arg;
}

class ByHandTest : public testing::TestWithParam<Case> {};

TEST_P(ByHandTest, BehavesLikeGtestMain) {
  const Case& c = GetParam();
  const Outcome pawn = RunProgram(Fixture(c.fixture), c.args);
  const Outcome plain = RunProgram(Fixture(c.fixture + "_plain"), c.args);
  EXPECT_EQ(pawn.exit_code, plain.exit_code);
  EXPECT_EQ(Normalized(pawn.out), Normalized(plain.out));
  EXPECT_EQ(Normalized(pawn.err), Normalized(plain.err));
  EXPECT_THAT(pawn.out, testing::HasSubstr("Running main() from "));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, ByHandTest,
    testing::Values(Case{"failing", {}}, Case{"failing", {"--gtest_filter=*Passes*"}},
                    Case{"failing", {"--gtest_list_tests"}},
                    Case{"failing", {"--gtest_brief=1", "--gtest_color=no"}},
                    Case{"skipping", {}}, Case{"disabled", {}},
                    Case{"disabled", {"--gtest_also_run_disabled_tests"}},
                    Case{"param_typed", {"--gtest_list_tests"}},
                    Case{
                        "param_typed",
                        {"--gtest_repeat=2", "--gtest_shuffle", "--gtest_random_seed=7"}},
                    Case{"death", {}}, Case{"failing", {"--gtest_bogus_flag"}}),
    [](const testing::TestParamInfo<Case>& info) {
      return info.param.fixture + "_" + std::to_string(info.index);
    });

}  // namespace
}  // namespace redqueen::e2e
