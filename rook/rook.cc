#include "rook/rook.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "rook/filter.h"

namespace redqueen::rook {
namespace {

constexpr uint64_t kToEnd = std::numeric_limits<uint64_t>::max();

/// One line naming the first test on which two lists differ.
std::string FirstDifference(const std::vector<proto::TestInfo>& reference,
                            const std::vector<proto::TestInfo>& other,
                            const std::string& reference_pawn) {
  const size_t common = std::min(reference.size(), other.size());
  for (size_t i = 0; i < common; ++i) {
    if (reference[i].name != other[i].name) {
      return "it has '" + other[i].name + "' as test #" + std::to_string(i) +
             " where " + reference_pawn + " has '" + reference[i].name + "'";
    }
  }
  if (other.size() > common) {
    return "it has an extra test '" + other[common].name + "' (#" +
           std::to_string(common) + ")";
  }
  if (reference.size() > common) {
    return "it lacks '" + reference[common].name + "' (#" + std::to_string(common) +
           ") that " + reference_pawn + " has";
  }
  return "same names, different hash (a pawn built from other sources?)";
}

/// The last non-empty line of a pawn's output: its own error message, when
/// it could not start, without the noise before it.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 -
                     (start == std::string::npos ? 0 : start + 1));
}

}  // namespace

size_t BatchSize(size_t queued, int jobs, uint64_t mean_duration_us) {
  const size_t share = queued / (4 * static_cast<size_t>(std::max(jobs, 1)));
  const size_t floor =
      mean_duration_us == 0
          ? 1
          : static_cast<size_t>((kMinBatchWorkUs + mean_duration_us - 1) / mean_duration_us);
  return std::max({share, floor, size_t{1}});
}

Rook::Rook(RookOptions options, knight::WorkerFactory* factory, const Clock* clock,
           RunSink* sink)
    : options_(std::move(options)), factory_(factory), clock_(clock), sink_(sink) {}

Rook::~Rook() = default;

void Rook::Start(std::function<void()> on_finished,
                 std::function<void(int)> on_released, std::vector<int> pawns) {
  on_finished_ = std::move(on_finished);
  on_released_ = std::move(on_released);
  slots_.resize(static_cast<size_t>(std::max(options_.jobs, 1)));
  if (pawns.empty()) {
    for (int i = 0; i < static_cast<int>(slots_.size()); ++i) pawns.push_back(i);
  }
  for (int pawn : pawns) {
    if (outcome_ == RookOutcome::kRunning) StartSlot(pawn);
  }
  MaybeFinish();
}

void Rook::AddPawn(int pawn_id) {
  if (finished_ || outcome_ != RookOutcome::kRunning) {
    if (on_released_) on_released_(pawn_id);
    return;
  }
  StartSlot(pawn_id);
}

bool Rook::WantsPawns() const {
  return !finished_ && outcome_ == RookOutcome::kRunning && (!running_ || !queue_.empty());
}

int Rook::ActivePawns() const {
  int active = 0;
  for (const Slot& s : slots_) active += s.state != SlotState::kGone;
  return std::max(active, 1);
}

void Rook::StartSlot(int slot) {
  Slot& s = slots_[slot];
  std::string error;
  s = Slot{};
  s.worker = factory_->Start(slot, this, &error);
  if (!s.worker) {
    Fail("cannot start pawn " + std::to_string(slot) + ": " + error);
    return;
  }
  s.state = SlotState::kStarting;
}

std::string Rook::Describe(int slot) const {
  const Slot& s = slots_[slot];
  std::string text = "pawn " + std::to_string(slot);
  if (s.worker) text += " (pid " + std::to_string(s.worker->pid()) + ")";
  return text;
}

std::string Rook::NameOf(uint32_t index) const {
  return index < tests_.size() ? tests_[index].name : "#" + std::to_string(index);
}

void Rook::OnMessage(int slot, proto::PawnMessage message) {
  if (slots_[slot].state == SlotState::kGone) return;
  if (auto* hello = std::get_if<proto::Hello>(&message)) {
    OnHello(slot, *hello);
  } else if (auto* list = std::get_if<proto::TestList>(&message)) {
    OnTestList(slot, std::move(*list));
  } else if (auto* result = std::get_if<proto::Result>(&message)) {
    OnTestResult(slot, *result);
  } else if (auto* requeue = std::get_if<proto::Requeue>(&message)) {
    OnRequeue(slot, requeue->indexes);
  }
  // Bye needs nothing: the exit that follows is expected.
}

