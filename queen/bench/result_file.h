// RedQueen's numbered result files: what `redqueen bench --save [LABEL]`
// writes to .redqueen/bench/NNNN_<label>.json, one per run, and what
// `bench compare` reads back. A file keeps every sample beside its
// statistics, so that a later compare can judge the run again by other
// rules:
//
//   {"format": "redqueen-bench-file-1", "run": 12,
//    "started_at": "2026-03-01T10:00:00.000Z", "commit": "0123abcd",
//    "label": "run", "command": "redqueen bench ...",
//    "machine_info": {"cpu_model": "...", "logical_cpus": 8, ...},
//    "benchmarks": [{"binary": "bin/x_bench", "name": "Sort.Small",
//      "kind": "fixture", "arm": "", "error": "",
//      "stats": {"min": 11.2, "max": 13, "mean": 12.1, "median": 12,
//                "stddev": 0.6, "iqr": 0.8, "rounds": 5, "iterations": 5000},
//      "cpu_stats": {...},
//      "samples": [{"repetition": 0, "iterations": 1000, "real_ns": 11.2,
//                   "cpu_ns": 11.1, "counters": {}, "quality": {}}]}]}
//
// Times are nanoseconds per iteration. JSON has no NaN nor infinities: they
// are written as null and read back as NaN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "proto/bench.h"

namespace redqueen::queen::bench {

/// What a file says of one benchmark's samples, per iteration in ns. The
/// caller computes it; the file only keeps it.
struct BenchStatistics {
  size_t rounds = 0;       ///< Samples the figures are of.
  int64_t iterations = 0;  ///< Over all of them.
  double min = 0;
  double max = 0;
  double mean = 0;
  double median = 0;
  double stddev = 0;
  double iqr = 0;  ///< Interquartile range.
};

/// One benchmark of a file: its samples, and their statistics of real and
/// CPU time.
struct SavedBenchmark {
  BenchResult result;
  BenchStatistics real;
  BenchStatistics cpu;
};

/// The format this redqueen writes and reads.
inline constexpr const char* kBenchFileFormat = "redqueen-bench-file-1";

/// One run's file.
struct BenchFile {
  std::string format = kBenchFileFormat;
  int64_t run_id = 0;      ///< The store's bench run; 0 without a store.
  std::string started_at;  ///< ISO 8601, UTC.
  std::string git_commit;  ///< "commit" in the file.
  std::string label;
  std::string command;
  Fingerprint machine;  ///< "machine_info" in the file.
  std::vector<SavedBenchmark> benchmarks;
};

/// The path of the next result file in `folder`, which it creates: one
/// number past the highest NNNN_ file there (0001 in an empty folder), with
/// `label` ("run" when empty) made safe for a file name (characters other
/// than [A-Za-z0-9._-] become '_', at most 100 kept). "" with a one-line
/// `*error` when the folder cannot be made or read. Two runs saving into one
/// folder at the same moment may be given the same name.
std::string NextResultPath(const std::string& folder, const std::string& label,
                           std::string* error);

/// Writes `file` to `path`, whole or not at all (through a temporary file
/// beside it); false with a one-line `*error` when it cannot.
bool WriteBenchFile(const std::string& path, const BenchFile& file, std::string* error);

/// Reads a file WriteBenchFile wrote. False with a one-line `*error` that
/// names `path` when it cannot be read or is not such a file (another JSON,
/// Google Benchmark's output, another format version, damaged).
bool ReadBenchFile(const std::string& path, BenchFile* file, std::string* error);

/// Whether `value` is one of RedQueen's result files, of any format version
/// (ReadBenchFile says which ones it cannot read): what tells it from
/// Google Benchmark's JSON output.
bool IsBenchFileJson(const nlohmann::json& value);

}  // namespace redqueen::queen::bench
