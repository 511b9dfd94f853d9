#include "e2e/harness.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace redqueen::e2e {
namespace {

namespace bp = boost::process;

std::string last_tag;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string NewTag() {
  std::random_device random;
  return "rq-e2e-" + std::to_string(getpid()) + "-" + std::to_string(random());
}

bool HasTag(const std::string& pid, const std::string& tag) {
  const std::string text = ReadFile("/proc/" + pid + "/environ");
  return text.find("REDQUEEN_E2E_TAG=" + tag) != std::string::npos;
}

std::vector<int> Tagged(const std::string& tag) {
  std::vector<int> pids;
  DIR* proc = opendir("/proc");
  while (dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (HasTag(name, tag)) pids.push_back(std::stoi(name));
  }
  closedir(proc);
  return pids;
}

}  // namespace

std::string Fixture(const std::string& name) {
  return std::string(REDQUEEN_FIXTURE_DIR) + "/fixture_" + name;
}

Scratch::Scratch() {
  std::string pattern =
      std::filesystem::temp_directory_path().string() + "/rq-e2e-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
}

Scratch::~Scratch() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

namespace {

Outcome Collect(bp::child& child, const Scratch& io) {
  child.wait();
  Outcome outcome;
  outcome.exit_code = child.native_exit_code();
  if (WIFEXITED(outcome.exit_code)) {
    outcome.exit_code = WEXITSTATUS(outcome.exit_code);
  } else if (WIFSIGNALED(outcome.exit_code)) {
    outcome.exit_code = 128 + WTERMSIG(outcome.exit_code);
  }
  outcome.out = ReadFile(io.Path("out"));
  outcome.err = ReadFile(io.Path("err"));
  return outcome;
}

/// A CI's shard variable: the shard of the job running these tests, which
/// would shard every redqueen they run.
bool IsCiShard(std::string_view entry) {
  const std::string_view name = entry.substr(0, entry.find('='));
  for (std::string_view shard :
       {"CI_NODE_INDEX", "CI_NODE_TOTAL", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL",
        "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT",
        "JOB_COMPLETION_INDEX"}) {
    if (name == shard) return true;
  }
  return false;
}

/// Waits for `launch.ready`; fails the test and returns when `child` ends
/// first or 30 s pass (then the signal still ends the run).
void WaitUntilReady(const Launch& launch, const std::string& out_path, bp::child& child) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!launch.ready(ReadFile(out_path))) {
    if (!child.running()) {
      ADD_FAILURE() << "redqueen " << testing::PrintToString(launch.args)
                    << " ended before it was ready for its signal";
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "redqueen " << testing::PrintToString(launch.args)
                    << " never became ready for its signal";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

Outcome RunProgram(const std::string& path, const Launch& launch) {
  Scratch io;
  last_tag = NewTag();
  // Built entry by entry: Boost 1.74's environment lookup misreads entries.
  std::vector<std::string> env = {"REDQUEEN_E2E_TAG=" + last_tag};
  for (const auto& [key, value] : launch.env) env.push_back(key + "=" + value);
  for (char** entry = environ; *entry; ++entry) {
    if (!IsCiShard(*entry)) env.emplace_back(*entry);
  }
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const unsigned open_files = launch.open_files;
  bp::child child(
      bp::exe = path, bp::args = launch.args,
      bp::extend::on_setup = [&envp](auto& exec) { exec.env = envp.data(); },
      bp::extend::on_exec_setup =
          [open_files](auto&) {
            if (open_files == 0) return;
            rlimit limit{};
            getrlimit(RLIMIT_NOFILE, &limit);
            limit.rlim_cur = open_files;
            setrlimit(RLIMIT_NOFILE, &limit);
          },
      bp::std_in<bp::null, bp::std_out> io.Path("out"), bp::std_err > io.Path("err"));
  if (launch.signal) {
    if (launch.ready) WaitUntilReady(launch, io.Path("out"), child);
    std::this_thread::sleep_for(launch.delay);
    kill(child.id(), launch.signal);
  }
  return Collect(child, io);
}

Outcome RunRedqueen(const Launch& launch) {
  Outcome outcome = RunProgram(REDQUEEN_BINARY, launch);
  // Under the sanitizer preset a report ends redqueen with exit code 1, which
  // a test expecting failed tests would take for the run's own verdict.
  for (const char* report :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
    EXPECT_EQ(outcome.err.find(report), std::string::npos)
        << "redqueen " << testing::PrintToString(launch.args) << ":\n"
        << outcome.err;
  }
  return outcome;
}

Outcome RunProgram(const std::string& path, const std::vector<std::string>& args) {
  Scratch io;
  bp::child child(bp::exe = path, bp::args = args,
                  bp::std_in<bp::null, bp::std_out> io.Path("out"),
                  bp::std_err > io.Path("err"));
  return Collect(child, io);
}

std::function<bool(const std::string&)> Started() {
  return [](const std::string& out) {
    return out.find("redqueen: running ") != std::string::npos;
  };
}

std::function<bool(const std::string&)> PassedInStore(const std::string& db, long count,
                                                      const std::string& test,
                                                      long pawns) {
  std::string where =
      " FROM executions e JOIN tests t ON t.id = e.test_id "
      "WHERE e.status = 'PASSED'";
  if (!test.empty()) where += " AND t.name = '" + test + "'";
  return [db, count, pawns, where](const std::string&) {
    if (!std::filesystem::exists(db)) return false;
    try {
      Db store(db);
      return store.Count("SELECT count(*)" + where) >= count &&
             store.Count("SELECT count(DISTINCT e.pawn)" + where) >= pawns;
    } catch (const std::exception&) {
      return false;  // Not made yet, or its schema is still being written.
    }
  };
}

std::function<bool(const std::string&)> FileExists(const std::string& path) {
  return [path](const std::string&) { return std::filesystem::exists(path); };
}

std::vector<int> LeftBehind() {
  std::vector<int> pids;
  for (int i = 0; i < 40; ++i) {
    pids = Tagged(last_tag);
    if (pids.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pids;
}

Outcome FixtureTest::RunFixture(const std::string& fixture,
                                std::vector<std::string> extra) {
  std::vector<std::string> args = {"run", Fixture(fixture), "--db", scratch_.db()};
  args.insert(args.end(), extra.begin(), extra.end());
  Outcome outcome = RunRedqueen(args);
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
  return outcome;
}

Db::Db(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    throw std::runtime_error("cannot open " + path);
  }
}

Db::~Db() { sqlite3_close(db_); }

std::vector<std::vector<std::string>> Db::Rows(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("bad query: ") + sqlite3_errmsg(db_));
  }
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      row.emplace_back(text ? std::string(text, sqlite3_column_bytes(stmt, i)) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return rows;
}

std::string Db::Value(const std::string& sql) {
  const auto rows = Rows(sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

std::vector<std::pair<std::string, std::string>> Statuses(Db& db) {
  std::vector<std::pair<std::string, std::string>> statuses;
  for (const auto& row : db.Rows(
           "SELECT t.name, e.status FROM executions e JOIN tests t ON t.id = e.test_id "
           "WHERE e.run_id = (SELECT max(id) FROM runs) AND e.final = 1 "
           "ORDER BY t.id, e.repetition")) {
    statuses.emplace_back(row[0], row[1]);
  }
  return statuses;
}

std::string StatusOf(Db& db, const std::string& name) {
  for (const auto& [test, status] : Statuses(db)) {
    if (test == name) return status;
  }
  return "(no result)";
}

Outcome RenderedPage(const std::string& html, const Scratch& scratch) {
  EXPECT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
      << "install Debian's chromium (scripts/setup.sh does) to render the page";
  return RunProgram("/usr/bin/chromium", {"--headless", "--no-sandbox", "--disable-gpu",
                                          "--user-data-dir=" + scratch.Path("chromium"),
                                          "--dump-dom", "file://" + html});
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size())
    ++n;
  return n;
}

}  // namespace redqueen::e2e
