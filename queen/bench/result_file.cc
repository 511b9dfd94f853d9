#include "queen/bench/result_file.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "queen/bench/fingerprint.h"

namespace redqueen::queen::bench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
// Written in the order the header shows: people read these files.
using ordered_json = nlohmann::ordered_json;

constexpr const char* kFormatPrefix = "redqueen-bench-file-";
constexpr size_t kMaxLabel = 100;

/// JSON has no NaN nor infinities; nlohmann would write null for them too,
/// but only here is it said.
ordered_json Number(double value) {
  return std::isfinite(value) ? ordered_json(value) : ordered_json(nullptr);
}

double NumberFrom(const json& value) {
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  return value.get<double>();
}

ordered_json NumbersToJson(const std::map<std::string, double>& values) {
  ordered_json object = ordered_json::object();
  for (const auto& [name, value] : values) object[name] = Number(value);
  return object;
}

std::map<std::string, double> NumbersFromJson(const json& object) {
  if (!object.is_object()) throw std::invalid_argument("counters that are no object");
  std::map<std::string, double> values;
  for (const auto& [name, value] : object.items()) values[name] = NumberFrom(value);
  return values;
}

ordered_json StatsToJson(const BenchStatistics& s) {
  return {{"min", Number(s.min)},       {"max", Number(s.max)},
          {"mean", Number(s.mean)},     {"median", Number(s.median)},
          {"stddev", Number(s.stddev)}, {"iqr", Number(s.iqr)},
          {"rounds", s.rounds},         {"iterations", s.iterations}};
}

BenchStatistics StatsFromJson(const json& j) {
  return {j.at("rounds").get<size_t>(), j.at("iterations").get<int64_t>(),
          NumberFrom(j.at("min")),      NumberFrom(j.at("max")),
          NumberFrom(j.at("mean")),     NumberFrom(j.at("median")),
          NumberFrom(j.at("stddev")),   NumberFrom(j.at("iqr"))};
}

ordered_json SampleToJson(const BenchSample& s) {
  return {{"repetition", s.repetition},
          {"iterations", s.iterations},
          {"real_ns", Number(s.real_ns)},
          {"cpu_ns", Number(s.cpu_ns)},
          {"counters", NumbersToJson(s.counters)},
          {"quality", NumbersToJson(s.quality)}};
}

BenchSample SampleFromJson(const json& j) {
  return {j.at("repetition").get<int>(),     j.at("iterations").get<int64_t>(),
          NumberFrom(j.at("real_ns")),       NumberFrom(j.at("cpu_ns")),
          NumbersFromJson(j.at("counters")), NumbersFromJson(j.at("quality"))};
}

BenchKind KindFromName(const std::string& name) {
  for (const BenchKind kind : {BenchKind::kFixture, BenchKind::kGoogleBenchmark}) {
    if (name == BenchKindName(kind)) return kind;
  }
  throw std::invalid_argument("a benchmark of the unknown kind '" + name + "'");
}

ordered_json BenchmarkToJson(const SavedBenchmark& b) {
  ordered_json samples = ordered_json::array();
  for (const BenchSample& sample : b.result.samples)
    samples.push_back(SampleToJson(sample));
  return {{"binary", b.result.binary},
          {"name", b.result.name},
          {"kind", BenchKindName(b.result.kind)},
          {"arm", b.result.arm},
          {"error", b.result.error},
          {"stats", StatsToJson(b.real)},
          {"cpu_stats", StatsToJson(b.cpu)},
          {"samples", samples}};
}

SavedBenchmark BenchmarkFromJson(const json& j) {
  SavedBenchmark b;
  b.result.binary = j.at("binary").get<std::string>();
  b.result.name = j.at("name").get<std::string>();
  b.result.kind = KindFromName(j.at("kind").get<std::string>());
  b.result.arm = j.at("arm").get<std::string>();
  b.result.error = j.at("error").get<std::string>();
  b.real = StatsFromJson(j.at("stats"));
  b.cpu = StatsFromJson(j.at("cpu_stats"));
  for (const json& sample : j.at("samples")) {
    b.result.samples.push_back(SampleFromJson(sample));
  }
  return b;
}

ordered_json FileToJson(const BenchFile& file) {
  ordered_json benchmarks = ordered_json::array();
  for (const SavedBenchmark& b : file.benchmarks)
    benchmarks.push_back(BenchmarkToJson(b));
  return {{"format", file.format},
          {"run", file.run_id},
          {"started_at", file.started_at},
          {"commit", file.git_commit},
          {"label", file.label},
          {"command", file.command},
          {"machine_info", ordered_json(FingerprintJson(file.machine))},
          {"benchmarks", benchmarks}};
}

