#include "pawn/result_limits.h"

namespace redqueen::pawn {

std::string CutText(std::string text, size_t cap) {
  if (text.size() <= cap) return text;
  const size_t half = cap / 2;
  const std::string note = "\n[redqueen: " + std::to_string(text.size() - 2 * half) +
                           " bytes of this message cut]\n";
  return text.substr(0, half) + note + text.substr(text.size() - half);
}

void FitResult(proto::Result* result) {
  result->skip_message = CutText(std::move(result->skip_message));
  result->crash = CutText(std::move(result->crash));
  size_t total = 0;
  size_t kept = 0;
  for (proto::Failure& failure : result->failures) {
    failure.file = CutText(std::move(failure.file), 4096);
    failure.message = CutText(std::move(failure.message));
    total += failure.file.size() + failure.message.size();
    if (total > kMaxFailureBytes) break;
    ++kept;
  }
  if (kept == result->failures.size()) return;
  const size_t left_out = result->failures.size() - kept;
  result->failures.resize(kept);
  result->failures.push_back(proto::Failure{"", 0,
                                            "[redqueen: " + std::to_string(left_out) +
                                                " more failures of this test not kept]"});
}

}  // namespace redqueen::pawn
