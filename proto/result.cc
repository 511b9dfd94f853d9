#include "proto/result.h"

namespace redqueen {

std::string_view NotRunMessage(NotRun reason) {
  switch (reason) {
    case NotRun::kRan:
      return "";
    case NotRun::kFailFast:
      return "fail-fast";
    case NotRun::kInterrupted:
      return "interrupted";
    case NotRun::kInterruptedRunning:
      return "interrupted while it was running";
    case NotRun::kRunStopped:
      return "not run: the run stopped";
  }
  return "";
}

void RunTotals::Add(TestStatus final_status) {
  ++total_tests;
  switch (final_status) {
    case TestStatus::kPassed:
      ++tests_passed;
      break;
    case TestStatus::kFlaky:
      ++tests_passed;
      ++flaky;
      break;
    case TestStatus::kSkipped:
      ++tests_skipped;
      break;
    case TestStatus::kFailed:
      ++tests_failed;
      break;
    case TestStatus::kCrashed:
    case TestStatus::kTimeout:
      ++tests_failed;
      ++execution_errors;
      break;
  }
}

void RunTotals::Add(const RunTotals& other) {
  total_tests += other.total_tests;
  tests_passed += other.tests_passed;
  tests_failed += other.tests_failed;
  tests_skipped += other.tests_skipped;
  execution_errors += other.execution_errors;
  flaky += other.flaky;
}

}  // namespace redqueen
