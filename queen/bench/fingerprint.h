// The machine a benchmark run measures on: read from /proc and /sys, keyed
// for comparing runs, warned about when set up to give noisy numbers, and
// kept as JSON in the store and the result files.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "proto/bench.h"

namespace redqueen::queen::bench {

/// This machine's fingerprint, from /proc/cpuinfo, /sys/devices/system/cpu,
/// /proc/sys/kernel and /proc/loadavg, each path prefixed with `root` (a
/// fake tree, for tests). With a `root`, the kernel release is its
/// proc/sys/kernel/osrelease, and nothing is asked of the running system.
/// What cannot be read stays at the struct's default. Leaves compiler and
/// build_type empty: they belong to the benchmark binary, not the machine.
Fingerprint ReadFingerprint(const std::string& root = "");

/// What must be equal for two runs to be compared without --cross-machine:
/// the CPU (model, flags digest, logical CPUs, physical cores, SMT), the
/// kernel, the governor and boost. Not the load or ASLR, which are the
/// conditions of one run, nor the compiler or build type, which may be what
/// the comparison is about. Printable, and unambiguous whatever the fields hold.
std::string MachineKey(const Fingerprint& fingerprint);

/// One line for each setting that makes numbers noisy, saying what it is and
/// how to fix it: a governor other than performance, boost on, a busy machine.
std::vector<std::string> Warnings(const Fingerprint& fingerprint);

/// The fingerprint as a JSON object, one key per field, named as the field.
nlohmann::json FingerprintJson(const Fingerprint& fingerprint);

/// The inverse of FingerprintJson. Lenient, as files from other versions may
/// lack keys or hold more: a missing or mistyped key keeps its default.
Fingerprint FingerprintFromJson(const nlohmann::json& json);

/// The first field of MachineKey in which `a` and `b` differ, as
/// "cpu_model 'X' vs 'Y'", for the message refusing to compare them; "" when
/// their keys are equal.
std::string DescribeDifference(const Fingerprint& a, const Fingerprint& b);

}  // namespace redqueen::queen::bench
