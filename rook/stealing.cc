// Work stealing, the Rook's side: a pawn that runs dry takes back the tests
// a busy pawn's batch has not started yet (both claim each test on the
// scoreboard's claims word, proto/scoreboard.h, so none runs twice), when
// they are worth a batch of their own; and what a pawn joining from another
// binary would take (StealableUs, for the Board).
#include <algorithm>

#include "rook/rook.h"

namespace redqueen::rook {

std::vector<Rook::Tail> Rook::Tails() const {
  std::vector<Tail> tails;
  // --by-suite: a suite goes to one pawn whole; an exec pawn's child runs
  // its batch to the end.
  if (options_.plan.by_suite || options_.whole_batches) return tails;
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    const Slot& s = slots_[slot];
    if (s.state != PawnState::kBusy || s.taken_back || s.batch.size() < 2) continue;
    // All but the test it runs.
    tails.push_back({static_cast<int>(slot), ExpectedUs(s.batch, 1)});
  }
  std::stable_sort(tails.begin(), tails.end(),
                   [](const Tail& a, const Tail& b) { return a.us > b.us; });
  return tails;
}

bool Rook::TakeBackTail() {
  for (const auto& [slot, tail_us] : Tails()) {
    Slot& victim = slots_[slot];
    if (!WorthTakingBack(victim, tail_us)) continue;
    // A pawn that has not begun its batch keeps it (and is asked again
    // later); one without a scoreboard is asked once.
    const int64_t kept = victim.worker->TakeBackUnstarted();
    if (kept < 0) {
      victim.taken_back = true;
      continue;
    }
    if (static_cast<size_t>(kept) >= victim.sent.size()) {
      // Begun, it claimed every test (their passes are on their way): no
      // tail will ever come of this batch. Not begun, it is asked again.
      if (Begun(victim)) victim.taken_back = true;
      continue;
    }
    victim.taken_back = true;
    std::vector<Work> taken;
    for (size_t i = static_cast<size_t>(kept); i < victim.sent.size(); ++i) {
      const auto it = Find(victim.batch, victim.sent[i].index);
      if (it == victim.batch.end()) continue;
      taken.push_back(*it);
      victim.batch.erase(it);
    }
    if (taken.empty()) continue;
    GiveBack(taken);
    return true;
  }
  return false;
}

bool Rook::Begun(const Slot& s) const {
  int64_t index = 0;
  uint64_t running_for_us = 0;
  return s.reported > 0 || s.worker->Running(&index, &running_for_us);
}

uint64_t Rook::StealableUs() const {
  if (finished_ || outcome_ != RookOutcome::kRunning || stopping_ != NotRun::kRan ||
      !running_ || !NothingQueued()) {
    return 0;
  }
  // A pawn of this binary that is starting or idle is there to take it: one
  // joining pawn is enough.
  for (const Slot& s : slots_) {
    if (s.state == PawnState::kStarting || s.state == PawnState::kListing ||
        s.state == PawnState::kReady) {
      return 0;
    }
  }
  for (const auto& [slot, tail_us] : Tails()) {
    // A pawn that has not begun its batch would keep it all: a pawn started
    // for its tail would find nothing to take and leave again.
    if (Begun(slots_[slot]) && WorthTakingBack(slots_[slot], tail_us)) return tail_us;
  }
  return 0;
}

void Rook::RetryTakingBack() {
  const bool idle = std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) {
    return s.state == PawnState::kReady;
  });
  if (outcome_ == RookOutcome::kRunning && running_ && stopping_ == NotRun::kRan &&
      queue_.empty() && serial_queue_.empty() && idle) {
    Dispatch();
  }
}

bool Rook::WorthTakingBack(const Slot& victim, uint64_t tail_us) const {
  if (tail_us >= kMinBatchWorkUs) return true;
  // A short tail, behind a test that already runs long: it would wait.
  int64_t index = 0;
  uint64_t running_for_us = 0;
  return victim.worker->Running(&index, &running_for_us) &&
         running_for_us >= kMinBatchWorkUs;
}

}  // namespace redqueen::rook
