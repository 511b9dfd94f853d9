// The Bishop's store: every run, test and execution, and every benchmark
// run's samples (bench.cc), in one SQLite file.
//
// Results stream in as they arrive. They are written inside an open
// transaction that the owner commits on a short timer (Flush), and sooner
// when many are queued (queen/store_sink.cc), so a killed redqueen loses at
// most the last interval, and the WAL journal keeps every committed
// transaction across a crash.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bishop/checkpointer.h"
#include "bishop/row_inserter.h"
#include "bishop/statement.h"
#include "bishop/suite.h"
#include "proto/bench.h"
#include "proto/messages.h"
#include "proto/result.h"

namespace redqueen::bishop {

/// How long a write waits for another redqueen holding the store's lock.
inline constexpr int kBusyTimeoutMs = 10000;

/// The schema this redqueen writes; recorded as PRAGMA user_version.
inline constexpr int kSchemaVersion = 10;

struct RunRecord {
  std::string started_at;  ///< ISO 8601, UTC.
  std::string command;     ///< The command line, for people reading history.
  int jobs = 0;
};

/// Which CI shard of a suite a run was, and how the suite was split: what a
/// merge of the shards' stores checks them by.
struct ShardRecord {
  /// From 0; kMergedShards for the run `redqueen merge` made of all of them.
  int index = 0;
  int count = 1;
  std::string partition;  ///< count, hash or time.
  /// Of the history the split was made from (hex; "0" without): shards that
  /// read different histories may run a test twice or never.
  std::string history_digest;
  /// The machine's name; a merged run's names its shards' machines in
  /// shard order, separated by commas (an execution's `shard` picks one).
  std::string host;
};

/// The shard index of a merged run: no one shard, and never taken for one
/// by a later merge.
inline constexpr int kMergedShards = -1;

/// A test as the tests table has it.
struct StoredTest {
  std::string binary;
  std::string target;
  proto::TestInfo info;
  bool selected = false;  ///< In the run's shard_tests.
};

/// How a run ended: its totals over every binary, as the runs table has them.
struct RunSummaryRecord : RunTotals {
  std::string status;  ///< passed, failed, interrupted, error.
  std::string completed_at;
  double execution_time = 0;  ///< Seconds.
};

/// One execution of a run with its test, as reports read it back (read
/// from the store, its `index` is 0: the test is named instead).
struct RunExecution : TestResult {
  std::string binary;
  std::string target;
  std::string name;  ///< Full gtest name.
  std::string file;
  int line = 0;
};

/// What --rerun-failed reruns of a binary.
struct LastFailures {
  int64_t run_id = 0;                     ///< The binary's last completed run.
  std::unordered_set<std::string> names;  ///< Its tests that did not pass.
};

/// A run as `redqueen runs` lists it.
struct RunRow {
  int64_t id = 0;
  RunRecord run;
  RunSummaryRecord summary;  ///< status "running" while (or if never) finished.
};

/// How one test fared over recent runs (final results, skips aside).
struct Outcomes {
  std::string binary;
  std::string target;
  std::string name;
  int passed = 0;
  int failed = 0;  ///< FAILED, CRASHED or TIMEOUT.
  int flaky = 0;
};

/// A benchmark run (`redqueen bench`, `bench ab`) as bench_runs has it.
/// Benchmark runs are numbered apart from test runs.
struct BenchRunRecord {
  std::string started_at;   ///< ISO 8601, UTC.
  std::string command;      ///< The command line, for people reading history.
  std::string git_commit;   ///< Of the tree measured; "" when not known.
  std::string label;        ///< --save's label; "" without.
  std::string kind;         ///< "bench" or "ab".
  std::string machine_key;  ///< What runs are compared by: the same machine.
  /// The Fingerprint as JSON, kept as given: the store links no JSON
  /// library, and whoever reads it back parses it.
  std::string fingerprint_json;
};

/// A benchmark run with how much it measured, as listings show it.
struct BenchRunRow {
  int64_t id = 0;
  BenchRunRecord run;
  int benchmarks = 0;  ///< Results stored, those that measured nothing included.
  int samples = 0;
};

class Store {
 public:
  /// Opens or creates the store at `path` (creating its folder). Null with a
  /// one-line `*error` when the file cannot be written, is not a redqueen
  /// store, or comes from a newer redqueen.
  /// A damaged store (a page the run would write that cannot be read) is
  /// refused here, before any test runs, with a hint.
  static std::unique_ptr<Store> Open(const std::string& path, std::string* error);
  /// For the history commands: Open when this process can write the store
  /// and its folder; else read-only, or immutable where even the WAL's -shm
  /// cannot be made (a read-only mount). A read-only store must have this
  /// redqueen's schema, as it cannot be migrated.
  static std::unique_ptr<Store> OpenForReading(const std::string& path,
                                               std::string* error);
  ~Store();

