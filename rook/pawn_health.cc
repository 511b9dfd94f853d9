// The Rook's side of a pawn in trouble: dead inside a test, past its
// timeout, or holding memory the machine runs short of.
#include <algorithm>
#include <cstdio>

#include "rook/rook.h"

namespace redqueen::rook {
namespace {

/// "5s", "0.5s".
std::string Seconds(std::chrono::microseconds limit) {
  char text[32];
  std::snprintf(text, sizeof text, "%gs", std::chrono::duration<double>(limit).count());
  return text;
}

uint64_t MicrosBetween(Clock::TimePoint from, Clock::TimePoint to) {
  return to > from ? static_cast<uint64_t>(
                         std::chrono::duration_cast<std::chrono::microseconds>(to - from)
                             .count())
                   : 0;
}

}  // namespace

void Rook::OnCrash(int slot, const knight::ExitInfo& info) {
  Slot& s = slots_[slot];
  // Between tests, a frame left unfinished is the doing of the test that
  // ran when it began (its results, and later ones, vanished into it).
  const int64_t running = s.timed_out >= 0    ? s.timed_out
                          : info.running >= 0 ? info.running
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
  if (s.timed_out >= 0) {
    out.status = TestStatus::kTimeout;
    out.crash = "timed out after " + Seconds(s.timeout_limit) +
                (s.timeout_where.empty() ? "" : " in " + s.timeout_where) + " (then " +
                info.Describe() + ")";
  }
  out.output = s.worker->ReadOutput(in_test ? info.output_begin : s.output_end,
                                    kToEndOfOutput, options_.output_cap);
  out.pawn = slot;
  if (s.memory_killed_at > 0) {
    char used[96];
    std::snprintf(used, sizeof used, "out of memory: killed with %.0f%% of memory in use",
                  s.memory_killed_at);
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

void Rook::Tick() {
  if (outcome_ != RookOutcome::kRunning) return;
  CheckMemory();
  const auto now = clock_->Now();
  for (size_t slot = 0; slot < slots_.size() && outcome_ == RookOutcome::kRunning;
       ++slot) {
    Slot& s = slots_[slot];
    if (s.state != SlotState::kBusy) {
      CheckStartAndExit(static_cast<int>(slot), now);
      continue;
    }
    if (s.timed_out >= 0) {
      if (now >= s.kill_at) s.worker->Kill();
      continue;
    }
    int64_t index = -1;
    uint64_t running_for = 0;
    if (!s.worker->Running(&index, &running_for) ||
        Find(s.batch, index) == s.batch.end()) {
      CheckPhase(static_cast<int>(slot), now);
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
  TimeOut(s, index, options_.timeout, "", now);
}

void Rook::TimeOut(Slot& s, int64_t index, std::chrono::microseconds limit,
                   std::string where, Clock::TimePoint now) {
  s.timed_out = index;
  s.timeout_limit = limit;
  s.timeout_where = std::move(where);
  s.kill_at =
      now + std::chrono::duration_cast<Clock::TimePoint::duration>(options_.kill_grace);
  s.worker->Terminate();
}

void Rook::CheckPhase(int slot, Clock::TimePoint now) {
  Slot& s = slots_[slot];
  knight::Worker::Whereabouts where;
  if (s.batch.empty() || !s.worker->Where(&where)) return;
  if (where.phase == proto::Phase::kTest) return;  // Between its two words' updates.
  if (where.phase == proto::Phase::kWaiting) {
    // It read every command and waits, yet results are missing: they went
    // into a frame that never ends.
    if (where.unread == 0 &&
        where.for_us >=
            static_cast<uint64_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(kStuckChannel)
                    .count())) {
      s.violation = "its channel is stuck: the pawn waits for a command while " +
                    std::to_string(s.batch.size()) +
                    " results of its batch are missing (did a test write part of a frame "
                    "to redqueen's channel?)";
      s.worker->Kill();
    }
    return;
  }
  // Set-ups and tear-downs are bounded as tests are; starting and exiting
  // (a test binary's static initializers, atexit handlers) as pawns are,
  // and an exit that hangs ends the run as a resident pawn's does.
  const bool test_code = where.phase == proto::Phase::kEnvironmentSetUp ||
                         where.phase == proto::Phase::kSuiteSetUp ||
                         where.phase == proto::Phase::kSuiteTearDown ||
                         where.phase == proto::Phase::kEnvironmentTearDown;
  const std::chrono::microseconds limit =
      test_code ? options_.timeout : options_.start_timeout;
  // Not before the batch was sent: a pawn may have waited long for it.
  const uint64_t age = std::min(where.for_us, MicrosBetween(s.since, now));
  if (limit.count() <= 0 || age < static_cast<uint64_t>(limit.count())) return;
  if (where.phase == proto::Phase::kExiting) {
    s.exit_overdue = true;
    s.worker->Kill();
    return;
  }
  // Blamed: the test the phase is about, else the batch's first unreported.
  const bool known = where.subject >= 0 && Find(s.batch, where.subject) != s.batch.end();
  const uint32_t blamed =
      known ? static_cast<uint32_t>(where.subject) : s.batch.front().index;
  std::string doing = proto::PhaseWords(where.phase);
  if (where.phase == proto::Phase::kSuiteSetUp ||
      where.phase == proto::Phase::kSuiteTearDown) {
    const std::string& name = NameOf(blamed);
    doing += name.substr(0, name.find('.'));
  }
  TimeOut(s, blamed, limit, std::move(doing), now);
}

void Rook::CheckStartAndExit(int slot, Clock::TimePoint now) {
  Slot& s = slots_[slot];
  const bool starting = s.state == SlotState::kStarting || s.state == SlotState::kListing;
  const bool stopping =
      s.state == SlotState::kStopping && s.told_to_stop && !s.exit_overdue;
  if ((!starting && !stopping) ||
      MicrosBetween(s.since, now) <
          static_cast<uint64_t>(options_.start_timeout.count())) {
    return;
  }
  if (stopping) {
    // Its results are in; OnExit says what hung.
    s.exit_overdue = true;
    s.worker->Kill();
    return;
  }
  knight::Worker::Whereabouts where;
  std::string doing;
  if (s.worker->Where(&where) && where.phase == proto::Phase::kListing) {
    doing = ", " + std::string(proto::PhaseWords(where.phase)) + " hangs";
  }
  Fail(Describe(slot) +
       (s.state == SlotState::kStarting ? " did not say hello within "
                                        : " did not send its test list within ") +
       Seconds(options_.start_timeout) + doing +
       " (does a static initializer or main() of the test binary hang? --list-timeout "
       "sets the limit)");
}

std::string Rook::ExitOverdue(int slot) const {
  return Describe(slot) + ": the test binary did not exit within " +
         Seconds(options_.start_timeout) +
         " after its last test, and was killed: does an atexit handler or a static "
         "destructor hang? (--list-timeout sets the limit)";
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
