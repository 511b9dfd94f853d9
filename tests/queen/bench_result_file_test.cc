#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "queen/bench/result_file.h"

namespace redqueen::queen::bench {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

class ResultFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) /
           ("bench_result_file_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteText(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  fs::path dir_;
};

TEST_F(ResultFileTest, TheFirstFileOfAFolderIs0001AndTheFolderIsMade) {
  std::string error;
  const fs::path folder = dir_ / ".redqueen" / "bench";
  EXPECT_EQ(NextResultPath(folder.string(), "", &error),
            (folder / "0001_run.json").string())
      << error;
  EXPECT_TRUE(fs::is_directory(folder));
  EXPECT_EQ(NextResultPath(folder.string(), "base", &error),
            (folder / "0001_base.json").string())
      << "a number is taken by a file, not by asking";
}

TEST_F(ResultFileTest, TheNextNumberIsOnePastTheHighest) {
  WriteText(dir_ / "0001_a.json", "{}");
  WriteText(dir_ / "0007_b.json", "{}");
  WriteText(dir_ / "123_short.json", "{}");
  WriteText(dir_ / "0042notes.txt", "");
  WriteText(dir_ / "99999999999_too_long.json", "{}");
  std::string error;
  EXPECT_EQ(NextResultPath(dir_.string(), "c", &error), (dir_ / "0008_c.json").string())
      << error;
  WriteText(dir_ / "9999_last.json", "{}");
  EXPECT_EQ(NextResultPath(dir_.string(), "c", &error), (dir_ / "10000_c.json").string());
}

TEST_F(ResultFileTest, LabelsAreMadeSafeForAFileName) {
  std::string error;
  auto name = [&](const std::string& label) {
    return fs::path(NextResultPath(dir_.string(), label, &error)).filename().string();
  };
  EXPECT_EQ(name("ok.1-2_3"), "0001_ok.1-2_3.json");
  EXPECT_EQ(name("my label/../x"), "0001_my_label_.._x.json");
  EXPECT_EQ(name("caf\xc3\xa9 $HOME*"), "0001_caf____HOME_.json");
  EXPECT_EQ(name(std::string(300, 'x')), "0001_" + std::string(100, 'x') + ".json");
}

BenchStatistics Stats(double base) {
  return {5, 5000, base, base * 2, base * 1.5, base * 1.4, base / 10, base / 5};
}

BenchFile AFile() {
  BenchFile file;
  file.run_id = 12;
  file.started_at = "2026-03-01T10:00:00.000Z";
  file.git_commit = "0123abcd";
  file.label = "base";
  file.command = "redqueen bench --save base bin/x_bench";
  file.machine = {"Xeon \"E5\"", "f1a2",           16, 8,    true,       "performance",
                  "off",         "6.1.0-18-amd64", 2,  0.37, "gcc 12.2", "release"};
  SavedBenchmark fixture{{"bin/x_bench", "Sort.Small", BenchKind::kFixture, "", {}, ""},
                         Stats(11.5),
                         Stats(11.25)};
  fixture.result.samples = {{0, 1000, 11.5, 11.25, {}, {{"error_rate", 1e-300}}},
                            {1, 1000, 12.75, 12.5, {}, {{"error_rate", -2}}}};
  SavedBenchmark gb{{"bin/gb", "BM_Copy/64", BenchKind::kGoogleBenchmark, "B", {}, ""},
                    Stats(3.5),
                    Stats(0)};
  gb.result.samples = {{0,
                        200000,
                        3.5,
                        0,
                        {{"bytes_per_second", 1.8e10},
                         {"odd \"name\"\n", std::numeric_limits<double>::quiet_NaN()}},
                        {}}};
  gb.cpu.stddev = std::numeric_limits<double>::quiet_NaN();
  SavedBenchmark crashed{
      {"bin/gb", "BM_Crash", BenchKind::kGoogleBenchmark, "B", {}, "crashed (SIGSEGV)"},
      {},
      {}};
  file.benchmarks = {fixture, gb, crashed};
  return file;
}

