// `redqueen config`: every setting `redqueen run` would use with the same
// arguments, and where each value came from, printed as the settings file's
// TOML.
#pragma once

#include <CLI/CLI.hpp>
#include <set>
#include <string>
#include <vector>

#include "queen/options.h"

namespace redqueen::queen {

/// Every setting of `run` with its value and where it came from: the
/// command line (`given`), the settings file `config`, or its default; -j
/// as `jobs` from `jobs_source` when that is not empty.
std::vector<Setting> Settings(const CLI::App& run, const std::set<std::string>& given,
                              const std::string& config, const std::string& jobs_source,
                              int jobs);

/// Prints `options.settings` as a [run] section, each with its source as a
/// comment, and the shard the run would be.
void PrintConfig(const RunOptions& options);

}  // namespace redqueen::queen
