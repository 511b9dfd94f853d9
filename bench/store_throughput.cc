// Results per second the Bishop's store takes: 10,000 tests, 200,000
// executions (one in ten failing, with a failure and output), flushed every
// 50 ms of wall time as during a run. Prints one line.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "bishop/store.h"

int main() {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("store_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string error;
  auto store = redqueen::bishop::Store::Open((dir / "bench.db").string(), &error);
  if (!store) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::vector<redqueen::proto::TestInfo> tests;
  for (int i = 0; i < 10000; ++i) {
    tests.push_back({"Suite" + std::to_string(i / 100) + ".Test" + std::to_string(i),
                     "bench/generated.cc", i, "", ""});
  }
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "bench", 2});
  const std::vector<int64_t> ids = store->AddTests("bench/bench_trivial", tests);
  constexpr int kExecutions = 200000;
  const auto start = std::chrono::steady_clock::now();
  auto last_flush = start;
  for (int i = 0; i < kExecutions; ++i) {
    redqueen::TestResult e;
    e.index = static_cast<uint32_t>(static_cast<size_t>(i) % ids.size());
    e.repetition = static_cast<uint32_t>(i / static_cast<int>(ids.size()));
    e.status =
        i % 10 == 0 ? redqueen::TestStatus::kFailed : redqueen::TestStatus::kPassed;
    e.duration_us = 3;
    e.finished_us = 1'700'000'000'000'000 + i;
    e.pawn = i % 2;
    if (i % 10 == 0) {
      e.failures.push_back(
          {"bench/generated.cc", i, "Expected equality of these values"});
      e.output = "bench/generated.cc: Failure\nExpected equality of these values\n";
    }
    store->AddExecution(run, ids[e.index], e);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_flush >= std::chrono::milliseconds(50)) {
      store->Flush();
      last_flush = now;
    }
  }
  store->Flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  store.reset();
  fs::remove_all(dir);
  std::printf("%d results in %.3f s: %.0f results per second\n", kExecutions, seconds,
              kExecutions / seconds);
  return 0;
}
