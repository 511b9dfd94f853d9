// How a Rook's run ends: stopped early (fail-fast), interrupted, failed on
// an infrastructure error, or complete once every pawn is gone; and the
// results of the tests it leaves unfinished.
#include "rook/rook.h"

namespace redqueen::rook {

void Rook::Stop(NotRun why, std::string error) {
  switch (why) {
    case NotRun::kInterrupted:
      Interrupt();
      return;
    case NotRun::kRunStopped: {
      // A Rook that already failed keeps its own error.
      const bool was_running = outcome_ == RookOutcome::kRunning;
      Fail(std::move(error));
      if (was_running) error_is_own_ = false;
      return;
    }
    default:
      StopEarly(why);
      return;
  }
}

void Rook::StopEarly(NotRun reason) {
  if (outcome_ != RookOutcome::kRunning || stopping_ != NotRun::kRan) return;
  stopping_ = reason;
  if (!running_) {
    // Nothing of this binary ran yet: none of it will.
    KillAll();
    return;
  }
  Dispatch();
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
      s.state = PawnState::kStopping;
    }
  }
}

void Rook::SkipUnfinished(NotRun reason) {
  std::vector<Work> left = serial_queue_.Drain();
  for (const Work& work : queue_.Drain()) left.push_back(work);
  for (Slot& s : slots_) {
    left.insert(left.end(), s.batch.begin(), s.batch.end());
    s.batch.clear();
  }
  for (TestResult& result : Ledger::NotRunResults(std::move(left), reason)) {
    Report(std::move(result));
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
    } else if (stopping_ != NotRun::kRan) {
      if (running_) SkipUnfinished(stopping_);
      outcome_ = RookOutcome::kCompleted;
    } else {
      outcome_ = RookOutcome::kError;
      error_ =
          "every pawn is gone with " + std::to_string(ledger_.open()) + " tests not run";
    }
  }
  if (running_ && outcome_ == RookOutcome::kInterrupted) {
    SkipUnfinished(NotRun::kInterrupted);
  } else if (running_ && outcome_ == RookOutcome::kError) {
    SkipUnfinished(NotRun::kRunStopped);
  }
  if (callbacks_.on_finished) callbacks_.on_finished();
}

}  // namespace redqueen::rook
