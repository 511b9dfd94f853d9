// End to end: a count or duration out of range is bad usage (exit 2) with one
// short line that gives the range, before anything runs or is stored.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;

class ValuesTest : public FixtureTest {};

TEST_F(ValuesTest, OutOfRangeCountsAndDurationsAreOneLineWithTheRange) {
  const std::vector<std::vector<std::string>> cases = {
      {"--jobs", "0", "from 1 to 4096"},
      {"--repeat", "0", "from 1 to 1000000"},
      {"--timeout", "nan", "from 0 to 1000h"},
      {"--timeout", "99999999999999h", "from 0 to 1000h"},
      {"--kill-grace", "inf", "from 0 to 1000h"},
      {"--max-memory", "nan", "from 0 to 100"}};
  for (const auto& c : cases) {
    const Outcome outcome = RunFixture("passing", {c[0], c[1]});
    EXPECT_EQ(outcome.exit_code, 2) << c[0] << " " << c[1] << ": " << outcome.out;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    EXPECT_LT(outcome.err.size(), 140u) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr(c[0] + " must be "));
    EXPECT_THAT(outcome.err, HasSubstr(c[1]));
    EXPECT_THAT(outcome.err, HasSubstr(c[2]));
    EXPECT_FALSE(std::filesystem::exists(scratch_.db())) << "nothing ran";
  }
}

}  // namespace
}  // namespace redqueen::e2e
