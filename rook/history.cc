#include "rook/history.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace redqueen::rook {
namespace {

template <class It>
uint64_t Median(It begin, It end) {
  const It middle = begin + (end - begin) / 2;
  std::nth_element(begin, middle, end);
  return *middle;
}

}  // namespace

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

std::optional<uint64_t> ExpectedDuration(const TestHistory& history) {
  if (history.passes == 0) return std::nullopt;
  std::array<uint64_t, kRememberedPasses> passes = history.passing_us;
  return Median(passes.begin(), passes.begin() + history.passes);
}

std::vector<uint64_t> Estimate(size_t count, const std::vector<uint32_t>& selected,
                               const History& history) {
  if (history.size() != count) return {};
  std::vector<uint64_t> estimates(count, 0);  // 0: not known yet
  std::vector<uint64_t> seen;
  for (uint32_t index : selected) {
    if (const auto expected = ExpectedDuration(history[index])) {
      estimates[index] = std::max<uint64_t>(*expected, 1);
      seen.push_back(estimates[index]);
    }
  }
  if (seen.empty()) return {};
  const uint64_t unseen = Median(seen.begin(), seen.end());
  for (uint64_t& estimate : estimates) {
    if (estimate == 0) estimate = unseen;
  }
  return estimates;
}

}  // namespace redqueen::rook
