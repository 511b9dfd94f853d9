#include "queen/bench/measure.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pawn/child_process.h"
#include "queen/bench/google_benchmark.h"

namespace redqueen::queen::bench {
namespace {

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", seconds);
  return text;
}

/// A file name no other measurement of this redqueen uses.
std::string ScratchFile(const MeasureSettings& settings) {
  static std::atomic<int> next{0};
  return settings.scratch_dir + "/bench-" + std::to_string(getpid()) + "-" +
         std::to_string(next++) + ".json";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The line of what the benchmark printed that says why it failed: gtest's
/// "Failure" line and the two after it (its message), else the last line.
std::string WhyItFailed(const std::string& output) {
  const size_t failure = output.find("Failure\n");
  if (failure != std::string::npos) {
    const size_t start = output.rfind('\n', failure) + 1;
    return FirstLines(output.substr(start), 3);
  }
  if (output.find("[  SKIPPED ]") != std::string::npos) return "skipped";
  const size_t end = output.find_last_not_of('\n');
  if (end == std::string::npos) return "it printed nothing";
  const size_t newline = output.rfind('\n', end);
  const size_t start = newline == std::string::npos ? 0 : newline + 1;
  return output.substr(start, end + 1 - start);
}

std::vector<std::string> FixtureEnvironment(const MeasureSettings& settings,
                                            const std::string& out_file) {
  return {"REDQUEEN_BENCH_OUT=" + out_file,
          "REDQUEEN_BENCH_TIME=" + Seconds(settings.bench_time),
          "REDQUEEN_BENCH_MIN_ROUND=" + Seconds(settings.min_round),
          "REDQUEEN_BENCH_WARMUP=" + Seconds(settings.warmup)};
}

/// Starts the benchmark's process and waits for it; its output is only
/// kept to say why it failed.
bool RunProcess(const BenchJob& job, const std::vector<std::string>& args,
                const std::vector<std::string>& env, const MeasureSettings& settings,
                int cpu, BenchResult* result) {
  pawn::ChildProcess child;
  child.PinTo(cpu);
  child.OwnGroup();
  child.KillAt(std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(settings.timeout)));
  std::string output;
  if (!child.Start(job.binary, args, &result->error, env)) return false;
  while (child.Read(&output)) {
    if (output.size() > (1u << 20)) output.erase(0, output.size() - (1u << 19));
  }
  const int status = child.Wait();
  if (child.timed_out()) {
    result->error =
        "timed out after " + Seconds(settings.timeout) + " s (--bench-timeout)";
    return false;
  }
  if (status != 0) {
    result->error = pawn::DescribeWaitStatus(status) + ": " + WhyItFailed(output);
    return false;
  }
  return true;
}

void MeasureFixture(const BenchJob& job, const MeasureSettings& settings, int cpu,
                    BenchResult* result, BuildInfo* build) {
  const std::string out_file = ScratchFile(settings);
  const bool ran =
      RunProcess(job, {"--gtest_filter=" + job.name},
                 FixtureEnvironment(settings, out_file), settings, cpu, result);
  const std::string text = ReadFile(out_file);
  std::remove(out_file.c_str());
  if (!ran) return;
  if (text.empty()) {
    result->error = "it measured nothing (skipped, or not a REDQUEEN_BENCHMARK)";
    return;
  }
  ParseFixtureLines(text, result, build, &result->error);
}

void MeasureGoogleBenchmark(const BenchJob& job, const MeasureSettings& settings, int cpu,
                            BenchResult* result, BuildInfo* build) {
  const std::string out_file = ScratchFile(settings);
  const bool ran = RunProcess(
      job, RunArgs(job.name, settings.repetitions, settings.bench_time, out_file), {},
      settings, cpu, result);
  const std::string text = ReadFile(out_file);
  std::remove(out_file.c_str());
  if (!ran) return;
  std::vector<BenchResult> results;
  Fingerprint context;
  if (!ParseGoogleBenchmarkJson(text, job.binary, &results, &context, &result->error))
    return;
  // Google Benchmark's context tells its library's build, not the
  // binary's (Debian's library says debug): named as what it is.
  if (!context.build_type.empty()) build->build_type = "library " + context.build_type;
  for (BenchResult& one : results) {
    if (one.name == job.name) {
      result->samples = std::move(one.samples);
      result->error = one.error;
      return;
    }
  }
  result->error = "its JSON has no result for " + job.name;
}

std::map<std::string, double> Figures(const nlohmann::json& object) {
  std::map<std::string, double> figures;
  if (!object.is_object()) return figures;
  for (const auto& [name, value] : object.items()) {
    if (value.is_number()) figures[name] = value.get<double>();
  }
  return figures;
}

BenchSample SampleOf(const nlohmann::json& line, int repetition) {
  BenchSample sample;
  sample.repetition = repetition;
  sample.iterations = line.at("iterations").get<int64_t>();
  sample.real_ns = line.at("real_ns").get<double>();
  sample.cpu_ns = line.value("cpu_ns", 0.0);
  sample.counters = Figures(line.value("counters", nlohmann::json::object()));
  sample.quality = Figures(line.value("quality", nlohmann::json::object()));
  return sample;
}

}  // namespace

bool ParseFixtureLines(const std::string& text, BenchResult* result, BuildInfo* build,
                       std::string* error) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    try {
      const nlohmann::json entry = nlohmann::json::parse(line);
      if (entry.value("name", "") != result->name) continue;
      build->compiler = entry.value("compiler", "");
      build->build_type = entry.value("build_type", "");
      int repetition = 0;
      for (const nlohmann::json& sample : entry.at("samples")) {
        result->samples.push_back(SampleOf(sample, repetition++));
      }
      return true;
    } catch (const nlohmann::json::exception& e) {
      *error = std::string("its result file is malformed: ") + e.what();
      return false;
    }
  }
  *error = "its result file has no line for " + result->name;
  return false;
}

BenchResult Measure(const BenchJob& job, const MeasureSettings& settings, int cpu,
                    BuildInfo* build) {
  BenchResult result;
  result.binary = job.binary;
  result.name = job.name;
  result.kind = job.kind;
  result.arm = job.arm;
  if (job.kind == BenchKind::kFixture) {
    MeasureFixture(job, settings, cpu, &result, build);
  } else {
    MeasureGoogleBenchmark(job, settings, cpu, &result, build);
  }
  for (const BenchSample& sample : result.samples) {
    if (!std::isfinite(sample.real_ns) || sample.real_ns <= 0) {
      result.error = "its repetition " + std::to_string(sample.repetition) +
                     " has no wall time (" + std::to_string(sample.real_ns) + ")";
      result.samples.clear();
      break;
    }
  }
  return result;
}

}  // namespace redqueen::queen::bench
