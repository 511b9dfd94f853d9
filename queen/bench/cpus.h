// Where benchmarks run: each on a CPU of its own, redqueen's own work on
// another, so that no benchmark shares a CPU with anything redqueen does.
#pragma once

#include <string>
#include <vector>

namespace redqueen::queen::bench {

/// "0,2-3" into {0, 2, 3}; false with `*error` for anything else, a CPU
/// named twice or a range that runs backwards.
bool ParseCpuList(const std::string& text, std::vector<int>* cpus, std::string* error);

/// The CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> AllowedCpus();

struct CpuPlan {
  /// One benchmark at a time on each: as many run at once as there are.
  std::vector<int> bench_cpus;
  int queen_cpu = -1;  ///< redqueen's own CPU; -1 when none is left over.
};

/// With `requested` (--cpus; empty: not given): those CPUs, each of which
/// must be in `allowed`; without, the last allowed CPU alone (the first is
/// where the kernel's housekeeping and interrupts usually land). redqueen
/// takes the first allowed CPU that no benchmark has. False with `*error`
/// for a CPU this process may not use.
bool PlanCpus(const std::vector<int>& requested, const std::vector<int>& allowed,
              CpuPlan* plan, std::string* error);

/// Pins this process (and the threads it starts afterwards) to `cpu`.
bool PinSelf(int cpu);

}  // namespace redqueen::queen::bench
