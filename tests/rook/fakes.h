// Fake knights and a fake clock: the Rook's policies, tested without processes.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "knight/worker.h"
#include "proto/history.h"
#include "rook/clock.h"
#include "rook/run_sink.h"

namespace redqueen::rook {

/// What the store would remember of `tests` after runs in which test i
/// passed in durations_us[i] (the last duration for the rest).
inline Past Remembered(const std::vector<proto::TestInfo>& tests,
                       const std::vector<uint64_t>& durations_us) {
  Past past{proto::ListHash(tests), tests, History(tests.size())};
  for (size_t i = 0; i < tests.size(); ++i) {
    past.history[i].Record(true, durations_us[std::min(i, durations_us.size() - 1)]);
  }
  return past;
}

class FakeClock : public Clock {
 public:
  TimePoint Now() const override { return now; }
  TimePoint now = TimePoint(std::chrono::seconds(1'700'000'000));
};

/// Records what the Rook sends; the test plays the pawn.
struct FakeWorker : knight::Worker {
  explicit FakeWorker(int pid) : fake_pid(pid) {}
  void Send(const proto::RookMessage& message) override { sent.push_back(message); }
  void Kill() override { ++kills; }
  void Terminate() override { ++terminations; }
  bool Running(int64_t* index, uint64_t* for_us) const override {
    if (running < 0) return false;
    *index = running;
    *for_us = running_for_us;
    return true;
  }
  bool Where(Whereabouts* where) const override {
    if (!has_scoreboard) return false;
    where->phase = phase;
    where->subject = subject;
    where->for_us = phase_for_us;
    where->unread = unread;
    return true;
  }
  std::string ReadOutput(uint64_t begin, uint64_t end, size_t) override {
    return "output[" + std::to_string(begin) + "," +
           (end == UINT64_MAX ? std::string("end") : std::to_string(end)) + ")";
  }
  int pid() const override { return fake_pid; }
  /// As a pawn's scoreboard would answer: `started` tests of its batch
  /// begun (-1: no scoreboard); a pawn that has begun none keeps them all.
  int64_t TakeBackUnstarted() override {
    ++take_backs;
    return started;
  }
  uint64_t ResidentBytes() const override { return resident; }
  bool CanServeAnother() const override { return can_serve_another; }

  int fake_pid;
  /// The live workers of the factory it is with now (FakeFactory::current).
  std::map<int, FakeWorker*>* home = nullptr;
  bool can_serve_another = false;
  std::vector<proto::RookMessage> sent;
  int kills = 0;
  int terminations = 0;
  int64_t running = -1;  ///< What the scoreboard says.
  uint64_t resident = 0;
  uint64_t running_for_us = 0;
  /// What the scoreboard says outside tests (Where), once has_scoreboard.
  bool has_scoreboard = false;
  proto::Phase phase = proto::Phase::kWaiting;
  int64_t subject = -1;
  uint64_t phase_for_us = 0;
  uint64_t unread = 0;
  int64_t started = -1;  ///< What TakeBackUnstarted answers.
  int take_backs = 0;
};

class FakeFactory : public knight::WorkerFactory {
 public:
  std::unique_ptr<knight::Worker> Start(int slot, knight::WorkerEvents* to,
                                        std::string* error) override {
    events = to;
    if (fail_starts) {
      *error = "no such binary";
      return nullptr;
    }
    auto worker = std::make_unique<FakeWorker>(1000 + started);
    ++started;
    worker->home = &current;
    worker->can_serve_another = adopts;
    current[slot] = worker.get();
    return worker;
  }
  bool CanAdopt() const override { return adopts; }
  /// As a Knight's: the worker is this factory's from now on, told to serve
  /// (its earlier commands are forgotten, so that a test plays it afresh).
  std::unique_ptr<knight::Worker> Adopt(int slot, knight::WorkerEvents* to,
                                        std::unique_ptr<knight::Worker> worker,
                                        std::string*) override {
    events = to;
    auto* fake = static_cast<FakeWorker*>(worker.get());
    for (auto it = fake->home->begin(); it != fake->home->end(); ++it) {
      if (it->second == fake) {
        fake->home->erase(it);
        break;
      }
    }
    fake->home = &current;
    fake->sent.clear();
    current[slot] = fake;
    ++adopted;
    return worker;
  }

  bool fail_starts = false;
  /// Its workers can serve another binary, and it adopts others' (exec pawns).
  bool adopts = false;
  int started = 0;
  int adopted = 0;  ///< Workers of other factories it took over.
  /// Where the Rook wants its workers' messages and exits.
  knight::WorkerEvents* events = nullptr;
  /// The live worker of each slot (owned by the Rook).
  std::map<int, FakeWorker*> current;
};

class RecordingSink : public RunSink {
 public:
  void OnTestsListed(const std::vector<proto::TestInfo>& list,
                     const std::vector<uint32_t>& chosen, uint64_t hash) override {
    tests = list;
    selected = chosen;
    list_hash = hash;
  }
  void OnResult(const TestResult& result, const RunTotals& running) override {
    results.push_back(result);
    totals.push_back(running);
  }
  void OnSlow(uint32_t index, uint64_t, int) override { slow.push_back(index); }

  std::vector<proto::TestInfo> tests;
  std::vector<uint32_t> selected;
  uint64_t list_hash = 0;
  std::vector<TestResult> results;
  std::vector<RunTotals> totals;  ///< As each result's event carried them.
  std::vector<uint32_t> slow;
};

}  // namespace redqueen::rook
