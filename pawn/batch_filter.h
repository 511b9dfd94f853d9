// The gtest filter that selects a batch of tests by their full names.
//
// Test names are data: RegisterTest and custom parameter-name generators can
// put any byte in them, and ':' '-' '*' '?' are filter syntax. Each such byte
// (and '\n', which a flagfile line cannot hold) becomes '?', which matches it
// and any other byte: a batch's filter may then select more tests than it
// names, and each pawn removes those itself (the resident pawn never lets
// them run, the exec pawn excludes them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace redqueen::pawn {

/// The pattern that matches `name`; sets `*widened` when it may match
/// other names too.
std::string PatternFor(std::string_view name, bool* widened);

/// Whether `name` matches `pattern`, a PatternFor() result (only '?' is a
/// wildcard there).
bool MatchesPattern(std::string_view pattern, std::string_view name);

/// "A.b:C.d" for the names at `indexes` of `names`, plus, after a '-', the
/// patterns of `excluded`.
std::string BatchFilter(const std::vector<std::string>& names,
                        const std::vector<uint32_t>& indexes,
                        const std::vector<uint32_t>& excluded, bool* widened);

/// How many of `names` each suite has ("Suite" of "Suite.Test"): views into
/// `names`, which must outlive it.
using SuiteSizes = std::unordered_map<std::string_view, uint32_t>;
SuiteSizes CountSuites(const std::vector<std::string>& names);

/// A suite with at least this many tests, all of them in a batch, is one
/// pattern. gtest copies its filter twice for every test it runs (each
/// test's flag saver), so that a batch of B names costs O(B^2): 10,000
/// trivial tests named one by one take 113 ms, as "Suite.*" 33 ms. A glob is
/// matched against every registered test, some ns each: worth it for a
/// suite of several names.
inline constexpr uint32_t kMinTestsPerGlob = 8;

/// BatchFilter's selection, shorter: "Suite.*" for every suite of at least
/// kMinTestsPerGlob tests whose every name `sizes` counts is in `indexes`
/// (then the glob matches them and no other test), the others by name.
/// Sets `*widened` as BatchFilter does.
std::string CompactBatchFilter(const std::vector<std::string>& names,
                               const SuiteSizes& sizes,
                               const std::vector<uint32_t>& indexes, bool* widened);

}  // namespace redqueen::pawn
