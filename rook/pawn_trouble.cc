// The Rook's side of a pawn in trouble: dead inside a test, interrupted, past
// a deadline that PawnHealth found, or holding memory the machine runs short
// of. PawnHealth decides; this is where the Rook acts on it.
#include <cstdio>

#include "rook/rook.h"

namespace redqueen::rook {
namespace {

/// The last non-empty line of a pawn's output: its own error message, when
/// it could not start, without the noise before it.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end + 1 - (start == std::string::npos ? 0 : start + 1));
}

}  // namespace

void Rook::OnExit(int slot, const knight::ExitInfo& info) {
  Slot& s = slots_[slot];
  const bool memory_killed = s.watch.memory_killed_at > 0;
  if (memory_killed) memory_kill_pending_ = false;
  sink_->OnPawnExited(slot, s.worker->pid(), info.Describe());
  const PawnState state = s.state;
  if (outcome_ == RookOutcome::kInterrupted && running_) KeepInterrupted(slot, info);
  if (outcome_ == RookOutcome::kRunning && s.watch.exit_overdue)
    Fail(Describe(slot) + health_.ExitOverdue());
  if (outcome_ == RookOutcome::kRunning) {
    if (state == PawnState::kBusy) {
      OnCrash(slot, info);
    } else if (!running_ && state != PawnState::kStopping) {
      const std::string said = LastLine(s.worker->ReadOutput(0, kToEndOfOutput, 4096));
      Fail(Describe(slot) + " exited before the run began (" + info.Describe() + ")" +
           (said.empty() ? "" : ": " + said));
    } else if (s.gave_up) {
      // Another pawn would fail the same way: the run stops, on its words.
      const std::string said = LastLine(s.worker->ReadOutput(0, kToEndOfOutput, 4096));
      Fail(Describe(slot) + " could not run its batch (" + info.Describe() + ")" +
           (said.empty() ? "" : ": " + said));
    }
  }
  s.worker.reset();
  s.state = PawnState::kGone;
  if (outcome_ == RookOutcome::kRunning && running_ &&
      (state != PawnState::kStopping || memory_killed) && stopping_ == NotRun::kRan &&
      !NothingQueued()) {
    Restart(slot);
  }
  const bool released = slots_[slot].state == PawnState::kGone;
  Dispatch();
  MaybeFinish();
  // After MaybeFinish: the owner may hand the id to another Rook at once.
  if (released && callbacks_.on_released && outcome_ != RookOutcome::kInterrupted &&
      outcome_ != RookOutcome::kError) {
    callbacks_.on_released(slot);
  }
}

