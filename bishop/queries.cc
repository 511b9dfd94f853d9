// What people ask of the history (redqueen runs, show, slowest, flaky).
#include "bishop/statement.h"
#include "bishop/store.h"

namespace redqueen::bishop {
namespace {

std::string Column(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return text ? text : "";
}

}  // namespace

std::vector<RunRow> Store::Runs(int limit, int64_t only) {
  sqlite3_stmt* stmt = Prepare(R"sql(
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
  sqlite3_finalize(stmt);
  return rows;
}

std::vector<Outcomes> Store::RecentOutcomes(int runs) {
  sqlite3_stmt* stmt = Prepare(R"sql(
    SELECT t.binary, t.target, t.name, e.status FROM executions e
    JOIN tests t ON t.id = e.test_id
    WHERE e.run_id >= coalesce((SELECT min(id) FROM
                                (SELECT id FROM runs ORDER BY id DESC LIMIT ?)), 0)
      AND e.final = 1 AND e.status != 'SKIPPED'
    ORDER BY t.id)sql");
  std::vector<Outcomes> tests;
  std::unordered_map<std::string, size_t> index;
  {
    Binder binder(db_, stmt);
    binder.Int(runs);
    while (binder.Step("read outcomes")) {
      const std::string key =
          Column(stmt, 0) + '\n' + Column(stmt, 1) + '\n' + Column(stmt, 2);
      auto [it, added] = index.try_emplace(key, tests.size());
      if (added) tests.push_back({Column(stmt, 0), Column(stmt, 1), Column(stmt, 2)});
      Outcomes& test = tests[it->second];
      const std::string status = Column(stmt, 3);
      if (status == "PASSED") {
        ++test.passed;
      } else if (status == "FLAKY") {
        ++test.flaky;
      } else {
        ++test.failed;
      }
    }
  }
  sqlite3_finalize(stmt);
  return tests;
}

}  // namespace redqueen::bishop
