#include "bishop/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <tuple>
#include <unordered_set>

#include "bishop/statement.h"
#include "tests/bishop/older_store.h"

namespace redqueen::bishop {
namespace {

/// A result of the status named `status` ("PASSED", ...).
TestResult ResultOf(const std::string& status) {
  TestResult result;
  result.status = ParseStatus(status).value();
  return result;
}

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
    const int64_t run =
        store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run x", 2});
    const auto ids = store->AddTests(
        "bin/x_test", {{"A.a", "a.cc", 3, "", ""}, {"A.b", "a.cc", 4, "int", ""}});
    ASSERT_EQ(ids.size(), 2u);
    TestResult e = ResultOf("FAILED");
    e.duration_us = 42;
    e.output = std::string("bytes\0\xff not utf-8", 17);
    e.failures.push_back({"a.cc", 5, "Expected equality"});
    store->AddExecution(run, ids[1], e);
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

/// How many statements a connection has prepared and not finalized.
int LiveStatements(sqlite3* db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s;
       s = sqlite3_next_stmt(db, s)) {
    ++n;
  }
  return n;
}

TEST_F(StoreTest, AWriteThatFailsLeavesNoStatementBehind) {
  // One left behind keeps sqlite3_close from closing the store: a leak of
  // the whole connection, and ASan's leak check fails the run.
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  sqlite3_busy_timeout(store->db(), 0);  // Busy at once, not in 10 s.
  const int before = LiveStatements(store->db());
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_THROW(store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run x", 2}),
               StoreError);
  EXPECT_THROW(store->AddTests("bin/x_test", {{"A.a", "a.cc", 3, "", ""}}), StoreError);
  EXPECT_EQ(LiveStatements(store->db()), before);
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  // And the store still works once the other writer is gone.
  EXPECT_GT(store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run x", 2}), 0);
}

TEST_F(StoreTest, ANameAListHasTwiceKeepsARowPerOccurrenceAcrossRuns) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  // RegisterTest lets a binary register one name twice.
  const std::vector<proto::TestInfo> list = {
      {"A.a", "a.cc", 1, "", ""}, {"A.a", "a.cc", 2, "", ""}, {"A.b", "a.cc", 3, "", ""}};
  const auto first = store->AddTests("bin/a", list);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_NE(first[0], first[1]);
  EXPECT_EQ(store->AddTests("bin/a", list), first) << "each occurrence keeps its id";
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM tests"), 3);
  EXPECT_EQ(Count(*store, "SELECT line FROM tests WHERE id = 2"), 2);
  // Once only now: the first row serves it, the second is left alone.
  const auto fewer = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}});
  EXPECT_EQ(fewer, std::vector<int64_t>{first[0]});
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM tests"), 3);
}

TEST_F(StoreTest, AVersion9StoreIsMigratedWithItsTestsAndTheirIdsKept) {
  std::string error;
  std::vector<int64_t> a;
  std::vector<int64_t> b;
  {
    auto store = Store::Open(path_, &error);
    ASSERT_TRUE(store) << error;
    const int64_t run = store->BeginRun({"t", "c", 1});
    a = store->AddTests("bin/a",
                        {{"A.a", "a.cc", 1, "", ""}, {"A.b", "a.cc", 2, "", ""}});
    b = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "firefox");
    store->AddExecution(run, b[0], ResultOf("FAILED"));
    store->FinishRun(run, {});
    ASSERT_EQ(sqlite3_exec(store->db(), kBackToVersion9, nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(store->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM binaries"), 2);
  EXPECT_EQ(Count(*store,
                  "SELECT count(*) FROM executions e JOIN tests t ON t.id = e.test_id "
                  "WHERE t.binary = 'bin/a' AND t.target = 'firefox' AND t.name = 'A.a'"),
            1);
  EXPECT_EQ(
      store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}, {"A.b", "a.cc", 2, "", ""}}),
      a);
  EXPECT_EQ(store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "firefox"), b);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM tests"), 3) << "nothing added twice";
}

