#include "proto/history.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace redqueen {

void TestHistory::Record(bool passed, uint64_t duration_us) {
  failed_last = !passed;
  if (!passed) return;
  std::copy_backward(passing_us.begin(), passing_us.end() - 1, passing_us.end());
  passing_us[0] = duration_us;
  passes = static_cast<uint8_t>(std::min<size_t>(passes + 1u, kRememberedPasses));
}

History Carry(const Past& past, const std::vector<proto::TestInfo>& tests) {
  History history(tests.size());
  if (past.history.empty()) return history;
  std::unordered_map<std::string_view, size_t> before;
  before.reserve(past.tests.size());
  for (size_t i = 0; i < past.tests.size() && i < past.history.size(); ++i) {
    before.emplace(past.tests[i].name, i);
  }
  for (size_t i = 0; i < tests.size(); ++i) {
    const auto it = before.find(tests[i].name);
    if (it != before.end()) history[i] = past.history[it->second];
  }
  return history;
}

}  // namespace redqueen
