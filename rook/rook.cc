#include "rook/rook.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "proto/overloaded.h"
#include "rook/filter.h"

namespace redqueen::rook {

size_t BatchSize(size_t queued, int jobs, uint64_t mean_duration_us, size_t most,
                 size_t listed) {
  const size_t pawns = static_cast<size_t>(std::max(jobs, 1));
  const size_t share = queued / (4 * pawns);
  // A first run of 10,000 trivial tests cut into batches of 5 ms gave each
  // resident pawn seven walks of the list, 4-6 ms each: more than its tests.
  const uint64_t least_us = std::max(
      kMinBatchWorkUs, listed * kBatchNsPerListedTest / 1000 * kWorkPerBatchCost);
  const size_t floor =
      mean_duration_us == 0
          ? 1
          : static_cast<size_t>((least_us + mean_duration_us - 1) / mean_duration_us);
  const size_t fair = (queued + pawns - 1) / pawns;
  const size_t size = std::max(std::min({std::max(share, floor), most, fair}), size_t{1});
  // Half of what is queued, again and again, would give the pawns a walk of
  // the list per halving (15 batches for 10,000 trivial tests, each pawn's
  // walks more than its tests): a rest worth less than each pawn's part of
  // walking the list again goes along, as BatchWorkUs's does with history.
  const uint64_t rest_us = (queued - std::min(size, queued)) * mean_duration_us;
  const uint64_t walk_share_us = listed * kBatchNsPerListedTest / 1000 / pawns;
  if (mean_duration_us > 0 && rest_us < walk_share_us) {
    return std::max(std::min(queued, most), size_t{1});
  }
  return size;
}

uint64_t BatchWorkUs(uint64_t queued_us, uint64_t running_us, int jobs,
                     uint64_t run_share_us, size_t listed) {
  // The batches in flight count: the pawn that takes the last half of a
  // binary whose first half another pawn runs has a pawn's share queued.
  const uint64_t share =
      (queued_us + running_us) / static_cast<uint64_t>(std::max(jobs, 1));
  const uint64_t quarter = std::max(share, run_share_us) / 4;
  const uint64_t walk_us = listed * kBatchNsPerListedTest / 1000 * kWorkPerBatchCost;
  const uint64_t limit =
      std::max(std::min(std::max(quarter, walk_us), share), kMinBatchWorkUs);
  // A lone pawn would run what is left right after, as a batch of its own
  // that is not worth one (another pawn's start-up would cost more): all.
  // With more pawns, a rest of its own would end the binary sooner by as
  // much as it holds, and cost a walk of the list shared by the pawns: what
  // is worth less goes along (what a pawn's share leaves of an odd total).
  const uint64_t not_worth_a_batch =
      jobs <= 1 ? kMinBatchWorkUs
                : listed * kBatchNsPerListedTest / 1000 / static_cast<uint64_t>(jobs);
  return queued_us < limit + not_worth_a_batch ? std::max(queued_us, limit) : limit;
}

Rook::Rook(RookOptions options, knight::WorkerFactory* factory, const Clock* clock,
           RunSink* sink)
    : options_(std::move(options)),
      factory_(factory),
      clock_(clock),
      sink_(sink),
      ledger_(options_.retries, options_.repeat),
      health_(HealthLimits{options_.timeout, options_.slow, options_.kill_grace,
                           options_.start_timeout, options_.max_memory_percent}) {}

void Rook::Start(RookCallbacks callbacks, std::vector<int> pawns,
                 std::unique_ptr<knight::Worker> handed) {
  callbacks_ = std::move(callbacks);
  slots_.resize(static_cast<size_t>(std::max(options_.jobs, 1)));
  if (pawns.empty()) {
    for (int i = 0; i < static_cast<int>(slots_.size()); ++i) pawns.push_back(i);
  }
  for (int pawn : pawns) {
    if (outcome_ == RookOutcome::kRunning) StartSlot(pawn, std::move(handed));
  }
  if (outcome_ == RookOutcome::kRunning) ChooseAhead();
  MaybeFinish();
}

void Rook::AddPawn(int pawn_id, std::unique_ptr<knight::Worker> handed) {
  if (finished_ || outcome_ != RookOutcome::kRunning) {
    // A handed worker is destroyed with its process.
    if (callbacks_.on_released) callbacks_.on_released(pawn_id);
    return;
  }
  StartSlot(pawn_id, std::move(handed));
}

RookProgress Rook::progress() const {
  uint64_t running_us = 0;
  for (const Slot& s : slots_) running_us += ExpectedUs(s.batch, 0);
  const size_t queued = queue_.size() + serial_queue_.size();
  // Without history, at the mean duration so far (0 before any result).
  const uint64_t queued_us = estimates_.empty()
                                 ? queued * ledger_.MeanDurationUs()
                                 : queue_.expected_us() + serial_queue_.expected_us();
  const bool going_on =
      !finished_ && outcome_ == RookOutcome::kRunning && stopping_ == NotRun::kRan;
  return RookProgress{
      .wants_pawns = going_on && (!running_ || !NothingQueued()),
      .queued = queued,
      .queued_us = queued_us,
      .left_us = queued_us + running_us,
      .finished = finished_,
      .restarts = restarts_,
  };
}

bool Rook::NothingQueued() const {
  return queue_.empty() && serial_queue_.empty() && !MoreRepetitions();
}

bool Rook::MoreRepetitions() const {
  if (options_.list_only || stopping_ != NotRun::kRan || selected_.empty()) return false;
  return ledger_.MoreRepetitions();
}

bool Rook::AnyBusy() const {
  for (const Slot& s : slots_) {
    if (s.state == PawnState::kBusy) return true;
  }
  return false;
}

int Rook::ActivePawns() const {
  int active = 0;
  for (const Slot& s : slots_) active += s.state != PawnState::kGone;
  return std::max(active, 1);
}

void Rook::StartSlot(int slot, std::unique_ptr<knight::Worker> handed) {
  Slot& s = slots_[slot];
  std::string error;
  s = Slot{};
  // A handed-over pawn that cannot serve this binary is replaced by a new one.
  if (handed) s.worker = factory_->Adopt(slot, this, std::move(handed), &error);
  if (!s.worker) s.worker = factory_->Start(slot, this, &error);
  if (!s.worker) {
    Fail("cannot start pawn " + std::to_string(slot) + ": " + error);
    return;
  }
  s.state = PawnState::kStarting;
  s.watch.since = clock_->Now();
  sink_->OnPawnStarted(slot, s.worker->pid());
}

std::string Rook::Describe(int slot) const {
  const Slot& s = slots_[slot];
  std::string text = "pawn " + std::to_string(slot);
  if (s.worker) text += " (pid " + std::to_string(s.worker->pid()) + ")";
  return text;
}

std::string Rook::NameOf(uint32_t index) const {
  const std::vector<proto::TestInfo>& tests = list_.tests();
  return index < tests.size() ? tests[index].name : "#" + std::to_string(index);
}

void Rook::OnMessage(int slot, proto::PawnMessage message) {
  // Nothing a pawn says after it broke the protocol is used.
  if (slots_[slot].state == PawnState::kGone || !slots_[slot].violation.empty()) return;
  std::visit(proto::Overloaded{
                 [&](const proto::Hello& hello) { OnHello(slot, hello); },
                 [&](proto::TestList& list) { OnTestList(slot, std::move(list)); },
                 [&](const proto::Result& result) { OnTestResult(slot, result); },
                 [&](const proto::Requeue& requeue) { OnRequeue(slot, requeue.indexes); },
                 [&](const proto::Started& started) {
                   const auto it = Find(slots_[slot].batch, started.index);
                   if (it != slots_[slot].batch.end()) {
                     sink_->OnTestStarted(it->index, it->repetition, it->attempt, slot);
                   }
                 },
                 // Nothing to do: the exit that follows is expected.
                 [](const proto::Bye&) {},
             },
             message);
}

void Rook::OnHello(int slot, const proto::Hello& hello) {
  Slot& s = slots_[slot];
  if (s.state != PawnState::kStarting) {
    s.violation = "said hello twice";
    s.worker->Kill();
    return;
  }
  switch (list_.OnHello(slot, hello)) {
    case ListAgreement::HelloVerdict::kWrongProtocol:
      Fail(Describe(slot) + " " + ListAgreement::ProtocolError(hello));
      return;
    case ListAgreement::HelloVerdict::kKnown:
      // The past's list and history became the list's: so did the choice.
      if (ahead_) {
        Adopt(std::move(*ahead_));
        ahead_.reset();
      } else {
        Select();
      }
      s.state = PawnState::kReady;
      CheckAgreement();
      return;
    case ListAgreement::HelloVerdict::kAgrees:
      s.state = PawnState::kReady;
      if (running_) {
        Dispatch();
      } else {
        CheckAgreement();
      }
      return;
    case ListAgreement::HelloVerdict::kSendList:
      s.state = PawnState::kListing;
      s.watch.since = clock_->Now();
      s.worker->Send(proto::ListTests{});
      return;
  }
}

void Rook::OnTestList(int slot, proto::TestList list) {
  Slot& s = slots_[slot];
  if (s.state != PawnState::kListing) return;
  s.state = PawnState::kReady;
  switch (list_.OnList(slot, std::move(list.tests))) {
    case ListAgreement::ListVerdict::kBroken:
      Fail(Describe(slot) + " sent a test list that does not match its hello");
      return;
    case ListAgreement::ListVerdict::kListed:
      ahead_.reset();  // Made from a list this one replaced.
      Select();
      break;
    case ListAgreement::ListVerdict::kDisagrees:
      break;
  }
  CheckAgreement();
}

Rook::Selection Rook::SelectFrom(const std::vector<proto::TestInfo>& tests) const {
  const TestFilter filter(options_.filter);
  Selection selection;
  for (uint32_t i = 0; i < tests.size(); ++i) {
    const std::string& name = tests[i].name;
    if (!filter.Matches(name)) continue;
    if (!options_.also_run_disabled && IsDisabled(name)) continue;
    const auto position = static_cast<uint32_t>(selection.matched.size());
    selection.matched.push_back(i);
    if (options_.shard && !options_.shard->Runs(name, position)) continue;
    if (only_ && !only_->count(name)) continue;
    selection.selected.push_back(i);
  }
  return selection;
}

Rook::Chosen Rook::Choose(const std::vector<proto::TestInfo>& tests,
                          const History& history) const {
  Chosen chosen;
  chosen.selection = SelectFrom(tests);
  std::vector<TestFilter> serial;
  for (const std::string& pattern : options_.serial) serial.emplace_back(pattern);
  chosen.serial.assign(tests.size(), false);
  for (uint32_t i : chosen.selection.selected) {
    chosen.serial[i] =
        std::any_of(serial.begin(), serial.end(),
                    [&](const TestFilter& f) { return f.Matches(tests[i].name); });
    (chosen.serial[i] ? chosen.serial_selected : chosen.parallel_selected).push_back(i);
  }
  chosen.estimates = Estimate(tests.size(), chosen.selection.selected, history);
  chosen.first_serial =
      Plan(tests, chosen.serial_selected, chosen.estimates, history, options_.plan, 0);
  chosen.first_parallel =
      Plan(tests, chosen.parallel_selected, chosen.estimates, history, options_.plan, 0);
  return chosen;
}

void Rook::Select() { Adopt(Choose(list_.tests(), list_.history())); }

void Rook::Adopt(Chosen chosen) {
  matched_ = std::move(chosen.selection.matched);
  selected_ = std::move(chosen.selection.selected);
  serial_ = std::move(chosen.serial);
  serial_selected_ = std::move(chosen.serial_selected);
  parallel_selected_ = std::move(chosen.parallel_selected);
  estimates_ = std::move(chosen.estimates);
  first_serial_ = std::move(chosen.first_serial);
  first_parallel_ = std::move(chosen.first_parallel);
}

void Rook::SetPast(Past past) {
  list_.SetPast(std::move(past));
  ahead_.reset();
  if (!slots_.empty()) ChooseAhead();
}

void Rook::ChooseAhead() {
  const std::optional<Past>& past = list_.past();
  if (!past || ahead_ || list_.listed()) return;
  ahead_ = Choose(past->tests, past->history);
}

std::optional<RookForecast> Rook::Forecast() const {
  const std::optional<Past>& past = list_.past();
  if (!past) return std::nullopt;
  const std::vector<uint32_t> selected = SelectFrom(past->tests).selected;
  const std::vector<uint64_t> estimates =
      Estimate(past->tests.size(), selected, past->history);
  if (estimates.empty()) return std::nullopt;
  RookForecast forecast;
  for (uint32_t index : selected) {
    forecast.longest_us = std::max(forecast.longest_us, estimates[index]);
    forecast.total_us += estimates[index];
  }
  return forecast;
}

void Rook::CheckAgreement() {
  if (outcome_ != RookOutcome::kRunning || !list_.listed()) return;
  if (const auto difference = list_.Disagreement()) {
    Fail(Describe(difference->slot) + " " + difference->words);
    return;
  }
  if (running_) return;
  for (const Slot& s : slots_) {
    if (s.state == PawnState::kStarting || s.state == PawnState::kListing) return;
  }
  BeginRun();
}

void Rook::BeginRun() {
  running_ = true;
  // With nothing to run, Dispatch may end the Rook (its pawns handed over):
  // the sinks hear of the list first.
  if (selected_.empty()) sink_->OnTestsListed(list_.tests(), selected_, list_hash());
  // Pawns start on their first batches while the sinks record the list.
  Dispatch();
  if (!selected_.empty()) sink_->OnTestsListed(list_.tests(), selected_, list_hash());
}

void Rook::PlanNextRepetition() {
  const uint32_t repetition = ledger_.BeginRepetition(selected_.size());
  std::vector<Unit> serial = std::move(first_serial_);
  std::vector<Unit> parallel = std::move(first_parallel_);
  first_serial_.clear();
  first_parallel_.clear();
  if (repetition > 0) {
    const std::vector<proto::TestInfo>& tests = list_.tests();
    serial = Plan(tests, serial_selected_, estimates_, list_.history(), options_.plan,
                  repetition);
    parallel = Plan(tests, parallel_selected_, estimates_, list_.history(), options_.plan,
                    repetition);
  }
  for (Unit& unit : serial) serial_queue_.PushBack(std::move(unit));
  for (Unit& unit : parallel) queue_.PushBack(std::move(unit));
}

void Rook::Dispatch() {
  if (outcome_ != RookOutcome::kRunning || !running_) return;
  // The next repetition is planned as the last one's queue runs dry, so
  // pawns never wait at the boundary.
  if (queue_.empty() && serial_queue_.empty() && MoreRepetitions()) PlanNextRepetition();
  if (stopping_ == NotRun::kRan && !serial_queue_.empty()) {
    // Serial phase: one test at a time, with no other test running.
    for (size_t i = 0; i < slots_.size() && !AnyBusy(); ++i) {
      if (slots_[i].state == PawnState::kReady) {
        SendBatch(static_cast<int>(i), serial_queue_, BatchLimit{1, UINT64_MAX});
      }
    }
  } else if (stopping_ == NotRun::kRan) {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].state != PawnState::kReady) continue;
      // A pawn that finds nothing queued takes back another's unstarted tail.
      if (queue_.empty() && !TakeBackTail()) break;
      SendBatch(static_cast<int>(i), queue_, LimitFor(queue_));
    }
  }
  if (AllResultsIn() || stopping_ != NotRun::kRan) {
    ShutDownAll();
    if (AllResultsIn() && on_all_results_in_)
      std::exchange(on_all_results_in_, nullptr)();
  } else if (options_.release_idle && NothingQueued()) {
    ReleaseIdle();
  }
  // Pawns handed over leave no exit behind to end the Rook on.
  MaybeFinish();
}

