// The Rook: the scheduler. It starts the pawns, hands out batches of test
// indexes as pawns become free, turns a dead pawn into a CRASHED test plus a
// requeued batch and a replacement, and reports every result to its sink.
// It keeps the event loop and the pawn table and is the one owner of run
// state; workers reach it only through WorkerEvents. Its policies decide and
// leave the acting to it: ListAgreement (the pawns' hellos and lists),
// Ledger (what each result means: retries, FLAKY, repetitions, totals, the
// unfinished) and PawnHealth (timeouts, slow tests, deadlines, memory).
// rook.cc holds the loop and dispatch, stealing.cc taking back a busy
// pawn's unstarted tests, pawn_trouble.cc what it does about a pawn in
// trouble, run_end.cc how the run stops and finishes.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "knight/worker.h"
#include "rook/clock.h"
#include "rook/estimate.h"
#include "rook/ledger.h"
#include "rook/list_agreement.h"
#include "rook/pawn_health.h"
#include "rook/plan.h"
#include "rook/run_sink.h"
#include "rook/shard_rule.h"
#include "rook/work.h"
#include "rook/work_queue.h"

namespace redqueen::rook {

struct RookOptions {
  /// Pawn ids run from 0 to jobs - 1 (REDQUEEN_PAWN_ID).
  int jobs = 1;
  /// Shut a pawn down as soon as nothing is queued for it, and hand its id
  /// back (on_released), so that another binary's Rook can use it.
  bool release_idle = false;
  /// Replacement pawns allowed over the whole run; one more stops the run.
  int max_restarts = 100;
  std::string filter = "*";  ///< gtest filter syntax, as gtest reads it.
  bool also_run_disabled = false;
  /// Only the selected tests this shard runs (null: every one).
  std::shared_ptr<const ShardRule> shard;
  /// Only list: the sink gets the list and the selection, and no test runs.
  bool list_only = false;
  size_t output_cap = 256 * 1024;
  /// A test running longer is ended and TIMEOUT (0: no limit).
  std::chrono::microseconds timeout{0};
  /// A test running longer is reported to the sink as slow (0: never).
  std::chrono::microseconds slow{0};
  /// Between SIGTERM and SIGKILL for a test past its timeout.
  std::chrono::microseconds kill_grace{std::chrono::seconds(5)};
  /// The time a pawn has to say hello, to send its list, and to exit once
  /// told to (or, for an exec pawn's child, once its tests ran); set-ups and
  /// tear-downs outside tests have `timeout`, as tests do (--list-timeout).
  std::chrono::microseconds start_timeout{std::chrono::seconds(60)};
  /// Order and grouping of the tests (--order, --failed-first, --by-suite).
  PlanOptions plan;
  /// gtest filters of the tests that run alone, one at a time, before the
  /// others (--serial); a test matching any of them is serial.
  std::vector<std::string> serial;
  /// A failed, crashed or timed-out test runs again up to this many times.
  int retries = 0;
  /// Runs of every test; 0 repeats until the run is stopped (--until-fail).
  uint32_t repeat = 1;
  /// Above this percent of the machine's memory in use, the pawn holding the
  /// most is killed and its test requeued once (--max-memory; 0: never).
  double max_memory_percent = 0;
  /// Ask pawns to say when each test starts (--events).
  bool report_starts = false;
  /// A pawn runs each batch to its end, none of it can be taken back (an
  /// exec pawn's child): first runs grow their batches as results arrive.
  bool whole_batches = false;
  /// The machine's memory in use, in percent (null: not watched).
  std::function<std::optional<double>()> memory_used_percent;
};

/// How the run ended, as far as the scheduler is concerned.
enum class RookOutcome {
  kRunning,
  kCompleted,    ///< Every selected test has a result.
  kInterrupted,  ///< Stop(NotRun::kInterrupted) was called.
  kError,        ///< Infrastructure failure: see error().
};

/// What the Rook calls back while it runs (each may be empty).
struct RookCallbacks {
  /// Once, when every pawn is gone.
  std::function<void()> on_finished;
  /// Whenever a pawn id is given up while the run goes on.
  std::function<void(int)> on_released;
  /// For every test whose final result is a failure (after retries).
  std::function<void()> on_final_failure;
  /// The expected work left in the whole run per pawn, when the Rook shares
  /// the pawns with others (0: not known): a batch is cut as a share of
  /// that, so a binary is not split while other binaries' work keeps every
  /// pawn busy.
  std::function<uint64_t()> run_share_us;
  /// Asked, for a waiting pawn that could serve another binary
  /// (Worker::CanServeAnother), before its shutdown while this binary's run
  /// goes well: who takes it, for a binary that wants a pawn (given the
  /// worker, it is no longer this Rook's id); null when no binary does.
  using Taker = std::function<void(std::unique_ptr<knight::Worker>)>;
  std::function<Taker(int pawn)> hand_over;
};

/// Where a Rook's run stands, for the Board that shares pawns among Rooks.
struct RookProgress {
  /// It has not begun, or still has tests queued: another pawn helps.
  bool wants_pawns = false;
  size_t queued = 0;  ///< Tests queued, serial ones included.
  /// Their expected work: by history, else at the mean duration so far (0
  /// before any result).
  uint64_t queued_us = 0;
  /// The expected work of every test without a result yet: queued, or in
  /// its pawns' batches.
  uint64_t left_us = 0;
  bool finished = false;  ///< Every pawn is gone.
  int restarts = 0;       ///< Pawns started to replace dead ones.
};

/// What a Rook expects of its run before it starts, from the store's memory
/// of its binary: the Board starts the binaries with the longest work first.
struct RookForecast {
  uint64_t longest_us = 0;  ///< The longest selected test.
  uint64_t total_us = 0;    ///< Every selected test, once.
};

/// Workers reach the Rook only through the WorkerEvents the factory is given:
/// its OnMessage and OnExit are not for anyone else to call.
class Rook : private knight::WorkerEvents {
 public:
  Rook(RookOptions options, knight::WorkerFactory* factory, const Clock* clock,
       RunSink* sink);

