#include "bishop/store.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "bishop/statement.h"

namespace redqueen::bishop {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  completed_at TEXT,
  status TEXT NOT NULL DEFAULT 'running',
  command TEXT NOT NULL,
  jobs INTEGER NOT NULL,
  total_tests INTEGER,
  tests_passed INTEGER,
  tests_failed INTEGER,
  tests_skipped INTEGER,
  execution_errors INTEGER,
  flaky INTEGER,
  execution_time REAL
);
CREATE TABLE tests (
  id INTEGER PRIMARY KEY,
  binary TEXT NOT NULL,
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  type_param TEXT NOT NULL,
  value_param TEXT NOT NULL,
  UNIQUE (binary, name)
);
CREATE TABLE executions (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  test_id INTEGER NOT NULL REFERENCES tests (id),
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  duration_us INTEGER NOT NULL,
  finished_us INTEGER NOT NULL,  -- Unix time, microseconds
  pawn INTEGER NOT NULL,
  skip_message TEXT NOT NULL,
  crash TEXT NOT NULL,
  output BLOB NOT NULL
);
CREATE TABLE failures (
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX executions_by_run ON executions (run_id);
CREATE INDEX executions_by_test ON executions (test_id);
CREATE INDEX failures_by_execution ON failures (execution_id);
)sql";

// Version 2: --repeat and --retries record every attempt; `final` marks the
// one that decided the test's outcome.
constexpr const char* kMigrateToV2 = R"sql(
ALTER TABLE executions ADD COLUMN repetition INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN final INTEGER NOT NULL DEFAULT 1;
)sql";

// Version 3: --target runs every test once per target, and a test's identity
// includes its target. SQLite cannot change a UNIQUE constraint in place, so
// the table is rebuilt, ids kept. And executions lose their index by test.
constexpr const char* kMigrateToV3 = R"sql(
CREATE TABLE tests_v3 (
  id INTEGER PRIMARY KEY,
  binary TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  type_param TEXT NOT NULL,
  value_param TEXT NOT NULL,
  UNIQUE (binary, target, name)
);
INSERT INTO tests_v3 (id, binary, name, file, line, type_param, value_param)
  SELECT id, binary, name, file, line, type_param, value_param FROM tests;
DROP TABLE tests;
ALTER TABLE tests_v3 RENAME TO tests;
-- Inserts into an index by test land all over it: with months of history
-- each result dirtied a page of its own. Nothing reads by test any more.
DROP INDEX IF EXISTS executions_by_test;
)sql";

// Version 4: what each binary's last run left for its next (suite.h), so
// that a rerun reads one row. Histories start afresh from this version on.
constexpr const char* kMigrateToV4 = R"sql(
CREATE TABLE suites (
  binary TEXT NOT NULL,
  target TEXT NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs (id),  -- the run that wrote it
  snapshot BLOB NOT NULL,                        -- see bishop/suite.h
  PRIMARY KEY (binary, target)
);
)sql";

/// `path` as an SQLite URI's path (RFC 3986 escapes for what URIs reserve).
std::string UriPath(const std::string& path) {
  std::string uri;
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static const char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[static_cast<unsigned char>(c) >> 4];
      uri += kHex[static_cast<unsigned char>(c) & 15];
    } else {
      uri += c;
    }
  }
  return uri;
}

/// Whether this process may write the store (or create it) and create files
/// beside it (the WAL's -shm and -wal): false on a read-only mount, even for
/// root.
bool CanWrite(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return (access(path.c_str(), W_OK) == 0 || errno == ENOENT) &&
         access(parent.empty() ? "." : parent.c_str(), W_OK) == 0;
}

/// What went wrong, without the store's file when the caller names it.
std::string ReasonOf(const std::exception& e) {
  const auto* store_error = dynamic_cast<const StoreError*>(&e);
  return store_error ? store_error->reason() : e.what();
}

}  // namespace

