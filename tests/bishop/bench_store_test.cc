#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "bishop/number_map.h"
#include "bishop/statement.h"
#include "bishop/store.h"
#include "tests/bishop/older_store.h"

namespace redqueen::bishop {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

class BenchStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("bench_store_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "redqueen.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(const std::string& path) {
    std::string error;
    auto store = Store::Open(path, &error);
    EXPECT_TRUE(store) << error;
    return store;
  }

  static int64_t Count(Store& store, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(store.db(), sql, -1, &stmt, nullptr), SQLITE_OK) << sql;
    int64_t value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }

  /// The bench tables and indexes with their SQL, as a store's file has
  /// them. (A new store's other tables are spelled apart from a migrated
  /// one's; schema_test.cc compares what they mean.)
  static std::vector<std::string> BenchSchema(Store& store) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(
                  store.db(),
                  "SELECT type || ' ' || name || ': ' || coalesce(sql, '') "
                  "FROM sqlite_master WHERE name LIKE 'bench%' ORDER BY type, name",
                  -1, &stmt, nullptr),
              SQLITE_OK);
    std::vector<std::string> schema;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      schema.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return schema;
  }

  std::filesystem::path dir_;
  std::string path_;
};

BenchRunRecord RunRecord(const std::string& label, const std::string& kind = "bench") {
  return {"2026-03-01T10:00:00.000Z",
          "redqueen bench --save " + label,
          "0123abcd",
          label,
          kind,
          "machine-1",
          R"({"cpu_model": "Xeon \"E5\"", "logical_cpus": 8})"};
}

BenchSample Sample(int repetition, double real_ns) {
  return {repetition, 1000, real_ns, real_ns * 0.9, {}, {}};
}

/// A fixture benchmark (samples given out of order), a Google Benchmark
/// one with counters, one that crashed, one with too few samples and one
/// with neither samples nor error.
std::vector<BenchResult> FirstResults() {
  BenchResult fixture{"bin/fixture_bench", "Sort.Small", BenchKind::kFixture, "", {}, ""};
  fixture.samples = {Sample(1, 12.5), Sample(0, 11.25), Sample(2, 13)};
  fixture.samples[0].quality = {{"error_rate", 1e-300}};
  BenchResult gb{"bin/gb_bench", "BM_Copy/64", BenchKind::kGoogleBenchmark, "", {}, ""};
  gb.samples = {Sample(0, 3.5)};
  gb.samples[0].counters = {{"bytes_per_second", 1.8e10}, {"items", -3}};
  const BenchResult crashed{
      "bin/gb_bench",     "BM_Crash", BenchKind::kGoogleBenchmark, "", {},
      "crashed (SIGSEGV)"};
  BenchResult few{"bin/fixture_bench", "Sort.Big", BenchKind::kFixture, "", {}, ""};
  few.samples = {Sample(0, 1e6)};
  few.error = "timed out after 1 of 5 rounds";
  const BenchResult nothing{
      "bin/fixture_bench", "Sort.None", BenchKind::kFixture, "", {}, ""};
  return {fixture, gb, crashed, few, nothing};
}

std::vector<BenchResult> AbResults() {
  std::vector<BenchResult> results;
  for (const char* arm : {"A", "B", "A2"}) {
    BenchResult r{"bin/gb_bench", "BM_Copy/64", BenchKind::kGoogleBenchmark, arm, {}, ""};
    r.samples = {Sample(0, 3), Sample(1, 4)};
    results.push_back(r);
  }
  return results;
}

bool SameNumber(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) ||
         (a == b && std::signbit(a) == std::signbit(b));
}

void ExpectSameNumbers(const std::map<std::string, double>& got,
                       const std::map<std::string, double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (auto g = got.begin(), w = want.begin(); g != got.end(); ++g, ++w) {
    EXPECT_EQ(g->first, w->first);
    EXPECT_TRUE(SameNumber(g->second, w->second))
        << g->first << ": " << g->second << " != " << w->second;
  }
}

