// End to end: a store that cannot serve (another application's database, a
// damaged page, a read-only mount, a disk that fills mid-run) is found out
// where it matters, named with its path, and never costs the run's results.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;
using testing::Not;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Runs `sql` on the SQLite file at `path`, creating it.
void Write(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

/// A mount for one test, undone when it ends. Mounting needs root (CI runs
/// as root); where it is not allowed, `error()` says why and the test skips.
class Mount {
 public:
  /// `dir` read-only, seen at `at`.
  static Mount ReadOnly(const std::string& dir, const std::string& at) {
    Mount m(at);
    if (mount(dir.c_str(), at.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      m.error_ = std::strerror(errno);
    } else if (mount(nullptr, at.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY,
                     nullptr) != 0) {
      m.error_ = std::strerror(errno);
      umount2(at.c_str(), MNT_DETACH);
    }
    return m;
  }
  /// A tmpfs of `size` (e.g. "1m") at `at`.
  static Mount Tmpfs(const std::string& size, const std::string& at) {
    Mount m(at);
    if (mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) {
      m.error_ = std::strerror(errno);
    }
    return m;
  }
  Mount(Mount&& other) noexcept
      : at_(std::move(other.at_)), error_(std::move(other.error_)) {
    other.at_.clear();
  }
  ~Mount() {
    if (!at_.empty() && error_.empty()) umount2(at_.c_str(), MNT_DETACH);
  }
  const std::string& error() const { return error_; }

 private:
  explicit Mount(std::string at) : at_(std::move(at)) {
    std::filesystem::create_directories(at_);
  }
  std::string at_;
  std::string error_;
};

class StoreFaultsTest : public FixtureTest {};

TEST_F(StoreFaultsTest, AnotherApplicationsDatabaseIsRefusedAndLeftUntouched) {
  Write(scratch_.db(),
        "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');");
  const std::string before = ReadAll(scratch_.db());
  const Outcome outcome = RunFixture("passing");
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("result store '" + scratch_.db() +
                                     "': not a redqueen store (an SQLite database with "
                                     "tables contacts)"));
  EXPECT_THAT(outcome.out, Not(HasSubstr("status:"))) << "nothing ran";
  EXPECT_EQ(ReadAll(scratch_.db()), before) << "not one byte changed";
}

TEST_F(StoreFaultsTest, AStoreAnotherWriterHoldsStopsThePawnsWithOneLine) {
  ASSERT_EQ(RunFixture("passing").exit_code, 0);
  // Another process holds the store's write lock past the busy timeout:
  // reading it works, the run's row cannot be made. The pawns have started
  // by then (the row is made while they do); they are stopped.
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(scratch_.db().c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  const std::string events = scratch_.Path("events.jsonl");
  const Outcome outcome = RunFixture("passing", {"--events", events});
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err,
              HasSubstr("database is locked (another process holds the store"));
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  EXPECT_THAT(outcome.out, Not(HasSubstr("status:"))) << "no test ran";
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(*) FROM runs"), 1)
      << "no row of a run that did not run";
  const std::string log = ReadAll(events);
  EXPECT_THAT(log, HasSubstr("\"event\":\"pawn_start\"")) << "the pawns had started";
  EXPECT_THAT(log, HasSubstr("\"event\":\"run_end\"")) << "the log still ends";
}

TEST_F(StoreFaultsTest, ADamagedPageIsFoundBeforeAnyTestRuns) {
  ASSERT_EQ(RunFixture("passing").exit_code, 0);
  int page = 0;
  int page_size = 0;
  {
    Db db(scratch_.db());
    // The index every result other than a plain pass is added to.
    page =
        std::stoi(db.Value("SELECT rootpage FROM sqlite_master "
                           "WHERE name = 'executions_by_run'"));
    page_size = std::stoi(db.Value("PRAGMA page_size"));
  }
  {
    std::fstream file(scratch_.db(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(page - 1) * page_size);
    file << std::string(64, '\xff');
  }
  const Outcome outcome = RunFixture("passing");
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("result store '" + scratch_.db() + "' is damaged"));
  EXPECT_THAT(outcome.err, HasSubstr(".recover"));
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  EXPECT_THAT(outcome.out, Not(HasSubstr("status:"))) << "no test ran";
}

TEST_F(StoreFaultsTest, HistoryCommandsReadAStoreOnAReadOnlyMount) {
  const std::string dir = scratch_.Path("store");
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/redqueen.db";
  ASSERT_EQ(RunRedqueen({"run", Fixture("failing"), "--db", db}).exit_code, 1);
  const std::string ro = scratch_.Path("ro");
  const Mount mount = Mount::ReadOnly(dir, ro);
  if (!mount.error().empty())
    GTEST_SKIP() << "cannot bind-mount read-only: " << mount.error();
  const Outcome runs = RunRedqueen({"runs", "--db", ro + "/redqueen.db"});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_THAT(runs.out, testing::ContainsRegex(" 1 +[0-9T:.Z-]+ +failed +6 +3 +3"));
  const Outcome show = RunRedqueen({"show", "--db", ro + "/redqueen.db"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("FAILED   "));
  const Outcome run =
      RunRedqueen({"run", Fixture("passing"), "--db", ro + "/redqueen.db"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err,
              HasSubstr("cannot write the result store '" + ro + "/redqueen.db'"));
}

// 20 repetitions of a test that fails after printing 2 MiB store 256 KiB of
// output each: far more than a 1 MiB disk holds.
TEST_F(StoreFaultsTest, AFullDiskForTheStoreKeepsTheReportsWholeAndEndsTheRunInError) {
  const std::string disk = scratch_.Path("disk");
  const Mount mount = Mount::Tmpfs("1m", disk);
  if (!mount.error().empty()) GTEST_SKIP() << "cannot mount a tmpfs: " << mount.error();
  const std::string db = disk + "/redqueen.db";
  const std::string junit = scratch_.Path("report.xml");
  const std::string json = scratch_.Path("report.json");
  const Outcome outcome =
      RunRedqueen({"run", Fixture("printing"), "-j", "2", "--repeat", "20", "--db", db,
                   "--junit", junit, "--json", json});
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("result store '" + db + "': "));
  EXPECT_THAT(outcome.err, HasSubstr("full"));
  EXPECT_THAT(outcome.out, HasSubstr("status: error\n"));
  // The reports hold every result the summary counts, not what reached the store.
  const size_t total_at = outcome.out.find("total_tests: ");
  ASSERT_NE(total_at, std::string::npos) << outcome.out;
  const unsigned long total = std::stoul(outcome.out.substr(total_at + 13));
  const std::string xml = ReadAll(junit);
  size_t testcases = 0;
  for (size_t at = xml.find("<testcase "); at != std::string::npos;
       at = xml.find("<testcase ", at + 1)) {
    ++testcases;
  }
  EXPECT_GT(testcases, 0u);
  EXPECT_EQ(testcases, total) << xml.substr(0, 2000);
  EXPECT_THAT(ReadAll(json), HasSubstr("\"status\": \"error\""));
  Db store(db);
  EXPECT_EQ(store.Value("SELECT status FROM runs"), "error") << "marked as ended";
}

}  // namespace
}  // namespace redqueen::e2e