void Rook::ReleaseIdle() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].state == PawnState::kReady) Retire(static_cast<int>(i));
  }
}

void Rook::Retire(int slot) {
  Slot& s = slots_[slot];
  if (callbacks_.hand_over && outcome_ == RookOutcome::kRunning &&
      stopping_ == NotRun::kRan && s.worker->CanServeAnother()) {
    if (const RookCallbacks::Taker take = callbacks_.hand_over(slot)) {
      std::unique_ptr<knight::Worker> worker = std::move(s.worker);
      const int pid = worker->pid();
      s = Slot{};  // No worker: this Rook is done with the id.
      // Given before the sinks hear of it: a sink's error aborts the run,
      // which then stops the binary that has the worker, as any other.
      take(std::move(worker));
      sink_->OnPawnExited(slot, pid, "moved on to another binary");
      return;
    }
  }
  SendShutdown(s);
}

void Rook::SendShutdown(Slot& s) {
  s.worker->Send(proto::Shutdown{});
  s.state = PawnState::kStopping;
  s.watch.told_to_stop = true;
  s.watch.since = clock_->Now();
}

BatchLimit Rook::LimitFor(const WorkQueue& queue) const {
  if (!estimates_.empty()) {
    const uint64_t run_share = callbacks_.run_share_us ? callbacks_.run_share_us() : 0;
    uint64_t running_us = 0;
    for (const Slot& s : slots_) running_us += ExpectedUs(s.batch, 0);
    return BatchLimit{SIZE_MAX, BatchWorkUs(queue.expected_us(), running_us,
                                            ActivePawns(), run_share, listed())};
  }
  // Guided self-scheduling where a batch cannot be taken back once begun: it
  // bets on at most a few times as many tests as have reported, so a first
  // run starts with single tests and grows as durations arrive. A resident
  // pawn's tail is taken back instead.
  const size_t most = options_.whole_batches
                          ? std::max<size_t>(kGrowthPerResult * ledger_.attempts_in(), 1)
                          : SIZE_MAX;
  return BatchLimit{
      BatchSize(queue.size(), ActivePawns(), ledger_.MeanDurationUs(), most, listed()),
      UINT64_MAX};
}

