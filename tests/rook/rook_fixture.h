// A Rook driven step by step with fake knights and a fake clock, the way real
// pawns would drive it: shared by the Rook's policy tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fakes.h"
#include "rook/rook.h"

namespace redqueen::rook {

inline std::vector<proto::TestInfo> MakeTests(int count,
                                              const std::string& prefix = "T.t") {
  std::vector<proto::TestInfo> tests;
  for (int i = 0; i < count; ++i) {
    tests.push_back({prefix + std::to_string(i), "t.cc", i + 1, "", ""});
  }
  return tests;
}

inline proto::Hello HelloFor(const std::vector<proto::TestInfo>& tests) {
  return proto::HelloFor(1, tests);
}

template <class T>
const T* Last(const FakeWorker& worker) {
  return worker.sent.empty() ? nullptr : std::get_if<T>(&worker.sent.back());
}

/// Drives a Rook the way real pawns would, one step at a time.
class RookTest : public testing::Test {
 protected:
  void Make(RookOptions options, int tests) {
    Make(std::move(options), MakeTests(tests));
  }

  void Make(RookOptions options, std::vector<proto::TestInfo> tests) {
    tests_ = std::move(tests);
    rook_ = std::make_unique<Rook>(options, &factory_, &clock_, &sink_);
    Start();
  }

  /// As Make, with a store that remembers every test passing in `us`: the
  /// Rook then cuts batches by expected work, a first batch holding more
  /// than one test.
  void MakeRemembered(RookOptions options, int tests, uint64_t us) {
    tests_ = MakeTests(tests);
    rook_ = std::make_unique<Rook>(options, &factory_, &clock_, &sink_);
    rook_->SetPast(Remembered(tests_, {us}));
    Start();
  }

  void Start() {
    rook_->Start({.on_finished = [this] { ++finished_; },
                  .on_final_failure =
                      [this] {
                        if (on_final_failure_) on_final_failure_();
                      }});
  }

  /// The Rook as its knights reach it.
  knight::WorkerEvents& Events() { return *factory_.events; }

  FakeWorker& Worker(int slot) { return *factory_.current.at(slot); }

  /// Every live pawn says hello; the one asked for the list sends it.
  void Greet(const std::vector<proto::TestInfo>& tests) {
    for (auto& [slot, worker] : factory_.current) {
      if (worker && worker->sent.empty()) Events().OnMessage(slot, HelloFor(tests));
    }
    for (auto& [slot, worker] : factory_.current) {
      if (worker && Last<proto::ListTests>(*worker)) {
        Events().OnMessage(slot, proto::TestList{tests});
      }
    }
  }

  void Pass(int slot, uint32_t index) { Answer(slot, index, TestStatus::kPassed); }

  void Answer(int slot, uint32_t index, TestStatus status, uint64_t duration_us = 0) {
    proto::Result result;
    result.index = index;
    result.status = status;
    result.duration_us = duration_us;
    Events().OnMessage(slot, result);
  }

  /// The slot's pawn ends, as the Knight reports it.
  void Exit(int slot, knight::ExitInfo info) {
    answered_.erase(factory_.current[slot]);
    factory_.current.erase(slot);
    Events().OnExit(slot, info);
  }

  /// Answers every outstanding Run with passes, and every Shutdown with an
  /// exit, until nothing is outstanding.
  void RunToTheEnd() {
    for (bool progress = true; progress;) {
      progress = false;
      const auto current = factory_.current;
      for (auto& [slot, worker] : current) {
        // Gone, or replaced since the copy was taken.
        if (factory_.current.count(slot) == 0 || factory_.current[slot] != worker)
          continue;
        if (worker->kills > 0) {
          Exit(slot, {.signaled = true, .signal = 9});
          progress = true;
        } else if (worker->sent.empty()) {
          Greet(tests_);
          progress = true;
        } else if (const auto* run = Last<proto::Run>(*worker);
                   run && answered_[worker] != worker->sent.size()) {
          answered_[worker] = worker->sent.size();
          const proto::Run batch = *run;
          runs_.emplace_back(slot, batch);
          for (uint32_t index : batch.indexes) {
            Answer(slot, index,
                   verdict_ ? verdict_(index, batch.attempt) : TestStatus::kPassed);
            if (worker->kills > 0) break;
          }
          progress = true;
        } else if (Last<proto::Shutdown>(*worker)) {
          Events().OnMessage(slot, proto::Bye{});
          Exit(slot, {});
          progress = true;
        }
      }
    }
  }

  std::vector<proto::TestInfo> tests_;
  /// How RunToTheEnd answers each test (index, attempt); null: passes.
  std::function<TestStatus(uint32_t, uint32_t)> verdict_;
  /// Every batch RunToTheEnd answered, with its slot.
  std::vector<std::pair<int, proto::Run>> runs_;
  std::map<FakeWorker*, size_t> answered_;  ///< Sent-count when last answered.
  FakeFactory factory_;
  FakeClock clock_;
  RecordingSink sink_;
  std::unique_ptr<Rook> rook_;
  int finished_ = 0;
  /// Called for every final failure (RookCallbacks::on_final_failure).
  std::function<void()> on_final_failure_;
};

}  // namespace redqueen::rook
