// Debian's libbenchmark matches --benchmark_filter with std::regex, so the
// filter is tested with it too. GCC 12 at -O1 with the sanitizers (the asan
// preset) wrongly finds maybe-uninitialized members in it, and places the
// warning in the standard headers: silenced there, before anything else
// includes them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <functional>
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <regex.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "queen/bench/google_benchmark.h"

extern char** environ;

namespace redqueen::queen::bench {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

class GoogleBenchmarkTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) /
           ("bench_gbench_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  /// Runs the Google Benchmark fixture with `args`, its output to /dev/null
  /// (no shell: the names hold '<' and '>'); true when it exits 0.
  static bool RunFixture(std::vector<std::string> args) {
    std::string program = REDQUEEN_GBENCH_FIXTURE;
    std::vector<char*> argv = {program.data()};
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned =
        posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    return spawned == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
  }

  /// Runs `name` of the fixture as redqueen would, and parses what it wrote.
  std::vector<BenchResult> Measure(const std::string& name, int repetitions,
                                   Fingerprint* context = nullptr) {
    const std::string out = (dir_ / "out.json").string();
    EXPECT_TRUE(RunFixture(RunArgs(name, repetitions, 0.01, out)));
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<BenchResult> results;
    std::string error;
    EXPECT_TRUE(
        ParseGoogleBenchmarkJson(text.str(), "fixture", &results, context, &error))
        << error;
    return results;
  }

  fs::path dir_;
};

// ---- Recognising a binary ---------------------------------------------------

TEST_F(GoogleBenchmarkTest, RecognisesTheFixture) {
  EXPECT_TRUE(IsGoogleBenchmark(REDQUEEN_GBENCH_FIXTURE));
}

TEST_F(GoogleBenchmarkTest, GtestBinariesAndOthersAreNot) {
  EXPECT_FALSE(IsGoogleBenchmark(REDQUEEN_GTEST_FIXTURE));
  EXPECT_FALSE(IsGoogleBenchmark("/bin/sh"));
  EXPECT_FALSE(IsGoogleBenchmark((dir_ / "missing").string()));
  EXPECT_FALSE(IsGoogleBenchmark(dir_.string()));
  EXPECT_FALSE(IsGoogleBenchmark(Write("empty", "")));
}

// This binary links the recogniser: its needles must not be among its bytes.
TEST_F(GoogleBenchmarkTest, NotTheBinaryThatRecognises) {
  EXPECT_FALSE(IsGoogleBenchmark("/proc/self/exe"));
}

// Every fixture built so far (e2e_test builds them all): the Google
// Benchmark ones are fixture_gbench and the knob builds.
TEST_F(GoogleBenchmarkTest, NoGtestFixtureIsTakenForOne) {
  for (const auto& entry : fs::directory_iterator(REDQUEEN_FIXTURE_DIR)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.rfind("fixture_", 0) != 0) continue;
    const bool google_benchmark =
        name == "fixture_gbench" || name.rfind("fixture_knob_", 0) == 0;
    EXPECT_EQ(IsGoogleBenchmark(entry.path().string()), google_benchmark) << name;
  }
}

// A stripped static link has only the usage text; here it straddles two reads.
TEST_F(GoogleBenchmarkTest, FindsTheUsageTextAcrossAReadBoundary) {
  // In two pieces, or this test binary would hold it whole.
  const std::string usage =
      std::string("benchmark [--benchmark_") + "list_tests={true|false}]";
  std::string bytes =
      "\x7f"
      "ELF";
  bytes.resize(kScanChunkBytes - usage.size() / 2, '\0');
  bytes += usage;
  bytes.resize(3 * kScanChunkBytes, '\0');
  EXPECT_TRUE(IsGoogleBenchmark(Write("static", bytes)));
  // The same bytes in a file that is no executable: a text about Google Benchmark.
  bytes[0] = 'x';
  EXPECT_FALSE(IsGoogleBenchmark(Write("text", bytes)));
}

TEST_F(GoogleBenchmarkTest, FindsAnImportAtTheEnd) {
  std::string bytes =
      "\x7f"
      "ELF";
  bytes.resize(2 * kScanChunkBytes + 5, 'a');
  bytes += std::string("_ZN9benchmark22") + "RunSpecifiedBenchmarksEv";
  EXPECT_TRUE(IsGoogleBenchmark(Write("dynamic", bytes)));
}

