// Where benchmarks run: each on a CPU of its own, redqueen's own work on
// another, so that no benchmark shares a CPU with anything redqueen does.
#pragma once

#include <cstdint>
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

/// Interrupts each CPU has served since boot, by CPU number, from the text
/// of /proc/interrupts (its header names the columns' CPUs); empty when the
/// text is not that.
std::vector<uint64_t> InterruptsPerCpu(const std::string& proc_interrupts);

/// The allowed CPU that has served the fewest interrupts (a device's
/// interrupts, the timer's and other CPUs' calls each stop what runs
/// there); the last allowed one on a tie or without counts.
int QuietestCpu(const std::vector<int>& allowed, const std::vector<uint64_t>& interrupts);

/// QuietestCpu of this process's allowed CPUs, by this machine's
/// /proc/interrupts.
int QuietestAllowedCpu();

/// With `requested` (--cpus; empty: not given): those CPUs, each of which
/// must be in `allowed`; without, `quietest` alone (QuietestCpu; -1: the
/// last allowed). redqueen takes the first allowed CPU that no benchmark
/// has. False with `*error` for a CPU this process may not use.
bool PlanCpus(const std::vector<int>& requested, const std::vector<int>& allowed,
              int quietest, CpuPlan* plan, std::string* error);

/// Pins this process (and the threads it starts afterwards) to `cpu`.
bool PinSelf(int cpu);

}  // namespace redqueen::queen::bench
