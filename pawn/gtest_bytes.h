// gtest's JSON writer escapes each byte of 0x80 and above as \u00XX (it
// tests `char < ' '` on a signed char), so a JSON reader hands back, for a
// name in any encoding, the UTF-8 of U+0080..U+00FF, one code point per
// original byte. Names are data: map them back to the bytes gtest has.
#pragma once

#include <string>
#include <string_view>

namespace redqueen::pawn {

/// The bytes gtest escaped into `decoded`: each code point up to U+00FF
/// becomes that byte; anything else (not gtest's doing) is kept as it is.
std::string GtestBytes(std::string_view decoded);

}  // namespace redqueen::pawn