std::unique_ptr<Store> Store::Open(const std::string& path, std::string* error) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (access(path.c_str(), F_OK) == 0 && !CanWrite(path)) {
    // SQLite would open it read-only and fail at the first write instead.
    *error = "cannot write the result store '" + path +
             "' (its file or folder is read-only); pass --db with a writable path";
    return nullptr;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                     SQLITE_OPEN_NOMUTEX,  // One thread uses it.
                                 nullptr);
  if (rc != SQLITE_OK) {
    *error = "cannot open the result store '" + path +
             "': " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
             " (pass --db with a writable path)";
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<Store> store(new Store(db));
  if (!store->Migrate(error)) {
    *error = "result store '" + path + "': " + *error;
    return nullptr;
  }
  if (!store->ReadsWhereItWillWrite(error)) {
    *error = "result store '" + path + "' is damaged (" + *error +
             "); nothing was run. Move it aside and pass another --db (sqlite3 '" + path +
             "' .recover | sqlite3 NEW.db may save its history)";
    return nullptr;
  }
  return store;
}

std::unique_ptr<Store> Store::OpenForReading(const std::string& path,
                                             std::string* error) {
  if (CanWrite(path)) return Open(path, error);
  // A WAL database needs its -shm to be read. Read-only finds (or maps) one
  // that is there, and sees what a killed writer left in the -wal; when
  // there is none and none can be made, the file is read as immutable.
  for (const char* mode : {"mode=ro", "immutable=1"}) {
    sqlite3* db = nullptr;
    const std::string uri = "file:" + UriPath(path) + "?" + mode;
    if (sqlite3_open_v2(uri.c_str(), &db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      *error = "cannot open the result store '" + path + "': " + sqlite3_errmsg(db);
      sqlite3_close(db);
      continue;
    }
    std::unique_ptr<Store> store(new Store(db));
    try {
      const int version = store->SchemaVersion();
      if (version != kSchemaVersion) {
        *error = "result store '" + path + "' is read-only and has schema " +
                 std::to_string(version) + ", this redqueen reads " +
                 std::to_string(kSchemaVersion) +
                 " (run 'redqueen run' on a writable copy once to migrate it)";
        return nullptr;
      }
      return store;
    } catch (const std::exception& e) {
      *error = "result store '" + path + "' (read-only): " + ReasonOf(e);
    }
  }
  return nullptr;
}

Store::~Store() {
  try {
    Flush();
  } catch (const std::exception&) {
    // Reported by the last explicit Flush; nothing more to do here.
  }
  executions_.reset();
  tests_.reset();
  sqlite3_finalize(insert_failure_);
  sqlite3_close(db_);
}

void Store::Exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError(db_, text);
  }
}

sqlite3_stmt* Store::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  Check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr),
        "prepare");
  return stmt;
}

int Store::SchemaVersion() {
  sqlite3_stmt* stmt = Prepare("PRAGMA user_version");
  const int rc = sqlite3_step(stmt);
  const int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  // The first read of a file: it fails here when the file is not a database
  // or cannot be read, and 0 would pass for a new store.
  const std::string message = sqlite3_errmsg(db_);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) throw StoreError(db_, message);
  return version;
}

bool Store::IsRedqueenStoreOrEmpty(std::string* error) {
  const int version = SchemaVersion();
  std::vector<std::string> tables;
  bool ours = true;
  sqlite3_stmt* stmt = Prepare(
      "SELECT name, name IN ('runs', 'tests', 'executions', 'failures') "
      "FROM sqlite_master WHERE type = 'table' ORDER BY rowid");
  {
    Binder binder(db_, stmt);
    int known = 0;
    while (binder.Step("read the schema")) {
      tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      known += sqlite3_column_int(stmt, 1);
    }
    // Version 0 is a file redqueen has not written yet: it must be empty.
    ours = version == 0 ? tables.empty() : known == 4;
  }
  sqlite3_finalize(stmt);
  if (ours) return true;
  std::string names;
  for (size_t i = 0; i < tables.size() && i < 3; ++i) {
    names += (i ? ", " : "") + tables[i];
  }
  if (tables.size() > 3) names += ", ...";
  *error = "not a redqueen store (an SQLite database with tables " + names +
           "); it was left untouched: pass another --db";
  return false;
}

