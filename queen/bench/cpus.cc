#include "queen/bench/cpus.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace redqueen::queen::bench {
namespace {

/// A CPU number of the list, all digits; -1 when it is not one.
int ParseCpu(const std::string& text) {
  if (text.empty() || text.size() > 4 ||
      !std::all_of(text.begin(), text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  const int cpu = std::atoi(text.c_str());
  return cpu < CPU_SETSIZE ? cpu : -1;
}

}  // namespace

bool ParseCpuList(const std::string& text, std::vector<int>* cpus, std::string* error) {
  cpus->clear();
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t dash = item.find('-');
    const int first = ParseCpu(item.substr(0, dash));
    const int last = dash == std::string::npos ? first : ParseCpu(item.substr(dash + 1));
    if (first < 0 || last < first) {
      *error =
          "--cpus wants CPU numbers and ranges such as 1,3 or 2-3, not '" + text + "'";
      return false;
    }
    for (int cpu = first; cpu <= last; ++cpu) {
      if (std::find(cpus->begin(), cpus->end(), cpu) != cpus->end()) {
        *error = "--cpus names CPU " + std::to_string(cpu) + " twice";
        return false;
      }
      cpus->push_back(cpu);
    }
    start = comma + 1;
  }
  return true;
}

std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

std::vector<uint64_t> InterruptsPerCpu(const std::string& proc_interrupts) {
  std::istringstream lines(proc_interrupts);
  std::string line;
  if (!std::getline(lines, line)) return {};
  // The header: "CPU0 CPU1 ...", the online CPUs only.
  std::vector<int> columns;
  std::istringstream header(line);
  for (std::string word; header >> word;) {
    if (word.rfind("CPU", 0) != 0 || ParseCpu(word.substr(3)) < 0) return {};
    columns.push_back(ParseCpu(word.substr(3)));
  }
  if (columns.empty()) return {};
  std::vector<uint64_t> counts(
      static_cast<size_t>(*std::max_element(columns.begin(), columns.end())) + 1, 0);
  while (std::getline(lines, line)) {
    // "NMI: 1 2 Non-maskable interrupts"; "ERR: 0" has one count only.
    std::istringstream row(line);
    std::string label;
    row >> label;
    for (int cpu : columns) {
      uint64_t count = 0;
      if (!(row >> count)) break;
      counts[static_cast<size_t>(cpu)] += count;
    }
  }
  return counts;
}

int QuietestCpu(const std::vector<int>& allowed,
                const std::vector<uint64_t>& interrupts) {
  if (allowed.empty()) return -1;
  for (int cpu : allowed) {
    if (static_cast<size_t>(cpu) >= interrupts.size()) return allowed.back();
  }
  int quietest = allowed.back();
  for (int cpu : allowed) {
    if (interrupts[static_cast<size_t>(cpu)] <
        interrupts[static_cast<size_t>(quietest)]) {
      quietest = cpu;
    }
  }
  return quietest;
}

int QuietestAllowedCpu() {
  std::ifstream in("/proc/interrupts");
  std::ostringstream text;
  text << in.rdbuf();
  return QuietestCpu(AllowedCpus(), InterruptsPerCpu(text.str()));
}

bool PlanCpus(const std::vector<int>& requested, const std::vector<int>& allowed,
              int quietest, CpuPlan* plan, std::string* error) {
  *plan = CpuPlan{};
  for (int cpu : requested) {
    if (std::find(allowed.begin(), allowed.end(), cpu) == allowed.end()) {
      *error = "--cpus names CPU " + std::to_string(cpu) +
               ", which redqueen may not run on here (see taskset -p $$ or nproc)";
      return false;
    }
  }
  plan->bench_cpus = requested;
  if (plan->bench_cpus.empty() && !allowed.empty()) {
    plan->bench_cpus = {quietest >= 0 ? quietest : allowed.back()};
  }
  for (int cpu : allowed) {
    if (std::find(plan->bench_cpus.begin(), plan->bench_cpus.end(), cpu) ==
        plan->bench_cpus.end()) {
      plan->queen_cpu = cpu;
      break;
    }
  }
  return true;
}

bool PinSelf(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

}  // namespace redqueen::queen::bench
