// The private folder of a run: capture files and the pawns' temp dirs.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace redqueen::queen {

/// A private folder for capture files and pawn temp dirs, removed at the end:
/// in the TEST_TMPDIR a test runner gave redqueen (Bazel's), else TMPDIR.
class RunDir {
 public:
  RunDir() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    if (!tmp || !*tmp) tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/redqueen-XXXXXX";
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~RunDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace redqueen::queen
