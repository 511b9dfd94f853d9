// A new store is made from kSchemaCurrent in one step; a store of version 1
// goes through every migration. Both must end with the same tables, columns,
// defaults, references, indexes and views, or a store would read differently
// depending on how old it is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bishop/schema_sql.h"
#include "bishop/store.h"

namespace redqueen::bishop {
namespace {

/// The rows `sql` gives, each as its columns joined by '|'.
std::vector<std::string> Rows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::vector<std::string> rows;
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = sqlite3_column_text(stmt, i);
      row +=
          (i ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "∅");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  return rows;
}

/// `text` with every run of white space one space, and none before ';'.
std::string Squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// What a store's schema means, apart from how its SQL is spelled: each
/// object, each table's columns (type, NOT NULL, default, key) and
/// references, each index's columns and uniqueness, each view's query.
std::vector<std::string> Structure(sqlite3* db) {
  std::vector<std::string> out;
  for (const std::string& object :
       Rows(db, "SELECT type, name, tbl_name FROM sqlite_master ORDER BY name")) {
    out.push_back(object);
  }
  for (const std::string& table :
       Rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    for (const std::string& column :
         Rows(db, "SELECT * FROM pragma_table_xinfo('" + table + "')")) {
      out.push_back(table + " column " + column);
    }
    for (const std::string& reference :
         Rows(db, "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('" +
                      table + "')")) {
      out.push_back(table + " references " + reference);
    }
    for (const std::string& index :
         Rows(db, "SELECT name, \"unique\", origin, partial FROM pragma_index_list('" +
                      table + "') ORDER BY name")) {
      const std::string name = index.substr(0, index.find('|'));
      out.push_back(table + " index " + index);
      for (const std::string& column :
           Rows(db, "SELECT * FROM pragma_index_xinfo('" + name + "')")) {
        out.push_back(name + " column " + column);
      }
    }
  }
  for (const std::string& view : Rows(
           db, "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name")) {
    out.push_back("view " + Squeezed(view));
  }
  return out;
}

class SchemaTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("schema_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(SchemaTest, ANewStoreHasTheSchemaThatMigratingFromVersion1Reaches) {
  const std::string old_path = (dir_ / "old.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, schema_sql::kSchemaV1, nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 1", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  std::string error;
  auto migrated = Store::Open(old_path, &error);
  ASSERT_TRUE(migrated) << error;
  auto fresh = Store::Open((dir_ / "new.db").string(), &error);
  ASSERT_TRUE(fresh) << error;
  EXPECT_EQ(fresh->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(migrated->SchemaVersion(), kSchemaVersion);

  const std::vector<std::string> structure = Structure(fresh->db());
  EXPECT_EQ(Structure(migrated->db()), structure);
  // The comparison saw what it compares.
  EXPECT_THAT(structure,
              testing::Contains("execution_rows column 14|shard|INTEGER|1|0|0|0"));
  EXPECT_THAT(structure, testing::Contains(testing::StartsWith("view tests|")));
  EXPECT_THAT(structure,
              testing::Contains(testing::StartsWith("binaries index sqlite_autoindex")));
}

}  // namespace
}  // namespace redqueen::bishop
