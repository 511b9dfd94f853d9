// The closed set of outcomes a test can have, shared by every piece.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace redqueen {

enum class TestStatus : uint8_t {
  kPassed = 0,
  kFailed = 1,
  kSkipped = 2,  ///< gtest's GTEST_SKIP, or not run (fail-fast, interrupted).
  kCrashed = 3,  ///< The pawn died inside the test: signal or exit code.
  kTimeout = 4,
  kFlaky = 5,  ///< Failed, then passed on a retry.
};

/// The last status: a decoder refuses any value past it.
inline constexpr TestStatus kLastStatus = TestStatus::kFlaky;

/// Upper-case name used in the terminal and the store ("PASSED", ...).
std::string_view StatusName(TestStatus status);

/// The status StatusName names; nullopt for any other text (a store that
/// holds one is damaged).
std::optional<TestStatus> ParseStatus(std::string_view name);

/// True for the statuses that make a run fail.
inline bool IsFailure(TestStatus status) {
  return status == TestStatus::kFailed || status == TestStatus::kCrashed ||
         status == TestStatus::kTimeout;
}

/// How a process ended, as every report words it: "signal 11 (SIGSEGV)" or
/// "exit code 1".
std::string DescribeExit(bool signaled, int signal, int exit_code);

}  // namespace redqueen
