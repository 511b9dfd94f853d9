#include "queen/bench/fingerprint.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <type_traits>
#include <utility>

namespace redqueen::queen::bench {
namespace {

using Json = nlohmann::json;

constexpr const char* kCpuDir = "/sys/devices/system/cpu/";

/// A file's whole text; "" when it cannot be read.
std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return in ? text.str() : "";
}

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

/// The number a file starts with, or `fallback`.
template <typename T>
T ReadNumber(const std::string& path, T fallback) {
  const std::string text = Trim(ReadText(path));
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end != text.data() ? value : fallback;
}

/// A short digest of the CPU's feature flags: FNV-1a 64 of the flags as
/// words, so that how the kernel spaces them does not count.
std::string Digest(const std::string& flags) {
  std::istringstream words(flags);
  uint64_t hash = 0xcbf29ce484222325ULL;
  std::string word;
  while (words >> word) {
    for (const char c : word + ' ') {
      hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
    }
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

struct CpuInfo {
  std::string model;
  std::string flags;
  int processors = 0;
  std::set<std::pair<std::string, std::string>> cores;  ///< (physical id, core id)
};

/// /proc/cpuinfo: one block of "key : value" lines per logical CPU. x86
/// names the features "flags", ARM "Features".
CpuInfo ParseCpuInfo(const std::string& text) {
  CpuInfo info;
  std::istringstream lines(text);
  std::string line;
  std::string package;
  std::string core;
  auto end_block = [&] {
    if (!core.empty()) info.cores.emplace(package, core);
    package.clear();
    core.clear();
  };
  while (std::getline(lines, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      end_block();
      continue;
    }
    const std::string key = Trim(line.substr(0, colon));
    const std::string value = Trim(line.substr(colon + 1));
    if (key == "processor") {
      end_block();
      ++info.processors;
    }
    if (key == "model name" && info.model.empty()) info.model = value;
    if ((key == "flags" || key == "Features") && info.flags.empty()) info.flags = value;
    if (key == "physical id") package = value;
    if (key == "core id") core = value;
  }
  end_block();
  return info;
}

/// The CPUs of a list such as "0-3,8,10-11"; empty when malformed.
std::vector<int> ParseCpuList(const std::string& list) {
  std::vector<int> cpus;
  std::istringstream ranges(Trim(list));
  std::string range;
  while (std::getline(ranges, range, ',')) {
    int first = 0;
    const char* end = range.data() + range.size();
    std::from_chars_result parsed = std::from_chars(range.data(), end, first);
    int last = first;
    if (parsed.ec == std::errc() && parsed.ptr != end && *parsed.ptr == '-') {
      parsed = std::from_chars(parsed.ptr + 1, end, last);
    }
    // Linux numbers at most 8192 CPUs (kernel_max); past that, the file is not its.
    if (parsed.ec != std::errc() || parsed.ptr != end || last < first || last > 1 << 16) {
      return {};
    }
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

/// Distinct (package, core) pairs of `cpus` from sysfs topology, for machines
/// whose cpuinfo does not say (ARM, some VMs).
int SysfsCores(const std::string& root, const std::vector<int>& cpus) {
  std::set<std::pair<std::string, std::string>> cores;
  for (const int cpu : cpus) {
    const std::string dir = root + kCpuDir + "cpu" + std::to_string(cpu) + "/topology/";
    const std::string core = Trim(ReadText(dir + "core_id"));
    if (!core.empty()) cores.emplace(Trim(ReadText(dir + "physical_package_id")), core);
  }
  return static_cast<int>(cores.size());
}

/// "on", "off", or "" when neither the cpufreq nor the intel_pstate knob
/// exists (many VMs and ARM boards).
std::string Boost(const std::string& root) {
  const std::string boost = Trim(ReadText(root + kCpuDir + "cpufreq/boost"));
  if (boost == "1" || boost == "0") return boost == "1" ? "on" : "off";
  const std::string no_turbo = Trim(ReadText(root + kCpuDir + "intel_pstate/no_turbo"));
  if (no_turbo == "1" || no_turbo == "0") return no_turbo == "0" ? "on" : "off";
  return "";
}

std::string Kernel(const std::string& root) {
  if (!root.empty()) return Trim(ReadText(root + "/proc/sys/kernel/osrelease"));
  utsname name{};
  return uname(&name) == 0 ? name.release : "";
}

void ReadTopology(const std::string& root, Fingerprint* f) {
  const CpuInfo info = ParseCpuInfo(ReadText(root + "/proc/cpuinfo"));
  f->cpu_model = info.model;
  f->cpu_flags = info.flags.empty() ? "" : Digest(info.flags);
  std::vector<int> online = ParseCpuList(ReadText(root + kCpuDir + "online"));
  f->logical_cpus = static_cast<int>(online.size());
  if (f->logical_cpus == 0) f->logical_cpus = info.processors;
  if (f->logical_cpus == 0 && root.empty()) {
    f->logical_cpus = static_cast<int>(std::max(0L, sysconf(_SC_NPROCESSORS_ONLN)));
  }
  if (online.empty()) {
    for (int cpu = 0; cpu < f->logical_cpus; ++cpu) online.push_back(cpu);
  }
  f->physical_cores =
      info.cores.empty() ? SysfsCores(root, online) : static_cast<int>(info.cores.size());
  const std::string smt = Trim(ReadText(root + kCpuDir + "smt/active"));
  f->smt = smt == "1" || smt == "0"
               ? smt == "1"
               : f->physical_cores > 0 && f->logical_cpus > f->physical_cores;
}

/// MachineKey's fields, in order: one list for the key and the message.
std::vector<std::pair<const char*, Json>> KeyFields(const Fingerprint& f) {
  return {{"cpu_model", f.cpu_model},
          {"cpu_flags", f.cpu_flags},
          {"logical_cpus", f.logical_cpus},
          {"physical_cores", f.physical_cores},
          {"smt", f.smt},
          {"kernel", f.kernel},
          {"governor", f.governor},
          {"boost", f.boost}};
}

std::string Describe(const Json& value) {
  if (value.is_string()) return "'" + value.get<std::string>() + "'";
  if (value.is_boolean()) return value.get<bool>() ? "on" : "off";
  return value.dump();
}

template <typename T>
void Take(const Json& json, const char* key, T* field) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) *field = it->get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) *field = it->get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (it->is_number_integer() && it->get<double>() >= std::numeric_limits<T>::min() &&
        it->get<double>() <= std::numeric_limits<T>::max()) {
      *field = it->get<T>();
    }
  } else {
    if (it->is_number()) *field = it->get<T>();
  }
}

}  // namespace