TEST_F(StoreTest, UncommittedResultsBecomeVisibleOnFlush) {
  std::string error;
  auto writer = Store::Open(path_, &error);
  ASSERT_TRUE(writer) << error;
  const int64_t run = writer->BeginRun({"t", "c", 1});
  const auto ids = writer->AddTests("b", {{"A.a", "a.cc", 1, "", ""}});
  writer->AddExecution(run, ids[0], ResultOf("PASSED"));
  auto reader = Store::Open(path_, &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(Count(*reader, "SELECT count(*) FROM executions"), 0);
  writer->Flush();
  EXPECT_EQ(Count(*reader, "SELECT count(*) FROM executions"), 1);
}

TEST_F(StoreTest, ACheckpointPutsWhatIsCommittedIntoTheStoresFileAlone) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const int64_t run = store->BeginRun({"t", "c", 1});
  const auto ids = store->AddTests("b", {{"A.a", "a.cc", 1, "", ""}});
  store->AddExecution(run, ids[0], ResultOf("PASSED"));
  store->Checkpoint();  // The result is queued, not committed: not copied.
  store->WaitForCheckpoints();
  store->Flush();
  // Of the file alone, copied while the store is open (its WAL left behind,
  // as a CI job that keeps only the .db would): before the checkpoint, the
  // run is only in the WAL; after it, in the file.
  auto rows_in_copy = [&](const char* name) {
    const std::string copy = (dir_ / name).string();
    std::filesystem::copy_file(path_, copy);
    auto alone = Store::Open(copy, &error);
    EXPECT_TRUE(alone) << error;
    return alone ? Count(*alone, "SELECT count(*) FROM executions") : -1;
  };
  EXPECT_EQ(rows_in_copy("before.db"), 0);
  store->Checkpoint();
  store->WaitForCheckpoints();
  EXPECT_EQ(rows_in_copy("after.db"), 1);
  // The store goes on: a later write commits and closes as ever.
  store->AddExecution(run, ids[0], ResultOf("PASSED"));
  store->Flush();
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM executions"), 2);
}

TEST_F(StoreTest, AGrowingWalIsCheckpointedWithoutBeingAsked) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const int64_t run = store->BeginRun({"t", "c", 1});
  const auto ids = store->AddTests("b", {{"A.a", "a.cc", 1, "", ""}});
  // Failures with output are rows of their own: some 8 KiB each, so the
  // WAL passes kFramesPerCheckpoint pages in 40 commits.
  TestResult failed = ResultOf("FAILED");
  failed.output = std::string(8000, 'o');
  const int commits = 2 * kFramesPerCheckpoint / 3;
  for (int i = 0; i < commits; ++i) {
    store->AddExecution(run, ids[0], failed);
    store->Flush();
  }
  store->WaitForCheckpoints();
  const std::string copy = (dir_ / "copy.db").string();
  std::filesystem::copy_file(path_, copy);
  auto alone = Store::Open(copy, &error);
  ASSERT_TRUE(alone) << error;
  // What the last checkpoint copied: at least all but the last
  // kFramesPerCheckpoint pages' results, never more than were committed.
  const int64_t copied = Count(*alone, "SELECT count(*) FROM executions");
  EXPECT_GE(copied, commits / 3);
  EXPECT_LE(copied, commits);
  // The store's own view has them all, and its close leaves no WAL.
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM executions"), commits);
  store.reset();
  EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));
}

