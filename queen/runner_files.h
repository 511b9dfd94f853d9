// The files a test runner (Bazel, or any that follows its test encyclopedia)
// asks a test for through the environment: the shard status file, the
// premature-exit file and the warnings file (run_environment.h reads where).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "queen/run_environment.h"
#include "rook/run_sink.h"

namespace redqueen::queen {

/// Touches each shard status file (saying that redqueen knows the sharding
/// protocol) and creates the premature-exit file. False with `*error`
/// naming the file that cannot be written.
bool BeginRunnerFiles(const RunnerFiles& files, std::string* error);

/// Removes the premature-exit file: the run came to its end (`clean`), with
/// whatever verdict. An interrupted or failed run leaves it, as a test
/// binary that died would.
void EndRunnerFiles(const RunnerFiles& files, bool clean);

/// Appends a line per slow test of one binary to TEST_WARNINGS_OUTPUT_FILE.
class WarningsSink : public rook::RunSink {
 public:
  /// `label`: the binary's name in the run ("x_test", "x_test@chrome").
  WarningsSink(std::string path, std::string label)
      : path_(std::move(path)), label_(std::move(label)) {}

  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& /*selected*/,
                     uint64_t /*list_hash*/) override {
    tests_ = &tests;
  }
  void OnResult(const TestResult& /*result*/, const RunTotals& /*totals*/) override {}
  void OnSlow(uint32_t index, uint64_t running_for_us, int pawn) override;

 private:
  std::string path_;
  std::string label_;
  const std::vector<proto::TestInfo>* tests_ = nullptr;
};

}  // namespace redqueen::queen
