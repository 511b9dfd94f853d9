// A new store is made from kSchemaCurrent in one step; a store of version 1
// goes through every migration. Both must end with the same tables, columns,
// defaults, references, indexes and views, or a store would read differently
// depending on how old it is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <iterator>
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

/// `text` with every run of white space one space, none at its end.
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
  // Its kind (table, view), width, WITHOUT ROWID and STRICT.
  for (const std::string& table :
       Rows(db,
            "SELECT name, type, ncol, wr, strict FROM pragma_table_list "
            "WHERE schema = 'main' ORDER BY name")) {
    out.push_back("list " + table);
  }
  for (const std::string& table :
       Rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    for (const std::string& column :
         Rows(db, "SELECT * FROM pragma_table_xinfo('" + table + "')")) {
      out.push_back(table + " column " + column);
    }
    for (const std::string& reference :
         Rows(db, "SELECT * FROM pragma_foreign_key_list('" + table + "')")) {
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

/// `PRAGMA synchronous` of a store: 1 is NORMAL.
std::string Synchronous(Store& store) {
  return Rows(store.db(), "PRAGMA synchronous")[0];
}

TEST_F(SchemaTest, ANewStoreHasTheSchemaThatMigratingFromEachVersionReaches) {
  std::string error;
  auto fresh = Store::Open((dir_ / "new.db").string(), &error);
  ASSERT_TRUE(fresh) << error;
  EXPECT_EQ(fresh->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(Synchronous(*fresh), "1") << "unsynced only while it was made";
  EXPECT_TRUE(sqlite3_get_autocommit(fresh->db())) << "no transaction left open";
  const std::vector<std::string> structure = Structure(fresh->db());
  // The comparison sees what it compares.
  EXPECT_THAT(structure,
              testing::Contains("execution_rows column 14|shard|INTEGER|1|0|0|0"));
  EXPECT_THAT(structure, testing::Contains(testing::StartsWith("view tests|")));
  EXPECT_THAT(structure,
              testing::Contains(testing::StartsWith("binaries index sqlite_autoindex")));

  // A store as each earlier version left it: version 1, then the
  // migrations up to that version, each entering MigrateFrom apart.
  const char* const migrations[] = {
      schema_sql::kMigrateToV2, schema_sql::kMigrateToV3, schema_sql::kMigrateToV4,
      schema_sql::kMigrateToV5, schema_sql::kMigrateToV6, schema_sql::kMigrateToV7,
      schema_sql::kMigrateToV8, schema_sql::kMigrateToV9, schema_sql::kMigrateToV10};
  static_assert(std::size(migrations) + 1 == kSchemaVersion,
                "a new version needs its migration here and in kSchemaCurrent");
  for (int version = 1; version < kSchemaVersion; ++version) {
    SCOPED_TRACE("from version " + std::to_string(version));
    const std::string old_path =
        (dir_ / ("v" + std::to_string(version) + ".db")).string();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(old_path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, schema_sql::kSchemaV1, nullptr, nullptr, nullptr),
              SQLITE_OK);
    for (int step = 2; step <= version; ++step) {
      ASSERT_EQ(sqlite3_exec(db, migrations[step - 2], nullptr, nullptr, nullptr),
                SQLITE_OK);
    }
    const std::string set = "PRAGMA user_version = " + std::to_string(version);
    ASSERT_EQ(sqlite3_exec(db, set.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);

    auto migrated = Store::Open(old_path, &error);
    ASSERT_TRUE(migrated) << error;
    EXPECT_EQ(migrated->SchemaVersion(), kSchemaVersion);
    EXPECT_EQ(Synchronous(*migrated), "1");
    EXPECT_TRUE(sqlite3_get_autocommit(migrated->db()));
    EXPECT_EQ(Structure(migrated->db()), structure);
  }
}

}  // namespace
}  // namespace redqueen::bishop
