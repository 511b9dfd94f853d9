// Google Benchmark binaries: telling one from its bytes, the command lines
// that list and run its benchmarks, and reading the JSON it writes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "proto/bench.h"

namespace redqueen::queen::bench {

/// How much of a binary IsGoogleBenchmark reads at a time. Public only so
/// that a test can place a name across two reads.
inline constexpr size_t kScanChunkBytes = size_t{1} << 16;

/// Whether `path` is an ELF executable that links Google Benchmark, told
/// from its bytes without starting it: a dynamic link imports the library's
/// entry points by their mangled names; a static link carries its usage text
/// (and, unstripped, the same names). False for anything unreadable.
bool IsGoogleBenchmark(const std::string& path);

/// The arguments that make a Google Benchmark binary print its benchmarks'
/// names and run none.
std::vector<std::string> ListArgs();

/// The names in the output of ListArgs: one a line, blank lines dropped.
std::vector<std::string> ParseList(const std::string& stdout_text);

/// A --benchmark_filter value matching `name` and nothing else: anchored,
/// with every character special to an extended regular expression escaped
/// (Google Benchmark matches with std::regex or regcomp, both extended).
std::string ExactFilter(const std::string& name);

/// The arguments that run the one benchmark `name` `repetitions` times, each
/// for at least `min_time_seconds`, and write every repetition (not only the
/// aggregates) as JSON to `out_file`.
std::vector<std::string> RunArgs(const std::string& name, int repetitions,
                                 double min_time_seconds, const std::string& out_file);

/// Reads the JSON Google Benchmark wrote with --benchmark_out (1.7 and
/// later; unknown fields are ignored). Appends one BenchResult per benchmark
/// to `*results`, in the order first seen, with one sample per repetition:
/// times in ns per iteration, rates and user counters in `counters`; the
/// aggregates (mean, median, ...) are dropped, as redqueen computes its own.
/// A benchmark that reported an error has it in `error` and no samples.
/// When `context` is not null, fills from the file's "context" what the
/// fingerprint lacks: the library's build type always, the CPU count and the
/// load only where they are unset. On malformed JSON returns false, appends
/// nothing and says in one line which part of the file is wrong.
bool ParseGoogleBenchmarkJson(const std::string& json_text, const std::string& binary,
                              std::vector<BenchResult>* results, Fingerprint* context,
                              std::string* error);

}  // namespace redqueen::queen::bench