// ---- Listing ----------------------------------------------------------------

TEST_F(GoogleBenchmarkTest, ParsesAList) {
  EXPECT_THAT(ParseList("BM_A\n\nBM_B<int>/8\r\n  \nBM_C"),
              ElementsAre("BM_A", "BM_B<int>/8", "BM_C"));
  EXPECT_THAT(ParseList(""), IsEmpty());
}

TEST_F(GoogleBenchmarkTest, ListsTheFixture) {
  ASSERT_THAT(ListArgs(), ElementsAre("--benchmark_list_tests=true"));
  const std::string command =
      std::string("'") + REDQUEEN_GBENCH_FIXTURE + "' " + ListArgs()[0];
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_THAT(ParseList(text), ElementsAre("BM_Tiny", "BM_Millisecond", "BM_Counters",
                                           "BM_Template<int>/8", "BM_Fails"));
}

// ---- The filter and the command line ----------------------------------------

bool PosixMatches(const std::string& pattern, const std::string& text) {
  regex_t regex;
  if (regcomp(&regex, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return false;
  const bool matches = regexec(&regex, text.c_str(), 0, nullptr, 0) == 0;
  regfree(&regex);
  return matches;
}

TEST_F(GoogleBenchmarkTest, ExactFilterMatchesTheNameAlone) {
  EXPECT_EQ(ExactFilter("BM_Template<int>/8"), "^BM_Template<int>/8$");
  EXPECT_EQ(ExactFilter("a.b*"), "^a\\.b\\*$");
  EXPECT_EQ(ExactFilter("f(a)[b]{c}"), "^f\\(a\\)\\[b]\\{c}$");
  const std::vector<std::string> names = {"BM_Tiny",
                                          "BM_Template<int>/8",
                                          "BM_X/real_time",
                                          "ns::BM_Y/threads:2",
                                          "BM_Z<std::pair<int, char>>/1/2",
                                          "f(a)[b]{c}",
                                          "a.b*c+d?e|f^g$h\\i",
                                          "-BM_Neg",
                                          "]}",
                                          "x{2}",
                                          "[a-z]+"};
  for (const std::string& name : names) {
    const std::string filter = ExactFilter(name);
    // Google Benchmark searches, as regex_search and regexec do.
    const std::regex regex(filter, std::regex::extended);
    EXPECT_TRUE(std::regex_search(name, regex)) << filter;
    EXPECT_FALSE(std::regex_search("x" + name, regex)) << filter;
    EXPECT_FALSE(std::regex_search(name + "x", regex)) << filter;
    EXPECT_TRUE(PosixMatches(filter, name)) << filter;
    EXPECT_FALSE(PosixMatches(filter, name + "/2")) << filter;
  }
  // An escaped '.' is a dot, not any character.
  EXPECT_FALSE(
      std::regex_search("aXb*", std::regex(ExactFilter("a.b*"), std::regex::extended)));
}

TEST_F(GoogleBenchmarkTest, RunArgsNameEveryFlag) {
  EXPECT_THAT(RunArgs("BM_A/8", 3, 0.01, "/tmp/out.json"),
              ElementsAre("--benchmark_filter=^BM_A/8$", "--benchmark_repetitions=3",
                          "--benchmark_min_time=0.01", "--benchmark_out=/tmp/out.json",
                          "--benchmark_out_format=json",
                          "--benchmark_report_aggregates_only=false",
                          "--benchmark_enable_random_interleaving=false"));
  EXPECT_THAT(RunArgs("a", 1, 2, "o")[2], "--benchmark_min_time=2");
}

// ---- The JSON ---------------------------------------------------------------

// As 1.7.1 writes it, cut to what matters: two repetitions in us with their
// aggregates, one in ms with rates and a user counter, an error.
constexpr const char* kJson171 = R"({
  "context": {
    "date": "2026-01-01T00:00:00+00:00", "host_name": "h", "executable": "./b",
    "num_cpus": 8, "mhz_per_cpu": 3000, "cpu_scaling_enabled": false,
    "caches": [{"type": "Data", "level": 1, "size": 32768, "num_sharing": 1}],
    "load_avg": [0.5, 0.25, 0.125], "library_build_type": "debug"
  },
  "benchmarks": [
    {"name": "BM_A", "family_index": 0, "per_family_instance_index": 0,
     "run_name": "BM_A", "run_type": "iteration", "repetitions": 2,
     "repetition_index": 0, "threads": 1, "iterations": 1000,
     "real_time": 1.5, "cpu_time": 1.25, "time_unit": "us"},
    {"name": "BM_A", "family_index": 0, "per_family_instance_index": 0,
     "run_name": "BM_A", "run_type": "iteration", "repetitions": 2,
     "repetition_index": 1, "threads": 1, "iterations": 1100,
     "real_time": 2.5, "cpu_time": 2.25, "time_unit": "us"},
    {"name": "BM_A_mean", "run_name": "BM_A", "run_type": "aggregate",
     "repetitions": 2, "threads": 1, "aggregate_name": "mean", "aggregate_unit": "time",
     "iterations": 2, "real_time": 2.0, "cpu_time": 1.75, "time_unit": "us"},
    {"name": "BM_A_cv", "run_name": "BM_A", "run_type": "aggregate",
     "repetitions": 2, "threads": 1, "aggregate_name": "cv",
     "aggregate_unit": "percentage", "iterations": 2, "real_time": 0.35,
     "cpu_time": 0.4, "time_unit": "us"},
    {"name": "BM_B/8", "family_index": 1, "per_family_instance_index": 0,
     "run_name": "BM_B/8", "run_type": "iteration", "repetitions": 1,
     "repetition_index": 0, "threads": 1, "iterations": 10,
     "real_time": 3.0, "cpu_time": 2.0, "time_unit": "ms",
     "bytes_per_second": 1.0e9, "items_per_second": 5.0e2, "widgets": 42,
     "odd": NaN, "label": "eight"},
    {"name": "BM_Err", "family_index": 2, "per_family_instance_index": 0,
     "run_name": "BM_Err", "run_type": "iteration", "repetitions": 1,
     "repetition_index": 0, "threads": 1, "error_occurred": true,
     "error_message": "no device", "iterations": 0, "real_time": 0,
     "cpu_time": 0, "time_unit": "ns"}
  ]
})";

