#include "bishop/pass_rows.h"

#include <charconv>

namespace redqueen::bishop {
namespace {

void Append(std::string* json, int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  json->append(digits, end);
}

}  // namespace

bool IsPlainPass(const TestResult& result) {
  return result.status == TestStatus::kPassed && result.not_run == NotRun::kRan &&
         result.failures.empty() && result.output.empty() &&
         result.skip_message.empty() && result.crash.empty();
}

void PassRows::Add(int64_t test_id, const TestResult& pass) {
  json_ += count_++ ? ",[" : "[";
  for (const int64_t value :
       {test_id, static_cast<int64_t>(pass.repetition),
        static_cast<int64_t>(pass.attempt), static_cast<int64_t>(pass.final),
        static_cast<int64_t>(pass.duration_us), pass.finished_us,
        static_cast<int64_t>(pass.pawn)}) {
    if (json_.back() != '[') json_ += ',';
    Append(&json_, value);
  }
  json_ += ']';
}

}  // namespace redqueen::bishop