// The run's row, written into the empty WAL a close left, goes unsynced
// (Store::BeginRun); the store syncs as before for everything after it.
TEST_F(StoreTest, TheRunsRowInAnEmptyWalLeavesTheStoreSyncingAsBefore) {
  std::string error;
  Store::Open(path_, &error).reset();
  ASSERT_FALSE(std::filesystem::exists(path_ + "-wal")) << "the close removed it";
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  RunRecord record;
  record.started_at = "2026-12-04T00:00:00Z";
  const int64_t first = store->BeginRun(record);
  EXPECT_EQ(Count(*store, "PRAGMA synchronous"), 1) << "NORMAL again";
  // Into a WAL that holds that row: as ever.
  const int64_t second = store->BeginRun(record);
  EXPECT_EQ(Count(*store, "PRAGMA synchronous"), 1);
  store.reset();
  auto reopened = Store::Open(path_, &error);
  ASSERT_TRUE(reopened) << error;
  EXPECT_EQ(Count(*reopened, "SELECT count(*) FROM runs"), 2);
  EXPECT_LT(first, second);
}

TEST_F(StoreTest, StoreFromANewerRedqueenIsRefusedAndLeftAlone) {
  std::string error;
  {
    auto store = Store::Open(path_, &error);
    ASSERT_TRUE(store) << error;
    ASSERT_EQ(
        sqlite3_exec(store->db(), "PRAGMA user_version = 99", nullptr, nullptr, nullptr),
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

TEST_F(StoreTest, AnotherApplicationsDatabaseIsRefusedAndLeftAlone) {
  std::filesystem::create_directories(dir_ / "sub");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE a (x); CREATE TABLE b (x); CREATE TABLE c (x); "
                         "CREATE TABLE d (x)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  std::string error;
  EXPECT_FALSE(Store::Open(path_, &error));
  EXPECT_NE(
      error.find("not a redqueen store (an SQLite database with tables a, b, c, ...)"),
      std::string::npos)
      << error;
  EXPECT_FALSE(Store::OpenForReading(path_, &error));
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
  for (const auto& [name, status, duration] : rows)
    tests.push_back({name, "a.cc", 1, "", ""});
  const auto ids = store.AddTests(binary, tests);
  for (size_t i = 0; i < rows.size(); ++i) {
    TestResult e = ResultOf(std::get<1>(rows[i]));
    e.duration_us = std::get<2>(rows[i]);
    store.AddExecution(run, ids[i], e);
  }
  store.FinishRun(run, {});
}

TEST_F(StoreTest, ManyResultsAtOnceKeepEachFailureWithItsExecution) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  RecordRun(*store, "bin/a", {{"A.before", "PASSED", 1}});  // ids do not start at 1
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  const auto ids = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}});
  // Rows inserted many to a statement, then the rest one by one.
  const int count = static_cast<int>(2 * kRowsPerInsert + 7);
  for (int i = 0; i < count; ++i) {
    TestResult e = ResultOf(i % 7 == 0 ? "FAILED" : "PASSED");
    e.repetition = static_cast<uint32_t>(i);
    e.duration_us = static_cast<uint64_t>(i);
    if (i % 7 == 0)
      e.failures.push_back({"a.cc", i, "failure of repetition " + std::to_string(i)});
    store->AddExecution(run, ids[0], e);
  }
  store->FinishRun(run, {});
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM executions"), count + 1);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM failures"), (count + 6) / 7);
  EXPECT_EQ(Count(*store,
                  "SELECT count(*) FROM failures f JOIN executions e "
                  "ON e.id = f.execution_id WHERE e.status = 'FAILED' AND "
                  "f.line = e.repetition AND e.duration_us = e.repetition AND "
                  "f.message = 'failure of repetition ' || e.repetition"),
            (count + 6) / 7);
}

