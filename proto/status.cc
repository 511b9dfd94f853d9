#include "proto/status.h"

#include <cstring>

namespace redqueen {

std::string_view StatusName(TestStatus status) {
  switch (status) {
    case TestStatus::kPassed:
      return "PASSED";
    case TestStatus::kFailed:
      return "FAILED";
    case TestStatus::kSkipped:
      return "SKIPPED";
    case TestStatus::kCrashed:
      return "CRASHED";
    case TestStatus::kTimeout:
      return "TIMEOUT";
    case TestStatus::kFlaky:
      return "FLAKY";
  }
  return "UNKNOWN";
}

std::optional<TestStatus> ParseStatus(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(kLastStatus); ++i) {
    const auto status = static_cast<TestStatus>(i);
    if (StatusName(status) == name) return status;
  }
  return std::nullopt;
}

std::string DescribeExit(bool signaled, int signal, int exit_code) {
  if (!signaled) return "exit code " + std::to_string(exit_code);
  const char* abbrev = sigabbrev_np(signal);
  return "signal " + std::to_string(signal) +
         (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
}

}  // namespace redqueen