/// `got` is `want` field by field, each result's samples by repetition.
void ExpectSameResults(const std::vector<BenchResult>& got,
                       std::vector<BenchResult> want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("result " + std::to_string(i) + " " + want[i].name);
    std::sort(want[i].samples.begin(), want[i].samples.end(),
              [](const BenchSample& a, const BenchSample& b) {
                return a.repetition < b.repetition;
              });
    EXPECT_EQ(got[i].binary, want[i].binary);
    EXPECT_EQ(got[i].name, want[i].name);
    EXPECT_EQ(got[i].kind, want[i].kind);
    EXPECT_EQ(got[i].arm, want[i].arm);
    EXPECT_EQ(got[i].error, want[i].error);
    ASSERT_EQ(got[i].samples.size(), want[i].samples.size());
    for (size_t s = 0; s < got[i].samples.size(); ++s) {
      const BenchSample& g = got[i].samples[s];
      const BenchSample& w = want[i].samples[s];
      EXPECT_EQ(g.repetition, w.repetition);
      EXPECT_EQ(g.iterations, w.iterations);
      EXPECT_TRUE(SameNumber(g.real_ns, w.real_ns)) << g.real_ns;
      EXPECT_TRUE(SameNumber(g.cpu_ns, w.cpu_ns)) << g.cpu_ns;
      ExpectSameNumbers(g.counters, w.counters);
      ExpectSameNumbers(g.quality, w.quality);
    }
  }
}

TEST_F(BenchStoreTest, TwoRunsReadBackAsWritten) {
  std::vector<int64_t> ids;
  {
    auto store = Open(path_);
    ASSERT_TRUE(store);
    ids.push_back(store->BeginBenchRun(RunRecord("first")));
    store->AddBenchResults(ids[0], FirstResults());
    ids.push_back(store->BeginBenchRun(RunRecord("ab", "ab")));
    store->AddBenchResults(ids[1], AbResults());
  }
  auto store = Open(path_);  // Committed: nothing waited for a Flush.
  ASSERT_TRUE(store);
  ExpectSameResults(store->BenchResults(ids[0]), FirstResults());
  ExpectSameResults(store->BenchResults(ids[1]), AbResults());

  const std::optional<BenchRunRow> first = store->BenchRun(ids[0]);
  ASSERT_TRUE(first);
  const BenchRunRecord want = RunRecord("first");
  EXPECT_EQ(first->id, ids[0]);
  EXPECT_EQ(first->run.started_at, want.started_at);
  EXPECT_EQ(first->run.command, want.command);
  EXPECT_EQ(first->run.git_commit, want.git_commit);
  EXPECT_EQ(first->run.label, want.label);
  EXPECT_EQ(first->run.kind, "bench");
  EXPECT_EQ(first->run.machine_key, want.machine_key);
  EXPECT_EQ(first->run.fingerprint_json, want.fingerprint_json);
  EXPECT_EQ(first->benchmarks, 5);
  EXPECT_EQ(first->samples, 5);
  EXPECT_EQ(store->BenchRun(ids[1])->run.kind, "ab");
  EXPECT_EQ(store->BenchRun(ids[1])->benchmarks, 3);
  EXPECT_EQ(store->BenchRun(ids[1])->samples, 6);
  EXPECT_EQ(store->LatestBenchRun(), ids[1]);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM runs"), 0) << "apart from test runs";
}

TEST_F(BenchStoreTest, ResultsAddedLaterComeAfterThoseBefore) {
  auto store = Open(path_);
  ASSERT_TRUE(store);
  const int64_t run = store->BeginBenchRun(RunRecord("x"));
  const std::vector<BenchResult> first = FirstResults();
  store->AddBenchResults(run, {first[2], first[0]});
  store->AddBenchResults(run, {first[1]});
  store->AddBenchResults(run, {});
  ExpectSameResults(store->BenchResults(run), {first[2], first[0], first[1]});
}

