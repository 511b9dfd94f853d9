// The order in which a repetition's tests are handed out, and how they are
// grouped: the policies of --order, --failed-first and --by-suite.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "proto/messages.h"
#include "rook/estimate.h"
#include "rook/work.h"

namespace redqueen::rook {

enum class Order {
  kHistory,   ///< Longest expected first; tests never seen before all of them.
  kDeclared,  ///< Registration order.
  kRandom,    ///< Shuffled with a seed, reproducibly.
};

struct PlanOptions {
  Order order = Order::kHistory;
  uint64_t seed = 0;  ///< For kRandom; each repetition shuffles differently.
  /// Tests (or suites) that did not pass last time go first, in the order's
  /// order among themselves.
  bool failed_first = false;
  /// One unit per test suite, its tests in registration order.
  bool by_suite = false;
};

/// "Suite" of "Suite.Test", "Prefix/Suite" of "Prefix/Suite.Test/0".
std::string_view SuiteOf(std::string_view full_name);

/// The units of one repetition of `chosen` (indexes in registration order),
/// in the order to hand them out. `estimates` as from Estimate (empty: none);
/// `history` aligned with `tests` (empty: none).
std::vector<Unit> Plan(const std::vector<proto::TestInfo>& tests,
                       const std::vector<uint32_t>& chosen,
                       const std::vector<uint64_t>& estimates, const History& history,
                       const PlanOptions& options, uint32_t repetition);

}  // namespace redqueen::rook
