// The Rook's side of a pawn in trouble: dead inside a test, past its
// timeout, or holding memory the machine runs short of.
#include <algorithm>
#include <cstdio>

#include "rook/rook.h"

namespace redqueen::rook {

void Rook::OnCrash(int slot, const knight::ExitInfo& info) {
  Slot& s = slots_[slot];
  const int64_t running = s.timed_out >= 0 ? s.timed_out : info.running;
  const bool known = running >= 0 && Find(s.batch, running) != s.batch.end();
  // Died between tests: blame the next one, whose suite set-up was running.
  const auto it = known ? Find(s.batch, running) : s.batch.begin();
  const Work work = *it;
  s.batch.erase(it);
  GiveBack({s.batch.begin(), s.batch.end()});
  s.batch.clear();

  TestResult out;
  out.index = work.index;
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
  out.output = s.worker->ReadOutput(known ? info.output_begin : s.output_end, kToEndOfOutput,
                                    options_.output_cap);
  out.pawn = slot;
  if (s.memory_killed_at > 0) {
    char used[96];
    std::snprintf(used, sizeof used, "out of memory: killed with %.0f%% of memory in use",
                  s.memory_killed_at);
    out.crash = used;
    if (memory_requeued_.insert({work.index, work.repetition}).second) {
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

void Rook::Tick() {
  if (outcome_ != RookOutcome::kRunning) return;
  CheckMemory();
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
    if (!s.worker->Running(&index, &running_for) || Find(s.batch, index) == s.batch.end()) {
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

void Rook::CheckMemory() {
  if (options_.max_memory_percent <= 0 || !options_.memory_used_percent ||
      memory_kill_pending_ || !running_) {
    return;
  }
  const std::optional<double> used = options_.memory_used_percent();
  if (!used || *used <= options_.max_memory_percent) return;
  int victim = -1;
  uint64_t most = kMinMemoryVictimBytes - 1;
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    const Slot& s = slots_[slot];
    if (s.state != SlotState::kBusy && s.state != SlotState::kReady) continue;
    if (s.timed_out >= 0) continue;
    const uint64_t bytes = s.worker->ResidentBytes();
    if (bytes > most) {
      most = bytes;
      victim = static_cast<int>(slot);
    }
  }
  if (victim < 0) return;
  // One at a time: the next kill waits until this pawn is gone.
  Slot& s = slots_[victim];
  s.memory_killed_at = *used;
  memory_kill_pending_ = true;
  // An idle pawn gets no batch on its way out; a fresh one replaces it.
  if (s.state == SlotState::kReady) s.state = SlotState::kStopping;
  s.worker->Kill();
}

}  // namespace redqueen::rook