TEST_F(StoreTest, PlainPassesGoCompactlyAndReadBackAsEveryOtherExecution) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  RecordRun(*store, "bin/a", {{"A.before", "FAILED", 1}});  // ids do not start at 1
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 2});
  const auto ids =
      store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}, {"A.b", "a.cc", 2, "", ""}});
  TestResult plain = ResultOf("PASSED");
  plain.repetition = 3;
  plain.attempt = 2;
  plain.duration_us = 1234567;
  plain.finished_us = 1'700'000'000'123'456;
  plain.pawn = 1;
  TestResult noisy = ResultOf("PASSED");
  noisy.output = "it printed";
  TestResult failed = ResultOf("FAILED");
  failed.final = false;
  failed.failures.push_back({"a.cc", 9, "boom"});
  TestResult other_shard = ResultOf("PASSED");
  other_shard.shard = 2;
  // Two flushes: the second's ids come after the first's passes.
  store->AddExecution(run, ids[0], plain);
  store->AddExecution(run, ids[1], failed);
  store->AddExecution(run, ids[1], noisy);
  store->Flush();
  store->AddExecution(run, ids[1], other_shard);
  store->AddExecution(run, ids[0], failed);
  store->FinishRun(run, {});

  EXPECT_EQ(Count(*store, "SELECT count(*) FROM passes"), 2) << "one per flush and shard";
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM execution_rows"), 4);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM executions"), 6);
  EXPECT_EQ(Count(*store, "SELECT count(DISTINCT id) FROM executions"), 6);
  EXPECT_EQ(Count(*store,
                  "SELECT count(*) FROM failures f JOIN executions e ON e.id = "
                  "f.execution_id WHERE e.status = 'FAILED' AND f.message = 'boom'"),
            2);
  const std::vector<RunExecution> read = store->RunExecutions(run);
  ASSERT_EQ(read.size(), 5u);
  // By test, repetition and attempt: A.a's failure, its pass, then A.b's.
  EXPECT_EQ(read[0].name, "A.a");
  EXPECT_EQ(read[0].status, TestStatus::kFailed);
  EXPECT_EQ(read[1].name, "A.a");
  EXPECT_EQ(read[1].status, TestStatus::kPassed);
  EXPECT_EQ(read[1].repetition, 3u);
  EXPECT_EQ(read[1].attempt, 2u);
  EXPECT_TRUE(read[1].final);
  EXPECT_EQ(read[1].duration_us, 1234567u);
  EXPECT_EQ(read[1].finished_us, 1'700'000'000'123'456);
  EXPECT_EQ(read[1].pawn, 1);
  EXPECT_EQ(read[1].shard, 0u);
  EXPECT_EQ(read[1].not_run, NotRun::kRan);
  EXPECT_TRUE(read[1].output.empty() && read[1].failures.empty());
  std::vector<std::string> b;
  for (size_t i = 2; i < read.size(); ++i) {
    b.push_back(read[i].name + " " + std::string(StatusName(read[i].status)) + " " +
                read[i].output + " " + std::to_string(read[i].shard) + " " +
                std::to_string(read[i].failures.size()));
  }
  EXPECT_THAT(b, testing::UnorderedElementsAre(
                     "A.b FAILED  0 1", "A.b PASSED it printed 0 0", "A.b PASSED  2 0"));
}

std::vector<proto::TestInfo> SuiteTests() {
  return {{"A.a", "a.cc", 300000, "", ""},
          {"T/B.b", "dir/b.cc", 7, "int", ""},
          {"P/C.c/0", "a.cc", 9, "", "(1, \"x\")"}};
}

