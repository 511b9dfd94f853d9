// The Board: several Rooks, one per binary, sharing one budget of pawns.
//
// One queue across binaries: the binaries start in the order of their
// longest expected test (longest-processing-time first over the whole run,
// from what the store remembers; binaries it knows nothing of first, since
// their durations are a guess), and each Rook hands out its own tests longest
// first. Pawn ids 0..jobs-1 are dealt to the first binaries of that order; a
// Rook whose queue runs dry hands its ids back (RookOptions::release_idle),
// and the Board gives each to the next binary not yet started, or else to
// the started one with the most expected work queued, so no core idles
// while any binary has work. With nothing queued anywhere, a free id goes to
// the binary whose busy pawn holds the largest tail worth taking back (work
// stealing across binaries; Tick asks again as running tests grow). An exec
// pawn a Rook no longer needs goes to that binary as it is, told to serve
// it (proto::Serve), rather than shut down and replaced by a new one. Rooks
// may be grouped (one group per --target) with a cap on the pawns a group
// holds at once (--target-jobs).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rook/rook.h"

namespace redqueen::rook {

class Board {
 public:
  /// The Rooks must have been made with release_idle and `jobs` ids.
  /// `max_fail` > 0: after that many failed tests (over every binary), every
  /// Rook stops early (--fail-fast, --max-fail) and no other binary starts.
  Board(int jobs, std::vector<Rook*> rooks, int max_fail = 0);

  /// Rook i belongs to group groups[i]; group g holds at most caps[g] pawns
  /// at once (0: no cap). Before Start.
  void SetGroups(std::vector<size_t> groups, std::vector<int> caps);

  /// Deals the pawns; `on_finished` runs once, when every Rook is done.
  void Start(std::function<void()> on_finished);

  /// Passes the timer's tick to every started Rook (timeouts).
  void Tick();

  /// Ctrl-C: every started Rook stops; the others never start.
  void Interrupt();

  /// Stops every Rook with an infrastructure error.
  void Abort(const std::string& error);

  /// True once a Rook was interrupted or failed, or a Rook never started.
  bool stopped() const { return stopped_; }
  /// True once --max-fail stopped the run.
  bool stopped_early() const { return stopped_early_; }

 private:
  void Start(size_t rook, std::vector<int> pawns,
             std::unique_ptr<knight::Worker> handed = nullptr);
  /// Gives a free pawn id to the Rook that should have it; false when none
  /// may take it now (it waits in idle_).
  bool Assign(int pawn);
  /// The Rook that should have a free pawn id now: the first binary not yet
  /// started, else the started one with the most expected work queued, else
  /// the one with the richest tail; rooks_.size() when none may.
  size_t Taker() const;
  /// Starts `rook` with the id, or adds it (and the worker, if handed).
  void Give(size_t rook, int pawn, std::unique_ptr<knight::Worker> handed);
  /// RookCallbacks::hand_over of Rook `from`: the Taker, when its binary's
  /// factory can adopt the pawn, so that it serves that binary without a
  /// process of its own to start.
  RookCallbacks::Taker HandOver(size_t from, int pawn);
  void AssignIdle();
  /// The started binary whose busy pawn holds the most work a joining pawn
  /// would take back (Rook::StealableUs), or rooks_.size().
  size_t RichestTail() const;
  void OnReleased(size_t rook, int pawn);
  bool HasRoom(size_t rook) const;
  void OnRookFinished(size_t rook);
  void OnFailure();
  void MaybeFinish();

  /// The binaries in the order they start (LPT over what the store knows).
  std::vector<size_t> StartOrder() const;
  /// The expected work left in the run per pawn: the queued work of the
  /// started binaries and the forecast of the others.
  uint64_t RunShareUs() const;

  int jobs_;
  std::vector<Rook*> rooks_;
  std::vector<size_t> order_;
  std::vector<std::optional<RookForecast>> forecasts_;
  std::vector<bool> started_;
  std::vector<bool> done_;
  std::function<void()> on_finished_;
  std::vector<size_t> groups_;
  std::vector<int> caps_;
  std::vector<int> held_;  ///< Pawns each group holds.
  std::vector<int> idle_;  ///< Pawn ids no Rook holds.
  bool assigning_ = false;
  int max_fail_;
  int failures_ = 0;
  bool stopped_ = false;
  bool stopped_early_ = false;
  bool finished_ = false;
};

}  // namespace redqueen::rook
