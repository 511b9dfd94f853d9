// Reading `BINARY --gtest_list_tests` output, for the exec pawn.
#pragma once

#include <string>
#include <vector>

#include "proto/messages.h"

namespace redqueen::pawn {

/// Parses gtest's listing: suite lines ending in '.', indented test lines,
/// each optionally followed by "  # TypeParam = ..." / "  # GetParam() = ...".
/// Lines before the first suite are what main() printed and are skipped; any
/// other line is an error: false with `*error` naming it.
bool ParseTestList(const std::string& text, std::vector<proto::TestInfo>* tests,
                   std::string* error);

}  // namespace redqueen::pawn
