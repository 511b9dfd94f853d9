// The benchmark fixture (fixture_bench_fixture): run by hand it stays a fast,
// green test suite; with REDQUEEN_BENCH_OUT it measures and appends one JSON
// line per benchmark; its listing tells benchmarks from tests; and the
// resident pawn runs it like any suite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;
using Env = std::vector<std::pair<std::string, std::string>>;

/// The fixture run by hand. An empty REDQUEEN_BENCH_OUT, first in its
/// environment, hides one this process may have inherited.
Outcome RunBench(std::vector<std::string> args, Env env = {}) {
  env.emplace_back("REDQUEEN_BENCH_OUT", "");
  Launch launch{std::move(args), std::move(env)};
  return RunProgram(Fixture("bench_fixture"), launch);
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(BenchFixtureTest, ByHandEachBenchmarkCallsItsCodeOnce) {
  const Outcome outcome = RunBench({});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("[  PASSED  ] 5 tests.\n"));
  EXPECT_THAT(outcome.out, HasSubstr("YOU HAVE 2 DISABLED TESTS"));
  for (const char* name :
       {"Bench.OneMicrosecond", "Bench.OneMillisecond", "Bench.EncodeWithFigures"}) {
    EXPECT_THAT(outcome.out, HasSubstr(std::string(name) + ": 1 call(s)\n"));
  }
}

TEST(BenchFixtureTest, ListingMarksExactlyTheBenchmarks) {
  const Outcome outcome = RunBench({"--gtest_list_tests"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_THAT(
      outcome.out,
      testing::EndsWith("\nBench.\n"
                        "  OneMicrosecond  # GetParam() = redqueen benchmark\n"
                        "  OneMillisecond  # GetParam() = redqueen benchmark\n"
                        "  EncodeWithFigures  # GetParam() = redqueen benchmark\n"
                        "  OrdinaryTest\n"
                        "BenchFaults.\n"
                        "  OnRequest  # GetParam() = redqueen benchmark\n"
                        "BenchMisuse.\n"
                        "  DISABLED_NeverMeasures  # GetParam() = redqueen benchmark\n"
                        "  DISABLED_MeasuresTwice  # GetParam() = redqueen benchmark\n"));
}

TEST(BenchFixtureTest, MeasuredBenchmarkWritesOneJsonLine) {
  Scratch scratch;
  const std::string out = scratch.Path("bench.jsonl");
  const Outcome outcome =
      RunBench({"--gtest_filter=Bench.OneMillisecond"},
               {{"REDQUEEN_BENCH_OUT", out}, {"REDQUEEN_BENCH_TIME", "0.05"}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json line = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(line["format"], "redqueen-bench-1");
  EXPECT_EQ(line["name"], "Bench.OneMillisecond");
  EXPECT_EQ(line["compiler"], __VERSION__);
#ifdef NDEBUG
  EXPECT_EQ(line["build_type"], "release");
#else
  EXPECT_EQ(line["build_type"], "debug");
#endif
  EXPECT_EQ(line["iterations"], 1);
  // 0.05 s of 1 ms rounds: about 50; a loaded machine can make it fewer.
  ASSERT_GE(line["samples"].size(), 5u);
  for (const nlohmann::json& sample : line["samples"]) {
    EXPECT_EQ(sample["iterations"], 1);
    EXPECT_GE(sample["real_ns"].get<double>(), 1e6);  // The code spins 1 ms.
    EXPECT_GE(sample["cpu_ns"].get<double>(), 0);
    EXPECT_TRUE(sample["counters"].empty());
    EXPECT_TRUE(sample["quality"].empty());
  }
}

TEST(BenchFixtureTest, EachMeasuredBenchmarkAppendsALine) {
  Scratch scratch;
  const std::string out = scratch.Path("bench.jsonl");
  std::ofstream(out) << "{}\n";
  const Outcome outcome =
      RunBench({"--gtest_filter=Bench.*"}, {{"REDQUEEN_BENCH_OUT", out},
                                            {"REDQUEEN_BENCH_TIME", "0.02"},
                                            {"REDQUEEN_BENCH_WARMUP", "0.01"}});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "{}");
  std::vector<std::string> names;
  for (size_t i = 1; i < lines.size(); ++i) {
    names.push_back(nlohmann::json::parse(lines[i])["name"]);
  }
  EXPECT_THAT(names, testing::ElementsAre("Bench.OneMicrosecond", "Bench.OneMillisecond",
                                          "Bench.EncodeWithFigures"));
  const nlohmann::json sample = nlohmann::json::parse(lines[3])["samples"][0];
  EXPECT_GT(sample["counters"]["bytes_per_second"].get<double>(), 0);
  EXPECT_GT(sample["quality"]["ratio"].get<double>(), 1);
}

TEST(BenchFixtureTest, BadSettingFailsNamingTheVariable) {
  Scratch scratch;
  const std::string out = scratch.Path("bench.jsonl");
  const Outcome outcome =
      RunBench({"--gtest_filter=Bench.OneMicrosecond:Bench.OrdinaryTest"},
               {{"REDQUEEN_BENCH_OUT", out}, {"REDQUEEN_BENCH_TIME", "abc"}});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.out,
              HasSubstr("REDQUEEN_BENCH_TIME=\"abc\" is not a number of seconds"));
  EXPECT_THAT(outcome.out,
              HasSubstr("[  FAILED  ] Bench.OneMicrosecond, where GetParam() = "
                        "redqueen benchmark ("));
  EXPECT_THAT(outcome.out, HasSubstr("[  PASSED  ] 1 test.\n"));
  EXPECT_TRUE(Lines(out).empty());
}

TEST(BenchFixtureTest, MisusedFixtureFailsSayingHow) {
  const Outcome outcome =
      RunBench({"--gtest_also_run_disabled_tests", "--gtest_filter=BenchMisuse.*"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.out,
              testing::ContainsRegex(
                  "bench_fixture_test.cc:[0-9]+: Failure\nFailed\nREDQUEEN_BENCHMARK "
                  "BenchMisuse.DISABLED_NeverMeasures never called state.Measure"));
  EXPECT_THAT(outcome.out,
              HasSubstr("REDQUEEN_BENCHMARK BenchMisuse.DISABLED_MeasuresTwice "
                        "called state.Measure twice"));
  EXPECT_THAT(outcome.out, HasSubstr("BenchMisuse.DISABLED_MeasuresTwice: 1 call(s)\n"));
}

class BenchFixtureRunTest : public FixtureTest {};

TEST_F(BenchFixtureRunTest, ResidentPawnRunsBenchmarksAsTests) {
  const Outcome outcome = RunFixture("bench_fixture", {"-j", "2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("tests_passed: 5\n"));
  Db db(scratch_.db());
  EXPECT_EQ(StatusOf(db, "Bench.OneMillisecond"), "PASSED");
  EXPECT_EQ(StatusOf(db, "Bench.OrdinaryTest"), "PASSED");
}

}  // namespace
}  // namespace redqueen::e2e
