// Whether an exec binary's pawns may take the test list the store remembers
// instead of running `BINARY --gtest_list_tests` (issue 15): only when the
// binary file is the one that listed (proto/binary_identity.h) and its
// pawns start as they did then, with the same arguments, --target
// variables, GTEST_* and LD_* variables, working directory and redqueen.
// Then the Queen writes the list into the run's folder for them
// (proto/known_list.h); else they list, as they always did.
//
// What it cannot see: a main() that registers tests from other variables or
// from files it reads (a test data folder), or tests in a shared library
// that changed while the binary did not. Touching the binary (a new
// modification time) has it listed again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bishop/suite.h"
#include "knight/knight.h"
#include "proto/binary_identity.h"

namespace redqueen::queen {

/// What the Queen knows of an exec binary's listing as its run begins.
struct KnownListing {
  std::string path;  ///< The pawns' REDQUEEN_KNOWN_LIST.
  /// The binary and arguments as its exec pawns get them.
  std::string binary;
  std::vector<std::string> args;
  /// Of the binary and its pawns' start now; none (a script, a binary that
  /// cannot be read): its pawns always list.
  std::optional<proto::ListingIdentity> identity;
};

/// For the exec pawns that `*spec` starts (SpecFor's): names `path` as
/// their list in its environment, and says what they would list now.
KnownListing PrepareKnownListing(knight::PawnSpec* spec, const std::string& path);

/// Writes the list of `suite` for the pawns when they would list what it
/// was listed by; true when it did.
bool HandOverList(const KnownListing& listing, const bishop::SuiteRecord& suite);

/// What to remember as having listed the run's list (of `list_hash`) of
/// the binary at `path`: the identity its exec pawns began with, while the
/// binary is still that file; else, when the run had the list the store
/// remembered (`remembered_hash`) and the binary is still the file that
/// `remembered` names, that (a resident run, or one whose exec pawns' start
/// differed, does not make an exec listing untrue); else none.
std::optional<proto::ListingIdentity> ListedByAtEnd(
    const KnownListing& listing, const std::string& path, uint64_t list_hash,
    uint64_t remembered_hash, const std::optional<proto::ListingIdentity>& remembered);

}  // namespace redqueen::queen