History SuiteHistory() {
  History history(3);
  history[0].passing_us = {20, 3'600'000'000};
  history[0].passes = 2;
  history[1].failed_last = true;
  return history;
}

TEST(SuiteBlobTest, RoundTripsListIdsAndHistory) {
  const auto tests = SuiteTests();
  // Ids that step back and forth, and large numbers.
  const std::vector<int64_t> ids = {101, 5, 1'000'000'000'000};
  const std::string blob = EncodeSuite(77, tests, ids, SuiteHistory());
  SuiteRecord suite;
  ASSERT_TRUE(DecodeSuite(blob, &suite));
  EXPECT_EQ(suite.past.list_hash, 77u);
  ASSERT_EQ(suite.past.tests.size(), 3u);
  for (size_t i = 0; i < tests.size(); ++i) {
    EXPECT_EQ(suite.past.tests[i].name, tests[i].name);
    EXPECT_EQ(suite.past.tests[i].file, tests[i].file);
    EXPECT_EQ(suite.past.tests[i].line, tests[i].line);
    EXPECT_EQ(suite.past.tests[i].type_param, tests[i].type_param);
    EXPECT_EQ(suite.past.tests[i].value_param, tests[i].value_param);
  }
  EXPECT_EQ(suite.test_ids, ids);
  ASSERT_EQ(suite.past.history.size(), 3u);
  EXPECT_EQ(suite.past.history[0].passes, 2);
  EXPECT_EQ(suite.past.history[0].passing_us[0], 20u);
  EXPECT_EQ(suite.past.history[0].passing_us[1], 3'600'000'000u);
  EXPECT_TRUE(suite.past.history[1].failed_last);
  EXPECT_EQ(suite.past.history[2].passes, 0);
}

TEST(SuiteBlobTest, ADamagedOrForeignBlobIsRefused) {
  const std::string blob = EncodeSuite(77, SuiteTests(), {1, 2, 3}, SuiteHistory());
  SuiteRecord suite;
  for (size_t size = 0; size < blob.size(); ++size) {
    EXPECT_FALSE(DecodeSuite(blob.substr(0, size), &suite)) << "cut at " << size;
  }
  EXPECT_FALSE(DecodeSuite(blob + "x", &suite)) << "trailing bytes";
  std::string other_format = blob;
  other_format[0] = 9;
  EXPECT_FALSE(DecodeSuite(other_format, &suite));
  std::string huge_count = blob;
  huge_count.replace(13, 4, std::string(4, '\xff'));  // the count of files
  EXPECT_FALSE(DecodeSuite(huge_count, &suite));
}

proto::ListingIdentity AListingIdentity() {
  proto::ListingIdentity identity;
  identity.binary = {2049, 1'234'567, 98'765'432, 1'767'225'600'123'456'789,
                     "build-id:0123456789abcdef0123456789abcdef01234567"};
  identity.context = 0xfedcba9876543210ull;
  return identity;
}

TEST(SuiteBlobTest, KeepsWhatListedTheTests) {
  const proto::ListingIdentity identity = AListingIdentity();
  const std::string blob =
      EncodeSuite(77, SuiteTests(), {1, 2, 3}, SuiteHistory(), &identity);
  SuiteRecord suite;
  ASSERT_TRUE(DecodeSuite(blob, &suite));
  ASSERT_TRUE(suite.listed_by);
  EXPECT_EQ(*suite.listed_by, identity);
  EXPECT_EQ(suite.past.tests, SuiteTests());
  EXPECT_EQ(suite.test_ids, (std::vector<int64_t>{1, 2, 3}));
  for (size_t size = 0; size < blob.size(); ++size) {
    EXPECT_FALSE(DecodeSuite(blob.substr(0, size), &suite)) << "cut at " << size;
  }
  SuiteRecord without;
  ASSERT_TRUE(
      DecodeSuite(EncodeSuite(77, SuiteTests(), {1, 2, 3}, SuiteHistory()), &without));
  EXPECT_FALSE(without.listed_by);
}

TEST(SuiteBlobTest, NamesThatShareAPrefixAndLinesThatStepBackRoundTrip) {
  const std::vector<proto::TestInfo> tests = {
      {"Suite.Test10", "a.cc", 40, "", ""},    {"Suite.Test11", "a.cc", 41, "", ""},
      {"Suite.Test1", "a.cc", 3, "", ""},      {"Suite.Test1", "b.cc", -1, "", ""},
      {"Suite2.Other", "a.cc", 0, "", ""},     {"", "a.cc", INT32_MAX, "", ""},
      {"S.T/0", "a.cc", INT32_MIN, "int", "7"}};
  const std::vector<int64_t> ids = {1, 2, 3, 4, 5, 6, 7};
  const std::string blob = EncodeSuite(77, tests, ids, History(tests.size()));
  SuiteRecord suite;
  ASSERT_TRUE(DecodeSuite(blob, &suite));
  EXPECT_EQ(suite.past.tests, tests);
  for (size_t size = 0; size < blob.size(); ++size) {
    EXPECT_FALSE(DecodeSuite(blob.substr(0, size), &suite)) << "cut at " << size;
  }
  // A decode into a record that held another list leaves nothing of it.
  SuiteRecord reused;
  const std::string other =
      EncodeSuite(1, {{"Zzzzzzzzzzzzzzzzzzzzzzzz.zzz", "z.cc", 1, "", ""}}, {9}, {});
  ASSERT_TRUE(DecodeSuite(other, &reused));
  ASSERT_TRUE(DecodeSuite(blob, &reused));
  EXPECT_EQ(reused.past.tests, tests);
}

TEST(SuiteBlobTest, BlobsOfEarlierFormatsStillDecode) {
  // As redqueen wrote them: one file, one test "S.T" at a.cc:7 with id 5 and
  // one pass of 300 us, its name and line written whole. Format 3 added what
  // listed (here nothing) after the list hash.
  const std::string hash("\x88\x77\x66\x55\x44\x33\x22\x11", 8);
  const std::string tests(
      "\x01\x04"
      "a.cc"  // one file
      "\x01"  // one test
      "\x03"
      "S.T"
      "\x00\x07\x00\x00"  // name, file 0, line 7, no params
      "\x0a"              // id step +5, folded
      "\x02\xac\x02",     // one pass, 300 us
      19);
  const std::string format2 = std::string("\x02\x00\x00\x00", 4) + hash + tests;
  const std::string format3 =
      std::string("\x03\x00\x00\x00", 4) + hash + std::string(1, '\0') + tests;
  for (const std::string& blob : {format2, format3}) {
    SuiteRecord suite;
    ASSERT_TRUE(DecodeSuite(blob, &suite)) << "format " << int{blob[0]};
    EXPECT_FALSE(suite.listed_by) << "an old blob names no binary: its pawns list";
    EXPECT_EQ(suite.past.list_hash, 0x1122334455667788u);
    ASSERT_EQ(suite.past.tests.size(), 1u);
    EXPECT_EQ(suite.past.tests[0], (proto::TestInfo{"S.T", "a.cc", 7, "", ""}));
    EXPECT_EQ(suite.test_ids, std::vector<int64_t>{5});
    ASSERT_EQ(suite.past.history.size(), 1u);
    EXPECT_EQ(suite.past.history[0].passes, 1);
    EXPECT_EQ(suite.past.history[0].passing_us[0], 300u);
  }
}

TEST_F(StoreTest, ASuiteIsKeptPerBinaryAndTargetAndOnlyOverWhatThisRunSaw) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_FALSE(store->LoadSuite("bin/a"));
  const int64_t first = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  const std::string blob = EncodeSuite(77, SuiteTests(), {1, 2, 3}, SuiteHistory());
  ASSERT_TRUE(store->SaveSuite("bin/a", "", 0, first, blob));
  ASSERT_TRUE(store->SaveSuite("bin/a", "chrome", 0, first, EncodeSuite(78, {}, {}, {})));
  store->FinishRun(first, {});

  const auto suite = store->LoadSuite("bin/a");
  ASSERT_TRUE(suite);
  EXPECT_EQ(suite->run_id, first);
  EXPECT_EQ(suite->past.list_hash, 77u);
  EXPECT_EQ(suite->past.tests.size(), 3u);
  EXPECT_EQ(store->LoadSuite("bin/a", "chrome")->past.list_hash, 78u);
  EXPECT_FALSE(store->LoadSuite("bin/b"));

  const int64_t second = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  EXPECT_FALSE(store->SaveSuite("bin/a", "", 0, second, EncodeSuite(79, {}, {}, {})))
      << "run 1 wrote one since this run found none";
  EXPECT_EQ(store->LoadSuite("bin/a")->past.list_hash, 77u);
  EXPECT_TRUE(store->SaveSuite("bin/a", "", first, second, EncodeSuite(79, {}, {}, {})));
  store->FinishRun(second, {});
  EXPECT_EQ(store->LoadSuite("bin/a")->past.list_hash, 79u);
  EXPECT_EQ(store->LoadSuite("bin/a")->run_id, second);
}

TEST_F(StoreTest, ASuiteInAFormatThisRedqueenDoesNotReadIsKnownButEmpty) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  ASSERT_TRUE(store->SaveSuite("bin/a", "", 0, run, "not a suite"));
  store->FinishRun(run, {});
  const auto suite = store->LoadSuite("bin/a");
  ASSERT_TRUE(suite);
  EXPECT_EQ(suite->run_id, run) << "so that the next run can replace it";
  EXPECT_TRUE(suite->past.tests.empty());
  EXPECT_TRUE(suite->test_ids.empty());
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
  EXPECT_EQ(Count(*store,
                  "SELECT count(*) FROM executions WHERE final = 1 AND "
                  "repetition = 0 AND duration_us = 77"),
            1);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM suites"), 0)
      << "histories start afresh at version 4";
  EXPECT_EQ(Count(*store,
                  "SELECT count(*) FROM sqlite_master WHERE name = "
                  "'executions_by_test'"),
            0)
      << "inserts into it made a long history slow every run";
}