TEST_F(GoogleBenchmarkTest, ParsesVersion171) {
  std::vector<BenchResult> results;
  Fingerprint context;
  context.logical_cpus = 2;  // Read from the machine: the file does not override it.
  std::string error;
  ASSERT_TRUE(ParseGoogleBenchmarkJson(kJson171, "bin/b", &results, &context, &error))
      << error;
  ASSERT_EQ(results.size(), 3u);

  const BenchResult& a = results[0];
  EXPECT_EQ(a.name, "BM_A");
  EXPECT_EQ(a.binary, "bin/b");
  EXPECT_EQ(a.kind, BenchKind::kGoogleBenchmark);
  EXPECT_EQ(a.error, "");
  ASSERT_EQ(a.samples.size(), 2u);
  EXPECT_EQ(a.samples[0].repetition, 0);
  EXPECT_EQ(a.samples[0].iterations, 1000);
  EXPECT_DOUBLE_EQ(a.samples[0].real_ns, 1500);
  EXPECT_DOUBLE_EQ(a.samples[0].cpu_ns, 1250);
  EXPECT_THAT(a.samples[0].counters, IsEmpty());
  EXPECT_EQ(a.samples[1].repetition, 1);
  EXPECT_DOUBLE_EQ(a.samples[1].real_ns, 2500);

  const BenchResult& b = results[1];
  EXPECT_EQ(b.name, "BM_B/8");
  ASSERT_EQ(b.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(b.samples[0].real_ns, 3e6);
  EXPECT_DOUBLE_EQ(b.samples[0].cpu_ns, 2e6);
  // The NaN counter is dropped; the label is no number.
  EXPECT_EQ(b.samples[0].counters,
            (std::map<std::string, double>{
                {"bytes_per_second", 1e9}, {"items_per_second", 500}, {"widgets", 42}}));

  EXPECT_EQ(results[2].name, "BM_Err");
  EXPECT_EQ(results[2].error, "no device");
  EXPECT_THAT(results[2].samples, IsEmpty());

  EXPECT_EQ(context.build_type, "debug");
  EXPECT_EQ(context.logical_cpus, 2);
  EXPECT_DOUBLE_EQ(context.load_average, 0.5);
}

TEST_F(GoogleBenchmarkTest, FillsTheCpusWhenUnknownAndAppends) {
  std::vector<BenchResult> results(1);
  Fingerprint context;
  std::string error;
  ASSERT_TRUE(ParseGoogleBenchmarkJson(kJson171, "b", &results, &context, &error));
  EXPECT_EQ(results.size(), 4u);
  EXPECT_EQ(context.logical_cpus, 8);
  // No context wanted.
  EXPECT_TRUE(ParseGoogleBenchmarkJson(kJson171, "b", &results, nullptr, &error));
}

// A newer version: schema version, fields 1.7.1 does not know, a skip with
// a message, no repetition_index, seconds, an entry without run_name.
TEST_F(GoogleBenchmarkTest, ParsesANewerVersion) {
  const std::string json = R"({
    "context": {"json_schema_version": 1, "library_version": "v1.9.1",
                "library_build_type": "release", "num_cpus": 4,
                "load_avg": [], "caches": [], "future": {"x": [1, 2]}},
    "benchmarks": [
      {"name": "BM_S", "run_name": "BM_S", "run_type": "iteration", "iterations": 3,
       "real_time": 0.5, "cpu_time": 0.25, "time_unit": "s",
       "allocs_per_iter": 2.0, "max_bytes_used": 64, "new_thing": "text"},
      {"name": "BM_S", "run_name": "BM_S", "run_type": "iteration", "iterations": 3,
       "real_time": 1.0, "cpu_time": -Infinity, "time_unit": "s"},
      {"name": "BM_Skip", "run_type": "iteration", "skipped": true,
       "skip_message": "needs a GPU", "iterations": 0},
      {"name": "BM_S_BigO", "run_name": "BM_S", "run_type": "aggregate",
       "aggregate_name": "BigO", "cpu_coefficient": 1.0, "big_o": "N"},
      {"name": "BM_Future", "run_type": "some_new_kind", "iterations": 1}
    ]
  })";
  std::vector<BenchResult> results;
  Fingerprint context;
  std::string error;
  ASSERT_TRUE(ParseGoogleBenchmarkJson(json, "b", &results, &context, &error)) << error;
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0].samples.size(), 2u);
  EXPECT_EQ(results[0].samples[0].repetition, 0);
  EXPECT_EQ(results[0].samples[1].repetition, 1);
  EXPECT_DOUBLE_EQ(results[0].samples[0].real_ns, 5e8);
  EXPECT_DOUBLE_EQ(results[0].samples[0].cpu_ns, 2.5e8);
  EXPECT_DOUBLE_EQ(results[0].samples[1].cpu_ns, 0);
  EXPECT_EQ(
      results[0].samples[0].counters,
      (std::map<std::string, double>{{"allocs_per_iter", 2}, {"max_bytes_used", 64}}));
  EXPECT_EQ(results[1].name, "BM_Skip");
  EXPECT_EQ(results[1].error, "skipped: needs a GPU");
  EXPECT_EQ(context.build_type, "release");
  EXPECT_EQ(context.logical_cpus, 4);
  EXPECT_EQ(context.load_average, 0);
}

