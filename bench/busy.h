// Busy CPU work for the generated suites of bench/cross_binary.sh: a test
// spins on the steady clock, so it keeps a core busy (unlike a sleep) for a
// known time, and the compiler cannot remove the loop.
#ifndef REDQUEEN_BENCH_BUSY_H_
#define REDQUEEN_BENCH_BUSY_H_

#include <chrono>

namespace redqueen_bench {

/// Keeps the calling thread busy for `micros` microseconds of wall time.
inline void Spin(long micros) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
  while (std::chrono::steady_clock::now() < end) {
  }
}

}  // namespace redqueen_bench

#endif  // REDQUEEN_BENCH_BUSY_H_