TEST_F(StoreTest, AVersion4StoreKnowsWhyTestsDidNotRunFromTheirMessages) {
  const std::vector<std::string> messages = {
      "fail-fast", "interrupted", "interrupted while it was running, after 1.5s",
      "not run: the run stopped", "no GPU"};
  std::string error;
  {
    auto store = Store::Open(path_, &error);
    ASSERT_TRUE(store) << error;
    const int64_t run = store->BeginRun({"t", "c", 1});
    std::vector<proto::TestInfo> tests;
    for (size_t i = 0; i < messages.size(); ++i) {
      tests.push_back({"A.t" + std::to_string(i), "a.cc", 1, "", ""});
    }
    const auto ids = store->AddTests("bin/a", tests);
    for (size_t i = 0; i < ids.size(); ++i) {
      TestResult skipped = ResultOf("SKIPPED");
      skipped.skip_message = messages[i];
      store->AddExecution(run, ids[i], skipped);
    }
    RunSummaryRecord summary;
    summary.status = "interrupted";
    store->FinishRun(run, summary);
    // As version 4 wrote them: the reason in the message alone.
    ASSERT_EQ(BackToVersion8(store->db()), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(store->db(),
                           "ALTER TABLE executions DROP COLUMN not_run; "
                           "ALTER TABLE executions DROP COLUMN shard; "
                           "ALTER TABLE runs DROP COLUMN shard_index; "
                           "ALTER TABLE runs DROP COLUMN shard_count; "
                           "ALTER TABLE runs DROP COLUMN partition; "
                           "ALTER TABLE runs DROP COLUMN history_digest; "
                           "ALTER TABLE runs DROP COLUMN host; DROP TABLE shard_tests; "
                           "DROP TABLE bench_samples; DROP TABLE bench_errors; "
                           "DROP TABLE bench_runs; PRAGMA user_version = 4",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const std::vector<RunExecution> executions = store->RunExecutions(1);
  ASSERT_EQ(executions.size(), messages.size());
  EXPECT_EQ(executions[0].not_run, NotRun::kFailFast);
  EXPECT_EQ(executions[1].not_run, NotRun::kInterrupted);
  EXPECT_EQ(executions[2].not_run, NotRun::kInterruptedRunning);
  EXPECT_EQ(executions[3].not_run, NotRun::kRunStopped);
  EXPECT_EQ(executions[4].not_run, NotRun::kRan) << "gtest's own skip";
  EXPECT_EQ(store->NotPassedLastTime("bin/a")->names,
            (std::unordered_set<std::string>{"A.t0", "A.t1", "A.t2", "A.t3"}));
}

TEST_F(StoreTest, AStatusNoRedqueenWritesIsADamagedStoreNotSomeStatus) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const int64_t run = store->BeginRun({"t", "c", 1});
  const auto ids = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}});
  store->AddExecution(run, ids[0], ResultOf("FAILED"));
  store->FinishRun(run, {});
  ASSERT_EQ(sqlite3_exec(store->db(), "UPDATE execution_rows SET status = 'passed'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  try {
    store->RunExecutions(run);
    FAIL() << "read an unknown status";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("unknown status 'passed'"));
  }
}