Fingerprint ReadFingerprint(const std::string& root) {
  Fingerprint f;
  ReadTopology(root, &f);
  f.governor = Trim(ReadText(root + kCpuDir + "cpu0/cpufreq/scaling_governor"));
  f.boost = Boost(root);
  f.kernel = Kernel(root);
  f.aslr = ReadNumber(root + "/proc/sys/kernel/randomize_va_space", -1);
  f.load_average = ReadNumber(root + "/proc/loadavg", 0.0);
  return f;
}

std::string MachineKey(const Fingerprint& fingerprint) {
  Json key = Json::array();
  for (const auto& [name, value] : KeyFields(fingerprint)) key.push_back(value);
  return key.dump();
}

std::vector<std::string> Warnings(const Fingerprint& f) {
  std::vector<std::string> warnings;
  if (!f.governor.empty() && f.governor != "performance") {
    warnings.push_back("the CPU frequency governor is '" + f.governor +
                       "': the clock follows the load, so numbers drift; "
                       "'sudo cpupower frequency-set -g performance' fixes it");
  }
  if (f.boost == "on") {
    warnings.push_back(
        "CPU boost is on: the clock rises and falls with temperature and with how many "
        "cores are busy; 'echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost' (or "
        "'echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo') turns it "
        "off");
  }
  // Busy past a tenth of the CPUs, other work likely shares a core, the
  // caches or the memory bus with the benchmark. Below half a CPU the load
  // is the shell and the build that started the run, not a competitor.
  const double busy = std::max(0.5, 0.1 * f.logical_cpus);
  if (f.load_average > busy) {
    char line[200];
    std::snprintf(
        line, sizeof line,
        "the load average is %.2f on %d CPUs: other processes compete with "
        "the benchmark; stop them (see 'top') or wait until the machine is idle",
        f.load_average, f.logical_cpus);
    warnings.push_back(line);
  }
  return warnings;
}

Json FingerprintJson(const Fingerprint& f) {
  return {{"cpu_model", f.cpu_model},
          {"cpu_flags", f.cpu_flags},
          {"logical_cpus", f.logical_cpus},
          {"physical_cores", f.physical_cores},
          {"smt", f.smt},
          {"governor", f.governor},
          {"boost", f.boost},
          {"kernel", f.kernel},
          {"aslr", f.aslr},
          {"load_average", f.load_average},
          {"compiler", f.compiler},
          {"build_type", f.build_type}};
}

Fingerprint FingerprintFromJson(const Json& json) {
  Fingerprint f;
  if (!json.is_object()) return f;
  Take(json, "cpu_model", &f.cpu_model);
  Take(json, "cpu_flags", &f.cpu_flags);
  Take(json, "logical_cpus", &f.logical_cpus);
  Take(json, "physical_cores", &f.physical_cores);
  Take(json, "smt", &f.smt);
  Take(json, "governor", &f.governor);
  Take(json, "boost", &f.boost);
  Take(json, "kernel", &f.kernel);
  Take(json, "aslr", &f.aslr);
  Take(json, "load_average", &f.load_average);
  Take(json, "compiler", &f.compiler);
  Take(json, "build_type", &f.build_type);
  return f;
}

std::string DescribeDifference(const Fingerprint& a, const Fingerprint& b) {
  const auto fields_a = KeyFields(a);
  const auto fields_b = KeyFields(b);
  for (size_t i = 0; i < fields_a.size(); ++i) {
    if (fields_a[i].second != fields_b[i].second) {
      return std::string(fields_a[i].first) + " " + Describe(fields_a[i].second) +
             " vs " + Describe(fields_b[i].second);
    }
  }
  return "";
}

}  // namespace redqueen::queen::bench