TEST_F(GoogleBenchmarkTest, OutOfRangeIntegersFallBack) {
  std::vector<BenchResult> results;
  std::string error;
  ASSERT_TRUE(ParseGoogleBenchmarkJson(
      R"({"benchmarks": [{"name": "A", "repetition_index": 1e300, "iterations": -1e30}]})",
      "b", &results, nullptr, &error));
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].samples.size(), 1u);
  EXPECT_EQ(results[0].samples[0].repetition, 0);
  EXPECT_EQ(results[0].samples[0].iterations, 0);
}

TEST_F(GoogleBenchmarkTest, RefusesMalformedJsonAndSaysWhere) {
  std::vector<BenchResult> results;
  std::string error;
  const std::string cut = std::string(kJson171).substr(0, 900);
  EXPECT_FALSE(ParseGoogleBenchmarkJson(cut, "bin/b", &results, nullptr, &error));
  EXPECT_THAT(error, HasSubstr("'bin/b'"));
  // The line it ends on, where a benchmark that crashed stopped writing.
  const auto last_line = 1 + std::count(cut.begin(), cut.end(), '\n');
  EXPECT_THAT(error, HasSubstr("malformed at line " + std::to_string(last_line) + " "));
  EXPECT_EQ(error.find('\n'), std::string::npos);

  EXPECT_FALSE(ParseGoogleBenchmarkJson(" \n", "b", &results, nullptr, &error));
  EXPECT_THAT(error, HasSubstr("is empty"));
  EXPECT_FALSE(
      ParseGoogleBenchmarkJson(R"({"context": {}})", "b", &results, nullptr, &error));
  EXPECT_THAT(error, HasSubstr("no \"benchmarks\" array"));
  EXPECT_FALSE(ParseGoogleBenchmarkJson(R"([1])", "b", &results, nullptr, &error));
  EXPECT_FALSE(ParseGoogleBenchmarkJson(R"({"benchmarks": [{"name": "A"}, 3]})", "b",
                                        &results, nullptr, &error));
  EXPECT_THAT(error, HasSubstr("benchmarks[1] is not an object"));
  EXPECT_FALSE(ParseGoogleBenchmarkJson(
      R"({"benchmarks": [{"name": "A"}, {"name": "B", "time_unit": "min"}]})", "b",
      &results, nullptr, &error));
  EXPECT_THAT(error, HasSubstr("benchmarks[1] has time_unit 'min'"));
  EXPECT_FALSE(ParseGoogleBenchmarkJson(R"({"benchmarks": [{"name": "A", "x": 1e999}]})",
                                        "b", &results, nullptr, &error));
  EXPECT_THAT(error, HasSubstr("too large"));
  EXPECT_THAT(results, IsEmpty());
}

