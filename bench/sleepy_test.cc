// 200 tests that sleep for varied, known durations: test i sleeps
// 10 + (37 * i mod 90) milliseconds. bench/run_bench.sh computes the same
// durations for the makespan's lower bound.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

class Sleepy : public testing::TestWithParam<int> {};

TEST_P(Sleepy, Sleeps) {
  const int millis = 10 + (37 * GetParam()) % 90;
  std::this_thread::sleep_for(std::chrono::milliseconds(millis));
}

INSTANTIATE_TEST_SUITE_P(Varied, Sleepy, testing::Range(0, 200));
