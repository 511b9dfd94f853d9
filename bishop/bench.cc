// Benchmark runs: their rows, every sample, and what measured nothing.
// Unlike a test run's results they are not queued: a benchmark run writes a
// few hundred rows after minutes of measuring, and commits them at once.
#include <map>

#include "bishop/number_map.h"
#include "bishop/statement.h"
#include "bishop/store.h"

namespace redqueen::bishop {
namespace {

std::string Column(sqlite3_stmt* stmt, int column) {
  const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, column));
  return std::string(text ? text : "",
                     static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
}

/// Kinds are stored by name: anything else is a damaged store.
BenchKind KindColumn(sqlite3_stmt* stmt, int column) {
  const std::string name = Column(stmt, column);
  for (const BenchKind kind : {BenchKind::kFixture, BenchKind::kGoogleBenchmark}) {
    if (name == BenchKindName(kind)) return kind;
  }
  throw StoreError(sqlite3_db_handle(stmt), "a benchmark has the unknown kind '" + name +
                                                "' (is the store damaged?)");
}

std::map<std::string, double> NumbersColumn(sqlite3_stmt* stmt, int column) {
  std::map<std::string, double> values;
  if (!DecodeNumberMap(Column(stmt, column), &values)) {
    throw StoreError(sqlite3_db_handle(stmt),
                     "a benchmark sample has figures that are not a JSON object of "
                     "numbers: " +
                         Column(stmt, column) + " (is the store damaged?)");
  }
  return values;
}

/// The result at `position` of `results`, made with the identity of the
/// row `stmt` is on (columns 1 to 4) when it is the first row of it.
BenchResult& ResultAt(std::map<int64_t, BenchResult>& results, sqlite3_stmt* stmt) {
  const auto [it, added] = results.try_emplace(sqlite3_column_int64(stmt, 0));
  if (added) {
    it->second.binary = Column(stmt, 1);
    it->second.name = Column(stmt, 2);
    it->second.kind = KindColumn(stmt, 3);
    it->second.arm = Column(stmt, 4);
  }
  return it->second;
}

}  // namespace

void Store::WriteAtOnce(const std::function<void()>& write) {
  // Inside a test run's (or a merge's) transaction, committing it here
  // would commit its half-written state too: a merge keeps none of what it
  // wrote when it fails.
  const bool own = !in_transaction_;
  Exec(own ? "BEGIN IMMEDIATE" : "SAVEPOINT bench_write");
  try {
    write();
    Exec(own ? "COMMIT" : "RELEASE bench_write");
  } catch (...) {
    // Best effort: SQLite has rolled back some failed transactions itself.
    if (own && sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    } else if (!own) {
      sqlite3_exec(db_, "ROLLBACK TO bench_write; RELEASE bench_write", nullptr, nullptr,
                   nullptr);
    }
    throw;
  }
}

