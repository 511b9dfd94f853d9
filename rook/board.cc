#include "rook/board.h"

#include <algorithm>

namespace redqueen::rook {

Board::Board(int jobs, std::vector<Rook*> rooks, int max_fail)
    : jobs_(std::max(jobs, 1)),
      rooks_(std::move(rooks)),
      started_(rooks_.size(), false),
      done_(rooks_.size(), false),
      max_fail_(max_fail) {
  if (max_fail_ <= 0) return;
  for (Rook* rook : rooks_) rook->OnFinalFailure([this] { OnFailure(); });
}

void Board::OnFailure() {
  if (++failures_ < max_fail_ || stopped_early_) return;
  stopped_early_ = true;
  stopped_ = true;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook] && !done_[rook]) rooks_[rook]->StopEarly("fail-fast");
  }
  MaybeFinish();
}

void Board::Start(std::function<void()> on_finished) {
  on_finished_ = std::move(on_finished);
  // Deal the ids round-robin over the first binaries: each lists its tests
  // while the others already run.
  const size_t first = std::min(rooks_.size(), static_cast<size_t>(jobs_));
  std::vector<std::vector<int>> dealt(first);
  for (int pawn = 0; pawn < jobs_ && first > 0; ++pawn) {
    dealt[static_cast<size_t>(pawn) % first].push_back(pawn);
  }
  for (size_t rook = 0; rook < first; ++rook) Start(rook, dealt[rook]);
  MaybeFinish();
}

void Board::Start(size_t rook, std::vector<int> pawns) {
  started_[rook] = true;
  rooks_[rook]->Start([this, rook] { OnRookFinished(rook); },
                      [this](int pawn) { Assign(pawn); }, std::move(pawns));
}

void Board::Assign(int pawn) {
  if (stopped_ || finished_) return;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (!started_[rook]) {
      Start(rook, {pawn});
      return;
    }
  }
  Rook* neediest = nullptr;
  for (Rook* rook : rooks_) {
    if (rook->WantsPawns() && (!neediest || rook->queued() > neediest->queued())) {
      neediest = rook;
    }
  }
  // No binary has work left for it: the pawn id stays unused.
  if (neediest) neediest->AddPawn(pawn);
}

void Board::OnRookFinished(size_t rook) {
  done_[rook] = true;
  const RookOutcome outcome = rooks_[rook]->outcome();
  if (outcome == RookOutcome::kError && !stopped_) {
    Abort(rooks_[rook]->error());
  }
  MaybeFinish();
}

void Board::Tick() {
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook] && !done_[rook]) rooks_[rook]->Tick();
  }
}

void Board::Interrupt() {
  stopped_ = true;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook]) rooks_[rook]->Interrupt();
  }
  MaybeFinish();
}

void Board::Abort(const std::string& error) {
  stopped_ = true;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook] && !done_[rook]) rooks_[rook]->Abort(error);
  }
  MaybeFinish();
}

void Board::MaybeFinish() {
  if (finished_) return;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook] && !done_[rook]) return;
    if (!started_[rook] && !stopped_) return;
  }
  finished_ = true;
  if (on_finished_) on_finished_();
}

}  // namespace redqueen::rook
