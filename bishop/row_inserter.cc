#include "bishop/row_inserter.h"

namespace redqueen::bishop {
namespace {

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  Check(
      db,
      sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr),
      "prepare");
  return stmt;
}

}  // namespace

RowInserter::RowInserter(sqlite3* db, const std::string& table,
                         const std::vector<std::string>& columns)
    : db_(db) {
  std::string head = "INSERT INTO " + table + " (id";
  std::string row = "(?";
  for (const std::string& column : columns) {
    head += ", " + column;
    row += ", ?";
  }
  head += ") VALUES ";
  row += ")";
  many_sql_ = head + row;
  for (size_t i = 1; i < kRowsPerInsert; ++i) many_sql_ += ", " + row;
  one_ = Prepare(db, head + row);
  max_id_ = Prepare(db, "SELECT max(id) FROM " + table);
}

RowInserter::~RowInserter() {
  sqlite3_finalize(one_);
  sqlite3_finalize(many_);
  sqlite3_finalize(max_id_);
}

sqlite3_stmt* RowInserter::Many() {
  if (!many_) many_ = Prepare(db_, many_sql_);
  return many_;
}

int64_t RowInserter::NextId() {
  Binder binder(db_, max_id_);
  // max(id) of an empty table is NULL, which reads as 0.
  return binder.Step("read the last id") ? sqlite3_column_int64(max_id_, 0) + 1 : 1;
}

}  // namespace redqueen::bishop
