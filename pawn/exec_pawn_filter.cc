// The filters and shards that make one child run exactly its batch:
// ExecPawn::FilterFor, Indistinct and ShardFor, on batch_filter.h's patterns.
#include <algorithm>
#include <set>

#include "pawn/batch_filter.h"
#include "pawn/exec_pawn.h"

namespace redqueen::pawn {

std::string ExecPawn::FilterFor(const std::vector<uint32_t>& batch) const {
  bool widened = false;
  const std::string filter = CompactBatchFilter(names_, suite_sizes_, batch, &widened);
  if (!widened) return filter;
  // The filter may select tests beyond the batch: keep those out, but for a
  // name a filter cannot tell from one of the batch's (they differ only in
  // filter syntax): that test runs along, and its result is not used.
  std::vector<std::string> patterns;
  for (uint32_t index : batch) {
    bool odd = false;
    std::string pattern = PatternFor(names_[index], &odd);
    if (odd) patterns.push_back(std::move(pattern));
  }
  const std::set<uint32_t> in_batch(batch.begin(), batch.end());
  std::vector<uint32_t> excluded;
  for (uint32_t i = 0; i < names_.size(); ++i) {
    if (in_batch.count(i) ||
        std::none_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
          return MatchesPattern(pattern, names_[i]);
        })) {
      continue;
    }
    bool odd = false;
    const std::string own = PatternFor(names_[i], &odd);
    if (std::none_of(batch.begin(), batch.end(), [&](uint32_t index) {
          return MatchesPattern(own, names_[index]);
        })) {
      excluded.push_back(i);
    }
  }
  return BatchFilter(names_, batch, excluded, &widened);
}

std::vector<uint32_t> ExecPawn::Indistinct(std::vector<uint32_t>* batch) const {
  std::vector<uint32_t> alone;
  std::vector<uint32_t> kept;
  for (uint32_t index : *batch) {
    bool odd = false;
    const std::string pattern = PatternFor(names_[index], &odd);
    bool twin = false;
    for (uint32_t other = 0; odd && !twin && other < names_.size(); ++other) {
      bool ignored = false;
      twin = other != index && MatchesPattern(pattern, names_[other]) &&
             MatchesPattern(PatternFor(names_[other], &ignored), names_[index]);
    }
    (twin ? alone : kept).push_back(index);
  }
  *batch = std::move(kept);
  return alone;
}

std::vector<std::string> ExecPawn::ShardFor(uint32_t index) const {
  bool odd = false;
  const std::string pattern = PatternFor(names_[index], &odd);
  size_t count = 0;
  size_t position = 0;
  for (uint32_t i = 0; i < names_.size(); ++i) {
    if (!MatchesPattern(pattern, names_[i])) continue;
    if (i == index) position = count;
    ++count;
  }
  return {"GTEST_TOTAL_SHARDS=" + std::to_string(count),
          "GTEST_SHARD_INDEX=" + std::to_string(position)};
}

}  // namespace redqueen::pawn