  int SchemaVersion();

  /// Records a new run; returns its id.
  int64_t BeginRun(const RunRecord& run);
  /// Records the tests of `binary` run for `target` (--target; empty:
  /// none), updating file and line; returns their ids in the order given.
  std::vector<int64_t> AddTests(const std::string& binary,
                                const std::vector<proto::TestInfo>& tests,
                                const std::string& target = "");
  /// Queued; written at the next Flush, in one short transaction, so that
  /// two redqueens writing one store each hold its lock only briefly.
  /// `result` is an attempt at the test `test_id` (AddTests).
  void AddExecution(int64_t run_id, int64_t test_id, const TestResult& result);
  /// Executions queued since the last Flush.
  size_t queued() const { return pending_.size(); }
  /// The tests of `binary` (for `target`) that did not pass in its last
  /// completed run: FAILED, CRASHED, TIMEOUT, or not run because that run
  /// stopped (fail-fast, interrupted). A GTEST_SKIP is not among them.
  /// Nullopt when no completed run ran the binary. A completed run is one
  /// that recorded an outcome for every test it selected: passed, failed or
  /// interrupted; not "running" (still going, or killed by SIGKILL) nor
  /// "error" (the store or the pawns failed, and results may be missing).
  std::optional<LastFailures> NotPassedLastTime(const std::string& binary,
                                                const std::string& target = "");

  /// The newest `limit` runs, newest first; only run `only` when not 0.
  std::vector<RunRow> Runs(int limit, int64_t only = 0);
  /// Every test's outcomes over the newest `runs` runs, in the order tests
  /// were first stored.
  std::vector<Outcomes> RecentOutcomes(int runs);

  /// Every execution of run `run_id`, by binary, target, test (in the order
  /// tests were first stored), repetition and attempt.
  std::vector<RunExecution> RunExecutions(int64_t run_id);
  /// The shard run `run_id` was (RecordShard); nullopt when there is no
  /// such run.
  std::optional<ShardRecord> ShardOf(int64_t run_id);
  /// The tests run `run_id` executed or, as a shard, selected
  /// (RecordShardTests), in the order they were first stored.
  std::vector<StoredTest> RunTests(int64_t run_id);

  /// What the last run of `binary` (for `target`) that listed its tests
  /// left for the next (see suite.h); nullopt when none did. Its past is
  /// empty when the blob is not one this redqueen reads (an older format).
  std::optional<SuiteRecord> LoadSuite(const std::string& binary,
                                       const std::string& target = "");
  /// Keeps `blob` (EncodeSuite) as run `run_id`'s word on `binary` and
  /// `target`, in the open write transaction, unless a run other than
  /// `seen_run_id` (0: none) has written one since: then nothing is written
  /// and false is returned, so that the caller can build on that one.
  bool SaveSuite(const std::string& binary, const std::string& target,
                 int64_t seen_run_id, int64_t run_id, const std::string& blob);
  /// Records that run `run_id` was this shard, in the open write
  /// transaction.
  void RecordShard(int64_t run_id, const ShardRecord& shard);
  /// Records the tests (AddTests ids) a shard's filter selected before the
  /// shard took its share, in the open write transaction.
  void RecordShardTests(int64_t run_id, const std::vector<int64_t>& test_ids);
  void FinishRun(int64_t run_id, const RunSummaryRecord& summary);
  /// Records a new benchmark run and commits it; returns its id. Like
  /// every benchmark write it commits at once (they are rare and small),
  /// or, when a test run holds the store's transaction open, joins that
  /// transaction and is committed by its Flush.
  int64_t BeginBenchRun(const BenchRunRecord& run);
  /// Writes `results` of benchmark run `run_id` in one transaction, after
  /// any it has already: each sample, and the error of each result that has
  /// one or has no samples. Times must be numbers (a NaN throws); counters
  /// and quality figures may be anything (see number_map.h).
  void AddBenchResults(int64_t run_id, const std::vector<BenchResult>& results);
  /// The newest `limit` benchmark runs (all when negative), newest first.
  std::vector<BenchRunRow> BenchRuns(int limit);
  /// Benchmark run `id`; nullopt when there is none.
  std::optional<BenchRunRow> BenchRun(int64_t id);
  /// The newest benchmark run's id; 0 when there is none.
  int64_t LatestBenchRun();
  /// Every result of benchmark run `run_id`, in the order they were added,
  /// each with its samples by repetition. A result that measured nothing
  /// comes back with its error and no samples.
  std::vector<BenchResult> BenchResults(int64_t run_id);

