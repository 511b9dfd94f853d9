// An example suite for `redqueen run`: ordinary tests of a tiny string
// utility, a parameterized test, a typed test and a skipped test.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

namespace {

std::string Reverse(std::string s) {
  std::reverse(s.begin(), s.end());
  return s;
}

bool IsPalindrome(const std::string& s) { return s == Reverse(s); }

void Work(int millis) { std::this_thread::sleep_for(std::chrono::milliseconds(millis)); }

TEST(Reverse, Empty) { EXPECT_EQ(Reverse(""), ""); }
TEST(Reverse, Word) { EXPECT_EQ(Reverse("queen"), "neeuq"); }
TEST(Reverse, Twice) {
  Work(50);
  EXPECT_EQ(Reverse(Reverse("rook")), "rook");
}

class PalindromeTest : public testing::TestWithParam<const char*> {};
TEST_P(PalindromeTest, ReadsTheSameBothWays) {
  Work(30);
  EXPECT_TRUE(IsPalindrome(GetParam()));
}
INSTANTIATE_TEST_SUITE_P(Words, PalindromeTest,
                         testing::Values("", "a", "level", "racecar", "noon"));

template <class T>
class SizeTest : public testing::Test {};
using Types = testing::Types<char, int, double>;
TYPED_TEST_SUITE(SizeTest, Types);
TYPED_TEST(SizeTest, IsPositive) { EXPECT_GT(sizeof(TypeParam), 0u); }

TEST(Platform, NeedsAGpu) { GTEST_SKIP() << "no GPU on this machine"; }

}  // namespace
