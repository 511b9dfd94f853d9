// The settings file, redqueen.toml: found in the working directory or the
// nearest parent, or named by --config. Its [run] section holds any option of
// `redqueen run`, by its long name; CLI11 reads it beneath the command line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace redqueen::queen {

inline constexpr const char* kConfigFileName = "redqueen.toml";

/// Takes "--config FILE" or "--config=FILE" out of `args` (so that it may
/// stand anywhere), into `*path`. False with `*error` when FILE is missing.
bool TakeConfigOption(std::vector<std::string>* args, std::string* path,
                      std::string* error);

/// redqueen.toml in `dir` or the nearest parent that has one; empty if none.
std::string FindConfigFile(const std::filesystem::path& dir);

/// What CLI11's lenient reader would pass over in silence: false, with a
/// one-line `*error` naming the file and line, unless the file is readable
/// and every line is blank, a comment, [run], or `key = value`.
bool CheckConfigFile(const std::string& path, std::string* error);

}  // namespace redqueen::queen
