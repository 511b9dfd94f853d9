#include "rook/work_queue.h"

#include <algorithm>

namespace redqueen::rook {
namespace {

/// How far past units a batch cannot hold Take looks for ones it can:
/// enough to step over a repetition's duplicates without scanning a long queue.
constexpr size_t kLookahead = 256;

}  // namespace

void WorkQueue::PushBack(Unit unit) {
  tests_ += unit.works.size();
  expected_us_ += unit.expected_us;
  units_.push_back(std::move(unit));
}

void WorkQueue::PushFront(Unit unit) {
  tests_ += unit.works.size();
  expected_us_ += unit.expected_us;
  units_.push_front(std::move(unit));
}

void WorkQueue::PushFrontEach(const std::vector<Work>& works,
                              const std::vector<uint64_t>& estimates) {
  for (auto it = works.rbegin(); it != works.rend(); ++it) {
    PushFront(Unit{{*it}, estimates.empty() ? 0 : estimates[it->index]});
  }
}

std::vector<Work> WorkQueue::Take(int pawn, BatchLimit limit, bool avoid) {
  std::vector<Work> batch;
  const auto taken = [this](uint32_t index) {
    return index < in_batch_.size() && in_batch_[index];
  };
  uint64_t expected = 0;
  size_t skipped = 0;
  bool leading = false;
  for (auto it = units_.begin(); it != units_.end() && skipped <= kLookahead;) {
    if (!batch.empty() &&
        (batch.size() >= limit.tests || expected >= limit.expected_us)) {
      break;
    }
    const Unit& unit = *it;
    const Work& first = unit.works.front();
    bool fits = !(avoid && first.avoid_pawn == pawn) &&
                (batch.empty() ||
                 (first.attempt == batch.front().attempt && unit.leading == leading));
    for (const Work& work : unit.works) fits = fits && !taken(work.index);
    if (!fits) {
      ++it;
      ++skipped;
      continue;
    }
    leading = unit.leading;
    for (const Work& work : unit.works) {
      batch.push_back(work);
      if (work.index >= in_batch_.size()) in_batch_.resize(work.index + 1);
      in_batch_[work.index] = true;
    }
    expected += unit.expected_us;
    tests_ -= unit.works.size();
    expected_us_ -= unit.expected_us;
    it = units_.erase(it);
  }
  for (const Work& work : batch) in_batch_[work.index] = false;
  return batch;
}

std::vector<Work> WorkQueue::Drain() {
  std::vector<Work> works;
  for (const Unit& unit : units_)
    works.insert(works.end(), unit.works.begin(), unit.works.end());
  units_.clear();
  tests_ = 0;
  expected_us_ = 0;
  return works;
}

}  // namespace redqueen::rook
