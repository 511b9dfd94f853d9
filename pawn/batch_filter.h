// The gtest filter that selects a batch of tests by their full names.
//
// Test names are data: RegisterTest and custom parameter-name generators can
// put any byte in them, and ':' '-' '*' '?' are filter syntax. Each such byte
// (and '\n', which a flagfile line cannot hold) becomes '?', which matches it
// and any other byte: a batch's filter may then select more tests than it
// names, and each pawn removes those itself (the resident pawn never lets
// them run, the exec pawn excludes them).
#pragma once

#include <string>
#include <string_view>
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

}  // namespace redqueen::pawn
