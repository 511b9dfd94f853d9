// The store's connection: opening it (and refusing what is not ours),
// transactions and statements. schema.cc makes and migrates its tables,
// writes.cc and reads.cc use them.
#include "bishop/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <filesystem>

#include "bishop/statement.h"

namespace redqueen::bishop {
namespace {

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
  store->CheckpointAside();
  return store;
}

void Store::CheckpointAside() {
  // Without threads in SQLite, SQLite's own checkpoints stay, on this one.
  if (!sqlite3_threadsafe()) return;
  const char* file = sqlite3_db_filename(db_, "main");
  if (!file || !*file) return;  // In memory: no WAL.
  checkpointer_ = std::make_unique<Checkpointer>(file);
  // Replaces SQLite's checkpoint every 1,000 pages on the committing thread.
  sqlite3_wal_hook(db_, &Store::OnCommit, this);
}

bool Store::WalIsEmpty() const {
  const char* file = sqlite3_db_filename(db_, "main");
  if (!file || !*file) return false;  // In memory: no WAL, nothing to sync.
  struct stat wal {};
  const std::string path = std::string(file) + "-wal";
  return stat(path.c_str(), &wal) != 0 || wal.st_size == 0;
}

int Store::OnCommit(void* store, sqlite3*, const char*, int frames) {
  static_cast<Store*>(store)->checkpointer_->Committed(frames);
  return SQLITE_OK;
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
  insert_failure_.reset();
  insert_passes_.reset();
  max_pass_id_.reset();
  // First, so that this connection is the last: its close copies the rest
  // and removes the WAL.
  checkpointer_.reset();
  // Every statement was a Statement or a RowInserter's, finalized by now. A
  // connection that will not close is one leaked on some path: loud in the
  // Debug (sanitizer) builds, where the tests run every failure path.
  [[maybe_unused]] const int rc = sqlite3_close(db_);
  assert(rc == SQLITE_OK && "a statement outlived the store");
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

Statement Store::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  Check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr),
        "prepare");
  return Statement(stmt);
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

void Store::Checkpoint() {
  if (checkpointer_) {
    checkpointer_->Request();
  } else if (!in_transaction_) {  // Only what is committed is copied.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
}

void Store::WaitForCheckpoints() {
  if (checkpointer_) checkpointer_->WaitUntilIdle();
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

}  // namespace redqueen::bishop
