#include "queen/bench/google_benchmark.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

namespace redqueen::queen::bench {
namespace {

using Json = nlohmann::json;

/// What only Google Benchmark's binaries hold: the mangled names of its entry
/// points (imported from libbenchmark.so, or in the symbol table of a static
/// link) and the first line of its usage text (a stripped static link). Its
/// bare flag names would not do: redqueen holds them too, to pass them.
/// Each needle is two literals joined at run time: as one literal it would
/// sit in the constants of every binary linking this file (redqueen, its
/// tests), which would then be taken for Google Benchmark binaries.
const std::vector<std::string>& Needles() {
  static const std::vector<std::string> needles = {
      std::string("_ZN9benchmark22") + "RunSpecifiedBenchmarks",
      std::string("_ZN9benchmark10") + "Initialize",
      std::string("benchmark [--benchmark_") + "list_tests={true|false}]",
  };
  return needles;
}

bool IsElf(std::string_view head) { return head.substr(0, 4) == "\177ELF"; }

/// Whether the file holds one of `needles`, read kScanChunkBytes at a time.
/// The last bytes of each read are kept before the next, so that a needle
/// split by a read boundary is still found.
bool FileContainsAny(const std::string& path, const std::vector<std::string>& needles) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  using Searcher = std::boyer_moore_horspool_searcher<std::string::const_iterator>;
  std::vector<Searcher> searchers;
  size_t longest = 0;
  for (const std::string& needle : needles) {
    searchers.emplace_back(needle.begin(), needle.end());
    longest = std::max(longest, needle.size());
  }
  std::vector<char> chunk(kScanChunkBytes);
  std::string window;
  bool first = true;
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) ||
         in.gcount() > 0) {
    if (window.size() >= longest) window.erase(0, window.size() - (longest - 1));
    window.append(chunk.data(), static_cast<size_t>(in.gcount()));
    if (first && !IsElf(window)) return false;
    first = false;
    for (const Searcher& searcher : searchers) {
      if (std::search(window.cbegin(), window.cend(), searcher) != window.cend()) {
        return true;
      }
    }
  }
  return false;
}

std::string FormatNumber(double value) {
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

// ---- The JSON ---------------------------------------------------------------

/// Google Benchmark writes a non-finite number as a bare NaN or Infinity,
/// which is not JSON. Each becomes null, so that one odd counter costs that
/// counter rather than the whole run.
std::string NullNonFinite(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    const size_t word = c == '-' ? i + 1 : i;
    if (text.compare(word, 3, "NaN") == 0 || text.compare(word, 8, "Infinity") == 0) {
      out += "null";
      i = word + (text[word] == 'N' ? 3 : 8) - 1;
      continue;
    }
    if (c == '"') in_string = true;
    out += c;
  }
  return out;
}

/// The line of nlohmann's 1-based `byte` (one past the end at a cut).
size_t LineOf(const std::string& text, size_t byte) {
  const size_t end = std::min(byte > 0 ? byte - 1 : 0, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + end, '\n'));
}

/// The numeric fields of an entry that describe the run rather than measure
/// it, and the times, which the sample holds apart.
const std::set<std::string, std::less<>>& NotCounters() {
  static const std::set<std::string, std::less<>> fields = {
      "family_index", "per_family_instance_index",
      "repetitions",  "repetition_index",
      "threads",      "iterations",
      "real_time",    "cpu_time"};
  return fields;
}

