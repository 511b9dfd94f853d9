// The machine's memory as /proc shows it: what --max-memory watches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace redqueen::knight {

/// Percent of the machine's memory in use (MemTotal - MemAvailable, as
/// `free` counts it), from a /proc/meminfo text; nullopt when unreadable.
std::optional<double> UsedPercent(const std::string& meminfo);
std::optional<double> MachineMemoryUsedPercent();

/// Resident bytes of every process in process group `pgid`, as /proc said
/// at most 50 ms ago. Not thread-safe: the Rook's loop calls it.
uint64_t GroupResidentBytes(int pgid);

}  // namespace redqueen::knight
