// How evenly each partition splits a suite over CI shards: max shard / mean,
// from each test's duration, with each binary's start-up charged once to
// every shard that runs it (queen/shard_plan.h). Prints one line per
// partition.
//
//   bench_partition_balance --store DB [--shards N]
//     the histories a store keeps (every binary and target of it);
//   bench_partition_balance --generated COUNT [--shards N] [--new FRACTION]
//     COUNT tests with log-normal durations (median 20 ms, sigma 1.2) over
//     40 binaries; FRACTION of them are new (no history: the split goes by
//     their hash) but still take their time.
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bishop/suite.h"
#include "queen/shard_plan.h"
#include "rook/estimate.h"
#include "rook/partition.h"

namespace {

using redqueen::rook::TimedTest;

/// A test: where it is, what it really takes, what the split knows of it.
struct Test {
  TimedTest timed;  ///< estimate_us 0 for a new test.
  uint64_t real_us = 0;
  size_t position = 0;  ///< Among its binary's tests, for count.
};

std::vector<Test> FromStore(const char* path) {
  std::vector<Test> tests;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::exit(1);
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT binary, target, snapshot FROM suites ORDER BY binary",
                     -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const std::string binary =
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    const std::string target =
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, 2));
    redqueen::bishop::SuiteRecord suite;
    if (!redqueen::bishop::DecodeSuite(
            std::string_view(blob, static_cast<size_t>(sqlite3_column_bytes(stmt, 2))),
            &suite)) {
      continue;
    }
    size_t position = 0;
    for (size_t i = 0; i < suite.past.tests.size(); ++i) {
      const auto expected = redqueen::rook::ExpectedDuration(suite.past.history[i]);
      if (!expected) continue;
      const uint64_t us = std::max<uint64_t>(*expected, 1);
      tests.push_back({{binary, target, suite.past.tests[i].name, us}, us, position++});
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return tests;
}

std::vector<Test> Generated(size_t count, double fraction_new) {
  std::mt19937_64 random(20261201);
  auto uniform = [&random] {
    return (static_cast<double>(random() >> 11) + 0.5) / 9007199254740992.0;
  };
  std::vector<Test> tests;
  std::vector<size_t> positions(40, 0);
  for (size_t i = 0; i < count; ++i) {
    // Box-Muller, so that the suite is the same with every standard library.
    const double normal =
        std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform());
    const auto us = static_cast<uint64_t>(20'000 * std::exp(1.2 * normal)) + 1;
    const size_t binary = i % positions.size();
    const bool is_new = uniform() < fraction_new;
    tests.push_back({{"bin/test_" + std::to_string(binary), "",
                      "Suite" + std::to_string(i / 100) + ".Test" + std::to_string(i),
                      is_new ? 0 : us},
                     us,
                     positions[binary]++});
  }
  return tests;
}

/// max / mean of the shards' real loads, start-up included.
double Balance(const std::vector<Test>& tests, const std::vector<uint32_t>& shard_of,
               uint32_t shards) {
  std::vector<uint64_t> load(shards, 0);
  std::set<std::pair<std::string, uint32_t>> started;
  for (size_t i = 0; i < tests.size(); ++i) {
    load[shard_of[i]] += tests[i].real_us;
    const std::string key = tests[i].timed.binary + '\n' + tests[i].timed.target;
    if (started.insert({key, shard_of[i]}).second) {
      load[shard_of[i]] += redqueen::queen::kBinaryStartupUs;
    }
  }
  return redqueen::rook::Imbalance(load);
}

void Report(const char* what, const std::vector<Test>& tests, uint32_t shards) {
  std::vector<uint32_t> count(tests.size());
  std::vector<uint32_t> hash(tests.size());
  std::vector<TimedTest> timed;
  std::map<std::string, uint64_t> startup;
  for (size_t i = 0; i < tests.size(); ++i) {
    const TimedTest& t = tests[i].timed;
    count[i] = redqueen::rook::CountShard(tests[i].position, shards);
    hash[i] = redqueen::rook::HashShard(t.binary, t.target, t.name, shards);
    timed.push_back(t);
    startup[t.binary + '\n' + t.target] = redqueen::queen::kBinaryStartupUs;
  }
  const auto time = redqueen::rook::TimePartition(timed, shards, {}, startup).shard_of;
  uint64_t total = 0;
  for (const Test& test : tests) total += test.real_us;
  std::printf(
      "  %-40s %6zu tests, %7.1fs over %2u shards: max/mean  time %.3f  count %.3f"
      "  hash %.3f\n",
      what, tests.size(), total / 1e6, shards, Balance(tests, time, shards),
      Balance(tests, count, shards), Balance(tests, hash, shards));
}

}  // namespace

int main(int argc, char** argv) {
  const char* store = nullptr;
  size_t generated = 0;
  double fraction_new = 0;
  uint32_t shards = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--store")) store = argv[i + 1];
    if (!std::strcmp(argv[i], "--generated")) generated = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--new")) fraction_new = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--shards")) shards = std::stoul(argv[i + 1]);
  }
  if (store) {
    Report(store, FromStore(store), shards);
  } else if (generated > 0) {
    const std::string what = std::to_string(generated) + " log-normal, " +
                             std::to_string(static_cast<int>(fraction_new * 100)) +
                             "% new";
    Report(what.c_str(), Generated(generated, fraction_new), shards);
  } else {
    std::fprintf(stderr,
                 "usage: %s --store DB | --generated COUNT [--new F] [--shards N]\n",
                 argv[0]);
    return 2;
  }
  return 0;
}
