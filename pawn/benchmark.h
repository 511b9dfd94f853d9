// Benchmarks inside a GoogleTest suite linked with redqueen::gtest_main:
//
//   REDQUEEN_BENCHMARK(Codec, EncodeSmall) {
//     std::string input = MakeInput();
//     state.Measure([&] { Encode(input); });
//     state.Quality("ratio", CompressionRatio(input));
//     state.Counter("bytes", input.size());  // bytes_per_second
//   }
//
// Each benchmark is an ordinary gtest test (Codec.EncodeSmall) whose value
// parameter is "redqueen benchmark", so that --gtest_list_tests tells it
// from a test without running anything. Run by hand or by `redqueen run`, it
// calls the measured code once and writes nothing: the suite stays fast.
// With REDQUEEN_BENCH_OUT=<file> in the environment it is measured and
// appends one "redqueen-bench-1" JSON line to that file.
//
// Settings, in seconds: REDQUEEN_BENCH_TIME (1: the kept rounds),
// REDQUEEN_BENCH_MIN_ROUND (5e-6: the shortest round), REDQUEEN_BENCH_WARMUP
// (0.1: rounds run before the kept ones).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace redqueen {

/// The value parameter of every benchmark: --gtest_list_tests prints it
/// after "# GetParam() = ", which is how a runner finds the benchmarks.
inline constexpr char kBenchmarkParam[] = "redqueen benchmark";

/// What a REDQUEEN_BENCHMARK body gets as `state`.
class BenchState {
 public:
  ~BenchState();

  /// Times `callable` (called with no arguments, as often as measuring
  /// needs). Call it once per body; what it throws propagates.
  template <typename Callable>
  void Measure(Callable&& callable) {
    MeasureRounds([&callable](int64_t iterations) {
      for (int64_t i = 0; i < iterations; ++i) callable();
    });
  }

  /// A figure of what the code computed (a compression ratio, an error),
  /// not of its speed: recorded with every sample as it is.
  void Quality(const std::string& name, double value);

  /// An amount one call of the measured code handles (bytes, items):
  /// recorded as the rate NAME_per_second of every sample.
  void Counter(const std::string& name, double per_call_value);

 private:
  friend class RegisteredBenchmark;
  struct Impl;

  explicit BenchState(std::unique_ptr<Impl> impl);
  void MeasureRounds(const std::function<void(int64_t)>& run_round);

  std::unique_ptr<Impl> impl_;
};

/// The body of one benchmark.
using BenchBody = void (*)(BenchState& state);

/// Where a benchmark was declared, and how its source was compiled.
struct BenchSite {
  const char* suite;
  const char* name;
  const char* file;
  int line;
  const char* compiler;    ///< __VERSION__.
  const char* build_type;  ///< "release" when NDEBUG is defined, else "debug".
};

/// Registers `body` as the gtest test site.suite.site.name; returns true, so
/// that REDQUEEN_BENCHMARK can call it from a static initializer.
bool RegisterBenchmark(const BenchSite& site, BenchBody body);

}  // namespace redqueen

// Read where this header is included: the build of the user's source.
#ifdef NDEBUG
#define REDQUEEN_BENCH_BUILD_TYPE "release"
#else
#define REDQUEEN_BENCH_BUILD_TYPE "debug"
#endif

/// Declares the benchmark suite.name; the braces that follow are its body,
/// with `redqueen::BenchState& state` in scope.
#define REDQUEEN_BENCHMARK(suite, name)                                                \
  static void RedqueenBenchmark_##suite##_##name(::redqueen::BenchState& state);       \
  [[maybe_unused]] static const bool redqueen_benchmark_##suite##_##name##_ =          \
      ::redqueen::RegisterBenchmark(                                                   \
          {#suite, #name, __FILE__, __LINE__, __VERSION__, REDQUEEN_BENCH_BUILD_TYPE}, \
          &RedqueenBenchmark_##suite##_##name);                                        \
  static void RedqueenBenchmark_##suite##_##name(::redqueen::BenchState& state)
