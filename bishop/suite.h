// What the store keeps of each binary (and target) for its next run: the
// verified test list in registration order, the tests' ids, and each test's
// history, in one blob. A rerun of an unchanged binary reads this one row
// instead of asking a pawn for the list, looking up every test and scanning
// recent executions: on a suite of trivial tests, that was most of
// redqueen's own cost. The executions stay the record; this is derived from
// them, run by run. For an exec binary it also names the binary that listed
// (proto/binary_identity.h): while that is unchanged, its exec pawns take
// this list instead of running the binary to list it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/binary_identity.h"
#include "proto/history.h"
#include "proto/messages.h"

namespace redqueen::bishop {

struct SuiteRecord {
  int64_t run_id = 0;  ///< The run that wrote it.
  Past past;
  std::vector<int64_t> test_ids;  ///< Aligned with past.tests.
  /// The exec binary whose pawns listed `past.tests`, and how; none for a
  /// resident binary, a merged run's, or a blob of an older redqueen.
  std::optional<proto::ListingIdentity> listed_by;
};

/// The blob of a suite. `ids` and `history` are aligned with `tests`;
/// `listed_by` (may be null) is what listed them.
std::string EncodeSuite(uint64_t list_hash, const std::vector<proto::TestInfo>& tests,
                        const std::vector<int64_t>& ids, const History& history,
                        const proto::ListingIdentity* listed_by = nullptr);

/// False when `blob` is not one this redqueen reads (a format of a newer
/// one, or damaged): the caller then goes without. A blob of format 2 (no
/// identity) decodes without `listed_by`.
bool DecodeSuite(std::string_view blob, SuiteRecord* suite);

}  // namespace redqueen::bishop
