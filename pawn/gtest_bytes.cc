#include "pawn/gtest_bytes.h"

namespace redqueen::pawn {

std::string GtestBytes(std::string_view decoded) {
  std::string bytes;
  bytes.reserve(decoded.size());
  for (size_t i = 0; i < decoded.size(); ++i) {
    const auto lead = static_cast<unsigned char>(decoded[i]);
    // U+0080..U+00FF is C2 80..C3 BF in UTF-8.
    if ((lead == 0xC2 || lead == 0xC3) && i + 1 < decoded.size() &&
        (static_cast<unsigned char>(decoded[i + 1]) & 0xC0) == 0x80) {
      bytes.push_back(static_cast<char>(
          ((lead & 0x03) << 6) | (static_cast<unsigned char>(decoded[i + 1]) & 0x3F)));
      ++i;
    } else {
      bytes.push_back(decoded[i]);
    }
  }
  return bytes;
}

}  // namespace redqueen::pawn
