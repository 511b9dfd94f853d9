#include "knight/memory.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

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

uint64_t GroupResidentBytes(int pgid) {
  DIR* proc = opendir("/proc");
  if (!proc) return 0;
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t total = 0;
  while (const dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the command, which may hold spaces and parentheses:
    // state ppid pgrp ... (rss is field 24, the 22nd after the command).
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    long ppid = 0;
    long pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp != pgid) continue;
    std::string skip;
    for (int i = 0; i < 19 && fields >> skip; ++i) {
    }
    uint64_t rss_pages = 0;
    if (fields >> rss_pages) total += rss_pages * page;
  }
  closedir(proc);
  return total;
}

}  // namespace redqueen::knight