void Rook::OnCrash(int slot, const knight::ExitInfo& info) {
  Slot& s = slots_[slot];
  // Between tests, a frame left unfinished is the doing of the test that
  // ran when it began (its results, and later ones, vanished into it).
  const int64_t running = s.watch.timed_out >= 0 ? s.watch.timed_out
                          : info.running >= 0    ? info.running
                                                 : info.partial_frame_test;
  const bool known = running >= 0 && Find(s.batch, running) != s.batch.end();
  // Inside that very test, by the scoreboard (not in its suite's set-up).
  const bool in_test = known && info.running == running;
  // Died between tests: blame the next one, whose suite set-up was running.
  const auto it = known ? Find(s.batch, running) : s.batch.begin();
  const Work work = *it;
  s.batch.erase(it);
  GiveBack({s.batch.begin(), s.batch.end()});
  s.batch.clear();

  TestResult out;
  out.index = work.index;
  out.status = TestStatus::kCrashed;
  out.duration_us = in_test ? info.running_for_us : 0;
  out.crash = s.violation.empty() ? info.Describe() : "protocol error: " + s.violation;
  if (!known && s.violation.empty()) out.crash += " before the test started";
  if (s.watch.timed_out >= 0) {
    out.status = TestStatus::kTimeout;
    out.crash = "timed out after " + Seconds(s.watch.timeout_limit) +
                (s.watch.timeout_where.empty() ? "" : " in " + s.watch.timeout_where) +
                " (then " + info.Describe() + ")";
  }
  out.output = s.worker->ReadOutput(in_test ? info.output_begin : s.output_end,
                                    kToEndOfOutput, options_.output_cap);
  out.pawn = slot;
  if (s.watch.memory_killed_at > 0) {
    char used[96];
    std::snprintf(used, sizeof used, "out of memory: killed with %.0f%% of memory in use",
                  s.watch.memory_killed_at);
    out.crash = used;
    if (ledger_.FirstMemoryKill(work)) {
      // Maybe another pawn was the real hog, or the rest of the machine.
      out.repetition = work.repetition;
      out.attempt = work.attempt;
      out.crash += "; requeued once";
      RunAgain(work, std::move(out));
      return;
    }
  }
  Conclude(work, std::move(out));
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

PawnView Rook::ViewOf(const Slot& s) {
  return PawnView{s.state, &s.watch, s.worker.get(), &s.batch};
}

void Rook::Tick() {
  if (outcome_ != RookOutcome::kRunning) return;
  CheckMemory();
  const auto now = clock_->Now();
  for (size_t slot = 0; slot < slots_.size() && outcome_ == RookOutcome::kRunning;
       ++slot) {
    Act(static_cast<int>(slot), health_.Check(ViewOf(slots_[slot]), list_.tests(), now),
        now);
  }
  RetryTakingBack();
}

void Rook::Act(int slot, const HealthVerdict& verdict, Clock::TimePoint now) {
  Slot& s = slots_[slot];
  if (verdict.slow >= 0) {
    s.watch.slow_reported = verdict.slow;
    sink_->OnSlow(static_cast<uint32_t>(verdict.slow), verdict.slow_for_us, slot);
  }
  switch (verdict.act) {
    case HealthVerdict::Act::kNone:
      return;
    case HealthVerdict::Act::kTerminate:
      s.watch.timed_out = verdict.index;
      s.watch.timeout_limit = verdict.limit;
      s.watch.timeout_where = verdict.words;
      s.watch.kill_at = health_.KillAt(now);
      s.worker->Terminate();
      return;
    case HealthVerdict::Act::kKill:
      s.worker->Kill();
      return;
    case HealthVerdict::Act::kKillStuck:
      s.violation = verdict.words;
      s.worker->Kill();
      return;
    case HealthVerdict::Act::kKillOverdue:
      s.watch.exit_overdue = true;
      s.worker->Kill();
      return;
    case HealthVerdict::Act::kFail:
      Fail(Describe(slot) + verdict.words);
      return;
  }
}

void Rook::KeepInterrupted(int slot, const knight::ExitInfo& info) {
  Slot& s = slots_[slot];
  const auto it = info.running >= 0 ? Find(s.batch, info.running) : s.batch.end();
  if (it == s.batch.end()) return;
  TestResult out;
  out.index = it->index;
  out.repetition = it->repetition;
  out.attempt = it->attempt;
  out.status = TestStatus::kSkipped;
  out.duration_us = info.running_for_us;
  out.not_run = NotRun::kInterruptedRunning;
  out.skip_message = std::string(NotRunMessage(out.not_run)) + ", after " +
                     Seconds(std::chrono::microseconds(info.running_for_us));
  out.output =
      s.worker->ReadOutput(info.output_begin, kToEndOfOutput, options_.output_cap);
  out.pawn = slot;
  s.batch.erase(it);
  Report(std::move(out));
}

void Rook::CheckMemory() {
  if (options_.max_memory_percent <= 0 || !options_.memory_used_percent ||
      memory_kill_pending_ || !running_) {
    return;
  }
  const std::optional<double> used = options_.memory_used_percent();
  if (!used) return;
  std::vector<PawnView> pawns;
  for (const Slot& s : slots_) pawns.push_back(ViewOf(s));
  const int victim = health_.MemoryVictim(*used, pawns);
  if (victim < 0) return;
  // One at a time: the next kill waits until this pawn is gone.
  Slot& s = slots_[victim];
  s.watch.memory_killed_at = *used;
  memory_kill_pending_ = true;
  // An idle pawn gets no batch on its way out; a fresh one replaces it.
  if (s.state == PawnState::kReady) s.state = PawnState::kStopping;
  s.worker->Kill();
}

}  // namespace redqueen::rook
