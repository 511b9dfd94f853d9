#include "bishop/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <tuple>
#include <unordered_set>

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

/// Records one final execution of each (name, status, duration) in a new run.
void RecordRun(Store& store, const std::string& binary,
               const std::vector<std::tuple<std::string, std::string, uint64_t>>& rows) {
  const int64_t run = store.BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  std::vector<proto::TestInfo> tests;
  for (const auto& [name, status, duration] : rows) tests.push_back({name, "a.cc", 1, "", ""});
  const auto ids = store.AddTests(binary, tests);
  for (size_t i = 0; i < rows.size(); ++i) {
    ExecutionRecord e;
    e.test_id = ids[i];
    e.status = std::get<1>(rows[i]);
    e.duration_us = std::get<2>(rows[i]);
    store.AddExecution(run, e);
  }
  store.FinishRun(run, {});
}

TEST_F(StoreTest, PastKeepsRecentPassingDurationsNewestFirstAndTheLastOutcome) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  for (uint64_t run = 1; run <= 7; ++run) {
    RecordRun(*store, "bin/a", {{"A.steady", "PASSED", run * 10},
                                {"A.broke", run == 7 ? "FAILED" : "PASSED", 5},
                                {"A.skips", "SKIPPED", 1}});
    RecordRun(*store, "bin/other", {{"A.steady", "PASSED", 999999}});
  }
  const auto past = store->LoadPast("bin/a");
  ASSERT_TRUE(past.count("A.steady"));
  EXPECT_EQ(past.at("A.steady").passing_durations_us,
            (std::vector<uint64_t>{70, 60, 50, 40, 30}))
      << "the last kPastExecutions runs of this binary only";
  EXPECT_FALSE(past.at("A.steady").failed_last);
  EXPECT_TRUE(past.at("A.broke").failed_last);
  EXPECT_EQ(past.at("A.broke").passing_durations_us.size(), 4u);
  EXPECT_FALSE(past.count("A.skips")) << "skips say nothing about duration or outcome";
  EXPECT_TRUE(store->LoadPast("bin/never").empty());
}

TEST_F(StoreTest, RetriedAttemptsAreNotTheOutcome) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  const auto ids = store->AddTests("bin/a", {{"A.flaky", "a.cc", 1, "", ""}});
  ExecutionRecord first;
  first.test_id = ids[0];
  first.status = "FAILED";
  first.final = false;
  store->AddExecution(run, first);
  ExecutionRecord second = first;
  second.attempt = 2;
  second.final = true;
  second.status = "FLAKY";
  second.duration_us = 33;
  store->AddExecution(run, second);
  store->FinishRun(run, {});
  const auto past = store->LoadPast("bin/a");
  EXPECT_FALSE(past.at("A.flaky").failed_last);
  EXPECT_EQ(past.at("A.flaky").passing_durations_us, std::vector<uint64_t>{33});
}

