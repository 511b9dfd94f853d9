#include "queen/runner_files.h"

#include <cerrno>
#include <cstring>

namespace redqueen::queen {
namespace {

/// Creates `path` (empty), or truncates it, as gtest writes the status file.
bool Touch(const std::string& path, const char* what, std::string* error) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file) {
    *error = std::string("cannot write the ") + what + " '" + path +
             "': " + std::strerror(errno) + " (is its folder there and writable?)";
    return false;
  }
  std::fclose(file);
  return true;
}

}  // namespace

bool BeginRunnerFiles(const RunnerFiles& files, std::string* error) {
  for (const std::string& path : files.shard_status) {
    if (!Touch(path, "shard status file", error)) return false;
  }
  return files.premature_exit.empty() ||
         Touch(files.premature_exit, "premature-exit file (TEST_PREMATURE_EXIT_FILE)",
               error);
}

void EndRunnerFiles(const RunnerFiles& files, bool clean) {
  if (clean && !files.premature_exit.empty()) std::remove(files.premature_exit.c_str());
}

void WarningsSink::OnSlow(uint32_t index, uint64_t running_for_us, int pawn) {
  // Opened per warning: they are rare, and each lands whatever ends the run.
  std::FILE* file = std::fopen(path_.c_str(), "a");
  if (!file) return;
  const std::string name = tests_ && index < tests_->size() ? (*tests_)[index].name
                                                            : "#" + std::to_string(index);
  std::fprintf(file, "redqueen: %s: %s has been running for %.1fs (pawn %d)\n",
               label_.c_str(), name.c_str(), running_for_us / 1e6, pawn);
  std::fclose(file);
}

}  // namespace redqueen::queen
