// What tells one build of a binary file from another, cheaply enough to ask
// on every run: an exec pawn takes the test list the store remembers, rather
// than run `BINARY --gtest_list_tests`, only when the binary it would list
// is the one that listed (known_list.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proto/bounded.h"

namespace redqueen::proto {

struct BinaryIdentity {
  /// The file (st_dev, st_ino) as it stands (size, st_mtim). A rebuilt
  /// binary has a new modification time, and usually a new inode: the
  /// linker writes a new file.
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  /// What its bytes say, for a file changed with its times kept (cp
  /// --preserve=timestamps, rsync -t, a build cache restoring them):
  /// "build-id:" and the hex of its ELF GNU build-id note, else "sampled:"
  /// and the hex of a hash of a bounded sample of its bytes (see
  /// binary_identity.cc).
  std::string content;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(device, inode, size, mtime_ns, Bounded(content));
  }

  bool operator==(const BinaryIdentity&) const = default;
};

/// The identity of the file at `path`; nullopt when it cannot be read or is
/// no ELF file: a script's own identity says nothing of the binary it starts.
std::optional<BinaryIdentity> IdentifyBinary(const std::string& path);

/// A binary and what else its listing depended on: the exec pawn's
/// arguments and environment, and the redqueen that read the listing, in
/// one digest that the Queen makes (queen/known_listing.h). The store keeps
/// it with the list; the same one next time means the same list.
struct ListingIdentity {
  BinaryIdentity binary;
  uint64_t context = 0;

  bool operator==(const ListingIdentity&) const = default;
};

}  // namespace redqueen::proto
