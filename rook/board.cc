#include "rook/board.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace redqueen::rook {

Board::Board(int jobs, std::vector<Rook*> rooks, int max_fail)
    : jobs_(std::max(jobs, 1)),
      rooks_(std::move(rooks)),
      started_(rooks_.size(), false),
      done_(rooks_.size(), false),
      groups_(rooks_.size(), 0),
      caps_(1, 0),
      held_(1, 0),
      max_fail_(max_fail) {}

void Board::OnFailure() {
  if (++failures_ < max_fail_ || stopped_early_) return;
  stopped_early_ = true;
  stopped_ = true;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook] && !done_[rook]) rooks_[rook]->Stop(NotRun::kFailFast);
  }
  MaybeFinish();
}

void Board::SetGroups(std::vector<size_t> groups, std::vector<int> caps) {
  groups_ = std::move(groups);
  caps_ = std::move(caps);
  held_.assign(caps_.size(), 0);
}

bool Board::HasRoom(size_t rook) const {
  const size_t group = groups_[rook];
  return caps_[group] <= 0 || held_[group] < caps_[group];
}

std::vector<size_t> Board::StartOrder() const {
  std::vector<std::pair<std::optional<RookForecast>, size_t>> keyed;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    keyed.emplace_back(forecasts_[rook], rook);
  }
  // Stable: binaries alike (or all unknown) keep the command line's order.
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first.has_value() != b.first.has_value()) return !a.first.has_value();
    if (!a.first) return false;
    if (a.first->longest_us != b.first->longest_us)
      return a.first->longest_us > b.first->longest_us;
    return a.first->total_us > b.first->total_us;
  });
  std::vector<size_t> order;
  for (const auto& [forecast, rook] : keyed) order.push_back(rook);
  return order;
}

void Board::Start(std::function<void()> on_finished) {
  on_finished_ = std::move(on_finished);
  // Aborted before it began (the store could not be read): nothing starts.
  if (stopped_) {
    MaybeFinish();
    return;
  }
  for (Rook* rook : rooks_) forecasts_.push_back(rook->Forecast());
  order_ = StartOrder();
  // Deal the ids round-robin over the first binaries: each lists its tests
  // while the others already run. A capped group's share goes to the next.
  const size_t first = std::min(rooks_.size(), static_cast<size_t>(jobs_));
  std::vector<std::vector<int>> dealt(rooks_.size());
  for (int pawn = 0; pawn < jobs_ && first > 0; ++pawn) {
    bool placed = false;
    for (size_t step = 0; step < rooks_.size() && !placed; ++step) {
      const size_t rook =
          order_[(static_cast<size_t>(pawn) % first + step) % rooks_.size()];
      if (!HasRoom(rook)) continue;
      dealt[rook].push_back(pawn);
      ++held_[groups_[rook]];
      placed = true;
    }
    if (!placed) idle_.push_back(pawn);
  }
  for (size_t rook : order_) {
    if (!dealt[rook].empty()) Start(rook, dealt[rook]);
  }
  MaybeFinish();
}

void Board::Start(size_t rook, std::vector<int> pawns,
                  std::unique_ptr<knight::Worker> handed) {
  started_[rook] = true;
  RookCallbacks callbacks{
      .on_finished = [this, rook] { OnRookFinished(rook); },
      .on_released = [this, rook](int pawn) { OnReleased(rook, pawn); },
  };
  if (max_fail_ > 0) callbacks.on_final_failure = [this] { OnFailure(); };
  if (rooks_.size() > 1) {
    callbacks.run_share_us = [this] { return RunShareUs(); };
    callbacks.hand_over = [this, rook](int pawn) { return HandOver(rook, pawn); };
  }
  rooks_[rook]->Start(std::move(callbacks), std::move(pawns), std::move(handed));
}

uint64_t Board::RunShareUs() const {
  uint64_t left = 0;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (done_[rook]) continue;
    // A binary not yet running (its pawns starting) has its forecast left.
    if (rooks_[rook]->running_began()) {
      left += rooks_[rook]->progress().left_us;
    } else if (forecasts_[rook]) {
      left += forecasts_[rook]->total_us;
    }
  }
  return left / static_cast<uint64_t>(jobs_);
}

void Board::OnReleased(size_t rook, int pawn) {
  --held_[groups_[rook]];
  idle_.push_back(pawn);
  AssignIdle();
}