// ---- The real thing ---------------------------------------------------------

TEST_F(GoogleBenchmarkTest, MeasuresTheFixture) {
  Fingerprint context;
  const std::vector<BenchResult> results = Measure("BM_Tiny", 3, &context);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].name, "BM_Tiny");
  EXPECT_EQ(results[0].binary, "fixture");
  EXPECT_EQ(results[0].error, "");
  ASSERT_EQ(results[0].samples.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const BenchSample& sample = results[0].samples[i];
    EXPECT_EQ(sample.repetition, i);
    EXPECT_GT(sample.iterations, 1000);
    EXPECT_GT(sample.real_ns, 0);
    EXPECT_LT(sample.real_ns, 1000);  // A few ns, on a loaded machine too.
    EXPECT_GT(sample.cpu_ns, 0);
  }
  EXPECT_THAT(context.build_type, testing::AnyOf("release", "debug"));
  EXPECT_GT(context.logical_cpus, 0);
}

TEST_F(GoogleBenchmarkTest, MeasuresAMillisecondOfCpu) {
  const std::vector<BenchResult> results = Measure("BM_Millisecond", 1);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].samples.size(), 1u);
  EXPECT_GE(results[0].samples[0].cpu_ns, 0.99e6);
  EXPECT_LT(results[0].samples[0].cpu_ns, 1.5e6);
  EXPECT_GE(results[0].samples[0].real_ns, 0.99e6);
}

TEST_F(GoogleBenchmarkTest, ReadsTheFixturesCounters) {
  const std::vector<BenchResult> results = Measure("BM_Counters", 1);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].samples.size(), 1u);
  const auto& counters = results[0].samples[0].counters;
  ASSERT_TRUE(counters.contains("bytes_per_second"));
  EXPECT_GT(counters.at("bytes_per_second"), 0);
  EXPECT_EQ(counters.at("widgets"), 42);
  EXPECT_EQ(counters.size(), 2u);
}

TEST_F(GoogleBenchmarkTest, TheFilterSelectsANameOfRegexCharacters) {
  const std::vector<BenchResult> results = Measure("BM_Template<int>/8", 2);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].name, "BM_Template<int>/8");
  EXPECT_EQ(results[0].samples.size(), 2u);
}

TEST_F(GoogleBenchmarkTest, ReadsTheFixturesError) {
  const std::vector<BenchResult> results = Measure("BM_Fails", 2);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].error, "BM_Fails fails on purpose");
  EXPECT_THAT(results[0].samples, IsEmpty());
}

}  // namespace
}  // namespace redqueen::queen::bench