void Rook::OnHello(int slot, const proto::Hello& hello) {
  Slot& s = slots_[slot];
  if (s.state != SlotState::kStarting) {
    s.violation = "said hello twice";
    s.worker->Kill();
    return;
  }
  if (hello.protocol_version != proto::kProtocolVersion) {
    Fail(Describe(slot) + " speaks protocol " + std::to_string(hello.protocol_version) +
         ", this redqueen speaks " + std::to_string(proto::kProtocolVersion) +
         ": rebuild the test binary against this redqueen");
    return;
  }
  s.hello = hello;
  if (!reference_slot_) {
    reference_slot_ = slot;
    reference_hello_ = hello;
  } else if (hello.count == reference_hello_.count &&
             hello.names_hash == reference_hello_.names_hash) {
    s.state = SlotState::kReady;
    if (running_) {
      Dispatch();
    } else {
      CheckAgreement();
    }
    return;
  }
  // The reference pawn sends its names; a disagreeing one sends its own, so
  // that the error can name the first test that differs.
  s.state = SlotState::kListing;
  s.worker->Send(proto::ListTests{});
}

void Rook::OnTestList(int slot, proto::TestList list) {
  Slot& s = slots_[slot];
  if (s.state != SlotState::kListing) return;
  s.state = SlotState::kReady;
  if (reference_slot_ == slot && !listed_) {
    std::vector<std::string> names;
    names.reserve(list.tests.size());
    for (const auto& test : list.tests) names.push_back(test.name);
    if (names.size() != reference_hello_.count ||
        proto::NamesHash(names) != reference_hello_.names_hash) {
      Fail(Describe(slot) + " sent a test list that does not match its hello");
      return;
    }
    tests_ = std::move(list.tests);
    listed_ = true;
    Select();
  } else {
    mismatched_.emplace_back(slot, std::move(list.tests));
  }
  CheckAgreement();
}

void Rook::Select() {
  const TestFilter filter(options_.filter);
  for (uint32_t i = 0; i < tests_.size(); ++i) {
    const std::string& name = tests_[i].name;
    if (!filter.Matches(name)) continue;
    if (!options_.also_run_disabled && IsDisabled(name)) continue;
    selected_.push_back(i);
  }
  done_.assign(tests_.size(), false);
}

void Rook::CheckAgreement() {
  if (outcome_ != RookOutcome::kRunning || !listed_) return;
  if (!mismatched_.empty()) {
    const auto& [slot, list] = mismatched_.front();
    Fail(Describe(slot) + " disagrees with pawn " + std::to_string(*reference_slot_) +
         " on the test list: " +
         FirstDifference(tests_, list, "pawn " + std::to_string(*reference_slot_)) +
         " (every pawn must register the same tests in the same order)");
    return;
  }
  if (running_) return;
  for (const Slot& s : slots_) {
    if (s.state == SlotState::kStarting || s.state == SlotState::kListing) return;
  }
  BeginRun();
}

void Rook::BeginRun() {
  running_ = true;
  queue_.assign(selected_.begin(), selected_.end());
  // Pawns start on their first batches while the sinks record the list.
  Dispatch();
  sink_->OnTestsListed(tests_, selected_);
}

void Rook::Dispatch() {
  if (outcome_ != RookOutcome::kRunning || !running_) return;
  for (size_t i = 0; i < slots_.size() && !queue_.empty(); ++i) {
    if (slots_[i].state == SlotState::kReady) SendBatch(static_cast<int>(i));
  }
  if (AllResultsIn()) {
    ShutDownAll();
  } else if (options_.release_idle && queue_.empty()) {
    ReleaseIdle();
  }
}

void Rook::ReleaseIdle() {
  for (Slot& s : slots_) {
    if (s.state == SlotState::kReady) {
      s.worker->Send(proto::Shutdown{});
      s.state = SlotState::kStopping;
    }
  }
}

