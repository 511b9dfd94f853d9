// A thin RAII helper over sqlite3_stmt binding and stepping.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace redqueen::bishop {

/// An SQL error of the store. Its message names the store's file: the store
/// may sit on another disk than the reports, and "disk full" alone does not
/// say which.
class StoreError : public std::runtime_error {
 public:
  StoreError(sqlite3* db, const std::string& reason)
      : std::runtime_error("result store '" + FileOf(db) + "': " + reason),
        reason_(reason) {}
  /// The message without the file, for callers that name it themselves.
  const std::string& reason() const { return reason_; }

 private:
  static std::string FileOf(sqlite3* db) {
    const char* file = sqlite3_db_filename(db, "main");
    return file ? file : "";
  }
  std::string reason_;
};

/// What went wrong, without the store's file when the caller names it.
inline std::string ReasonOf(const std::exception& e) {
  const auto* store_error = dynamic_cast<const StoreError*>(&e);
  return store_error ? store_error->reason() : e.what();
}

/// Throws with the database's message: a store that fails mid-run must stop
/// the run loudly rather than drop results.
inline void Check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw StoreError(db, std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

/// A prepared statement, finalized however its scope ends: one left behind
/// by a throw keeps the store's connection from closing (sqlite3_close
/// refuses while any statement lives) and leaks it.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { reset(); }

  /// Finalizes it now: before its connection closes.
  void reset() { sqlite3_finalize(std::exchange(stmt_, nullptr)); }
  sqlite3_stmt* get() const { return stmt_; }
  /// Reads as the sqlite3_stmt* it holds, for sqlite3_column_* and Binder.
  operator sqlite3_stmt*() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

/// Binds parameters left to right, steps once, and resets for reuse.
class Binder {
 public:
  Binder(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Binder() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Binder& Int(int64_t value) {
    Check(db_, sqlite3_bind_int64(stmt_, ++n_, value), "bind");
    return *this;
  }
  Binder& Real(double value) {
    Check(db_, sqlite3_bind_double(stmt_, ++n_, value), "bind");
    return *this;
  }
  Binder& Text(std::string_view value) {
    Check(db_,
          sqlite3_bind_text(stmt_, ++n_, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT),
          "bind");
    return *this;
  }
  /// Output bytes need not be UTF-8: stored as a BLOB when empty is not NULL.
  Binder& Blob(const std::string& value) {
    Check(db_,
          sqlite3_bind_blob(stmt_, ++n_, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT),
          "bind");
    return *this;
  }
  /// As Text and Blob, without SQLite's copy of the bytes, which must then
  /// stay put until the statement is reset (this Binder's end): for rows
  /// written by the thousand, where the copies were a malloc each.
  Binder& TextInPlace(std::string_view value) {
    Check(db_,
          sqlite3_bind_text(stmt_, ++n_, value.data(), static_cast<int>(value.size()),
                            SQLITE_STATIC),
          "bind");
    return *this;
  }
  Binder& BlobInPlace(const std::string& value) {
    Check(db_,
          sqlite3_bind_blob(stmt_, ++n_, value.data(), static_cast<int>(value.size()),
                            SQLITE_STATIC),
          "bind");
    return *this;
  }
  /// Steps once; true when a row came back.
  bool Step(const char* what) {
    const int rc = sqlite3_step(stmt_);
    Check(db_, rc, what);
    return rc == SQLITE_ROW;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int n_ = 0;
};

}  // namespace redqueen::bishop
