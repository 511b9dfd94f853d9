#include "rook/history.h"

#include <algorithm>

namespace redqueen::rook {
namespace {

uint64_t Median(std::vector<uint64_t> values) {
  const auto middle = values.begin() + static_cast<long>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

std::optional<uint64_t> ExpectedDuration(const TestHistory& history) {
  if (history.passing_durations_us.empty()) return std::nullopt;
  return Median(history.passing_durations_us);
}

std::vector<uint64_t> Estimate(const std::vector<proto::TestInfo>& tests,
                               const std::vector<uint32_t>& selected,
                               const History& history) {
  std::vector<std::optional<uint64_t>> known(tests.size());
  std::vector<uint64_t> seen;
  for (uint32_t index : selected) {
    const auto it = history.find(tests[index].name);
    if (it == history.end()) continue;
    known[index] = ExpectedDuration(it->second);
    if (known[index]) seen.push_back(std::max<uint64_t>(*known[index], 1));
  }
  if (seen.empty()) return {};
  const uint64_t unseen = Median(seen);
  std::vector<uint64_t> estimates(tests.size(), unseen);
  for (uint32_t index : selected) {
    if (known[index]) estimates[index] = std::max<uint64_t>(*known[index], 1);
  }
  return estimates;
}

}  // namespace redqueen::rook