BenchFile FileFromJson(const json& root) {
  BenchFile file;
  file.format = root.at("format").get<std::string>();
  file.run_id = root.at("run").get<int64_t>();
  file.started_at = root.at("started_at").get<std::string>();
  file.git_commit = root.at("commit").get<std::string>();
  file.label = root.at("label").get<std::string>();
  file.command = root.at("command").get<std::string>();
  file.machine = FingerprintFromJson(root.at("machine_info"));
  for (const json& b : root.at("benchmarks")) {
    file.benchmarks.push_back(BenchmarkFromJson(b));
  }
  return file;
}

/// nlohmann's message without its "[json.exception.type_error.302] ".
std::string Reason(const std::exception& e) {
  const std::string what = e.what();
  const size_t end = what.rfind("] ", what.find(' '));
  return what.starts_with("[json.exception.") && end != std::string::npos
             ? what.substr(end + 2)
             : what;
}

std::string SafeLabel(const std::string& label) {
  std::string safe = label.empty() ? "run" : label.substr(0, kMaxLabel);
  for (char& c : safe) {
    const bool kept = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!kept) c = '_';
  }
  return safe;
}

/// The number of a file named NNNN_..., 0 for any other name.
int64_t NumberOf(const std::string& name) {
  size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
  if (digits < 4 || digits > 9 || digits == name.size() || name[digits] != '_') return 0;
  return std::stoll(name.substr(0, digits));
}

}  // namespace

std::string NextResultPath(const std::string& folder, const std::string& label,
                           std::string* error) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder)) {
    *error = "cannot make the result folder '" + folder +
             "': " + (ec ? ec.message() : std::string("it is not a folder"));
    return "";
  }
  int64_t highest = 0;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    highest = std::max(highest, NumberOf(it->path().filename().string()));
  }
  if (ec) {
    *error = "cannot read the result folder '" + folder + "': " + ec.message();
    return "";
  }
  char number[24];
  std::snprintf(number, sizeof number, "%04lld", static_cast<long long>(highest + 1));
  return (fs::path(folder) / (number + ("_" + SafeLabel(label)) + ".json")).string();
}

bool WriteBenchFile(const std::string& path, const BenchFile& file, std::string* error) {
  const std::string text =
      FileToJson(file).dump(1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
  // Whole or not at all: a compare must never read half a run.
  const std::string temporary = path + ".tmp";
  std::FILE* out = std::fopen(temporary.c_str(), "w");
  bool written = out && std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (out && std::fclose(out) != 0) written = false;
  if (written && std::rename(temporary.c_str(), path.c_str()) == 0) return true;
  *error = "cannot write the result file '" + path + "': " + std::strerror(errno);
  std::remove(temporary.c_str());
  return false;
}

bool ReadBenchFile(const std::string& path, BenchFile* file, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read the result file '" + path + "': " + std::strerror(errno);
    return false;
  }
  json root;
  try {
    root = json::parse(in);
  } catch (const json::exception& e) {
    *error = "'" + path + "' is not a RedQueen result file (not JSON: " + Reason(e) + ")";
    return false;
  }
  if (!IsBenchFileJson(root)) {
    const bool google_benchmark =
        root.is_object() && root.contains("context") && root.contains("benchmarks");
    *error = "'" + path + "' is " +
             (google_benchmark ? "Google Benchmark's JSON output, " : "") +
             "not a RedQueen result file (no \"format\": \"" + kBenchFileFormat + "\")";
    return false;
  }
  if (root["format"] != kBenchFileFormat) {
    *error = "'" + path + "' is a result file of another redqueen (format " +
             root["format"].get<std::string>() + "; this one reads " + kBenchFileFormat +
             ")";
    return false;
  }
  try {
    *file = FileFromJson(root);
  } catch (const std::exception& e) {
    *error = "'" + path + "' is a damaged RedQueen result file (" + Reason(e) + ")";
    return false;
  }
  return true;
}

bool IsBenchFileJson(const json& value) {
  if (!value.is_object()) return false;
  const auto format = value.find("format");
  return format != value.end() && format->is_string() &&
         format->get<std::string>().starts_with(kFormatPrefix);
}

}  // namespace redqueen::queen::bench