uint64_t Rook::ExpectedUs(const std::deque<Work>& works, size_t from) const {
  uint64_t expected = 0;
  for (size_t i = from; i < works.size(); ++i) {
    expected +=
        estimates_.empty() ? ledger_.MeanDurationUs() : estimates_[works[i].index];
  }
  return expected;
}

bool Rook::SendBatch(int slot, WorkQueue& queue, BatchLimit limit) {
  Slot& s = slots_[slot];
  std::vector<Work> batch = queue.Take(slot, limit, ActivePawns() > 1);
  if (batch.empty()) return false;
  // A pawn runs its batch in registration order; expect the results so.
  std::sort(batch.begin(), batch.end(),
            [](const Work& a, const Work& b) { return a.index < b.index; });
  proto::Run run;
  run.attempt = batch.front().attempt;
  run.report_starts = options_.report_starts;
  for (const Work& work : batch) run.indexes.push_back(work.index);
  s.batch.assign(batch.begin(), batch.end());
  s.sent = std::move(batch);
  s.taken_back = false;
  s.state = PawnState::kBusy;
  s.watch.since = clock_->Now();
  s.reported = 0;
  s.worker->Send(run);
  return true;
}

void Rook::GiveBack(const std::vector<Work>& works) {
  std::vector<Work> serial;
  std::vector<Work> parallel;
  for (const Work& work : works)
    (serial_[work.index] ? serial : parallel).push_back(work);
  for (auto* part : {&serial, &parallel}) {
    if (part->empty()) continue;
    WorkQueue& queue = QueueOf(part->front());
    if (options_.plan.by_suite) {
      // What is left of a suite stays together.
      Unit unit{{part->begin(), part->end()}, 0};
      for (const Work& work : *part) {
        unit.expected_us += estimates_.empty() ? 0 : estimates_[work.index];
      }
      queue.PushFront(std::move(unit));
    } else {
      queue.PushFrontEach(*part, estimates_);
    }
  }
}

