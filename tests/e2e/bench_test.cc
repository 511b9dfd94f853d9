// End to end: `redqueen bench` on RedQueen's fixture and on Google Benchmark
// binaries built in this tree: what it measures and keeps, its numbered
// files, and the exit codes of its gate (compare, ab) and of its refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;
using testing::Not;

/// Short measurements: these tests check what is measured and kept, not
/// how well (bench/bench_gate.sh does that).
const std::vector<std::string> kQuick = {"--bench-time", "30ms", "--bench-warmup", "5ms"};

std::vector<std::string> Args(std::vector<std::string> args, const Scratch& scratch) {
  args.insert(args.end(), kQuick.begin(), kQuick.end());
  args.insert(args.end(), {"--db", scratch.db()});
  return args;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A Google Benchmark JSON file of BM_A with `values` (ns) as repetitions.
std::string GoogleBenchmarkJson(const std::vector<double>& values) {
  std::string entries;
  for (size_t i = 0; i < values.size(); ++i) {
    entries +=
        std::string(i ? "," : "") +
        R"({"name":"BM_A","run_name":"BM_A","run_type":"iteration","repetitions":)" +
        std::to_string(values.size()) + R"(,"repetition_index":)" + std::to_string(i) +
        R"(,"threads":1,"iterations":1000,"real_time":)" + std::to_string(values[i]) +
        R"(,"cpu_time":)" + std::to_string(values[i]) + R"(,"time_unit":"ns"})";
  }
  return R"({"context":{"date":"2026-12-01","num_cpus":2,"library_build_type":"release"},)"
         R"("benchmarks":[)" +
         entries + "]}";
}

std::vector<double> Around(double centre, double spread) {
  std::vector<double> values;
  for (int i = 0; i < 10; ++i)
    values.push_back(centre * (1 + spread * ((i * 7 % 10) - 4.5) / 4.5));
  return values;
}

class BenchTest : public FixtureTest {
 protected:
  std::string File(const std::string& name, const std::vector<double>& values) {
    const std::string path = scratch_.Path(name);
    WriteText(path, GoogleBenchmarkJson(values));
    return path;
  }
};

TEST_F(BenchTest, MeasuresTheFixturesBenchmarksAndNotItsTests) {
  const Outcome run = RunRedqueen(Args({"bench", Fixture("bench_fixture")}, scratch_));
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_THAT(run.out, HasSubstr("bench run 1"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT COUNT(*) FROM bench_runs"), 1);
  EXPECT_EQ(db.Count("SELECT COUNT(*) FROM bench_samples WHERE benchmark NOT LIKE '%.%'"),
            0);
  // Every benchmark at least five rounds, and nothing of the plain TEST.
  for (const auto& row : db.Rows("SELECT benchmark, COUNT(*) FROM bench_samples "
                                 "GROUP BY benchmark")) {
    EXPECT_GE(std::stol(row[1]), 5) << row[0];
  }
  EXPECT_EQ(db.Count("SELECT COUNT(DISTINCT benchmark) FROM bench_samples"),
            db.Count("SELECT COUNT(DISTINCT benchmark) FROM bench_samples "
                     "WHERE kind = 'fixture'"));
  EXPECT_GE(db.Count("SELECT COUNT(DISTINCT benchmark) FROM bench_samples"), 2);
  EXPECT_EQ(db.Count("SELECT COUNT(*) FROM bench_samples WHERE real_ns <= 0"), 0);
}

TEST_F(BenchTest, ABenchmarkThatCrashesFailsOrHangsIsAnErrorAndTheOthersAreKept) {
  struct Case {
    const char* fault;
    const char* says;
  };
  for (const Case& c : {Case{"crash", "SIGABRT"}, Case{"fail", "failing on request"},
                        Case{"hang", "timed out"}}) {
    Launch launch{Args({"bench", Fixture("bench_fixture"), "--filter",
                        "BenchFaults.*:Bench.OneMicrosecond", "--bench-timeout", "2s"},
                       scratch_)};
    launch.env = {{"REDQUEEN_BENCH_FIXTURE_FAULT", c.fault}};
    const Outcome run = RunRedqueen(launch);
    EXPECT_EQ(run.exit_code, 1) << c.fault << run.err << run.out;
    EXPECT_THAT(run.out, HasSubstr("ERROR")) << c.fault;
    EXPECT_THAT(run.out, HasSubstr(c.says)) << c.fault << run.out;
    EXPECT_TRUE(LeftBehind().empty()) << c.fault;
  }
  Db db(scratch_.db());
  EXPECT_EQ(
      db.Count(
          "SELECT COUNT(*) FROM bench_errors WHERE benchmark = 'BenchFaults.OnRequest'"),
      3);
  EXPECT_EQ(db.Count("SELECT COUNT(DISTINCT run_id) FROM bench_samples "
                     "WHERE benchmark = 'Bench.OneMicrosecond'"),
            3);
}

TEST_F(BenchTest, KeepsEveryRepetitionOfAGoogleBenchmarkBinary) {
  const Outcome run =
      RunRedqueen(Args({"bench", Fixture("gbench"), "--filter", "-*Fails*",
                        "--repetitions", "3", "--bench-time", "10ms"},
                       scratch_));
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  Db db(scratch_.db());
  for (const auto& row :
       db.Rows("SELECT benchmark, COUNT(*), MIN(kind) FROM bench_samples "
               "GROUP BY benchmark")) {
    EXPECT_EQ(row[1], "3") << row[0];
    EXPECT_EQ(row[2], "google-benchmark") << row[0];
  }
  EXPECT_GE(db.Count("SELECT COUNT(*) FROM bench_samples WHERE counters != '{}'"), 3);
}

TEST_F(BenchTest, ABenchmarkThatFailsIsAnErrorRowAndExitOne) {
  const Outcome run =
      RunRedqueen(Args({"bench", Fixture("gbench"), "--filter", "*Fails*:BM_Tiny",
                        "--repetitions", "2", "--bench-time", "10ms"},
                       scratch_));
  EXPECT_EQ(run.exit_code, 1) << run.err << run.out;
  EXPECT_THAT(run.out, HasSubstr("ERROR"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT COUNT(*) FROM bench_errors"), 1);
  EXPECT_EQ(db.Count("SELECT COUNT(*) FROM bench_samples WHERE benchmark = 'BM_Tiny'"),
            2);
}

TEST_F(BenchTest, SavesNumberedFilesAndShowsTheChangeSinceTheLastRun) {
  const std::vector<std::string> args = {
      "bench", Fixture("gbench"), "--filter", "BM_Tiny", "--repetitions",
      "5",     "--bench-time",    "10ms",     "--save",  "nightly"};
  ASSERT_EQ(RunRedqueen(Args(args, scratch_)).exit_code, 0);
  const Outcome second = RunRedqueen(Args(args, scratch_));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("change vs run 1"));
  EXPECT_TRUE(std::filesystem::exists(scratch_.Path("bench/0001_nightly.json")));
  EXPECT_TRUE(std::filesystem::exists(scratch_.Path("bench/0002_nightly.json")));
  EXPECT_THAT(ReadText(scratch_.Path("bench/0002_nightly.json")),
              HasSubstr("machine_info"));

  const Outcome runs = RunRedqueen({"bench", "runs", "--db", scratch_.db()});
  EXPECT_EQ(runs.exit_code, 0);
  EXPECT_THAT(runs.out, HasSubstr("nightly"));
  const Outcome show = RunRedqueen({"bench", "show", "1", "--db", scratch_.db()});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("BM_Tiny"));
  const Outcome compare =
      RunRedqueen({"bench", "compare", scratch_.Path("bench/0001_nightly.json"), "2",
                   "--db", scratch_.db(), "--no-fail-unstable"});
  EXPECT_EQ(compare.exit_code == 0 || compare.exit_code == 1, true) << compare.err;
  EXPECT_THAT(compare.out, HasSubstr("BM_Tiny"));
  const Outcome page = RunRedqueen(
      {"bench", "report", "-o", scratch_.Path("bench.html"), "--db", scratch_.db()});
  EXPECT_EQ(page.exit_code, 0) << page.err;
  EXPECT_THAT(ReadText(scratch_.Path("bench.html")), HasSubstr("BM_Tiny"));
}

TEST_F(BenchTest, BenchmarkPageDrawsEachBenchmarksHistoryInChromium) {
  const std::vector<std::string> args = {
      "bench", Fixture("gbench"), "--filter", "BM_Tiny:BM_Counters", "--repetitions",
      "3",     "--bench-time",    "10ms"};
  for (int run = 0; run < 3; ++run)
    ASSERT_EQ(RunRedqueen(Args(args, scratch_)).exit_code, 0);
  const std::string html = scratch_.Path("bench.html");
  ASSERT_EQ(RunRedqueen({"bench", "report", "-o", html, "--db", scratch_.db()}).exit_code,
            0);
  const Outcome dom = RenderedPage(html, scratch_);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  auto count = [&dom](const std::string& text) { return Occurrences(dom.out, text); };
  EXPECT_EQ(count("class=\"chart\""), 2u) << "one chart per benchmark";
  EXPECT_EQ(count("class=\"dot\""), 6u) << "a point per benchmark and run";
  EXPECT_EQ(count("class=\"band\""), 2u);
  EXPECT_THAT(dom.out, HasSubstr("3 bench runs"));
}

TEST_F(BenchTest, CompareFlagsARegressionWithExitOne) {
  const Outcome slower =
      RunRedqueen({"bench", "compare", File("base.json", Around(100, 0.01)),
                   File("new.json", Around(120, 0.01)), "--db", scratch_.db()});
  EXPECT_EQ(slower.exit_code, 1) << slower.err;
  EXPECT_THAT(slower.out, HasSubstr("slower"));
  const std::string json = scratch_.Path("verdicts.json");
  const Outcome same = RunRedqueen({"bench", "compare", File("a.json", Around(100, 0.01)),
                                    File("b.json", Around(100, 0.01)), "--json", json});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_THAT(same.out, HasSubstr("no change"));
  EXPECT_THAT(ReadText(json), HasSubstr("\"verdict\": \"no change\""));
  const Outcome faster =
      RunRedqueen({"bench", "compare", File("c.json", Around(100, 0.01)),
                   File("d.json", Around(80, 0.01))});
  EXPECT_EQ(faster.exit_code, 0);
  EXPECT_THAT(faster.out, HasSubstr("faster"));
}

TEST_F(BenchTest, CompareCallsNoiseUnstableAndFailsOnItOnlyWhenAsked) {
  const std::string base = File("base.json", Around(100, 0.3));
  const std::string fresh = File("new.json", Around(103, 0.3));
  const Outcome lenient =
      RunRedqueen({"bench", "compare", base, fresh, "--no-fail-unstable"});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_THAT(lenient.out, HasSubstr("unstable"));
  EXPECT_EQ(RunRedqueen({"bench", "compare", base, fresh, "--fail-unstable"}).exit_code,
            3);
  // Where CI is set, failing on it is the default.
  Launch in_ci{{"bench", "compare", base, fresh}};
  in_ci.env = {{"CI", "true"}};
  EXPECT_EQ(RunRedqueen(in_ci).exit_code, 3);
}

TEST_F(BenchTest, RefusesRunsOfDifferentMachinesUnlessCrossMachine) {
  const std::vector<std::string> args = {
      "bench", Fixture("gbench"), "--filter", "BM_Tiny", "--repetitions",
      "5",     "--bench-time",    "10ms",     "--json",  scratch_.Path("mine.json")};
  ASSERT_EQ(RunRedqueen(Args(args, scratch_)).exit_code, 0);
  std::string text = ReadText(scratch_.Path("mine.json"));
  const size_t model = text.find("\"cpu_model\"");
  ASSERT_NE(model, std::string::npos);
  text.insert(text.find('"', model + 12) + 1, "Another ");
  WriteText(scratch_.Path("theirs.json"), text);
  const Outcome refused = RunRedqueen(
      {"bench", "compare", scratch_.Path("theirs.json"), scratch_.Path("mine.json")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("different machines"));
  EXPECT_THAT(refused.err, HasSubstr("--cross-machine"));
  const Outcome allowed =
      RunRedqueen({"bench", "compare", scratch_.Path("theirs.json"),
                   scratch_.Path("mine.json"), "--cross-machine", "--no-fail-unstable"});
  EXPECT_NE(allowed.exit_code, 2) << allowed.err;
}

TEST_F(BenchTest, AbFindsTheSlowerBuildAndNotTheSameOne) {
  const Outcome same = RunRedqueen(
      Args({"bench", "ab", Fixture("knob_100"), Fixture("knob_100"), "--filter",
            "BM_Knob", "--cycles", "6", "--bench-time", "10ms", "--no-fail-unstable"},
           scratch_));
  EXPECT_EQ(same.exit_code, 0) << same.err << same.out;
  EXPECT_THAT(same.out, HasSubstr("A/A"));
  EXPECT_THAT(same.out, Not(HasSubstr("slower")));
  // On a machine busy with other tests (ctest -j), the A/A floor can be wide
  // enough that the 2x build is rightly unstable: that is asked again, up to
  // three times; any other verdict than slower or unstable fails at once.
  Outcome slower;
  int runs = 0;
  do {
    slower = RunRedqueen(
        Args({"bench", "ab", Fixture("knob_100"), Fixture("knob_200"), "--filter",
              "BM_Knob", "--cycles", "6", "--bench-time", "10ms", "--no-fail-unstable"},
             scratch_));
    ++runs;
    EXPECT_THAT(slower.out, Not(HasSubstr("no change")));
    EXPECT_THAT(slower.out, Not(HasSubstr("faster")));
  } while (slower.exit_code == 0 && slower.out.find("unstable") != std::string::npos &&
           runs < 3);
  EXPECT_EQ(slower.exit_code, 1) << slower.err << slower.out;
  EXPECT_THAT(slower.out, HasSubstr("slower"));
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT COUNT(*) FROM bench_runs WHERE kind = 'ab'"), 1 + runs);
  EXPECT_EQ(db.Count("SELECT COUNT(DISTINCT arm) FROM bench_samples"), 3);
}

TEST_F(BenchTest, BadInputIsOneLineAndADocumentedExitCode) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  const std::string not_a_dir = scratch_.Path("file");
  WriteText(not_a_dir, "x");
  const std::vector<Case> cases = {
      {{"bench"}, 2, "needs a BINARY"},
      {{"bench", "/bin/sh"}, 3, "/bin/sh"},
      {{"bench", scratch_.Path("missing")}, 3, "missing"},
      {{"bench", Fixture("passing")}, 4, "no benchmark"},
      {{"bench", Fixture("gbench"), "--filter", "Nothing*"}, 4, "--filter"},
      {{"bench", Fixture("gbench"), "--cpus", "9999"}, 2, "--cpus"},
      {{"bench", Fixture("gbench"), "--cpus", "1-0"}, 2, "--cpus"},
      {{"bench", Fixture("gbench"), "--bench-time", "fast"}, 2, "--bench-time"},
      {{"bench", Fixture("gbench"), "--db", not_a_dir + "/x.db"}, 3, "x.db"},
      {{"bench", "compare", "1"}, 2, "NEW"},
      {{"bench", "compare", "1", "2", "--threshold", "lots"}, 2, "--threshold"},
      {{"bench", "compare", not_a_dir, not_a_dir}, 2, "not JSON"},
      {{"bench", "compare", "7", "8", "--db", scratch_.db()}, 2, "7"},
      {{"bench", "ab", Fixture("knob_100")}, 2, "NEW_BINARY"},
      {{"bench", "ab", Fixture("knob_100"), Fixture("knob_100"), "--cycles", "6",
        "--alpha", "0.01"},
       2,
       "at least 8 cycles"},
      {{"bench", "ab", Fixture("knob_100"), Fixture("knob_100"), "--cycles", "5"},
       2,
       "--cycles"},
      {{"bench", "show", "5", "--db", scratch_.db()}, 3, "no bench run"},
  };
  for (const Case& c : cases) {
    const Outcome outcome = RunRedqueen(c.args);
    std::string line = c.args[0];
    for (size_t i = 1; i < c.args.size(); ++i) line += " " + c.args[i];
    EXPECT_EQ(outcome.exit_code, c.exit_code) << line << "\n" << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr(c.says)) << line;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << line << "\n"
                                                                           << outcome.err;
  }
}

}  // namespace
}  // namespace redqueen::e2e