double Number(const Json& object, const char* key, double fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string String(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

/// A whole number of the entry, or `fallback` when missing or out of range.
template <typename T>
T Integer(const Json& object, const char* key, T fallback) {
  const double value = Number(object, key, static_cast<double>(fallback));
  // max() + 1 as a double: int64_t's max() itself rounds up to 2^63.
  const bool fits = value >= static_cast<double>(std::numeric_limits<T>::min()) &&
                    value < static_cast<double>(std::numeric_limits<T>::max()) + 1.0;
  return fits ? static_cast<T>(value) : fallback;
}

bool True(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

/// Nanoseconds in one `unit`; Google Benchmark's default unit when absent.
bool NsPerUnit(const std::string& unit, double* factor) {
  static const std::map<std::string, double, std::less<>> factors = {
      {"", 1}, {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  const auto it = factors.find(unit);
  if (it == factors.end()) return false;
  *factor = it->second;
  return true;
}

/// Only the measured repetitions: older files have no run_type, and mark
/// their aggregates by aggregate_name alone.
bool IsRepetition(const Json& entry) {
  const auto type = entry.find("run_type");
  if (type == entry.end()) return !entry.contains("aggregate_name");
  return type->is_string() && type->get<std::string>() == "iteration";
}

/// Why the entry measured nothing, or "" when it measured.
std::string EntryError(const Json& entry) {
  if (True(entry, "error_occurred")) {
    const std::string message = String(entry, "error_message");
    return message.empty() ? "Google Benchmark reported an error" : message;
  }
  if (True(entry, "skipped")) return "skipped: " + String(entry, "skip_message");
  return "";
}

/// The sample of a measured entry; `fallback_repetition` when it has no index.
bool ReadSample(const Json& entry, int fallback_repetition, BenchSample* sample,
                std::string* error) {
  const std::string unit = String(entry, "time_unit");
  double factor = 1;
  if (!NsPerUnit(unit, &factor)) {
    *error = "has time_unit '" + unit + "' (not ns, us, ms or s)";
    return false;
  }
  sample->repetition = Integer(entry, "repetition_index", fallback_repetition);
  sample->iterations = Integer<int64_t>(entry, "iterations", 0);
  sample->real_ns = Number(entry, "real_time", 0) * factor;
  sample->cpu_ns = Number(entry, "cpu_time", 0) * factor;
  for (const auto& [key, value] : entry.items()) {
    if (value.is_number() && !NotCounters().contains(key)) {
      sample->counters[key] = value.get<double>();
    }
  }
  return true;
}

/// Adds `entry` to its benchmark in `results`, made when first seen.
bool AddEntry(const Json& entry, const std::string& binary,
              std::vector<BenchResult>* results, std::map<std::string, size_t>* index,
              std::string* error) {
  if (!entry.is_object()) {
    *error = "is not an object";
    return false;
  }
  std::string name = String(entry, "run_name");
  if (name.empty()) name = String(entry, "name");
  if (name.empty()) {
    *error = "has no name";
    return false;
  }
  if (!IsRepetition(entry)) return true;
  const auto [it, fresh] = index->try_emplace(name, results->size());
  if (fresh) {
    BenchResult result;
    result.binary = binary;
    result.name = name;
    result.kind = BenchKind::kGoogleBenchmark;
    results->push_back(result);
  }
  BenchResult& result = (*results)[it->second];
  const std::string entry_error = EntryError(entry);
  if (!entry_error.empty()) {
    if (result.error.empty()) result.error = entry_error;
    return true;
  }
  BenchSample sample;
  if (!ReadSample(entry, static_cast<int>(result.samples.size()), &sample, error)) {
    return false;
  }
  result.samples.push_back(sample);
  return true;
}

/// What the file's context tells of the machine and the build. Its build type
/// is the library's (Google Benchmark's NDEBUG), the one build it names.
void ReadContext(const Json& context, Fingerprint* fingerprint) {
  if (!context.is_object()) return;
  const std::string build_type = String(context, "library_build_type");
  if (build_type == "release" || build_type == "debug") {
    fingerprint->build_type = build_type;
  }
  const int cpus = Integer(context, "num_cpus", 0);
  if (fingerprint->logical_cpus == 0 && cpus > 0) fingerprint->logical_cpus = cpus;
  const auto load = context.find("load_avg");
  if (fingerprint->load_average == 0 && load != context.end() && load->is_array() &&
      !load->empty() && load->front().is_number()) {
    fingerprint->load_average = load->front().get<double>();
  }
}

}  // namespace

bool IsGoogleBenchmark(const std::string& path) {
  return FileContainsAny(path, Needles());
}

std::vector<std::string> ListArgs() { return {"--benchmark_list_tests=true"}; }

std::vector<std::string> ParseList(const std::string& stdout_text) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < stdout_text.size()) {
    size_t end = stdout_text.find('\n', start);
    if (end == std::string::npos) end = stdout_text.size();
    std::string line = stdout_text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) names.push_back(line);
    start = end + 1;
  }
  return names;
}

std::string ExactFilter(const std::string& name) {
  // Only these. A backslash before an ordinary character is undefined in an
  // extended expression: libstdc++ rejects \] and \} (a lone ']' or '}' is
  // ordinary), glibc's regcomp reads \< and \> as word edges.
  constexpr std::string_view kSpecial = ".[()*+?{|^$\\";
  std::string filter = "^";
  for (const char c : name) {
    if (kSpecial.find(c) != std::string_view::npos) filter += '\\';
    filter += c;
  }
  return filter + "$";
}

std::vector<std::string> RunArgs(const std::string& name, int repetitions,
                                 double min_time_seconds, const std::string& out_file) {
  // The JSON goes to a file, never to stdout: a benchmark that prints would
  // interleave its text with the report and corrupt it.
  return {
      "--benchmark_filter=" + ExactFilter(name),
      "--benchmark_repetitions=" + std::to_string(repetitions),
      // A bare number of seconds: 1.7 reads only that; later versions also
      // take it (and prefer "<seconds>s", which 1.7 rejects).
      "--benchmark_min_time=" + FormatNumber(min_time_seconds),
      "--benchmark_out=" + out_file,
      "--benchmark_out_format=json",
      // Every repetition is a sample; redqueen computes its own statistics.
      "--benchmark_report_aggregates_only=false",
      // redqueen orders the runs itself, one benchmark a process: its
      // repetitions then run in order, and repetition_index is that order.
      "--benchmark_enable_random_interleaving=false",
  };
}

bool ParseGoogleBenchmarkJson(const std::string& json_text, const std::string& binary,
                              std::vector<BenchResult>* results, Fingerprint* context,
                              std::string* error) {
  const std::string where = "the Google Benchmark JSON of '" + binary + "'";
  if (json_text.find_first_not_of(" \t\r\n") == std::string::npos) {
    *error = where + " is empty (the benchmark wrote none: did it start?)";
    return false;
  }
  const std::string text = NullNonFinite(json_text);
  Json document;
  try {
    document = Json::parse(text);
  } catch (const Json::parse_error& e) {
    *error = where + " is malformed at line " + std::to_string(LineOf(text, e.byte)) +
             " (cut short if the benchmark crashed while writing it)";
    return false;
  } catch (const Json::out_of_range&) {
    *error = where + " holds a number too large for a double";
    return false;
  }
  const auto benchmarks = document.find("benchmarks");  // end() when not an object
  if (benchmarks == document.end() || !benchmarks->is_array()) {
    *error = where + " has no \"benchmarks\" array";
    return false;
  }
  std::vector<BenchResult> parsed;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < benchmarks->size(); ++i) {
    std::string entry_error;
    if (!AddEntry((*benchmarks)[i], binary, &parsed, &index, &entry_error)) {
      *error = where + ": benchmarks[" + std::to_string(i) + "] " + entry_error;
      return false;
    }
  }
  if (context != nullptr && document.contains("context")) {
    ReadContext(document["context"], context);
  }
  results->insert(results->end(), parsed.begin(), parsed.end());
  return true;
}

}  // namespace redqueen::queen::bench
