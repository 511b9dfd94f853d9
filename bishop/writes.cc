// What a run writes: its row, each execution (batched, bound in place) and
// its summary at the end.
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "bishop/pass_rows.h"
#include "bishop/statement.h"
#include "bishop/store.h"

namespace redqueen::bishop {

int64_t Store::BeginRun(const RunRecord& run) {
  // The run's row is usually the first write since the last close, which
  // removed the WAL: SQLite writes a new log header and, at synchronous
  // NORMAL, syncs it before any frame, so that a torn write after a log
  // restart cannot mix the new frames with an old log's. An empty WAL has
  // no old frames to mix with, and that sync of a new file (a journal
  // commit) took 2-7 ms on the path of every rerun, before its pawns got
  // any test. The next checkpoint syncs the WAL, as it would have; only
  // this one write goes unsynced, as every commit at NORMAL does.
  const bool unsynced = WalIsEmpty();
  if (unsynced) Exec("PRAGMA synchronous=OFF");
  auto insert = [&] {
    Statement stmt =
        Prepare("INSERT INTO runs (started_at, command, jobs) VALUES (?, ?, ?)");
    Binder(db_, stmt)
        .Text(run.started_at)
        .Text(run.command)
        .Int(run.jobs)
        .Step("insert run");
  };
  try {
    insert();
  } catch (const std::exception&) {
    if (unsynced) Exec("PRAGMA synchronous=NORMAL");
    throw;
  }
  if (unsynced) Exec("PRAGMA synchronous=NORMAL");
  return sqlite3_last_insert_rowid(db_);
}

int64_t Store::BinaryId(const std::string& binary, const std::string& target) {
  Statement select = Prepare("SELECT id FROM binaries WHERE path = ? AND target = ?");
  int64_t id = 0;
  {
    Binder binder(db_, select);
    binder.Text(binary).Text(target);
    if (binder.Step("read the binary")) id = sqlite3_column_int64(select, 0);
  }
  if (id != 0) return id;
  Statement insert = Prepare("INSERT INTO binaries (path, target) VALUES (?, ?)");
  Binder(db_, insert).Text(binary).Text(target).Step("insert the binary");
  return sqlite3_last_insert_rowid(db_);
}

std::vector<int64_t> Store::AddTests(const std::string& binary,
                                     const std::vector<proto::TestInfo>& tests,
                                     const std::string& target) {
  BeginIfNeeded();
  const int64_t binary_id = BinaryId(binary, target);
  // One scan of what the store knows of this binary, matched by name against
  // the list as the rows come (no copies), then writes only for new or moved
  // tests: a rerun of an unchanged suite writes nothing here. A name the
  // list has twice (RegisterTest allows it) keeps a row per occurrence:
  // `same_name` chains the later ones, which take the rows in turn.
  std::unordered_map<std::string_view, size_t> index_of;
  index_of.reserve(tests.size());
  std::vector<size_t> same_name(tests.size(), SIZE_MAX);
  std::unordered_map<size_t, size_t> last_of;  // Chain ends, for names seen twice.
  for (size_t i = 0; i < tests.size(); ++i) {
    const auto [it, added] = index_of.emplace(tests[i].name, i);
    if (added) continue;
    const auto [end, first] = last_of.try_emplace(it->second, it->second);
    same_name[end->second] = i;
    end->second = i;
  }
  std::vector<int64_t> ids(tests.size(), 0);
  std::vector<size_t> moved;  // Indexes into `tests` of those whose place changed.
  Statement select = Prepare(
      "SELECT id, name, file, line, type_param, value_param FROM test_rows "
      "WHERE binary_id = ? ORDER BY id");
  {
    Binder binder(db_, select);
    binder.Int(binary_id);
    auto text = [&select](int column) {
      const auto* bytes =
          reinterpret_cast<const char*>(sqlite3_column_text(select, column));
      return std::string_view(bytes ? bytes : "",
                              static_cast<size_t>(sqlite3_column_bytes(select, column)));
    };
    while (binder.Step("read tests")) {
      const auto it = index_of.find(text(1));
      if (it == index_of.end()) continue;
      size_t i = it->second;
      while (i != SIZE_MAX && ids[i] != 0) i = same_name[i];
      if (i == SIZE_MAX) continue;  // A row the list no longer has as often.
      const proto::TestInfo& test = tests[i];
      ids[i] = sqlite3_column_int64(select, 0);
      if (text(2) != test.file || sqlite3_column_int(select, 3) != test.line ||
          text(4) != test.type_param || text(5) != test.value_param) {
        moved.push_back(i);
      }
    }
  }

  Statement update = Prepare(
      "UPDATE test_rows SET file = ?, line = ?, type_param = ?, value_param = ? "
      "WHERE id = ?");
  for (size_t i : moved) {
    const proto::TestInfo& test = tests[i];
    Binder(db_, update)
        .Text(test.file)
        .Int(test.line)
        .Text(test.type_param)
        .Text(test.value_param)
        .Int(ids[i])
        .Step("update test");
  }
  std::vector<size_t> added;  // Indexes into `tests` of those the store lacks.
  for (size_t i = 0; i < tests.size(); ++i) {
    if (ids[i] == 0) added.push_back(i);
  }
  const int64_t first_id = tests_->Insert(added.size(), [&](Binder& b, size_t i) {
    const proto::TestInfo& test = tests[added[i]];
    b.Int(binary_id)
        .TextInPlace(test.name)
        .TextInPlace(test.file)
        .Int(test.line)
        .TextInPlace(test.type_param)
        .TextInPlace(test.value_param);
  });
  for (size_t i = 0; i < added.size(); ++i)
    ids[added[i]] = first_id + static_cast<int64_t>(i);
  return ids;
}

void Store::AddExecution(int64_t run_id, int64_t test_id, const TestResult& result) {
  pending_.push_back({run_id, test_id, result});
}

void Store::WritePending() {
  // Plain passes go as one `passes` row per run and shard (pass_rows.h),
  // after the other rows, whose ids come first.
  std::vector<size_t> rows;  // Indexes into pending_ of the others.
  std::vector<PassRows> passes;
  for (size_t i = 0; i < pending_.size(); ++i) {
    const Pending& p = pending_[i];
    if (!IsPlainPass(p.result)) {
      rows.push_back(i);
      continue;
    }
    if (passes.empty() || passes.back().run_id() != p.run_id ||
        passes.back().shard() != p.result.shard) {
      passes.emplace_back(p.run_id, p.result.shard);
    }
    passes.back().Add(p.test_id, p.result);
  }
  int64_t next_id = executions_->NextId();
  {
    Binder binder(db_, max_pass_id_);
    if (binder.Step("read the last pass id")) {
      next_id = std::max<int64_t>(next_id, sqlite3_column_int64(max_pass_id_, 0) + 1);
    }
  }
  const int64_t first_id = next_id;
  executions_->InsertFrom(first_id, rows.size(), [this, &rows](Binder& b, size_t i) {
    const Pending& p = pending_[rows[i]];
    const TestResult& e = p.result;
    // The queued rows outlive the statement; status names are literals.
    b.Int(p.run_id)
        .Int(p.test_id)
        .Int(e.repetition)
        .Int(e.attempt)
        .Int(e.final)
        .TextInPlace(StatusName(e.status))
        .Int(static_cast<int64_t>(e.duration_us))
        .Int(e.finished_us)
        .Int(e.pawn)
        .Int(static_cast<int64_t>(e.not_run))
        .Int(e.shard)
        .TextInPlace(e.skip_message)
        .TextInPlace(e.crash)
        .BlobInPlace(e.output);
  });
  for (size_t row = 0; row < rows.size(); ++row) {
    for (const proto::Failure& failure : pending_[rows[row]].result.failures) {
      Binder(db_, insert_failure_)
          .Int(first_id + static_cast<int64_t>(row))
          .Text(failure.file)
          .Int(failure.line)
          .Text(failure.message)
          .Step("insert failure");
    }
  }
  next_id += static_cast<int64_t>(rows.size());
  for (const PassRows& batch : passes) {
    const auto count = static_cast<int64_t>(batch.count());
    Binder(db_, insert_passes_)
        .Int(next_id + count - 1)
        .Int(next_id)
        .Int(batch.run_id())
        .Int(batch.shard())
        .Text(batch.Json())
        .Step("insert passes");
    next_id += count;
  }
}

void Store::RecordShard(int64_t run_id, const ShardRecord& shard) {
  BeginIfNeeded();
  Statement stmt = Prepare(
      "UPDATE runs SET shard_index = ?, shard_count = ?, partition = ?, "
      "history_digest = ?, host = ? WHERE id = ?");
  {
    Binder(db_, stmt)
        .Int(shard.index)
        .Int(shard.count)
        .Text(shard.partition)
        .Text(shard.history_digest)
        .Text(shard.host)
        .Int(run_id)
        .Step("record the shard");
  }
}

void Store::RecordShardTests(int64_t run_id, const std::vector<int64_t>& test_ids) {
  BeginIfNeeded();
  Statement stmt = Prepare("INSERT INTO shard_tests (run_id, test_id) VALUES (?, ?)");
  for (int64_t test_id : test_ids) {
    Binder(db_, stmt).Int(run_id).Int(test_id).Step("record the shard's tests");
  }
}

void Store::FinishRun(int64_t run_id, const RunSummaryRecord& s) {
  BeginIfNeeded();
  Statement stmt = Prepare(
      "UPDATE runs SET status = ?, completed_at = ?, total_tests = ?, "
      "tests_passed = ?, tests_failed = ?, tests_skipped = ?, "
      "execution_errors = ?, flaky = ?, execution_time = ? WHERE id = ?");
  {
    Binder(db_, stmt)
        .Text(s.status)
        .Text(s.completed_at)
        .Int(s.total_tests)
        .Int(s.tests_passed)
        .Int(s.tests_failed)
        .Int(s.tests_skipped)
        .Int(s.execution_errors)
        .Int(s.flaky)
        .Real(s.execution_time)
        .Int(run_id)
        .Step("finish run");
  }
  Flush();
}

}  // namespace redqueen::bishop
