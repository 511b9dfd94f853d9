// What is read back: a binary's last completed run and what did not pass in
// it, a run's executions for its reports, and what people ask of the history
// (redqueen runs, show, slowest, flaky).
#include <string_view>
#include <unordered_map>

#include "bishop/statement.h"
#include "bishop/store.h"

namespace redqueen::bishop {

namespace {

std::string Column(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return text ? text : "";
}

/// Statuses are stored by name: anything else is a damaged store, never
/// read as some status.
TestStatus StatusColumn(sqlite3_stmt* stmt, int column) {
  const std::string name = Column(stmt, column);
  if (const std::optional<TestStatus> status = ParseStatus(name)) return *status;
  throw StoreError(sqlite3_db_handle(stmt), "an execution has the unknown status '" +
                                                name + "' (is the store damaged?)");
}

NotRun NotRunColumn(sqlite3_stmt* stmt, int column) {
  const int64_t value = sqlite3_column_int64(stmt, column);
  if (value >= 0 && value <= static_cast<int64_t>(kLastNotRun)) {
    return static_cast<NotRun>(value);
  }
  throw StoreError(sqlite3_db_handle(stmt), "an execution has the unknown not_run " +
                                                std::to_string(value) +
                                                " (is the store damaged?)");
}

}  // namespace

std::vector<RunRow> Store::Runs(int limit, int64_t only) {
  Statement stmt = Prepare(R"sql(
    SELECT id, started_at, command, jobs, status, coalesce(completed_at, ''),
           coalesce(total_tests, 0), coalesce(tests_passed, 0), coalesce(tests_failed, 0),
           coalesce(tests_skipped, 0), coalesce(execution_errors, 0), coalesce(flaky, 0),
           coalesce(execution_time, 0)
    FROM runs WHERE ?1 = 0 OR id = ?1 ORDER BY id DESC LIMIT ?2)sql");
  std::vector<RunRow> rows;
  {
    Binder binder(db_, stmt);
    binder.Int(only).Int(limit);
    while (binder.Step("read runs")) {
      RunRow row;
      row.id = sqlite3_column_int64(stmt, 0);
      row.run = {Column(stmt, 1), Column(stmt, 2), sqlite3_column_int(stmt, 3)};
      row.summary.status = Column(stmt, 4);
      row.summary.completed_at = Column(stmt, 5);
      row.summary.total_tests = sqlite3_column_int64(stmt, 6);
      row.summary.tests_passed = sqlite3_column_int64(stmt, 7);
      row.summary.tests_failed = sqlite3_column_int64(stmt, 8);
      row.summary.tests_skipped = sqlite3_column_int64(stmt, 9);
      row.summary.execution_errors = sqlite3_column_int64(stmt, 10);
      row.summary.flaky = sqlite3_column_int64(stmt, 11);
      row.summary.execution_time = sqlite3_column_double(stmt, 12);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::vector<Outcomes> Store::RecentOutcomes(int runs) {
  // The oldest run of the newest `runs`, bound rather than a subquery:
  // SQLite pushes a bound run_id into both tables of the executions view.
  int64_t oldest = 0;
  {
    Statement first = Prepare(
        "SELECT coalesce(min(id), 0) FROM (SELECT id FROM runs ORDER BY id DESC LIMIT "
        "?)");
    {
      Binder binder(db_, first);
      binder.Int(runs);
      if (binder.Step("read the recent runs")) oldest = sqlite3_column_int64(first, 0);
    }
  }
  Statement stmt = Prepare(R"sql(
    SELECT t.binary, t.target, t.name, e.status FROM executions e
    JOIN tests t ON t.id = e.test_id
    WHERE e.run_id >= ? AND e.final = 1 AND e.status != ?
    ORDER BY t.id)sql");
  std::vector<Outcomes> tests;
  std::unordered_map<std::string, size_t> index;
  {
    Binder binder(db_, stmt);
    binder.Int(oldest).Text(StatusName(TestStatus::kSkipped));
    while (binder.Step("read outcomes")) {
      const std::string key =
          Column(stmt, 0) + '\n' + Column(stmt, 1) + '\n' + Column(stmt, 2);
      auto [it, added] = index.try_emplace(key, tests.size());
      if (added) tests.push_back({Column(stmt, 0), Column(stmt, 1), Column(stmt, 2)});
      Outcomes& test = tests[it->second];
      const TestStatus status = StatusColumn(stmt, 3);
      if (status == TestStatus::kPassed) {
        ++test.passed;
      } else if (status == TestStatus::kFlaky) {
        ++test.flaky;
      } else {
        ++test.failed;
      }
    }
  }
  return tests;
}

int64_t Store::LastCompletedRun(const std::string& binary, const std::string& target) {
  // A run "has" the binary when any execution is of one of its tests. The
  // runs are asked one by one, newest first, with the run's id bound: SQLite
  // pushes a bound run_id into both tables of the executions view (and their
  // indexes by run), but not a run id taken from an outer query, which
  // would expand every pass of the history. Completed: see NotPassedLastTime.
  Statement runs = Prepare(
      "SELECT id FROM runs WHERE status IN ('passed', 'failed', 'interrupted') "
      "ORDER BY id DESC");
  Statement has = Prepare(R"sql(
    SELECT 1 FROM executions x JOIN tests y ON y.id = x.test_id
    WHERE x.run_id = ?1 AND y.binary = ?2 AND y.target = ?3 LIMIT 1)sql");
  int64_t run = 0;
  {
    Binder candidates(db_, runs);
    while (run == 0 && candidates.Step("read the completed runs")) {
      const int64_t id = sqlite3_column_int64(runs, 0);
      Binder binder(db_, has);
      binder.Int(id).Text(binary).Text(target);
      if (binder.Step("read the last completed run")) run = id;
    }
  }
  return run;
}

std::optional<SuiteRecord> Store::LoadSuite(const std::string& binary,
                                            const std::string& target) {
  Statement stmt =
      Prepare("SELECT run_id, snapshot FROM suites WHERE binary = ? AND target = ?");
  std::optional<SuiteRecord> suite;
  {
    Binder binder(db_, stmt);
    binder.Text(binary).Text(target);
    if (binder.Step("read suite")) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 1));
      const std::string_view blob(bytes ? bytes : "",
                                  static_cast<size_t>(sqlite3_column_bytes(stmt, 1)));
      suite.emplace();
      if (!DecodeSuite(blob, &*suite)) *suite = SuiteRecord{};
      suite->run_id = sqlite3_column_int64(stmt, 0);
    }
  }
  return suite;
}

bool Store::SaveSuite(const std::string& binary, const std::string& target,
                      int64_t seen_run_id, int64_t run_id, const std::string& blob) {
  BeginIfNeeded();
  Statement select = Prepare("SELECT run_id FROM suites WHERE binary = ? AND target = ?");
  int64_t stored_run_id = 0;
  {
    Binder binder(db_, select);
    binder.Text(binary).Text(target);
    if (binder.Step("read suite")) stored_run_id = sqlite3_column_int64(select, 0);
  }
  if (stored_run_id != seen_run_id) return false;
  Statement write = Prepare(
      "INSERT OR REPLACE INTO suites (binary, target, run_id, snapshot) VALUES (?, ?, ?, "
      "?)");
  {
    Binder(db_, write)
        .Text(binary)
        .Text(target)
        .Int(run_id)
        .Blob(blob)
        .Step("write suite");
  }
  return true;
}

std::optional<LastFailures> Store::NotPassedLastTime(const std::string& binary,
                                                     const std::string& target) {
  LastFailures last;
  last.run_id = LastCompletedRun(binary, target);
  if (last.run_id == 0) return std::nullopt;
  Statement stmt = Prepare(R"sql(
    SELECT t.name FROM executions e JOIN tests t ON t.id = e.test_id
    WHERE e.run_id = ? AND t.binary = ? AND t.target = ? AND e.final = 1
      AND (e.status IN (?, ?, ?) OR e.not_run != ?))sql");
  {
    Binder binder(db_, stmt);
    binder.Int(last.run_id).Text(binary).Text(target);
    for (TestStatus failure :
         {TestStatus::kFailed, TestStatus::kCrashed, TestStatus::kTimeout}) {
      binder.Text(StatusName(failure));
    }
    binder.Int(static_cast<int64_t>(NotRun::kRan));
    while (binder.Step("read last failures")) {
      last.names.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
  }
  return last;
}

std::vector<RunExecution> Store::RunExecutions(int64_t run_id) {
  std::vector<RunExecution> executions;
  std::unordered_map<int64_t, size_t> by_id;
  Statement stmt = Prepare(R"sql(
    SELECT e.id, t.binary, t.target, t.name, t.file, t.line, e.repetition, e.attempt,
           e.final, e.status, e.duration_us, e.skip_message, e.crash, e.output,
           e.finished_us, e.pawn, e.not_run, e.shard
    FROM executions e JOIN tests t ON t.id = e.test_id
    WHERE e.run_id = ?
    ORDER BY t.binary, t.target, t.id, e.repetition, e.attempt)sql");
  auto text = [&stmt](int column) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
    return std::string(bytes ? bytes : "",
                       static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
  };
  {
    Binder binder(db_, stmt);
    binder.Int(run_id);
    while (binder.Step("read executions")) {
      RunExecution e;
      e.binary = text(1);
      e.target = text(2);
      e.name = text(3);
      e.file = text(4);
      e.line = sqlite3_column_int(stmt, 5);
      e.repetition = static_cast<uint32_t>(sqlite3_column_int64(stmt, 6));
      e.attempt = static_cast<uint32_t>(sqlite3_column_int64(stmt, 7));
      e.final = sqlite3_column_int(stmt, 8) != 0;
      e.status = StatusColumn(stmt, 9);
      e.duration_us = static_cast<uint64_t>(sqlite3_column_int64(stmt, 10));
      e.skip_message = text(11);
      e.crash = text(12);
      e.output = text(13);
      e.finished_us = sqlite3_column_int64(stmt, 14);
      e.pawn = sqlite3_column_int(stmt, 15);
      e.not_run = NotRunColumn(stmt, 16);
      e.shard = static_cast<uint32_t>(sqlite3_column_int64(stmt, 17));
      by_id.emplace(sqlite3_column_int64(stmt, 0), executions.size());
      executions.push_back(std::move(e));
    }
  }
  stmt = Prepare(R"sql(
    SELECT f.execution_id, f.file, f.line, f.message FROM failures f
    JOIN execution_rows e ON e.id = f.execution_id WHERE e.run_id = ? ORDER BY f.rowid)sql");
  {
    Binder binder(db_, stmt);
    binder.Int(run_id);
    while (binder.Step("read failures")) {
      const auto it = by_id.find(sqlite3_column_int64(stmt, 0));
      if (it == by_id.end()) continue;
      executions[it->second].failures.push_back(
          proto::Failure{text(1), sqlite3_column_int(stmt, 2), text(3)});
    }
  }
  return executions;
}

std::optional<ShardRecord> Store::ShardOf(int64_t run_id) {
  Statement stmt = Prepare(
      "SELECT shard_index, shard_count, partition, history_digest, host FROM runs "
      "WHERE id = ?");
  std::optional<ShardRecord> shard;
  {
    Binder binder(db_, stmt);
    binder.Int(run_id);
    if (binder.Step("read the run's shard")) {
      shard = ShardRecord{sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1),
                          Column(stmt, 2), Column(stmt, 3), Column(stmt, 4)};
    }
  }
  return shard;
}

std::vector<StoredTest> Store::RunTests(int64_t run_id) {
  // shard_tests has no index: it is read only here, by a merge, and an index
  // would cost every shard's run a write per test.
  Statement stmt = Prepare(R"sql(
    SELECT binary, target, name, file, line, type_param, value_param,
           id IN (SELECT test_id FROM shard_tests WHERE run_id = ?1)
    FROM tests
    WHERE id IN (SELECT test_id FROM shard_tests WHERE run_id = ?1)
       OR id IN (SELECT test_id FROM executions WHERE run_id = ?1)
    ORDER BY id)sql");
  std::vector<StoredTest> tests;
  {
    Binder binder(db_, stmt);
    binder.Int(run_id);
    while (binder.Step("read the run's tests")) {
      StoredTest test{
          Column(stmt, 0), Column(stmt, 1),
          proto::TestInfo{Column(stmt, 2), Column(stmt, 3), sqlite3_column_int(stmt, 4),
                          Column(stmt, 5), Column(stmt, 6)},
          sqlite3_column_int(stmt, 7) != 0};
      tests.push_back(std::move(test));
    }
  }
  return tests;
}

}  // namespace redqueen::bishop
