#include "queen/shard_merge.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "proto/history.h"

namespace redqueen::queen {
namespace {

using BinaryKey = std::pair<std::string, std::string>;  // Binary, target.

/// Seconds since the epoch of an Iso8601 time (summary.h); nullopt for
/// anything else.
std::optional<double> SecondsOf(const std::string& iso) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + millis / 1e3;
}

/// A binary's tests in the merged run: the list in registration order, and
/// each test's id in the merged store.
struct Suite {
  BinaryKey key;
  std::vector<proto::TestInfo> list;
  std::vector<int64_t> ids;                          ///< Aligned with list.
  std::unordered_map<std::string, size_t> index_of;  ///< By name, into list.
};

/// Every binary the shards ran, with the list the first shard's suite kept
/// of it, then any test the shards have that the list lacks, in their order.
std::vector<Suite> SuitesOf(const std::vector<const ShardRun*>& shards) {
  std::vector<Suite> suites;
  std::map<BinaryKey, size_t> suite_of;
  for (const ShardRun* s : shards) {
    for (const bishop::StoredTest& t : s->tests) {
      const BinaryKey key{t.binary, t.target};
      if (suite_of.try_emplace(key, suites.size()).second) suites.push_back({key});
    }
  }
  for (Suite& suite : suites) {
    for (const ShardRun* s : shards) {
      const auto it = s->lists.find(suite.key);
      if (it == s->lists.end()) continue;
      suite.list = it->second;
      break;
    }
    for (size_t i = 0; i < suite.list.size(); ++i) {
      suite.index_of.emplace(suite.list[i].name, i);
    }
    for (const ShardRun* s : shards) {
      for (const bishop::StoredTest& t : s->tests) {
        if (BinaryKey{t.binary, t.target} != suite.key) continue;
        if (suite.index_of.emplace(t.info.name, suite.list.size()).second) {
          suite.list.push_back(t.info);
        }
      }
    }
  }
  return suites;
}

bishop::ShardRecord MergedShard(const std::vector<const ShardRun*>& shards) {
  bishop::ShardRecord merged = shards[0]->shard;
  merged.index = bishop::kMergedShards;
  merged.host.clear();
  for (const ShardRun* s : shards) {
    merged.host += (s == shards[0] ? "" : ",") + s->shard.host;
  }
  return merged;
}

bishop::RunSummaryRecord SummaryOf(const std::vector<const ShardRun*>& shards,
                                   const RunTotals& totals) {
  bishop::RunSummaryRecord summary;
  static_cast<RunTotals&>(summary) = totals;
  std::string started = shards[0]->row.run.started_at;
  std::vector<std::string> statuses;
  for (const ShardRun* s : shards) {
    started = std::min(started, s->row.run.started_at);
    summary.completed_at = std::max(summary.completed_at, s->row.summary.completed_at);
    summary.execution_time =
        std::max(summary.execution_time, s->row.summary.execution_time);
    statuses.push_back(s->row.summary.status);
  }
  // From the first shard's start to the last one's end, when they can be read.
  const std::optional<double> from = SecondsOf(started);
  const std::optional<double> to = SecondsOf(summary.completed_at);
  if (from && to && *to >= *from) summary.execution_time = *to - *from;
  summary.status = "passed";
  for (const char* worse : {"failed", "interrupted", "error"}) {
    if (std::find(statuses.begin(), statuses.end(), worse) != statuses.end()) {
      summary.status = worse;
    }
  }
  return summary;
}

/// Advances `suite`'s history in `out` by the shards' final outcomes, in
/// the order they ended, as a run's own StoreSink does.
void SaveHistory(bishop::Store& out, const Suite& suite,
                 const std::vector<const ShardRun*>& shards, int64_t run_id) {
  struct Outcome {
    int64_t finished_us;
    size_t index;
    bool passed;
    uint64_t duration_us;
  };
  std::vector<Outcome> outcomes;
  for (const ShardRun* s : shards) {
    for (const bishop::RunExecution& e : s->executions) {
      if (!e.final || e.status == TestStatus::kSkipped ||
          BinaryKey{e.binary, e.target} != suite.key) {
        continue;
      }
      const bool passed =
          e.status == TestStatus::kPassed || e.status == TestStatus::kFlaky;
      outcomes.push_back(
          {e.finished_us, suite.index_of.at(e.name), passed, e.duration_us});
    }
  }
  std::stable_sort(outcomes.begin(), outcomes.end(), [](const auto& a, const auto& b) {
    return a.finished_us < b.finished_us;
  });
  // Read and written in the write transaction AddTests opened: no other run
  // can save this suite in between.
  const std::optional<bishop::SuiteRecord> old =
      out.LoadSuite(suite.key.first, suite.key.second);
  History history = old ? Carry(old->past, suite.list) : History{};
  history.resize(suite.list.size());
  for (const Outcome& o : outcomes) history[o.index].Record(o.passed, o.duration_us);
  out.SaveSuite(
      suite.key.first, suite.key.second, old ? old->run_id : 0, run_id,
      bishop::EncodeSuite(proto::ListHash(suite.list), suite.list, suite.ids, history));
}

}  // namespace

