#include "bishop/pass_rows.h"

#include <charconv>
#include <iterator>

namespace redqueen::bishop {
namespace {

/// The most characters of an int64_t, sign included.
constexpr size_t kMostDigits = 20;
/// Room for ",[a,b,c,d,e,f,g]" with every number at its widest.
constexpr size_t kMostRowChars = 2 + 7 * (kMostDigits + 1) + 1;

}  // namespace

bool IsPlainPass(const TestResult& result) {
  return result.status == TestStatus::kPassed && result.not_run == NotRun::kRan &&
         result.failures.empty() && result.output.empty() &&
         result.skip_message.empty() && result.crash.empty();
}

void PassRows::Add(int64_t test_id, const TestResult& pass) {
  // Formatted on the stack and appended once: a run of 10,000 passes adds
  // as many rows, and appending number by number cost twice as much.
  char row[kMostRowChars];
  char* at = row;
  if (count_++) *at++ = ',';
  *at++ = '[';
  const int64_t values[] = {test_id,
                            static_cast<int64_t>(pass.repetition),
                            static_cast<int64_t>(pass.attempt),
                            static_cast<int64_t>(pass.final),
                            static_cast<int64_t>(pass.duration_us),
                            pass.finished_us,
                            static_cast<int64_t>(pass.pawn)};
  for (size_t i = 0; i < std::size(values); ++i) {
    if (i) *at++ = ',';
    at = std::to_chars(at, at + kMostDigits, values[i]).ptr;
  }
  *at++ = ']';
  json_.append(row, at);
}

}  // namespace redqueen::bishop
