#include "rook/estimate.h"

#include <algorithm>

namespace redqueen::rook {
namespace {

template <class It>
uint64_t Median(It begin, It end) {
  const It middle = begin + (end - begin) / 2;
  std::nth_element(begin, middle, end);
  return *middle;
}

/// The estimates of `selected` under kPooledBelowUs become their mean.
void Pool(const std::vector<uint32_t>& selected, std::vector<uint64_t>* estimates) {
  uint64_t total = 0;
  uint64_t pooled = 0;
  for (uint32_t index : selected) {
    const uint64_t estimate = (*estimates)[index];
    if (estimate == 0 || estimate >= kPooledBelowUs) continue;
    total += estimate;
    ++pooled;
  }
  if (pooled == 0) return;
  const uint64_t mean = std::max<uint64_t>((total + pooled / 2) / pooled, 1);
  for (uint32_t index : selected) {
    uint64_t& estimate = (*estimates)[index];
    if (estimate != 0 && estimate < kPooledBelowUs) estimate = mean;
  }
}

}  // namespace

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
  Pool(selected, &estimates);
  const uint64_t unseen = Median(seen.begin(), seen.end());
  for (uint64_t& estimate : estimates) {
    if (estimate == 0) estimate = unseen;
  }
  return estimates;
}

}  // namespace redqueen::rook