TEST_F(BenchStoreTest, FiguresKeepOddNamesAndExtremeValues) {
  const std::map<std::string, double> odd = {
      {"", 1},
      {"with \"quotes\"", 1e-300},
      {"back\\slash/", 1e300},
      {"tab\tnew\nline\x01", -2.5},
      {"\xc3\xbcnic\xc3\xb6"
       "de \xf0\x9f\x98\x80",
       0.1},
      {"not utf-8 \xff", -0.0},
      {"denormal", 5e-324},
      {"largest", std::numeric_limits<double>::max()},
      {"infinite", kInf},
      {"minus infinite", -kInf},
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"integer", 9007199254740993.0},
  };
  BenchResult result{"bin/b", "Odd.Figures", BenchKind::kFixture, "", {}, ""};
  result.samples = {Sample(0, 1e-300), Sample(1, 1e300)};
  result.samples[0].counters = odd;
  result.samples[1].quality = odd;
  result.samples[1].cpu_ns = -1;
  auto store = Open(path_);
  ASSERT_TRUE(store);
  const int64_t run = store->BeginBenchRun(RunRecord("odd"));
  store->AddBenchResults(run, {result});
  ExpectSameResults(store->BenchResults(run), {result});
  // People reading the store with sqlite3 can take the figures apart.
  EXPECT_EQ(Count(*store,
                  "SELECT count(*) FROM bench_samples "
                  "WHERE json_valid(counters) AND json_valid(quality)"),
            2);
  EXPECT_EQ(Count(*store,
                  "SELECT json_extract(quality, '$.largest') = 1.7976931348623157e308 "
                  "AND json_extract(quality, '$.infinite') > 1e308 "
                  "FROM bench_samples WHERE repetition = 1"),
            1);
}

TEST(NumberMapTest, ReadsEscapesAndSpacingAndRefusesWhatIsNotAFlatObject) {
  std::map<std::string, double> values;
  ASSERT_TRUE(DecodeNumberMap(
      " { \"\\u00e9\\ud83d\\ude00\\/\\b\\f\\r\" : -1.5E+2 ,\"b\":null,\"c\":1e-999}\n",
      &values));
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values.begin()->first, "b");
  EXPECT_TRUE(std::isnan(values["b"]));
  EXPECT_EQ(values["c"], 0.0);
  EXPECT_EQ(values["\xc3\xa9\xf0\x9f\x98\x80/\b\f\r"], -150);
  EXPECT_TRUE(DecodeNumberMap("{}", &values));
  EXPECT_TRUE(values.empty());
  for (const char* bad :
       {"", "{", "[1]", "{\"a\":}", "{\"a\":1,}", "{\"a\":\"x\"}", "{\"a\":1} x",
        "{\"a\" 1}", "{a:1}", "{\"\\ud800\":1}", "{\"\\udc00\":1}", "{\"\\x\":1}",
        "{\"a\":+1}", "{\"a\":1.2.3}", "{\"a\":inf}", "{\"new\nline\":1}", "{\"a\":1"}) {
    EXPECT_FALSE(DecodeNumberMap(bad, &values)) << bad;
  }
}