bool SameNumber(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void ExpectSameStats(const BenchStatistics& got, const BenchStatistics& want) {
  EXPECT_EQ(got.rounds, want.rounds);
  EXPECT_EQ(got.iterations, want.iterations);
  for (auto field :
       {&BenchStatistics::min, &BenchStatistics::max, &BenchStatistics::mean,
        &BenchStatistics::median, &BenchStatistics::stddev, &BenchStatistics::iqr}) {
    EXPECT_TRUE(SameNumber(got.*field, want.*field)) << got.*field << " " << want.*field;
  }
}

void ExpectSameNumbers(const std::map<std::string, double>& got,
                       const std::map<std::string, double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (auto g = got.begin(), w = want.begin(); g != got.end(); ++g, ++w) {
    EXPECT_EQ(g->first, w->first);
    EXPECT_TRUE(SameNumber(g->second, w->second)) << g->first;
  }
}

void ExpectSameBenchmark(const SavedBenchmark& got, const SavedBenchmark& want) {
  EXPECT_EQ(got.result.binary, want.result.binary);
  EXPECT_EQ(got.result.name, want.result.name);
  EXPECT_EQ(got.result.kind, want.result.kind);
  EXPECT_EQ(got.result.arm, want.result.arm);
  EXPECT_EQ(got.result.error, want.result.error);
  ExpectSameStats(got.real, want.real);
  ExpectSameStats(got.cpu, want.cpu);
  ASSERT_EQ(got.result.samples.size(), want.result.samples.size());
  for (size_t i = 0; i < got.result.samples.size(); ++i) {
    const BenchSample& g = got.result.samples[i];
    const BenchSample& w = want.result.samples[i];
    EXPECT_EQ(g.repetition, w.repetition);
    EXPECT_EQ(g.iterations, w.iterations);
    EXPECT_EQ(g.real_ns, w.real_ns);
    EXPECT_EQ(g.cpu_ns, w.cpu_ns);
    ExpectSameNumbers(g.counters, w.counters);
    ExpectSameNumbers(g.quality, w.quality);
  }
}

TEST_F(ResultFileTest, WhatIsWrittenIsReadBackFieldByField) {
  const std::string path = (dir_ / "0001_base.json").string();
  std::string error;
  ASSERT_TRUE(WriteBenchFile(path, AFile(), &error)) << error;
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  std::ifstream in(path);
  const nlohmann::json written = nlohmann::json::parse(in);
  EXPECT_TRUE(IsBenchFileJson(written));
  EXPECT_EQ(written["format"], "redqueen-bench-file-1");
  EXPECT_EQ(written["run"], 12);
  EXPECT_EQ(written["commit"], "0123abcd");
  EXPECT_EQ(written["machine_info"]["logical_cpus"], 16);
  EXPECT_EQ(written["benchmarks"][0]["stats"]["median"], 11.5 * 1.4);
  EXPECT_EQ(written["benchmarks"][1]["kind"], "google-benchmark");
  EXPECT_TRUE(written["benchmarks"][1]["cpu_stats"]["stddev"].is_null()) << "NaN";

  BenchFile read;
  ASSERT_TRUE(ReadBenchFile(path, &read, &error)) << error;
  const BenchFile want = AFile();
  EXPECT_EQ(read.format, want.format);
  EXPECT_EQ(read.run_id, want.run_id);
  EXPECT_EQ(read.started_at, want.started_at);
  EXPECT_EQ(read.git_commit, want.git_commit);
  EXPECT_EQ(read.label, want.label);
  EXPECT_EQ(read.command, want.command);
  const Fingerprint& m = read.machine;
  EXPECT_EQ(m.cpu_model, want.machine.cpu_model);
  EXPECT_EQ(m.cpu_flags, want.machine.cpu_flags);
  EXPECT_EQ(m.logical_cpus, want.machine.logical_cpus);
  EXPECT_EQ(m.physical_cores, want.machine.physical_cores);
  EXPECT_EQ(m.smt, want.machine.smt);
  EXPECT_EQ(m.governor, want.machine.governor);
  EXPECT_EQ(m.boost, want.machine.boost);
  EXPECT_EQ(m.kernel, want.machine.kernel);
  EXPECT_EQ(m.aslr, want.machine.aslr);
  EXPECT_EQ(m.load_average, want.machine.load_average);
  EXPECT_EQ(m.compiler, want.machine.compiler);
  EXPECT_EQ(m.build_type, want.machine.build_type);
  ASSERT_EQ(read.benchmarks.size(), want.benchmarks.size());
  for (size_t i = 0; i < read.benchmarks.size(); ++i) {
    SCOPED_TRACE(want.benchmarks[i].result.name);
    ExpectSameBenchmark(read.benchmarks[i], want.benchmarks[i]);
  }
}

TEST_F(ResultFileTest, WhatIsNotAResultFileIsRefusedWithOneLine) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"array.json", "[1, 2, 3]"},
      {"gbench.json",
       R"({"context": {"date": "2026-03-01", "num_cpus": 8}, "benchmarks": []})"},
      {"text.json", "not json at all"},
      {"newer.json", R"({"format": "redqueen-bench-file-2", "run": 1})"},
      {"damaged.json", R"({"format": "redqueen-bench-file-1", "run": 1})"},
      {"bad_kind.json", R"({"format": "redqueen-bench-file-1", "run": 1,
        "started_at": "", "commit": "", "label": "", "command": "", "machine_info": {},
        "benchmarks": [{"binary": "b", "name": "n", "kind": "pytest", "arm": "",
                        "error": "", "stats": {}, "cpu_stats": {}, "samples": []}]})"}};
  for (const auto& [name, text] : files) {
    WriteText(dir_ / name, text);
    BenchFile file;
    file.label = "untouched";
    std::string error;
    EXPECT_FALSE(ReadBenchFile((dir_ / name).string(), &file, &error)) << name;
    EXPECT_THAT(error, HasSubstr(name));
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(file.label, "untouched");
  }
  std::string error;
  BenchFile file;
  ReadBenchFile((dir_ / "gbench.json").string(), &file, &error);
  EXPECT_THAT(error, HasSubstr("Google Benchmark"));
  ReadBenchFile((dir_ / "newer.json").string(), &file, &error);
  EXPECT_THAT(error, HasSubstr("format redqueen-bench-file-2"));
  ReadBenchFile((dir_ / "bad_kind.json").string(), &file, &error);
  EXPECT_THAT(error, HasSubstr("'pytest'"));
  EXPECT_FALSE(ReadBenchFile((dir_ / "missing.json").string(), &file, &error));
  EXPECT_THAT(error, HasSubstr("cannot read"));

  EXPECT_FALSE(IsBenchFileJson(nlohmann::json::array()));
  EXPECT_FALSE(IsBenchFileJson(nlohmann::json::parse(files[1].second)));
  EXPECT_FALSE(IsBenchFileJson(nlohmann::json{{"format", 1}}));
  EXPECT_TRUE(IsBenchFileJson(nlohmann::json::parse(files[3].second)));
}

TEST_F(ResultFileTest, AFolderThatCannotBeWrittenIsAnError) {
  // Under a regular file nothing can be made, even by root.
  WriteText(dir_ / "file", "x");
  const std::string folder = (dir_ / "file" / "bench").string();
  std::string error;
  EXPECT_EQ(NextResultPath(folder, "x", &error), "");
  EXPECT_THAT(error, HasSubstr("cannot make the result folder '" + folder + "'"));
  EXPECT_EQ(NextResultPath((dir_ / "file").string(), "x", &error), "");
  EXPECT_THAT(error, HasSubstr("cannot make the result folder"));
  error.clear();
  EXPECT_FALSE(WriteBenchFile(folder + "/0001_x.json", AFile(), &error));
  EXPECT_THAT(error, HasSubstr("cannot write the result file"));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

}  // namespace
}  // namespace redqueen::queen::bench
