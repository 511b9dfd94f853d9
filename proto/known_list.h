// The test list the Queen hands an exec pawn when the store remembers the
// list of the very binary the pawn runs: a file in the run's private folder,
// named by the pawn's REDQUEEN_KNOWN_LIST. The pawn says Hello with it
// instead of running `BINARY --gtest_list_tests`. The Queen writes it only
// when the binary and everything its listing depended on are as when the
// remembered list was made (queen/known_listing.h); the pawn takes it only
// for its own binary, as it stands when the pawn starts, and arguments, and
// lists as ever when the file is missing, unreadable or for another.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proto/binary_identity.h"
#include "proto/messages.h"

namespace redqueen::proto {

/// Names the file of the list for an exec pawn (set only for exec pawns).
inline constexpr char kEnvKnownList[] = "REDQUEEN_KNOWN_LIST";

struct KnownList {
  /// As the exec pawn runs them: `redqueen exec-pawn BINARY -- ARGS`.
  std::string binary;
  std::vector<std::string> args;
  BinaryIdentity identity;  ///< Of `binary` when its list was made.
  TestList list;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(Bounded(binary), Bounded(args), identity, list);
  }

  bool operator==(const KnownList&) const = default;
};

/// Writes `known` to `path` (through a file beside it, renamed: a pawn never
/// reads half a list); false when it cannot.
bool WriteKnownList(const std::string& path, const KnownList& known);

/// The list at `path`; nullopt when there is none, or it cannot be read or
/// decoded.
std::optional<KnownList> ReadKnownList(const std::string& path);

}  // namespace redqueen::proto