TEST_F(BenchStoreTest, DamagedFiguresAreADamagedStoreNotSomeNumbers) {
  auto store = Open(path_);
  ASSERT_TRUE(store);
  const int64_t run = store->BeginBenchRun(RunRecord("x"));
  store->AddBenchResults(run, FirstResults());
  ASSERT_EQ(sqlite3_exec(store->db(), "UPDATE bench_samples SET quality = '{oops'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  try {
    store->BenchResults(run);
    FAIL() << "read damaged figures";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("{oops"));
  }
  ASSERT_EQ(sqlite3_exec(store->db(), "UPDATE bench_samples SET kind = 'gtest'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  EXPECT_THROW(store->BenchResults(run), StoreError);
}

TEST_F(BenchStoreTest, RunsAreListedNewestFirstUpToTheLimit) {
  auto store = Open(path_);
  ASSERT_TRUE(store);
  for (const char* label : {"one", "two", "three"}) {
    const int64_t run = store->BeginBenchRun(RunRecord(label));
    store->AddBenchResults(run, AbResults());
  }
  std::vector<std::string> labels;
  for (const BenchRunRow& row : store->BenchRuns(2)) labels.push_back(row.run.label);
  EXPECT_THAT(labels, testing::ElementsAre("three", "two"));
  EXPECT_EQ(store->BenchRuns(-1).size(), 3u);
  EXPECT_EQ(store->BenchRuns(-1).back().id, 1);
  EXPECT_TRUE(store->BenchRuns(0).empty());
  EXPECT_FALSE(store->BenchRun(4));
  EXPECT_FALSE(store->BenchRun(0)) << "not the newest";
  EXPECT_TRUE(store->BenchResults(4).empty());
}

TEST_F(BenchStoreTest, AnEmptyStoreHasNoBenchRuns) {
  auto store = Open(path_);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->LatestBenchRun(), 0);
  EXPECT_TRUE(store->BenchRuns(10).empty());
  EXPECT_FALSE(store->BenchRun(1));
}

TEST_F(BenchStoreTest, BenchWritesInsideATestRunJoinItsTransaction) {
  auto writer = Open(path_);
  auto reader = Open(path_);
  ASSERT_TRUE(writer && reader);
  const int64_t test_run = writer->BeginRun({"t", "c", 1});
  writer->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}});  // Opens the transaction.
  const int64_t run = writer->BeginBenchRun(RunRecord("x"));
  writer->AddBenchResults(run, AbResults());
  BenchResult nan_time = AbResults()[0];
  nan_time.samples[1].real_ns = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(writer->AddBenchResults(run, {AbResults()[0], nan_time}), StoreError);
  EXPECT_EQ(Count(*reader, "SELECT count(*) FROM tests"), 0) << "not committed early";
  EXPECT_EQ(reader->LatestBenchRun(), 0);
  writer->FinishRun(test_run, {});
  EXPECT_EQ(Count(*reader, "SELECT count(*) FROM tests"), 1);
  EXPECT_EQ(reader->LatestBenchRun(), run);
  // The failed write undid only itself.
  ExpectSameResults(reader->BenchResults(run), AbResults());
}

TEST_F(BenchStoreTest, AFailedWriteOutsideATestRunWritesNothingOfIt) {
  auto store = Open(path_);
  ASSERT_TRUE(store);
  const int64_t run = store->BeginBenchRun(RunRecord("x"));
  BenchResult nan_time = AbResults()[1];
  nan_time.samples[0].cpu_ns = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(store->AddBenchResults(run, {AbResults()[0], nan_time}), StoreError);
  EXPECT_TRUE(store->BenchResults(run).empty());
  store->AddBenchResults(run, AbResults());
  ExpectSameResults(store->BenchResults(run), AbResults());
  const int64_t test_run = store->BeginRun({"t", "c", 1});
  store->FinishRun(test_run, {});
  EXPECT_EQ(store->Runs(10).size(), 1u) << "the store goes on as before";
}

TEST_F(BenchStoreTest, AVersion7StoreGainsTheBenchTablesOfAFreshOne) {
  {
    auto store = Open(path_);
    ASSERT_TRUE(store);
    const int64_t run = store->BeginRun({"t", "c", 1});
    const auto ids = store->AddTests("bin/a", {{"A.a", "a.cc", 1, "", ""}});
    TestResult passed;
    passed.status = TestStatus::kPassed;
    store->AddExecution(run, ids[0], passed);
    store->FinishRun(run, {});
    // As version 7 left it: no benchmark tables.
    ASSERT_EQ(BackToVersion8(store->db()), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(store->db(),
                           "DROP TABLE bench_samples; DROP TABLE bench_errors; "
                           "DROP TABLE bench_runs; PRAGMA user_version = 7",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(
        Count(*store, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'bench%'"), 0);
  }
  auto migrated = Open(path_);
  ASSERT_TRUE(migrated);
  EXPECT_EQ(migrated->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(migrated->RunExecutions(1).size(), 1u);
  EXPECT_EQ(migrated->LatestBenchRun(), 0);
  const int64_t run = migrated->BeginBenchRun(RunRecord("x"));
  migrated->AddBenchResults(run, FirstResults());
  ExpectSameResults(migrated->BenchResults(run), FirstResults());

  auto fresh = Open((dir_ / "fresh.db").string());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(BenchSchema(*migrated), BenchSchema(*fresh));
  EXPECT_THAT(BenchSchema(*fresh),
              testing::Contains(testing::StartsWith("index bench_samples_by_run: ")));
}

}  // namespace
}  // namespace redqueen::bishop