void Rook::ShutDownAll() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (s.state == PawnState::kReady) {
      Retire(static_cast<int>(i));
    } else if (s.state == PawnState::kStarting || s.state == PawnState::kListing) {
      s.worker->Kill();
      s.state = PawnState::kStopping;
    }
  }
}

std::deque<Work>::iterator Rook::Find(std::deque<Work>& batch, int64_t index) {
  return std::find_if(batch.begin(), batch.end(),
                      [index](const Work& work) { return work.index == index; });
}

void Rook::OnTestResult(int slot, const proto::Result& result) {
  Slot& s = slots_[slot];
  const auto it = Find(s.batch, result.index);
  if (s.state != PawnState::kBusy || it == s.batch.end()) {
    s.violation = "reported test " + NameOf(result.index) + " it was not running";
    s.worker->Kill();
    return;
  }
  // A pawn reports what a test did; FLAKY and anything unknown are not that.
  if (static_cast<uint8_t>(result.status) > static_cast<uint8_t>(TestStatus::kTimeout)) {
    s.violation = "reported status " + std::to_string(static_cast<int>(result.status)) +
                  " for test " + NameOf(result.index) + ", which no pawn sends";
    s.worker->Kill();
    return;
  }
  const Work work = *it;
  s.batch.erase(it);
  ++s.reported;
  s.output_end = result.output_end;
  TestResult out;
  out.index = result.index;
  out.status = result.status;
  out.duration_us = result.duration_us;
  out.failures = result.failures;
  out.skip_message = result.skip_message;
  out.crash = result.crash;
  out.finished_us = result.finished_us;
  if (result.status != TestStatus::kPassed) {
    out.output =
        s.worker->ReadOutput(result.output_begin, result.output_end, options_.output_cap);
  }
  out.pawn = slot;
  Conclude(work, std::move(out));
  if (stopping_ != NotRun::kRan && !s.batch.empty() && s.state == PawnState::kBusy) {
    // Stopping early: the test it was running is done, the rest is not run.
    s.worker->Kill();
    s.state = PawnState::kStopping;
  } else if (s.batch.empty() && s.state == PawnState::kBusy) {
    s.state = PawnState::kReady;
    Dispatch();
  }
}