  /// Writes what was queued and commits what was written since the last
  /// Flush. When that fails, it throws after Abandon.
  void Flush();
  /// Drops what was queued or written and not committed, so that after a
  /// failed write (a full disk) the store can still close the run's row;
  /// the run itself still holds the results.
  void Abandon();
  /// Copies what is committed from the WAL into the store's file, syncing
  /// both, as closing the store would; the close then has only what was
  /// written since to copy and sync. On the checkpointer's thread
  /// (bishop/checkpointer.h), so it returns at once. Best effort: a
  /// checkpoint that cannot run now (another connection reading) is left
  /// to the close.
  void Checkpoint();
  /// Blocks until the checkpoints asked for are done.
  void WaitForCheckpoints();

  /// Throws std::runtime_error on SQL errors once open (disk full, ...).
  sqlite3* db() { return db_; }

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  /// Checkpoints on their own thread, from now on (a writable store).
  void CheckpointAside();
  /// Whether the WAL holds nothing, not even its header: the last close
  /// copied it all and removed it.
  bool WalIsEmpty() const;
  /// SQLite's WAL hook: after each commit.
  static int OnCommit(void* store, sqlite3* db, const char* name, int frames);
  bool Migrate(std::string* error);
  /// Runs the migrations from version `from` (at least 1) to the current.
  void MigrateFrom(int from);
  /// False (with `*error`) for a database with tables that are not a
  /// redqueen store's: redqueen would silently add its own beside them.
  bool IsRedqueenStoreOrEmpty(std::string* error);
  bool IsRedqueenStoreOrEmptyInSnapshot(std::string* error);
  /// Reads the pages a run writes; false with SQLite's message when one is
  /// damaged.
  bool ReadsWhereItWillWrite(std::string* error);
  void Exec(const char* sql);
  void BeginIfNeeded();
  /// The `binaries` row of (binary, target), added when missing, in the
  /// open transaction.
  int64_t BinaryId(const std::string& binary, const std::string& target);
  /// Writes the queued results, in the open transaction.
  void WritePending();
  /// The newest completed run that ran tests of `binary`; 0 when none.
  int64_t LastCompletedRun(const std::string& binary, const std::string& target);
  Statement Prepare(const char* sql);
  /// Runs `write` in a transaction of its own, committed before returning;
  /// or, inside the open write transaction, in a savepoint of it, so that a
  /// failure undoes these writes alone. Throws what `write` threw.
  void WriteAtOnce(const std::function<void()>& write);
  /// Where benchmark run `run_id`'s next result goes: after those it has.
  int64_t NextBenchPosition(int64_t run_id);
  /// Benchmark runs newest first; only run `only` when not 0.
  std::vector<BenchRunRow> ReadBenchRuns(int limit, int64_t only);

  sqlite3* db_;
  /// Null when read-only, or where SQLite is built without threads.
  std::unique_ptr<Checkpointer> checkpointer_;
  bool in_transaction_ = false;
  struct Pending {
    int64_t run_id;
    int64_t test_id;
    TestResult result;
  };
  std::vector<Pending> pending_;
  std::unique_ptr<RowInserter> executions_;
  std::unique_ptr<RowInserter> tests_;
  Statement insert_failure_;
  Statement insert_passes_;
  Statement max_pass_id_;
};

}  // namespace redqueen::bishop