  /// Starts the pawns `pawns` (empty: all of 0..jobs-1); `handed`, a worker
  /// another Rook handed over (RookCallbacks::hand_over), becomes the first.
  void Start(RookCallbacks callbacks, std::vector<int> pawns = {},
             std::unique_ptr<knight::Worker> handed = nullptr);

  /// What the store remembers of this binary: given before the pawns'
  /// first messages are handled. When a pawn's hello shows the same list,
  /// no pawn is asked for it.
  void SetPast(Past past);

  /// Runs only the tests named here (--rerun-failed), within the filter.
  /// Given before SetPast.
  void RestrictTo(std::shared_ptr<const std::unordered_set<std::string>> names) {
    only_ = std::move(names);
    ahead_.reset();
  }

  /// Starts one more pawn with this id (one that another Rook released), or
  /// makes `handed` that pawn (one another Rook handed over).
  void AddPawn(int pawn_id, std::unique_ptr<knight::Worker> handed = nullptr);

  /// True when this binary's pawns can be workers other Rooks hand over.
  bool CanAdopt() const { return factory_->CanAdopt(); }

  RookProgress progress() const;

  /// With nothing queued: the expected work of the unstarted tail that a
  /// pawn joining now would take back from a busy pawn's batch (work
  /// stealing across binaries; 0: none is worth it). Apart from progress(),
  /// which batch sizes ask for often, as only an idle pawn needs it.
  uint64_t StealableUs() const;

  /// Once SetPast was given: what the store's memory says this run will
  /// take; nullopt when it knows no selected test's duration.
  std::optional<RookForecast> Forecast() const;

  /// Reports tests past --slow, ends tests past the timeout (SIGTERM to
  /// their pawn, SIGKILL after the grace) and kills the largest pawn while
  /// memory is short. Called on a timer.
  void Tick();

