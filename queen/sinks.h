// The fan-out between a Rook and its sinks (store, terminal, event log).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "rook/run_sink.h"

namespace redqueen::queen {

/// Fans the Rook's events out to every sink and keeps the failed results; a
/// sink that throws stops the run instead of crashing it.
class Sinks : public rook::RunSink {
 public:
  Sinks(std::vector<rook::RunSink*> sinks, std::function<void(std::string)> on_error)
      : sinks_(std::move(sinks)), on_error_(std::move(on_error)) {}

  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected, uint64_t list_hash) override {
    Each([&](rook::RunSink* sink) { sink->OnTestsListed(tests, selected, list_hash); });
  }

  void OnResult(const TestResult& result, const RunTotals& totals) override {
    // Only what the end of the run lists, so a long --repeat stays small.
    if (result.final &&
        (IsFailure(result.status) || result.status == TestStatus::kFlaky)) {
      notable_.push_back(result);
    }
    Each([&](rook::RunSink* sink) { sink->OnResult(result, totals); });
  }

  void OnSlow(uint32_t index, uint64_t running_for_us, int pawn) override {
    Each([&](rook::RunSink* sink) { sink->OnSlow(index, running_for_us, pawn); });
  }

  void OnTestStarted(uint32_t index, uint32_t repetition, uint32_t attempt,
                     int pawn) override {
    Each([&](rook::RunSink* sink) {
      sink->OnTestStarted(index, repetition, attempt, pawn);
    });
  }

  void OnPawnStarted(int pawn, int pid) override {
    Each([&](rook::RunSink* sink) { sink->OnPawnStarted(pawn, pid); });
  }

  void OnPawnExited(int pawn, int pid, const std::string& how) override {
    Each([&](rook::RunSink* sink) { sink->OnPawnExited(pawn, pid, how); });
  }

  /// Final results that failed or were FLAKY, in registration order.
  const std::vector<TestResult>& notable() {
    std::stable_sort(notable_.begin(), notable_.end(), [](const auto& a, const auto& b) {
      return a.index != b.index ? a.index < b.index : a.repetition < b.repetition;
    });
    return notable_;
  }

 private:
  template <class F>
  void Each(F f) {
    for (rook::RunSink* sink : sinks_) {
      try {
        f(sink);
      } catch (const std::exception& e) {
        on_error_(e.what());
      }
    }
  }

  std::vector<rook::RunSink*> sinks_;
  std::function<void(std::string)> on_error_;
  std::vector<TestResult> notable_;
};

}  // namespace redqueen::queen
