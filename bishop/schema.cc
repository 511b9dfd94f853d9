// The store's tables: made on a new store, migrated from every earlier
// version, and the checks that a file is a redqueen store redqueen can use.
#include <chrono>
#include <thread>

#include "bishop/schema_sql.h"
#include "bishop/statement.h"
#include "bishop/store.h"

namespace redqueen::bishop {

namespace sql = schema_sql;

void Store::MigrateFrom(int from) {
  if (from < 2) Exec(sql::kMigrateToV2);
  if (from < 3) Exec(sql::kMigrateToV3);
  if (from < 4) Exec(sql::kMigrateToV4);
  if (from < 5) Exec(sql::kMigrateToV5);
  if (from < 6) Exec(sql::kMigrateToV6);
  if (from < 7) Exec(sql::kMigrateToV7);
  if (from < 8) Exec(sql::kMigrateToV8);
  if (from < 9) Exec(sql::kMigrateToV9);
  if (from < 10) Exec(sql::kMigrateToV10);
}

int Store::SchemaVersion() {
  Statement stmt = Prepare("PRAGMA user_version");
  const int rc = sqlite3_step(stmt);
  const int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  // The first read of a file: it fails here when the file is not a database
  // or cannot be read, and 0 would pass for a new store.
  const std::string message = sqlite3_errmsg(db_);
  if (rc != SQLITE_ROW) throw StoreError(db_, message);
  return version;
}

bool Store::IsRedqueenStoreOrEmpty(std::string* error) {
  // The version and the tables from one snapshot: another redqueen making
  // the store between the two reads would show tables of version 0.
  Exec("BEGIN");
  try {
    const bool ours = IsRedqueenStoreOrEmptyInSnapshot(error);
    Exec("COMMIT");
    return ours;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);  // May be none.
    throw;
  }
}

bool Store::IsRedqueenStoreOrEmptyInSnapshot(std::string* error) {
  const int version = SchemaVersion();
  std::vector<std::string> tables;
  bool ours = true;
  Statement stmt = Prepare(
      "SELECT name, name IN ('runs', 'tests', 'executions', 'failures') "
      "FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY rowid");
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
         {"SELECT max(id) FROM runs", "SELECT max(id) FROM execution_rows",
          "SELECT max(run_id) FROM execution_rows", "SELECT max(last_id) FROM passes",
          "SELECT max(run_id) FROM passes", "SELECT max(rowid) FROM failures",
          "SELECT max(execution_id) FROM failures", "SELECT max(id) FROM test_rows",
          "SELECT max(binary_id) FROM test_rows", "SELECT max(id) FROM binaries",
          "SELECT count(*) FROM suites"}) {
      Statement stmt = Prepare(sql);
      const int rc = sqlite3_step(stmt);
      const std::string message = sqlite3_errmsg(db_);
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
    // A new store's first writes (WAL mode into its header, then its tables)
    // are not synced: six fsyncs, a few ms of a first run's start. A power
    // loss before the first checkpoint (the first run's close) could lose
    // the new store and that first run, nothing older. From then on, as
    // NORMAL: a checkpoint syncs the WAL, then the file.
    const bool fresh = SchemaVersion() == 0;
    if (fresh) Exec("PRAGMA synchronous=OFF");
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
    if (!fresh) Exec("PRAGMA synchronous=NORMAL");
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
      if (current == 0) {
        Exec(sql::kSchemaCurrent);
      } else {
        MigrateFrom(current);
      }
      Exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
      Exec("COMMIT");
    }
    if (fresh) Exec("PRAGMA synchronous=NORMAL");
    executions_ = std::make_unique<RowInserter>(
        db_, "execution_rows",
        std::vector<std::string>{"run_id", "test_id", "repetition", "attempt", "final",
                                 "status", "duration_us", "finished_us", "pawn",
                                 "not_run", "shard", "skip_message", "crash", "output"});
    tests_ = std::make_unique<RowInserter>(
        db_, "test_rows",
        std::vector<std::string>{"binary_id", "name", "file", "line", "type_param",
                                 "value_param"});
    insert_failure_ = Prepare(
        "INSERT INTO failures (execution_id, file, line, message) VALUES (?, ?, ?, ?)");
    insert_passes_ = Prepare(
        "INSERT INTO passes (last_id, first_id, run_id, shard, rows) VALUES (?, ?, ?, ?, "
        "?)");
    max_pass_id_ = Prepare("SELECT max(last_id) FROM passes");
    return true;
  } catch (const std::exception& e) {
    *error = ReasonOf(e);
    if (error->find("not a database") != std::string::npos) {
      *error = "not a redqueen store (file is not a database); pass another --db";
    }
    return false;
  }
}

}  // namespace redqueen::bishop