  /// Stops the run; every test without a result is SKIPPED for `why`.
  /// kInterrupted (Ctrl-C): the pawns are killed, the outcome is
  /// kInterrupted. kRunStopped: an infrastructure error (a sink failed, ...)
  /// that `error` words; the pawns are killed, the outcome is kError. Any
  /// other (kFailFast): no more tests are handed out, each pawn finishes the
  /// test it is running, and the run still completes.
  void Stop(NotRun why, std::string error = {});

  /// Called once, when every selected test has its final result, just after
  /// the pawns are told to shut down: work that needs every result (writing
  /// them) then overlaps the pawns' exit. Not called on a run that stops
  /// early.
  void OnAllResultsIn(std::function<void()> hook) {
    on_all_results_in_ = std::move(hook);
  }

  RookOutcome outcome() const { return outcome_; }
  /// True once every pawn agreed and tests began to be handed out.
  bool running_began() const { return running_; }
  /// Tests the filter and the DISABLED_ rule select (indexes, in
  /// registration order), before the shard and --rerun-failed narrow them:
  /// none is usually a mistyped filter; every shard's are the same.
  const std::vector<uint32_t>& matched() const { return matched_; }
  /// Tests the binary registers (known once the pawns agree on the list).
  size_t listed() const { return list_.tests().size(); }
  const std::string& error() const { return error_; }
  /// False when the error is not this binary's: Stop(kRunStopped) passed on
  /// another binary's, or the store's.
  bool error_is_own() const { return error_is_own_; }
  /// Repetitions begun, and those that ended with every test passing.
  uint32_t repetitions_begun() const { return ledger_.repetitions_begun(); }
  uint32_t RepetitionsPassed() const { return ledger_.RepetitionsPassed(); }
  /// The counts of the final results so far (as the last result event had).
  const RunTotals& totals() const { return ledger_.totals(); }
  /// Once running began: the list's proto::ListHash, and its tests' history
  /// from before this run, aligned with it (empty: none).
  uint64_t list_hash() const { return list_.list_hash(); }
  const History& history() const { return list_.history(); }

 private:
  void OnMessage(int slot, proto::PawnMessage message) override;
  void OnExit(int slot, const knight::ExitInfo& info) override;
  struct Slot {
    std::unique_ptr<knight::Worker> worker;
    PawnState state = PawnState::kGone;
    /// Tests sent and not yet reported, in the order the pawn runs them.
    std::deque<Work> batch;
    /// The batch as it was sent: its tail can be taken back (work stealing).
    std::vector<Work> sent;
    /// Its batch's unstarted tail was already asked for.
    bool taken_back = false;
    /// Where the last reported test's output ended.
    uint64_t output_end = 0;
    /// Results received since the batch was sent.
    size_t reported = 0;
    /// It gave its whole batch back unrun: it cannot run tests.
    bool gave_up = false;
    /// Set when the Rook killed the pawn for breaking the protocol.
    std::string violation;
    /// Its deadlines and what was done about them.
    PawnWatch watch;
  };

