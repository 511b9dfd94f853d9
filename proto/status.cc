#include "proto/status.h"

namespace redqueen {

std::string_view StatusName(TestStatus status) {
  switch (status) {
    case TestStatus::kPassed: return "PASSED";
    case TestStatus::kFailed: return "FAILED";
    case TestStatus::kSkipped: return "SKIPPED";
    case TestStatus::kCrashed: return "CRASHED";
    case TestStatus::kTimeout: return "TIMEOUT";
    case TestStatus::kFlaky: return "FLAKY";
  }
  return "UNKNOWN";
}

}  // namespace redqueen
