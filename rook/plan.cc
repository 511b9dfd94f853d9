#include "rook/plan.h"

#include <algorithm>
#include <random>
#include <unordered_map>

namespace redqueen::rook {
namespace {

/// Units in registration order: a test each, or a suite each.
std::vector<Unit> Group(const std::vector<proto::TestInfo>& tests,
                        const std::vector<uint32_t>& chosen,
                        const std::vector<uint64_t>& estimates, bool by_suite,
                        uint32_t repetition) {
  std::vector<Unit> units;
  std::unordered_map<std::string_view, size_t> unit_of_suite;
  for (uint32_t index : chosen) {
    Unit* unit = nullptr;
    if (by_suite) {
      const auto [it, added] =
          unit_of_suite.try_emplace(SuiteOf(tests[index].name), units.size());
      if (added) units.emplace_back();
      unit = &units[it->second];
    } else {
      unit = &units.emplace_back();
    }
    unit->works.push_back(Work{index, repetition, 1, -1});
    unit->expected_us += estimates.empty() ? 0 : estimates[index];
  }
  return units;
}

bool Seen(const Unit& unit, const History& history) {
  for (const Work& work : unit.works) {
    if (work.index >= history.size() || history[work.index].passes == 0) return false;
  }
  return true;
}

bool FailedLast(const Unit& unit, const History& history) {
  for (const Work& work : unit.works) {
    if (work.index < history.size() && history[work.index].failed_last) return true;
  }
  return false;
}

}  // namespace

std::string_view SuiteOf(std::string_view full_name) {
  // gtest suite names, instantiation prefixes included, have no '.'.
  return full_name.substr(0, full_name.find('.'));
}

std::vector<Unit> Plan(const std::vector<proto::TestInfo>& tests,
                       const std::vector<uint32_t>& chosen,
                       const std::vector<uint64_t>& estimates, const History& history,
                       const PlanOptions& options, uint32_t repetition) {
  std::vector<Unit> units = Group(tests, chosen, estimates, options.by_suite, repetition);
  switch (options.order) {
    case Order::kDeclared:
      break;
    case Order::kRandom: {
      std::mt19937_64 random(options.seed + repetition);
      std::shuffle(units.begin(), units.end(), random);
      break;
    }
    case Order::kHistory: {
      // Unseen tests first: their duration is a guess, and a long one found
      // late would make the tail. Then the longest first, so the short ones
      // fill the gaps at the end. Stable: ties keep registration order.
      // Sorted as keys and positions, then moved once: sorting the units
      // themselves moved each one's vector many times over.
      struct Key {
        bool seen;
        uint64_t expected_us;
        uint32_t position;
      };
      std::vector<Key> keys;
      keys.reserve(units.size());
      for (size_t i = 0; i < units.size(); ++i) {
        keys.push_back(
            {Seen(units[i], history), units[i].expected_us, static_cast<uint32_t>(i)});
      }
      const auto before = [](const Key& a, const Key& b) {
        if (a.seen != b.seen) return !a.seen;
        if (a.expected_us != b.expected_us) return a.expected_us > b.expected_us;
        return a.position < b.position;
      };
      // A first run's keys are all alike, so already in order: one pass
      // instead of a sort (2M instructions for 10,000 tests) and a move.
      if (std::is_sorted(keys.begin(), keys.end(), before)) break;
      std::sort(keys.begin(), keys.end(), before);
      std::vector<Unit> sorted;
      sorted.reserve(units.size());
      for (const Key& key : keys) sorted.push_back(std::move(units[key.position]));
      units = std::move(sorted);
      break;
    }
  }
  if (options.failed_first) {
    for (Unit& unit : units) unit.leading = FailedLast(unit, history);
    std::stable_partition(units.begin(), units.end(),
                          [](const Unit& unit) { return unit.leading; });
  }
  return units;
}

}  // namespace redqueen::rook