  void StartSlot(int slot, std::unique_ptr<knight::Worker> handed = nullptr);
  /// A waiting pawn this Rook no longer needs: handed over to another
  /// binary when one takes it, else shut down.
  void Retire(int slot);
  /// Stop's ways: Ctrl-C, and fail-fast.
  void Interrupt();
  void StopEarly(NotRun reason);
  void OnHello(int slot, const proto::Hello& hello);
  void OnTestList(int slot, proto::TestList list);
  void OnTestResult(int slot, const proto::Result& result);
  void OnRequeue(int slot, const std::vector<uint32_t>& indexes);
  /// The tests of `tests` (indexes, in registration order) that run.
  struct Selection {
    /// Those the filter and the DISABLED_ rule select (see matched()).
    std::vector<uint32_t> matched;
    /// Those of them the shard and --rerun-failed leave to this run.
    std::vector<uint32_t> selected;
  };
  Selection SelectFrom(const std::vector<proto::TestInfo>& tests) const;
  /// What Select() makes of a list and its history, and the units of its
  /// first repetition in the order to hand them out.
  struct Chosen {
    Selection selection;
    std::vector<bool> serial;
    std::vector<uint32_t> serial_selected;
    std::vector<uint32_t> parallel_selected;
    std::vector<uint64_t> estimates;
    std::vector<Unit> first_serial;
    std::vector<Unit> first_parallel;
  };
  Chosen Choose(const std::vector<proto::TestInfo>& tests, const History& history) const;
  void Select();
  void Adopt(Chosen chosen);
  /// Chooses from the list the store remembers while the pawns start, so
  /// that a hello showing that list finds the first batches ready: 3-4 ms
  /// of a 10,000-test binary's start, on its critical path before.
  void ChooseAhead();
  void CheckAgreement();
  void BeginRun();
  void PlanNextRepetition();
  bool MoreRepetitions() const;
  bool NothingQueued() const;
  void Dispatch();
  bool SendBatch(int slot, WorkQueue& queue, BatchLimit limit);
  BatchLimit LimitFor(const WorkQueue& queue) const;
  /// Work stealing: takes back the unstarted tail of a busy pawn's batch,
  /// the one with the most work first, when that is worth a batch of its
  /// own; true when something was queued again.
  bool TakeBackTail();
  /// A busy pawn's batch past the test it runs.
  struct Tail {
    int slot;
    uint64_t us;  ///< Its expected work.
  };
  /// The busy pawns' tails that could be taken back, the most work first
  /// (none under --by-suite or whole_batches).
  std::vector<Tail> Tails() const;
  /// A tail of `tail_us` expected work is worth a batch of its own: it is
  /// long enough, or the test before it has run long already.
  bool WorthTakingBack(const Slot& victim, uint64_t tail_us) const;
  /// The pawn has begun its batch: a result came, or a test runs.
  bool Begun(const Slot& s) const;
  /// On the tick: a pawn with nothing to do may take back a tail that has
  /// become worth it since (the test ahead of it runs long).
  void RetryTakingBack();
  /// The work of the tests in `works` the Rook expects (history, else the
  /// mean so far; 0: neither).
  uint64_t ExpectedUs(const std::deque<Work>& works, size_t from) const;
  WorkQueue& QueueOf(const Work& work) {
    return serial_[work.index] ? serial_queue_ : queue_;
  }
  void GiveBack(const std::vector<Work>& works);
  void ShutDownAll();
  void ReleaseIdle();
  static PawnView ViewOf(const Slot& s);
  /// Does what PawnHealth found about the pawn in `slot`.
  void Act(int slot, const HealthVerdict& verdict, Clock::TimePoint now);
  /// After Ctrl-C: the test the pawn was running keeps its output, and says so.
  void KeepInterrupted(int slot, const knight::ExitInfo& info);
  void SendShutdown(Slot& s);
  void CheckMemory();
  int ActivePawns() const;
  bool AnyBusy() const;
  void OnCrash(int slot, const knight::ExitInfo& info);
  void Restart(int slot);
  void Fail(std::string error);
  void KillAll();
  void Conclude(const Work& work, TestResult result);
  /// Reports `result` as not final and queues `next` at the front.
  void RunAgain(const Work& next, TestResult result);
  void Report(TestResult result);
  void SkipUnfinished(NotRun reason);
  void MaybeFinish();
  bool AllResultsIn() const { return ledger_.open() == 0 && !MoreRepetitions(); }
  std::string NameOf(uint32_t index) const;
  /// The work of test `index` in a pawn's batch, or end().
  static std::deque<Work>::iterator Find(std::deque<Work>& batch, int64_t index);
  std::string Describe(int slot) const;

  RookOptions options_;
  knight::WorkerFactory* factory_;
  const Clock* clock_;
  RunSink* sink_;
  RookCallbacks callbacks_;

