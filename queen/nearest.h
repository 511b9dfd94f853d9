// "Did you mean ...?" for a mistyped option, command or flag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace redqueen::queen {

/// The closest of `candidates` to `word` within a few edits ("" when none is).
std::string Nearest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace redqueen::queen