int64_t Store::BeginBenchRun(const BenchRunRecord& run) {
  int64_t id = 0;
  WriteAtOnce([&] {
    Statement stmt(
        Prepare("INSERT INTO bench_runs (started_at, command, git_commit, label, kind, "
                "machine_key, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    Binder(db_, stmt.get())
        .Text(run.started_at)
        .Text(run.command)
        .Text(run.git_commit)
        .Text(run.label)
        .Text(run.kind)
        .Text(run.machine_key)
        .Text(run.fingerprint_json)
        .Step("insert bench run");
    id = sqlite3_last_insert_rowid(db_);
  });
  return id;
}

int64_t Store::NextBenchPosition(int64_t run_id) {
  Statement stmt(Prepare(R"sql(
    SELECT coalesce(max(last), -1) + 1 FROM (
      SELECT max(position) AS last FROM bench_samples WHERE run_id = ?1
      UNION ALL SELECT max(position) FROM bench_errors WHERE run_id = ?1))sql"));
  Binder binder(db_, stmt.get());
  binder.Int(run_id);
  binder.Step("read the bench run's results");
  return sqlite3_column_int64(stmt.get(), 0);
}

void Store::AddBenchResults(int64_t run_id, const std::vector<BenchResult>& results) {
  WriteAtOnce([&] {
    int64_t position = NextBenchPosition(run_id);
    Statement sample(Prepare(
        "INSERT INTO bench_samples (run_id, position, binary, benchmark, kind, arm, "
        "repetition, iterations, real_ns, cpu_ns, counters, quality) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    Statement error(Prepare(
        "INSERT INTO bench_errors (run_id, position, binary, benchmark, kind, arm, "
        "error) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    for (const BenchResult& result : results) {
      for (const BenchSample& s : result.samples) {
        Binder(db_, sample.get())
            .Int(run_id)
            .Int(position)
            .Text(result.binary)
            .Text(result.name)
            .Text(BenchKindName(result.kind))
            .Text(result.arm)
            .Int(s.repetition)
            .Int(s.iterations)
            .Real(s.real_ns)
            .Real(s.cpu_ns)
            .Text(EncodeNumberMap(s.counters))
            .Text(EncodeNumberMap(s.quality))
            .Step("insert bench sample");
      }
      // A result without samples nor error is kept too, so that none given
      // is lost: as an error row with an empty message.
      if (!result.error.empty() || result.samples.empty()) {
        Binder(db_, error.get())
            .Int(run_id)
            .Int(position)
            .Text(result.binary)
            .Text(result.name)
            .Text(BenchKindName(result.kind))
            .Text(result.arm)
            .Text(result.error)
            .Step("insert bench error");
      }
      ++position;
    }
  });
}

std::vector<BenchRunRow> Store::ReadBenchRuns(int limit, int64_t only) {
  Statement stmt(Prepare(R"sql(
    SELECT r.id, r.started_at, r.command, r.git_commit, r.label, r.kind,
           r.machine_key, r.fingerprint,
           (SELECT count(*) FROM (
              SELECT position FROM bench_samples WHERE run_id = r.id
              UNION SELECT position FROM bench_errors WHERE run_id = r.id)),
           (SELECT count(*) FROM bench_samples WHERE run_id = r.id)
    FROM bench_runs r WHERE ?1 = 0 OR r.id = ?1 ORDER BY r.id DESC LIMIT ?2)sql"));
  std::vector<BenchRunRow> rows;
  Binder binder(db_, stmt.get());
  binder.Int(only).Int(limit);
  while (binder.Step("read bench runs")) {
    sqlite3_stmt* row = stmt.get();
    rows.push_back({sqlite3_column_int64(row, 0),
                    {Column(row, 1), Column(row, 2), Column(row, 3), Column(row, 4),
                     Column(row, 5), Column(row, 6), Column(row, 7)},
                    sqlite3_column_int(row, 8),
                    sqlite3_column_int(row, 9)});
  }
  return rows;
}

std::vector<BenchRunRow> Store::BenchRuns(int limit) { return ReadBenchRuns(limit, 0); }

std::optional<BenchRunRow> Store::BenchRun(int64_t id) {
  if (id <= 0) return std::nullopt;  // 0 would read every run.
  std::vector<BenchRunRow> rows = ReadBenchRuns(1, id);
  if (rows.empty()) return std::nullopt;
  return std::move(rows[0]);
}

int64_t Store::LatestBenchRun() {
  Statement stmt(Prepare("SELECT coalesce(max(id), 0) FROM bench_runs"));
  Binder binder(db_, stmt.get());
  binder.Step("read the latest bench run");
  return sqlite3_column_int64(stmt.get(), 0);
}

std::vector<BenchResult> Store::BenchResults(int64_t run_id) {
  std::map<int64_t, BenchResult> by_position;
  {
    Statement stmt(Prepare(R"sql(
      SELECT position, binary, benchmark, kind, arm, repetition, iterations, real_ns,
             cpu_ns, counters, quality
      FROM bench_samples WHERE run_id = ? ORDER BY position, repetition, rowid)sql"));
    sqlite3_stmt* row = stmt.get();
    Binder binder(db_, row);
    binder.Int(run_id);
    while (binder.Step("read bench samples")) {
      ResultAt(by_position, row)
          .samples.push_back({sqlite3_column_int(row, 5), sqlite3_column_int64(row, 6),
                              sqlite3_column_double(row, 7),
                              sqlite3_column_double(row, 8), NumbersColumn(row, 9),
                              NumbersColumn(row, 10)});
    }
  }
  {
    Statement stmt(
        Prepare("SELECT position, binary, benchmark, kind, arm, error FROM bench_errors "
                "WHERE run_id = ? ORDER BY position"));
    sqlite3_stmt* row = stmt.get();
    Binder binder(db_, row);
    binder.Int(run_id);
    while (binder.Step("read bench errors")) {
      ResultAt(by_position, row).error = Column(row, 5);
    }
  }
  std::vector<BenchResult> results;
  results.reserve(by_position.size());
  for (auto& [position, result] : by_position) results.push_back(std::move(result));
  return results;
}

}  // namespace redqueen::bishop