void Rook::SendBatch(int slot) {
  Slot& s = slots_[slot];
  // A mean of at least 1 us once anything ran: tests faster than the clock
  // are the ones that most need large batches.
  const uint64_t mean =
      results_in_ == 0 ? 0 : std::max<uint64_t>(total_duration_us_ / results_in_, 1);
  const size_t size =
      std::min(BatchSize(queue_.size(), ActivePawns(), mean), queue_.size());
  proto::Run run;
  run.indexes.assign(queue_.begin(), queue_.begin() + static_cast<long>(size));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(size));
  // A pawn runs its batch in registration order; expect the results so.
  std::sort(run.indexes.begin(), run.indexes.end());
  s.batch.assign(run.indexes.begin(), run.indexes.end());
  s.state = SlotState::kBusy;
  s.worker->Send(run);
}

void Rook::ShutDownAll() {
  for (Slot& s : slots_) {
    if (s.state == SlotState::kReady) {
      s.worker->Send(proto::Shutdown{});
      s.state = SlotState::kStopping;
    } else if (s.state == SlotState::kStarting || s.state == SlotState::kListing) {
      s.worker->Kill();
      s.state = SlotState::kStopping;
    }
  }
}

void Rook::OnTestResult(int slot, const proto::Result& result) {
  Slot& s = slots_[slot];
  const auto it = std::find(s.batch.begin(), s.batch.end(), result.index);
  if (s.state != SlotState::kBusy || it == s.batch.end()) {
    s.violation = "reported test " + NameOf(result.index) + " it was not running";
    s.worker->Kill();
    return;
  }
  s.batch.erase(it);
  s.output_end = result.output_end;
  TestResult out;
  out.index = result.index;
  out.status = result.status;
  out.duration_us = result.duration_us;
  out.failures = result.failures;
  out.skip_message = result.skip_message;
  out.crash = result.crash;
  if (result.status != TestStatus::kPassed) {
    out.output = s.worker->ReadOutput(result.output_begin, result.output_end,
                                      options_.output_cap);
  }
  out.pawn = slot;
  Report(std::move(out));
  if (s.batch.empty()) {
    s.state = SlotState::kReady;
    Dispatch();
  }
}

void Rook::OnRequeue(int slot, const std::vector<uint32_t>& indexes) {
  Slot& s = slots_[slot];
  for (uint32_t index : indexes) {
    const auto it = std::find(s.batch.begin(), s.batch.end(), index);
    if (s.state != SlotState::kBusy || it == s.batch.end()) {
      s.violation = "gave back test " + NameOf(index) + " it was not running";
      s.worker->Kill();
      return;
    }
    s.batch.erase(it);
  }
  queue_.insert(queue_.begin(), indexes.begin(), indexes.end());
  if (s.batch.empty()) {
    s.state = SlotState::kReady;
    Dispatch();
  }
}

void Rook::Report(TestResult result) {
  if (done_[result.index]) return;
  done_[result.index] = true;
  ++results_in_;
  total_duration_us_ += result.duration_us;
  result.finished_at = clock_->Now();
  sink_->OnResult(result);
}

void Rook::OnExit(int slot, const knight::ExitInfo& info) {
  Slot& s = slots_[slot];
  const SlotState state = s.state;
  if (outcome_ == RookOutcome::kRunning) {
    if (state == SlotState::kBusy) {
      OnCrash(slot, info);
    } else if (!running_ && state != SlotState::kStopping) {
      const std::string said = LastLine(s.worker->ReadOutput(0, kToEnd, 4096));
      Fail(Describe(slot) + " exited before the run began (" + info.Describe() +
           ")" + (said.empty() ? "" : ": " + said));
    }
  }
  s.worker.reset();
  s.state = SlotState::kGone;
  if (outcome_ == RookOutcome::kRunning && running_ && state != SlotState::kStopping &&
      !queue_.empty()) {
    Restart(slot);
  }
  const bool released = slots_[slot].state == SlotState::kGone;
  Dispatch();
  MaybeFinish();
  // After MaybeFinish: the owner may hand the id to another Rook at once.
  if (released && on_released_ && outcome_ != RookOutcome::kInterrupted &&
      outcome_ != RookOutcome::kError) {
    on_released_(slot);
  }
}

