// Running the real redqueen binary and reading what it left behind.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace redqueen::e2e {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Path of a fixture suite binary, e.g. Fixture("crashing").
std::string Fixture(const std::string& name);

/// A fresh folder per test (removed by ~Scratch).
class Scratch {
 public:
  Scratch();
  ~Scratch();
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string db() const { return Path("redqueen.db"); }

 private:
  std::string dir_;
};

/// Options for one redqueen run.
struct Launch {
  std::vector<std::string> args;  ///< After "redqueen".
  std::vector<std::pair<std::string, std::string>> env;
  /// Send this signal to redqueen (0: none) once `ready` holds, then after
  /// `delay`. A condition rather than a time alone, so that a loaded
  /// machine that starts redqueen slowly does not signal it too early.
  int signal = 0;
  /// Asked every 10 ms with what redqueen has printed so far; a test fails
  /// if redqueen ends first or it does not hold within 30 s. None: signal
  /// after `delay` alone.
  std::function<bool(const std::string& out)> ready;
  std::chrono::milliseconds delay{0};
  /// The open-files limit redqueen starts with (0: as this process's).
  unsigned open_files = 0;
};

/// Runs redqueen to completion. Every process it starts carries a unique tag
/// in its environment, so that LeftBehind() can find any that survived.
Outcome RunRedqueen(const Launch& launch);
inline Outcome RunRedqueen(std::vector<std::string> args) {
  return RunRedqueen(Launch{std::move(args)});
}

/// Runs any program to completion (no tag, no signal).
Outcome RunProgram(const std::string& path, const std::vector<std::string>& args);

/// Runs any program as RunRedqueen runs redqueen: with `launch.env` and the
/// tag, so that LeftBehind() also finds what a redqueen it started left.
Outcome RunProgram(const std::string& path, const Launch& launch);

/// Conditions for Launch::ready. Started: redqueen has printed its start
/// line, so its signal handlers are in place. PassedInStore: the store at
/// `db` holds at least `count` passed executions (of `test` alone, if
/// given), from at least `pawns` pawns. FileExists: `path` exists.
std::function<bool(const std::string&)> Started();
std::function<bool(const std::string&)> PassedInStore(const std::string& db, long count,
                                                      const std::string& test = "",
                                                      long pawns = 1);
std::function<bool(const std::string&)> FileExists(const std::string& path);

/// Processes (pids) of the last Run still alive, after a short grace.
std::vector<int> LeftBehind();

/// Read-only queries on a store.
class Db {
 public:
  explicit Db(const std::string& path);
  ~Db();
  std::vector<std::vector<std::string>> Rows(const std::string& sql);
  std::string Value(const std::string& sql);
  long Count(const std::string& sql) { return std::stol(Value(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

/// A test with its own store: runs redqueen on fixtures and checks, after
/// every run, that no process of it survived.
class FixtureTest : public testing::Test {
 protected:
  Outcome RunFixture(const std::string& fixture, std::vector<std::string> extra = {});
  Scratch scratch_;
};

/// `html` as headless Chromium leaves it once its scripts ran (--dump-dom):
/// what a page drew exists only if its script drew it. Fails the test when
/// Debian's chromium is not installed (scripts/setup.sh installs it).
Outcome RenderedPage(const std::string& html, const Scratch& scratch);

/// How many times `what` occurs in `text`.
size_t Occurrences(const std::string& text, const std::string& what);

/// "name -> status" of the final executions of the last run in a store.
std::vector<std::pair<std::string, std::string>> Statuses(Db& db);
std::string StatusOf(Db& db, const std::string& name);

}  // namespace redqueen::e2e