TEST_F(StoreTest, ATestRunForTwoTargetsIsTwoTests) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  const auto chrome = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "chrome");
  const auto firefox = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "firefox");
  ASSERT_NE(chrome[0], firefox[0]);
  EXPECT_EQ(store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}, "chrome"), chrome);
  EXPECT_NE(store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}}), chrome)
      << "no target is a target of its own";
}

TEST_F(StoreTest, WhatDidNotPassLastTimeIsTheNewestRunsFailuresAndUnrunTests) {
  std::string error;
  auto store = Store::Open(path_, &error);
  ASSERT_TRUE(store) << error;
  RecordRun(*store, "bin/a", {{"A.old", "FAILED", 1}, {"A.ok", "PASSED", 1}});
  const int64_t run = store->BeginRun({"2026-01-01T00:00:00.000Z", "redqueen run", 1});
  const auto ids = store->AddTests("bin/a", {{"A.failed", "a.cc", 1, "", ""},
                                             {"A.crashed", "a.cc", 2, "", ""},
                                             {"A.gtest_skip", "a.cc", 3, "", ""},
                                             {"A.unrun", "a.cc", 4, "", ""},
                                             {"A.ok", "a.cc", 5, "", ""},
                                             {"A.flaky", "a.cc", 6, "", ""}});
  const std::vector<std::pair<std::string, NotRun>> outcomes = {
      {"FAILED", NotRun::kRan},  {"CRASHED", NotRun::kRan},
      {"SKIPPED", NotRun::kRan}, {"SKIPPED", NotRun::kFailFast},
      {"PASSED", NotRun::kRan},  {"FLAKY", NotRun::kRan}};
  for (size_t i = 0; i < ids.size(); ++i) {
    TestResult e = ResultOf(outcomes[i].first);
    e.not_run = outcomes[i].second;
    e.skip_message = i == 2 ? "no GPU" : std::string(NotRunMessage(e.not_run));
    store->AddExecution(run, ids[i], e);
  }
  RunSummaryRecord failed;
  failed.status = "failed";
  store->FinishRun(run, failed);
  ASSERT_TRUE(store->NotPassedLastTime("bin/a"));
  EXPECT_EQ(store->NotPassedLastTime("bin/a")->run_id, run);
  EXPECT_EQ(store->NotPassedLastTime("bin/a")->names,
            (std::unordered_set<std::string>{"A.failed", "A.crashed", "A.unrun"}));
  EXPECT_FALSE(store->NotPassedLastTime("bin/other")) << "never ran";

  // Runs that never ended (killed) or ended in error are no baseline.
  for (const char* status : {"running", "error"}) {
    const int64_t later = store->BeginRun({"t", "c", 1});
    store->AddExecution(later, ids[0], ResultOf("PASSED"));
    RunSummaryRecord summary;
    summary.status = status;
    store->FinishRun(later, summary);
    EXPECT_EQ(store->NotPassedLastTime("bin/a")->run_id, run) << status;
  }
}

}  // namespace
}  // namespace redqueen::bishop