void Rook::OnRequeue(int slot, const std::vector<uint32_t>& indexes) {
  Slot& s = slots_[slot];
  std::vector<Work> works;
  for (uint32_t index : indexes) {
    const auto it = Find(s.batch, index);
    if (s.state != PawnState::kBusy || it == s.batch.end()) {
      s.violation = "gave back test " + NameOf(index) + " it was not running";
      s.worker->Kill();
      return;
    }
    works.push_back(*it);
    s.batch.erase(it);
  }
  GiveBack(works);
  if (s.batch.empty() && s.reported == 0) {
    // The whole batch back, none of it run: the pawn cannot run tests (an
    // exec pawn that cannot start its child). It exits; OnExit says why.
    s.gave_up = true;
    s.state = PawnState::kStopping;
  } else if (s.batch.empty()) {
    s.state = PawnState::kReady;
    Dispatch();
  }
}

void Rook::Conclude(const Work& work, TestResult result) {
  Conclusion conclusion =
      ledger_.Conclude(work, std::move(result),
                       stopping_ == NotRun::kRan && outcome_ == RookOutcome::kRunning);
  if (conclusion.again) {
    RunAgain(*conclusion.again, std::move(conclusion.result));
  } else {
    Report(std::move(conclusion.result));
  }
}

void Rook::RunAgain(const Work& next, TestResult result) {
  result.final = false;
  Report(std::move(result));
  QueueOf(next).PushFront(Unit{{next}, estimates_.empty() ? 0 : estimates_[next.index]});
}

void Rook::Report(TestResult result) {
  if (result.finished_us == 0) {
    result.finished_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             clock_->Now().time_since_epoch())
                             .count();
  }
  const bool failed = ledger_.Record(result);
  sink_->OnResult(result, ledger_.totals());
  if (failed && callbacks_.on_final_failure) callbacks_.on_final_failure();
}

}  // namespace redqueen::rook