void Board::AssignIdle() {
  // Starting a Rook can end one (a pawn that cannot start), which calls back
  // here: the outer loop goes on with whatever that added.
  if (assigning_) return;
  assigning_ = true;
  for (size_t i = 0; i < idle_.size();) {
    const int pawn = idle_[i];
    idle_.erase(idle_.begin() + static_cast<long>(i));
    if (!Assign(pawn)) {
      idle_.insert(idle_.begin() + static_cast<long>(i), pawn);
      ++i;
    }
  }
  assigning_ = false;
}

bool Board::Assign(int pawn) {
  if (stopped_ || finished_) return false;
  const size_t rook = Taker();
  // No binary may take it now: it waits for a group to make room, or for a
  // tail worth taking back (Tick asks again).
  if (rook == rooks_.size()) return false;
  Give(rook, pawn, nullptr);
  return true;
}

RookCallbacks::Taker Board::HandOver(size_t from, int pawn) {
  if (stopped_ || finished_) return nullptr;
  // Its id counts as free, as it will be: the Rook gives it up either way.
  --held_[groups_[from]];
  const size_t rook = Taker();
  if (rook == rooks_.size() || rook == from || !rooks_[rook]->CanAdopt()) {
    ++held_[groups_[from]];
    return nullptr;
  }
  return [this, rook, pawn](std::unique_ptr<knight::Worker> worker) {
    Give(rook, pawn, std::move(worker));
  };
}

void Board::Give(size_t rook, int pawn, std::unique_ptr<knight::Worker> handed) {
  ++held_[groups_[rook]];
  if (started_[rook]) {
    rooks_[rook]->AddPawn(pawn, std::move(handed));
  } else {
    Start(rook, {pawn}, std::move(handed));
  }
}

size_t Board::Taker() const {
  for (size_t rook : order_) {
    if (!started_[rook] && HasRoom(rook)) return rook;
  }
  // The started binary with the most expected work queued (by count when
  // that is equal: without history none is expected before a result). Even
  // a little is worth a pawn's start-up: the pawn has nothing else to do,
  // and the binary's own pawns may be inside a long test.
  size_t neediest = rooks_.size();
  RookProgress most;
  for (size_t rook : order_) {
    const RookProgress progress = rooks_[rook]->progress();
    if (!started_[rook] || !progress.wants_pawns || !HasRoom(rook)) continue;
    if (neediest == rooks_.size() || progress.queued_us > most.queued_us ||
        (progress.queued_us == most.queued_us && progress.queued > most.queued)) {
      neediest = rook;
      most = progress;
    }
  }
  return neediest == rooks_.size() ? RichestTail() : neediest;
}

size_t Board::RichestTail() const {
  // Nothing queued anywhere: a pawn started in a binary whose busy pawn holds
  // a tail worth a batch takes that tail back (work stealing across
  // binaries), as a pawn that runs dry does within one.
  size_t richest = rooks_.size();
  uint64_t most = 0;
  for (size_t rook : order_) {
    if (!started_[rook] || done_[rook] || !HasRoom(rook)) continue;
    const uint64_t stealable = rooks_[rook]->StealableUs();
    if (stealable > most) {
      richest = rook;
      most = stealable;
    }
  }
  return richest;
}

void Board::OnRookFinished(size_t rook) {
  done_[rook] = true;
  AssignIdle();
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
  // A tail may have become worth taking back: the test ahead of it runs long.
  AssignIdle();
}

void Board::Interrupt() {
  stopped_ = true;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook]) rooks_[rook]->Stop(NotRun::kInterrupted);
  }
  MaybeFinish();
}

void Board::Abort(const std::string& error) {
  stopped_ = true;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook] && !done_[rook]) rooks_[rook]->Stop(NotRun::kRunStopped, error);
  }
  MaybeFinish();
}

void Board::MaybeFinish() {
  // Not before Start: an Abort before it (the store could not be read) must
  // still end in on_finished, once there is one.
  if (finished_ || !on_finished_) return;
  for (size_t rook = 0; rook < rooks_.size(); ++rook) {
    if (started_[rook] && !done_[rook]) return;
    if (!started_[rook] && !stopped_) return;
  }
  finished_ = true;
  if (on_finished_) on_finished_();
}

}  // namespace redqueen::rook
