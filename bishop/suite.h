// What the store keeps of each binary (and target) for its next run: the
// verified test list in registration order, the tests' ids, and each test's
// history, in one blob. A rerun of an unchanged binary reads this one row
// instead of asking a pawn for the list, looking up every test and scanning
// recent executions: on a suite of trivial tests, that was most of
// redqueen's own cost. The executions stay the record; this is derived from
// them, run by run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/history.h"
#include "proto/messages.h"

namespace redqueen::bishop {

struct SuiteRecord {
  int64_t run_id = 0;  ///< The run that wrote it.
  Past past;
  std::vector<int64_t> test_ids;  ///< Aligned with past.tests.
};

/// The blob of a suite. `ids` and `history` are aligned with `tests`.
std::string EncodeSuite(uint64_t list_hash, const std::vector<proto::TestInfo>& tests,
                        const std::vector<int64_t>& ids, const History& history);

/// False when `blob` is not one this redqueen writes (another format
/// version, or damaged): the caller then goes without.
bool DecodeSuite(std::string_view blob, SuiteRecord* suite);

}  // namespace redqueen::bishop
