#include <gtest/gtest.h>

TEST(Consumer, Adds) { EXPECT_EQ(2 + 2, 4); }
TEST(Consumer, Multiplies) { EXPECT_EQ(2 * 3, 6); }