TEST_F(StoreTest, AVersion1StoreIsMigratedWithItsResultsKept) {
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  // The version 1 schema, as redqueen 0.1 wrote it, with one result.
  const char* v1 = R"sql(
    CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,
      completed_at TEXT, status TEXT NOT NULL DEFAULT 'running', command TEXT NOT NULL,
      jobs INTEGER NOT NULL, total_tests INTEGER, tests_passed INTEGER,
      tests_failed INTEGER, tests_skipped INTEGER, execution_errors INTEGER,
      flaky INTEGER, execution_time REAL);
    CREATE TABLE tests (id INTEGER PRIMARY KEY, binary TEXT NOT NULL, name TEXT NOT NULL,
      file TEXT NOT NULL, line INTEGER NOT NULL, type_param TEXT NOT NULL,
      value_param TEXT NOT NULL, UNIQUE (binary, name));
    CREATE TABLE executions (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL,
      test_id INTEGER NOT NULL, attempt INTEGER NOT NULL, status TEXT NOT NULL,
      duration_us INTEGER NOT NULL, finished_us INTEGER NOT NULL, pawn INTEGER NOT NULL,
      skip_message TEXT NOT NULL, crash TEXT NOT NULL, output BLOB NOT NULL);
    CREATE TABLE failures (execution_id INTEGER NOT NULL, file TEXT NOT NULL,
      line INTEGER NOT NULL, message TEXT NOT NULL);
    CREATE INDEX executions_by_run ON executions (run_id);
    CREATE INDEX executions_by_test ON executions (test_id);
    CREATE INDEX failures_by_execution ON failures (execution_id);
    INSERT INTO runs (started_at, command, jobs) VALUES ('2026-01-01', 'old', 1);
    INSERT INTO tests (binary, name, file, line, type_param, value_param)
      VALUES ('bin/a', 'A.a', 'a.cc', 1, '', '');
    INSERT INTO executions (run_id, test_id, attempt, status, duration_us, finished_us,
      pawn, skip_message, crash, output) VALUES (1, 1, 1, 'PASSED', 77, 0, 0, '', '', '');
    PRAGMA user_version = 1;
  )sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(store->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM executions WHERE final = 1 AND "
                          "repetition = 0 AND duration_us = 77"),
            1);
  EXPECT_EQ(store->LoadPast("bin/a").at("A.a").passing_durations_us,
            std::vector<uint64_t>{77});
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM sqlite_master WHERE name = "
                          "'executions_by_test'"),
            0)
      << "inserts into it made a long history slow every run";
}

TEST_F(StoreTest, ATestRunForTwoTargetsIsTwoTestsWithTheirOwnHistory) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 2});
  const auto chrome = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "chrome");
  const auto firefox = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "firefox");
  ASSERT_NE(chrome[0], firefox[0]);
  EXPECT_EQ(store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "chrome"), chrome);
  for (const auto& [id, duration] : {std::pair{chrome[0], 10u}, std::pair{firefox[0], 99u}}) {
    ExecutionRecord e;
    e.test_id = id;
    e.status = "PASSED";
    e.duration_us = duration;
    store->AddExecution(run, e);
  }
  store->FinishRun(run, {});
  EXPECT_EQ(store->LoadPast("bin/a", "chrome").at("A.a").passing_durations_us,
            std::vector<uint64_t>{10});
  EXPECT_EQ(store->LoadPast("bin/a", "firefox").at("A.a").passing_durations_us,
            std::vector<uint64_t>{99});
  EXPECT_TRUE(store->LoadPast("bin/a").empty()) << "no target is a target of its own";
}

TEST_F(StoreTest, WhatDidNotPassLastTimeIsTheNewestRunsFailuresAndUnrunTests) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  RecordRun(*store, "bin/a", {{"A.old", "FAILED", 1}, {"A.ok", "PASSED", 1}});
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  const auto ids = store->AddTests(
      "bin/a", {{"A.failed", "a.cc", 1, "", ""}, {"A.crashed", "a.cc", 2, "", ""},
                {"A.gtest_skip", "a.cc", 3, "", ""}, {"A.unrun", "a.cc", 4, "", ""},
                {"A.ok", "a.cc", 5, "", ""}, {"A.flaky", "a.cc", 6, "", ""}});
  const std::vector<std::pair<std::string, std::string>> outcomes = {
      {"FAILED", ""}, {"CRASHED", ""}, {"SKIPPED", "no GPU"},
      {"SKIPPED", "fail-fast"}, {"PASSED", ""}, {"FLAKY", ""}};
  for (size_t i = 0; i < ids.size(); ++i) {
    ExecutionRecord e;
    e.test_id = ids[i];
    e.status = outcomes[i].first;
    e.skip_message = outcomes[i].second;
    store->AddExecution(run, e);
  }
  store->FinishRun(run, {});
  EXPECT_EQ(store->NotPassedLastTime("bin/a"),
            (std::unordered_set<std::string>{"A.failed", "A.crashed", "A.unrun"}));
  EXPECT_TRUE(store->NotPassedLastTime("bin/other").empty());
}

}  // namespace
}  // namespace redqueen::bishop