bool Store::ReadsWhereItWillWrite(std::string* error) {
  // A full PRAGMA quick_check reads every page: about 3 ms per MB of history,
  // as long as a whole run of 10,000 trivial tests on a 7 MB store. A run
  // appends to the right edge of each table and index and reads its own
  // binary's suite row (LoadSuite), so those pages are read here, before
  // any test runs, instead of failing the run's first write at its end.
  try {
    for (const char* sql :
         {"SELECT max(id) FROM runs", "SELECT max(id) FROM executions",
          "SELECT max(run_id) FROM executions", "SELECT max(rowid) FROM failures",
          "SELECT max(execution_id) FROM failures", "SELECT max(id) FROM tests",
          "SELECT count(*) FROM suites"}) {
      sqlite3_stmt* stmt = Prepare(sql);
      const int rc = sqlite3_step(stmt);
      const std::string message = sqlite3_errmsg(db_);
      sqlite3_finalize(stmt);
      if (rc != SQLITE_ROW) {
        *error = message;
        return false;
      }
    }
  } catch (const std::exception& e) {
    *error = ReasonOf(e);
    return false;
  }
  return true;
}

bool Store::Migrate(std::string* error) {
  try {
    sqlite3_busy_timeout(db_, static_cast<int>(kBusyTimeoutMs));
    // Before anything is written (WAL mode is written into the file's header):
    // another application's database is refused as it is.
    if (!IsRedqueenStoreOrEmpty(error)) return false;
    // Fails on a file that is not a database, before anything is written.
    // Another redqueen creating or writing the store makes this busy without
    // SQLite's busy handler being asked, so it is retried here.
    for (int waited_ms = 0;; waited_ms += 10) {
      try {
        Exec("PRAGMA journal_mode=WAL");
        break;
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("locked") == std::string::npos ||
            waited_ms >= kBusyTimeoutMs) {
          throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    Exec("PRAGMA synchronous=NORMAL");
    // The REFERENCES clauses document the schema; enforcing them would cost
    // two lookups per stored result, and only this code writes the store.
    const int version = SchemaVersion();
    if (version > kSchemaVersion) {
      *error = "written by a newer redqueen (schema " + std::to_string(version) +
               ", this one knows " + std::to_string(kSchemaVersion) +
               "); upgrade redqueen or pass another --db";
      return false;
    }
    if (version < kSchemaVersion) {
      // One transaction: another redqueen migrating the same file waits, then
      // finds it migrated.
      Exec("BEGIN IMMEDIATE");
      const int current = SchemaVersion();
      if (current < 1) Exec(kSchemaV1);
      if (current < 2) Exec(kMigrateToV2);
      if (current < 3) Exec(kMigrateToV3);
      if (current < 4) Exec(kMigrateToV4);
      Exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
      Exec("COMMIT");
    }
    executions_ = std::make_unique<RowInserter>(
        db_, "executions",
        std::vector<std::string>{"run_id", "test_id", "repetition", "attempt", "final",
                                 "status", "duration_us", "finished_us", "pawn",
                                 "skip_message", "crash", "output"});
    tests_ = std::make_unique<RowInserter>(
        db_, "tests",
        std::vector<std::string>{"binary", "target", "name", "file", "line", "type_param",
                                 "value_param"});
    insert_failure_ = Prepare(
        "INSERT INTO failures (execution_id, file, line, message) VALUES (?, ?, ?, ?)");
    return true;
  } catch (const std::exception& e) {
    *error = ReasonOf(e);
    if (error->find("not a database") != std::string::npos) {
      *error = "not a redqueen store (file is not a database); pass another --db";
    }
    return false;
  }
}

void Store::BeginIfNeeded() {
  if (in_transaction_) return;
  // The write lock now, waiting for it if need be: a deferred transaction
  // that read first could not take it later when another redqueen wrote.
  Exec("BEGIN IMMEDIATE");
  in_transaction_ = true;
}

void Store::Flush() {
  if (pending_.empty() && !in_transaction_) return;
  try {
    BeginIfNeeded();
    WritePending();
    pending_.clear();
    in_transaction_ = false;
    Exec("COMMIT");
  } catch (const std::exception&) {
    Abandon();
    throw;
  }
}

void Store::Abandon() {
  pending_.clear();
  in_transaction_ = false;
  // SQLite rolls back some failed transactions itself (a full disk, an I/O
  // error) and leaves others open.
  if (sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

int64_t Store::BeginRun(const RunRecord& run) {
  sqlite3_stmt* stmt =
      Prepare("INSERT INTO runs (started_at, command, jobs) VALUES (?, ?, ?)");
  {
    Binder(db_, stmt)
        .Text(run.started_at)
        .Text(run.command)
        .Int(run.jobs)
        .Step("insert run");
  }
  sqlite3_finalize(stmt);
  const int64_t id = sqlite3_last_insert_rowid(db_);
  return id;
}

std::vector<int64_t> Store::AddTests(const std::string& binary,
                                     const std::vector<proto::TestInfo>& tests,
                                     const std::string& target) {
  BeginIfNeeded();
  // One scan of what the store knows of this binary, matched by name against
  // the list as the rows come (no copies), then writes only for new or moved
  // tests: a rerun of an unchanged suite writes nothing here.
  std::unordered_map<std::string_view, size_t> index_of;
  index_of.reserve(tests.size());
  for (size_t i = 0; i < tests.size(); ++i) index_of.emplace(tests[i].name, i);
  std::vector<int64_t> ids(tests.size(), 0);
  std::vector<size_t> moved;  // Indexes into `tests` of those whose place changed.
  sqlite3_stmt* select = Prepare(
      "SELECT id, name, file, line, type_param, value_param FROM tests "
      "WHERE binary = ? AND target = ?");
  {
    Binder binder(db_, select);
    binder.Text(binary).Text(target);
    auto text = [select](int column) {
      const auto* bytes =
          reinterpret_cast<const char*>(sqlite3_column_text(select, column));
      return std::string_view(bytes ? bytes : "",
                              static_cast<size_t>(sqlite3_column_bytes(select, column)));
    };
    while (binder.Step("read tests")) {
      const auto it = index_of.find(text(1));
      if (it == index_of.end()) continue;
      const proto::TestInfo& test = tests[it->second];
      ids[it->second] = sqlite3_column_int64(select, 0);
      if (text(2) != test.file || sqlite3_column_int(select, 3) != test.line ||
          text(4) != test.type_param || text(5) != test.value_param) {
        moved.push_back(it->second);
      }
    }
  }
  sqlite3_finalize(select);

  sqlite3_stmt* update = Prepare(
      "UPDATE tests SET file = ?, line = ?, type_param = ?, value_param = ? "
      "WHERE id = ?");
  for (size_t i : moved) {
    const proto::TestInfo& test = tests[i];
    Binder(db_, update)
        .Text(test.file)
        .Int(test.line)
        .Text(test.type_param)
        .Text(test.value_param)
        .Int(ids[i])
        .Step("update test");
  }
  sqlite3_finalize(update);
  std::vector<size_t> added;  // Indexes into `tests` of those the store lacks.
  for (size_t i = 0; i < tests.size(); ++i) {
    if (ids[i] == 0) added.push_back(i);
  }
  const int64_t first_id = tests_->Insert(added.size(), [&](Binder& b, size_t i) {
    const proto::TestInfo& test = tests[added[i]];
    b.TextInPlace(binary)
        .TextInPlace(target)
        .TextInPlace(test.name)
        .TextInPlace(test.file)
        .Int(test.line)
        .TextInPlace(test.type_param)
        .TextInPlace(test.value_param);
  });
  for (size_t i = 0; i < added.size(); ++i)
    ids[added[i]] = first_id + static_cast<int64_t>(i);
  return ids;
}

void Store::AddExecution(int64_t run_id, const ExecutionRecord& e) {
  pending_.push_back(e);
  pending_.back().run_id = run_id;
}

void Store::WritePending() {
  const int64_t first_id =
      executions_->Insert(pending_.size(), [this](Binder& b, size_t i) {
        const ExecutionRecord& e = pending_[i];
        // The queued rows outlive the statement.
        b.Int(e.run_id)
            .Int(e.test_id)
            .Int(e.repetition)
            .Int(e.attempt)
            .Int(e.final)
            .TextInPlace(e.status)
            .Int(static_cast<int64_t>(e.duration_us))
            .Int(e.finished_us)
            .Int(e.pawn)
            .TextInPlace(e.skip_message)
            .TextInPlace(e.crash)
            .BlobInPlace(e.output);
      });
  for (size_t row = 0; row < pending_.size(); ++row) {
    for (const proto::Failure& failure : pending_[row].failures) {
      Binder(db_, insert_failure_)
          .Int(first_id + static_cast<int64_t>(row))
          .Text(failure.file)
          .Int(failure.line)
          .Text(failure.message)
          .Step("insert failure");
    }
  }
}

int64_t Store::LastCompletedRun(const std::string& binary, const std::string& target) {
  // A run "has" the binary when any execution is of one of its tests; the
  // executions_by_run index finds that on the run's first rows.
  // Completed: see NotPassedLastTime.
  sqlite3_stmt* stmt = Prepare(R"sql(
    SELECT r.id FROM runs r
    WHERE r.status IN ('passed', 'failed', 'interrupted')
      AND EXISTS (SELECT 1 FROM executions x JOIN tests y ON y.id = x.test_id
                  WHERE x.run_id = r.id AND y.binary = ?1 AND y.target = ?2)
    ORDER BY r.id DESC LIMIT 1)sql");
  int64_t run = 0;
  {
    Binder binder(db_, stmt);
    binder.Text(binary).Text(target);
    if (binder.Step("read the last completed run")) run = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return run;
}

std::optional<SuiteRecord> Store::LoadSuite(const std::string& binary,
                                            const std::string& target) {
  sqlite3_stmt* stmt =
      Prepare("SELECT run_id, snapshot FROM suites WHERE binary = ? AND target = ?");
  std::optional<SuiteRecord> suite;
  {
    Binder binder(db_, stmt);
    binder.Text(binary).Text(target);
    if (binder.Step("read suite")) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 1));
      const std::string_view blob(bytes ? bytes : "",
                                  static_cast<size_t>(sqlite3_column_bytes(stmt, 1)));
      suite.emplace();
      if (!DecodeSuite(blob, &*suite)) *suite = SuiteRecord{};
      suite->run_id = sqlite3_column_int64(stmt, 0);
    }
  }
  sqlite3_finalize(stmt);
  return suite;
}

bool Store::SaveSuite(const std::string& binary, const std::string& target,
                      int64_t seen_run_id, int64_t run_id, const std::string& blob) {
  BeginIfNeeded();
  sqlite3_stmt* select =
      Prepare("SELECT run_id FROM suites WHERE binary = ? AND target = ?");
  int64_t stored_run_id = 0;
  {
    Binder binder(db_, select);
    binder.Text(binary).Text(target);
    if (binder.Step("read suite")) stored_run_id = sqlite3_column_int64(select, 0);
  }
  sqlite3_finalize(select);
  if (stored_run_id != seen_run_id) return false;
  sqlite3_stmt* write = Prepare(
      "INSERT OR REPLACE INTO suites (binary, target, run_id, snapshot) VALUES (?, ?, ?, "
      "?)");
  {
    Binder(db_, write)
        .Text(binary)
        .Text(target)
        .Int(run_id)
        .Blob(blob)
        .Step("write suite");
  }
  sqlite3_finalize(write);
  return true;
}

std::optional<LastFailures> Store::NotPassedLastTime(const std::string& binary,
                                                     const std::string& target) {
  LastFailures last;
  last.run_id = LastCompletedRun(binary, target);
  if (last.run_id == 0) return std::nullopt;
  sqlite3_stmt* stmt = Prepare(R"sql(
    SELECT t.name FROM executions e JOIN tests t ON t.id = e.test_id
    WHERE e.run_id = ? AND t.binary = ? AND t.target = ? AND e.final = 1
      AND (e.status IN ('FAILED', 'CRASHED', 'TIMEOUT')
           OR (e.status = 'SKIPPED' AND (e.skip_message IN
               ('fail-fast', 'interrupted', 'not run: the run stopped')
               OR e.skip_message LIKE 'interrupted while it was running, after %'))))sql");
  {
    Binder binder(db_, stmt);
    binder.Int(last.run_id).Text(binary).Text(target);
    while (binder.Step("read last failures")) {
      last.names.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
  }
  sqlite3_finalize(stmt);
  return last;
}

std::vector<RunExecution> Store::RunExecutions(int64_t run_id) {
  std::vector<RunExecution> executions;
  std::unordered_map<int64_t, size_t> by_id;
  sqlite3_stmt* stmt = Prepare(R"sql(
    SELECT e.id, t.binary, t.target, t.name, t.file, t.line, e.repetition, e.attempt,
           e.final, e.status, e.duration_us, e.skip_message, e.crash, e.output,
           e.finished_us, e.pawn
    FROM executions e JOIN tests t ON t.id = e.test_id
    WHERE e.run_id = ?
    ORDER BY t.binary, t.target, t.id, e.repetition, e.attempt)sql");
  auto text = [&stmt](int column) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
    return std::string(bytes ? bytes : "",
                       static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
  };
  {
    Binder binder(db_, stmt);
    binder.Int(run_id);
    while (binder.Step("read executions")) {
      RunExecution e;
      e.binary = text(1);
      e.target = text(2);
      e.name = text(3);
      e.file = text(4);
      e.line = sqlite3_column_int(stmt, 5);
      e.repetition = sqlite3_column_int(stmt, 6);
      e.attempt = sqlite3_column_int(stmt, 7);
      e.final = sqlite3_column_int(stmt, 8) != 0;
      e.status = text(9);
      e.duration_us = static_cast<uint64_t>(sqlite3_column_int64(stmt, 10));
      e.skip_message = text(11);
      e.crash = text(12);
      e.output = text(13);
      e.finished_us = sqlite3_column_int64(stmt, 14);
      e.pawn = sqlite3_column_int(stmt, 15);
      by_id.emplace(sqlite3_column_int64(stmt, 0), executions.size());
      executions.push_back(std::move(e));
    }
  }
  sqlite3_finalize(stmt);
  stmt = Prepare(R"sql(
    SELECT f.execution_id, f.file, f.line, f.message FROM failures f
    JOIN executions e ON e.id = f.execution_id WHERE e.run_id = ? ORDER BY f.rowid)sql");
  {
    Binder binder(db_, stmt);
    binder.Int(run_id);
    while (binder.Step("read failures")) {
      const auto it = by_id.find(sqlite3_column_int64(stmt, 0));
      if (it == by_id.end()) continue;
      executions[it->second].failures.push_back(
          proto::Failure{text(1), sqlite3_column_int(stmt, 2), text(3)});
    }
  }
  sqlite3_finalize(stmt);
  return executions;
}

void Store::FinishRun(int64_t run_id, const RunSummaryRecord& s) {
  BeginIfNeeded();
  sqlite3_stmt* stmt = Prepare(
      "UPDATE runs SET status = ?, completed_at = ?, total_tests = ?, "
      "tests_passed = ?, tests_failed = ?, tests_skipped = ?, "
      "execution_errors = ?, flaky = ?, execution_time = ? WHERE id = ?");
  {
    Binder(db_, stmt)
        .Text(s.status)
        .Text(s.completed_at)
        .Int(s.total_tests)
        .Int(s.tests_passed)
        .Int(s.tests_failed)
        .Int(s.tests_skipped)
        .Int(s.execution_errors)
        .Int(s.flaky)
        .Real(s.execution_time)
        .Int(run_id)
        .Step("finish run");
  }
  sqlite3_finalize(stmt);
  Flush();
}

}  // namespace redqueen::bishop
