#include "knight/memory.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace redqueen::knight {
namespace {

/// The value of "Key:   123 kB" in meminfo, in kB.
std::optional<uint64_t> Field(const std::string& meminfo, const std::string& key) {
  std::istringstream lines(meminfo);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name;
    uint64_t value = 0;
    if (fields >> name >> value && name == key + ":") return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> UsedPercent(const std::string& meminfo) {
  const auto total = Field(meminfo, "MemTotal");
  const auto available = Field(meminfo, "MemAvailable");
  if (!total || !available || *total == 0 || *available > *total) return std::nullopt;
  return 100.0 * static_cast<double>(*total - *available) / static_cast<double>(*total);
}

std::optional<double> MachineMemoryUsedPercent() {
  std::ifstream in("/proc/meminfo");
  std::stringstream text;
  text << in.rdbuf();
  return UsedPercent(text.str());
}

namespace {

/// Resident bytes of every process group, from one walk over /proc.
std::unordered_map<int, uint64_t> ResidentBytesByGroup() {
  std::unordered_map<int, uint64_t> groups;
  DIR* proc = opendir("/proc");
  if (!proc) return groups;
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  while (const dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the command, which may hold spaces and parentheses:
    // state ppid pgrp ... (rss is field 24, the 22nd after the command).
    const size_t close = line.rfind(')');
    if (close == std::string::npos || close + 2 > line.size()) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    long ppid = 0;
    int pgrp = 0;
    fields >> state >> ppid >> pgrp;
    std::string skip;
    for (int i = 0; i < 19 && fields >> skip; ++i) {
    }
    uint64_t rss_pages = 0;
    if (fields >> rss_pages) groups[pgrp] += rss_pages * page;
  }
  closedir(proc);
  return groups;
}

}  // namespace

uint64_t GroupResidentBytes(int pgid) {
  // The Rook asks for every pawn in turn: one walk over /proc serves them all.
  static std::unordered_map<int, uint64_t> groups;
  static std::chrono::steady_clock::time_point taken;
  const auto now = std::chrono::steady_clock::now();
  if (now - taken > std::chrono::milliseconds(50)) {
    groups = ResidentBytesByGroup();
    taken = now;
  }
  const auto it = groups.find(pgid);
  return it == groups.end() ? 0 : it->second;
}

}  // namespace redqueen::knight
