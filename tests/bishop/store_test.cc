#include "bishop/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace redqueen::bishop {
namespace {

class StoreTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("store_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "sub" / "redqueen.db").string();
  }
  void TearDown() override {
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
    std::filesystem::remove_all(dir_);
  }

  int64_t Count(Store& store, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(store.db(), sql, -1, &stmt, nullptr), SQLITE_OK);
    int64_t value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StoreTest, WritesReopensAndRecordsTheSchemaVersion) {
  std::string error;
  {
    auto store = Store::Open(path_, &error);
    ASSERT_TRUE(store) << error;
    EXPECT_EQ(store->SchemaVersion(), kSchemaVersion);
    const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run x", 2});
    const auto ids = store->AddTests(
        "bin/x_test", {{"A.a", "a.cc", 3, "", ""}, {"A.b", "a.cc", 4, "int", ""}});
    ASSERT_EQ(ids.size(), 2u);
    ExecutionRecord e;
    e.test_id = ids[1];
    e.status = "FAILED";
    e.duration_us = 42;
    e.output = std::string("bytes\0\xff not utf-8", 17);
    e.failures.push_back({"a.cc", 5, "Expected equality"});
    store->AddExecution(run, e);
    RunSummaryRecord summary;
    summary.status = "failed";
    summary.total_tests = 2;
    summary.tests_failed = 1;
    store->FinishRun(run, summary);
  }
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM runs WHERE status = 'failed'"), 1);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM executions WHERE status = 'FAILED'"), 1);
  EXPECT_EQ(Count(*store, "SELECT line FROM failures"), 5);
  EXPECT_EQ(Count(*store, "SELECT length(output) FROM executions"), 17);
  // The same test of the same binary keeps its id across runs.
  const auto again = store->AddTests("bin/x_test", {{"A.b", "a.cc", 40, "int", ""}});
  EXPECT_EQ(again[0], 2);
  EXPECT_EQ(Count(*store, "SELECT line FROM tests WHERE name = 'A.b'"), 40);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(store->db(), "PRAGMA journal_mode", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
}

TEST_F(StoreTest, UncommittedResultsBecomeVisibleOnFlush) {
  std::string error;
  auto writer = Store::Open(path_, &error);
  ASSERT_TRUE(writer) << error;
  const int64_t run = writer->BeginRun({"t", "c", 1});
  const auto ids = writer->AddTests("b", {{"A.a", "a.cc", 1, "", ""}});
  writer->AddExecution(run, {.test_id = ids[0], .status = "PASSED"});
  auto reader = Store::Open(path_, &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(Count(*reader, "SELECT count(*) FROM executions"), 0);
  writer->Flush();
  EXPECT_EQ(Count(*reader, "SELECT count(*) FROM executions"), 1);
}

TEST_F(StoreTest, StoreFromANewerRedqueenIsRefusedAndLeftAlone) {
  std::string error;
  {
    auto store = Store::Open(path_, &error);
    ASSERT_TRUE(store) << error;
    ASSERT_EQ(sqlite3_exec(store->db(), "PRAGMA user_version = 99", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
  }
  EXPECT_FALSE(Store::Open(path_, &error));
  EXPECT_NE(error.find("newer redqueen (schema 99"), std::string::npos) << error;
}

TEST_F(StoreTest, FileThatIsNotADatabaseIsRefusedAndLeftAlone) {
  std::filesystem::create_directories(dir_ / "sub");
  {
    std::ofstream(path_) << "just some text, not SQLite, long enough to have a header"
                         << std::string(200, '.');
  }
  std::string error;
  EXPECT_FALSE(Store::Open(path_, &error));
  EXPECT_NE(error.find("not a redqueen store"), std::string::npos) << error;
  std::ifstream in(path_);
  std::string first;
  in >> first;
  EXPECT_EQ(first, "just");
}

TEST_F(StoreTest, UnwritableLocationIsAClearError) {
  if (geteuid() == 0) {
    // Root writes anywhere; a path under a regular file fails for everyone.
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "file") << "x";
    path_ = (dir_ / "file" / "redqueen.db").string();
  } else {
    std::filesystem::create_directories(dir_ / "sub");
    std::filesystem::permissions(dir_ / "sub", std::filesystem::perms::owner_read |
                                                   std::filesystem::perms::owner_exec);
  }
  std::string error;
  EXPECT_FALSE(Store::Open(path_, &error));
  EXPECT_NE(error.find("cannot open the result store"), std::string::npos) << error;
  EXPECT_NE(error.find("--db"), std::string::npos) << error;
}

}  // namespace
}  // namespace redqueen::bishop