void Rook::OnCrash(int slot, const knight::ExitInfo& info) {
  Slot& s = slots_[slot];
  const int64_t running = s.timed_out >= 0 ? s.timed_out : info.running;
  const bool known = running >= 0 &&
                     std::find(s.batch.begin(), s.batch.end(),
                               static_cast<uint32_t>(running)) != s.batch.end();
  // Died between tests: blame the next one, whose suite set-up was running.
  const uint32_t index = known ? static_cast<uint32_t>(running) : s.batch.front();
  s.batch.erase(std::find(s.batch.begin(), s.batch.end(), index));
  queue_.insert(queue_.begin(), s.batch.begin(), s.batch.end());
  s.batch.clear();

  TestResult out;
  out.index = index;
  out.status = TestStatus::kCrashed;
  out.duration_us = known ? info.running_for_us : 0;
  out.crash = s.violation.empty() ? info.Describe() : "protocol error: " + s.violation;
  if (!known) out.crash += " before the test started";
  if (s.timed_out >= 0) {
    out.status = TestStatus::kTimeout;
    char limit[32];
    std::snprintf(limit, sizeof limit, "%gs",
                  std::chrono::duration<double>(options_.timeout).count());
    out.crash = std::string("timed out after ") + limit + " (then " + info.Describe() + ")";
  }
  out.output = s.worker->ReadOutput(known ? info.output_begin : s.output_end, kToEnd,
                                    options_.output_cap);
  out.pawn = slot;
  Report(std::move(out));
}

void Rook::Restart(int slot) {
  if (restarts_ >= options_.max_restarts) {
    Fail("pawns died " + std::to_string(restarts_ + 1) +
         " times, past the limit of --max-restarts " +
         std::to_string(options_.max_restarts) + "; stopping the run");
    return;
  }
  ++restarts_;
  StartSlot(slot);
}

void Rook::Tick() {
  if (outcome_ != RookOutcome::kRunning) return;
  const auto now = clock_->Now();
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    Slot& s = slots_[slot];
    if (s.state != SlotState::kBusy) continue;
    if (s.timed_out >= 0) {
      if (now >= s.kill_at) s.worker->Kill();
      continue;
    }
    int64_t index = -1;
    uint64_t running_for = 0;
    if (!s.worker->Running(&index, &running_for) ||
        std::find(s.batch.begin(), s.batch.end(), static_cast<uint32_t>(index)) ==
            s.batch.end()) {
      continue;
    }
    if (options_.slow.count() > 0 && index != s.slow_reported &&
        running_for >= static_cast<uint64_t>(options_.slow.count())) {
      s.slow_reported = index;
      sink_->OnSlow(static_cast<uint32_t>(index), running_for, static_cast<int>(slot));
    }
    CheckTimeout(s, index, running_for, now);
  }
}

void Rook::CheckTimeout(Slot& s, int64_t index, uint64_t running_for,
                        Clock::TimePoint now) {
  if (options_.timeout.count() <= 0 ||
      running_for < static_cast<uint64_t>(options_.timeout.count())) {
    return;
  }
  s.timed_out = index;
  s.kill_at =
      now + std::chrono::duration_cast<Clock::TimePoint::duration>(options_.kill_grace);
  s.worker->Terminate();
}

void Rook::Interrupt() {
  if (outcome_ != RookOutcome::kRunning) return;
  outcome_ = RookOutcome::kInterrupted;
  KillAll();
  MaybeFinish();
}

void Rook::Fail(std::string error) {
  if (outcome_ != RookOutcome::kRunning) return;
  outcome_ = RookOutcome::kError;
  error_ = std::move(error);
  KillAll();
}

void Rook::KillAll() {
  for (Slot& s : slots_) {
    if (s.worker) {
      s.worker->Kill();
      s.state = SlotState::kStopping;
    }
  }
}

void Rook::SkipUnfinished(const std::string& reason) {
  for (uint32_t index : selected_) {
    if (done_[index]) continue;
    TestResult out;
    out.index = index;
    out.status = TestStatus::kSkipped;
    out.skip_message = reason;
    Report(std::move(out));
  }
}

void Rook::MaybeFinish() {
  if (finished_) return;
  for (const Slot& s : slots_) {
    if (s.worker) return;
  }
  finished_ = true;
  if (outcome_ == RookOutcome::kRunning) {
    if (AllResultsIn()) {
      outcome_ = RookOutcome::kCompleted;
    } else {
      outcome_ = RookOutcome::kError;
      error_ = "every pawn is gone with " +
               std::to_string(selected_.size() - results_in_) + " tests not run";
    }
  }
  if (running_ && outcome_ == RookOutcome::kInterrupted) {
    SkipUnfinished("interrupted");
  } else if (running_ && outcome_ == RookOutcome::kError) {
    SkipUnfinished("not run: the run stopped");
  }
  if (on_finished_) on_finished_();
}

}  // namespace redqueen::rook