  std::vector<Slot> slots_;
  /// The test list every pawn agreed on, and its history.
  ListAgreement list_;
  bool running_ = false;
  std::vector<uint32_t> selected_;
  std::vector<uint32_t> matched_;
  /// By test index: it runs in the serial phase (--serial).
  std::vector<bool> serial_;
  std::vector<uint32_t> serial_selected_;
  std::vector<uint32_t> parallel_selected_;
  /// Expected duration by test index (empty: no history, batch by count).
  std::vector<uint64_t> estimates_;
  /// ChooseAhead's choice, until a hello uses it.
  std::optional<Chosen> ahead_;
  /// The first repetition's units, as Select() planned them.
  std::vector<Unit> first_serial_;
  std::vector<Unit> first_parallel_;
  /// Repetitions, open results, totals and retries.
  Ledger ledger_;
  /// Timeouts, slow tests, deadlines and memory.
  PawnHealth health_;
  WorkQueue serial_queue_;
  WorkQueue queue_;
  bool memory_kill_pending_ = false;
  /// Why the run is stopping early (fail-fast), or kRan.
  NotRun stopping_ = NotRun::kRan;
  std::function<void()> on_all_results_in_;
  std::shared_ptr<const std::unordered_set<std::string>> only_;
  int restarts_ = 0;
  RookOutcome outcome_ = RookOutcome::kRunning;
  std::string error_;
  bool error_is_own_ = true;
  bool finished_ = false;
};

/// ReadOutput's end for "all of it".
inline constexpr uint64_t kToEndOfOutput = UINT64_MAX;

/// Expected work per batch below which the cost of a batch (one
/// RUN_ALL_TESTS() call walks every registered test) outweighs balance.
inline constexpr uint64_t kMinBatchWorkUs = 5000;

/// What that walk costs a batch for each test the binary lists: gtest 1.12
/// matches each against the filter in about 2,000 instructions (callgrind,
/// a resident pawn of 10,000 trivial tests), some 0.6 us here. An exec
/// pawn's child pays as much again to register them.
inline constexpr uint64_t kBatchNsPerListedTest = 600;

/// A batch holds at least this many times that cost in expected work (at
/// the mean duration seen, without history), up to a pawn's share: so at most a fifth of
/// a resident pawn's time goes to walking the list (a third of an exec pawn's).
inline constexpr uint64_t kWorkPerBatchCost = 4;

/// Where batches cannot be taken back, one holds at most this many times the
/// results in so far.
inline constexpr size_t kGrowthPerResult = 4;

/// Tests per batch for a free pawn without history: a quarter of each pawn's
/// share of what is left, so batches shrink toward the end and the tail
/// balances; but at least kMinBatchWorkUs of work at the mean duration seen
/// so far (0: none seen), and kWorkPerBatchCost times the cost of walking
/// the `listed` tests of the binary; at most `most` and one pawn's share; at
/// least one test. But all that is queued (up to `most`) when what it would
/// leave is worth less than each pawn's part of walking the list again.
size_t BatchSize(size_t queued, int jobs, uint64_t mean_duration_us, size_t most,
                 size_t listed = 0);

/// Expected work per batch with history. A pawn's share is the binary's work
/// left (`queued_us` and the `running_us` of batches in flight) over its
/// `jobs` pawns. A batch holds a quarter of each pawn's share of the run's
/// work left (`run_share_us`, or else that share), so batches shrink toward
/// the end and the tail balances; and at most a pawn's share (a binary that
/// is small beside the run's work goes whole to its one pawn). But at least
/// kMinBatchWorkUs, and all of `queued_us` when less would be left than
/// that (one pawn) or than each pawn's part of walking the list again. Up to
/// a pawn's share, at least kWorkPerBatchCost times the cost of walking the
/// `listed` tests of the binary.
uint64_t BatchWorkUs(uint64_t queued_us, uint64_t running_us, int jobs,
                     uint64_t run_share_us, size_t listed = 0);

}  // namespace redqueen::rook