bool LoadShard(const std::string& path, ShardRun* shard, std::string* error) {
  const std::string named = "shard store '" + path + "'";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    *error = named +
             (std::filesystem::exists(path, ec) ? " is not a file" : " does not exist") +
             ": pass the store each shard's run wrote (its --db)";
    return false;
  }
  std::string why;
  std::unique_ptr<bishop::Store> store = bishop::Store::OpenForReading(path, &why);
  if (!store) {
    const std::string prefix = "result store '" + path + "': ";
    if (why.starts_with(prefix)) why.erase(0, prefix.size());
    *error = named + " cannot be read: " + why;
    return false;
  }
  try {
    const std::vector<bishop::RunRow> rows = store->Runs(1);
    if (rows.empty()) {
      *error = named + " has no runs: pass the store a shard's run wrote";
      return false;
    }
    shard->path = path;
    shard->row = rows[0];
    shard->shard = store->ShardOf(rows[0].id).value_or(bishop::ShardRecord{});
    shard->tests = store->RunTests(rows[0].id);
    shard->executions = store->RunExecutions(rows[0].id);
    std::set<BinaryKey> binaries;
    for (const bishop::StoredTest& t : shard->tests)
      binaries.insert({t.binary, t.target});
    for (const auto& [binary, target] : binaries) {
      const std::optional<bishop::SuiteRecord> suite = store->LoadSuite(binary, target);
      if (suite && suite->run_id == rows[0].id && !suite->past.tests.empty()) {
        shard->lists[{binary, target}] = suite->past.tests;
      }
    }
  } catch (const std::exception& e) {
    *error = named + " cannot be read: " + e.what();
    return false;
  }
  return true;
}

namespace {

/// Everything of the merged run `run_id` but its row: the shard record, the
/// tests, every execution, the history, the summary.
void WriteMerged(bishop::Store& out, const std::vector<const ShardRun*>& order,
                 int64_t run_id) {
  out.RecordShard(run_id, MergedShard(order));
  std::vector<Suite> suites = SuitesOf(order);
  std::map<BinaryKey, Suite*> suite_of;
  for (Suite& suite : suites) {
    suite.ids = out.AddTests(suite.key.first, suite.list, suite.key.second);
    suite_of[suite.key] = &suite;
  }
  RunTotals totals;
  for (const ShardRun* s : order) {
    for (const bishop::RunExecution& e : s->executions) {
      const Suite& suite = *suite_of.at({e.binary, e.target});
      TestResult result = e;
      result.index = 0;
      result.shard = static_cast<uint32_t>(s->shard.index + 1);
      out.AddExecution(run_id, suite.ids.at(suite.index_of.at(e.name)), result);
      if (e.final) totals.Add(e.status);
    }
  }
  for (const Suite& suite : suites) SaveHistory(out, suite, order, run_id);
  out.FinishRun(run_id, SummaryOf(order, totals));
}

}  // namespace

int64_t MergeShards(bishop::Store& out, const std::vector<ShardRun>& shards,
                    const std::string& command) {
  std::vector<const ShardRun*> order;
  for (const ShardRun& s : shards) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(), [](const ShardRun* a, const ShardRun* b) {
    return a->shard.index < b->shard.index;
  });
  bishop::RunRecord record{order[0]->row.run.started_at, command, 0};
  for (const ShardRun* s : order) {
    record.started_at = std::min(record.started_at, s->row.run.started_at);
    record.jobs += s->row.run.jobs;
  }
  const int64_t run_id = out.BeginRun(record);
  try {
    WriteMerged(out, order, run_id);
  } catch (const std::exception&) {
    // No half-merged run: what was written is dropped, and the run's row
    // says it ended in error (as a run whose store failed does), so that
    // --rerun-failed and the next merge pass over it.
    out.Abandon();
    bishop::RunSummaryRecord failed;
    failed.status = "error";
    try {
      out.FinishRun(run_id, failed);
    } catch (const std::exception&) {
      // The store is past writing to; the error that stopped the merge says why.
    }
    throw;
  }
  return run_id;
}

}  // namespace redqueen::queen
