// What the Rook hands out: one execution of one test, and the groups of them
// that must go to one pawn together.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>

namespace redqueen::rook {

/// One attempt at one repetition of one test.
struct Work {
  uint32_t index = 0;       ///< Into the TestList: registration order.
  uint32_t repetition = 0;  ///< 0..repeat-1 (--repeat, --until-fail).
  uint32_t attempt = 1;     ///< 1, then 2.. for retries (REDQUEEN_ATTEMPT).
  /// The pawn this test just failed on: a retry prefers any other pawn.
  int avoid_pawn = -1;
};

/// Tests that go to one pawn in one batch, in this order: a whole test suite
/// under --by-suite, otherwise a single test.
struct Unit {
  /// Held in place when there is one (Boost.Container, header-only): a
  /// plan of 10,000 single tests made, moved and freed as many vectors.
  boost::container::small_vector<Work, 1> works;
  uint64_t expected_us = 0;  ///< Sum of the tests' expected durations.
  /// Goes ahead of the rest (--failed-first). A pawn runs a batch in
  /// registration order, so a batch never mixes leading and other units.
  bool leading = false;
};

}  // namespace redqueen::rook
