#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "pawn/benchmark.h"

TEST(Consumer, Adds) { EXPECT_EQ(2 + 2, 4); }
TEST(Consumer, Multiplies) { EXPECT_EQ(2 * 3, 6); }

// The installed fixture: a test when run, measured by `redqueen bench`.
REDQUEEN_BENCHMARK(Consumer, Sums) {
  std::vector<int> values(1000, 1);
  int sum = 0;
  state.Measure([&] { sum = std::accumulate(values.begin(), values.end(), sum); });
  EXPECT_GT(sum, 0);
}
