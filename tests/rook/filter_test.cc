#include "rook/filter.h"

#include <gtest/gtest.h>

namespace redqueen::rook {
namespace {

TEST(FilterTest, StarMatchesEverythingAndEmptyNothingAsInGtest) {
  EXPECT_TRUE(TestFilter("*").Matches("A.b"));
  EXPECT_FALSE(TestFilter("").Matches("A.b"));
  EXPECT_FALSE(TestFilter(":").Matches("A.b"));
  EXPECT_FALSE(TestFilter(":-B.*").Matches("A.b"));
  EXPECT_TRUE(TestFilter("A.*:").Matches("A.b"));
  EXPECT_TRUE(TestFilter("-B.*").Matches("A.b"));
  EXPECT_TRUE(TestFilter("A.b-").Matches("A.b"));
  EXPECT_TRUE(TestFilter("B.*:*").Matches("A.b"));
  EXPECT_TRUE(TestFilter("*").Matches("Any/Instance.Name/3"));
  EXPECT_FALSE(TestFilter("*-A.*").Matches("A.b")) << "a negative part still counts";
}

TEST(FilterTest, PositiveAndNegativePatterns) {
  const TestFilter filter("Foo.*:Bar.?-Foo.Slow*");
  EXPECT_TRUE(filter.Matches("Foo.Fast"));
  EXPECT_TRUE(filter.Matches("Bar.x"));
  EXPECT_FALSE(filter.Matches("Bar.xy"));
  EXPECT_FALSE(filter.Matches("Foo.SlowOne"));
  EXPECT_FALSE(filter.Matches("Baz.x"));
}

TEST(FilterTest, OnlyNegativeMeansAllBut) {
  const TestFilter filter("-*Slow*");
  EXPECT_TRUE(filter.Matches("A.Fast"));
  EXPECT_FALSE(filter.Matches("A.Slow"));
}

TEST(FilterTest, GlobBacktracks) {
  EXPECT_TRUE(GlobMatches("*a*b", "xaaab"));
  EXPECT_FALSE(GlobMatches("*a*b", "xaaa"));
  EXPECT_TRUE(GlobMatches("Words/P.*/1", "Words/P.Get/1"));
}

TEST(FilterTest, AStarIsAWildcardEvenWhereTheNameHasOne) {
  // Found by tests/fuzz/filter_fuzz: the '*' matched the name's '*' as a
  // literal, and nothing was left to match the rest.
  EXPECT_TRUE(GlobMatches("*", "*a"));
  EXPECT_TRUE(GlobMatches("a*", "a*b"));
  EXPECT_TRUE(TestFilter("*").Matches("*a*b"));
  EXPECT_FALSE(TestFilter("-*").Matches("*a"));
}

TEST(DisabledTest, SuiteOrTestPrefix) {
  EXPECT_TRUE(IsDisabled("DISABLED_Suite.Test"));
  EXPECT_TRUE(IsDisabled("Suite.DISABLED_Test"));
  EXPECT_TRUE(IsDisabled("Inst/DISABLED_Suite.Test/0"));
  EXPECT_FALSE(IsDisabled("Suite.Test_DISABLED_"));
  EXPECT_TRUE(IsDisabled("Suite_DISABLED_x.DISABLED_Test"))
      << "a later one at a boundary";
  EXPECT_FALSE(IsDisabled("Suite.Test"));
}

}  // namespace
}  // namespace redqueen::rook
