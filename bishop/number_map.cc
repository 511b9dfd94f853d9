#include "bishop/number_map.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace redqueen::bishop {
namespace {

void AppendString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned char>(c));
      out->append(escape);
    } else {
      out->push_back(c);  // UTF-8 or not, as given: only this parser reads it back.
    }
  }
  out->push_back('"');
}

void AppendNumber(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("null");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "1e999" : "-1e999");
  } else {
    // The shortest text that reads back to the same double, and unlike
    // printf in no locale's decimal comma.
    char text[32];
    const auto result = std::to_chars(text, text + sizeof text, value);
    out->append(text, result.ptr);
  }
}

void AppendUtf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xc0 | code >> 6));
    out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | code >> 12));
    out->push_back(static_cast<char>(0x80 | (code >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | code >> 18));
    out->push_back(static_cast<char>(0x80 | (code >> 12 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
}

/// Reads one flat object, front to back; each method false on what it
/// does not expect.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool Consume(char c) {
    SkipSpace();
    if (at_ == text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool AtEnd() {
    SkipSpace();
    return at_ == text_.size();
  }

  bool String(std::string* out) {
    if (!Consume('"')) return false;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
      } else if (!Escape(out)) {
        return false;
      }
    }
    return false;
  }

  /// A number, or null for NaN.
  bool Number(double* value) {
    SkipSpace();
    if (text_.substr(at_, 4) == "null") {
      at_ += 4;
      *value = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    const size_t start = at_;
    while (at_ < text_.size() && std::string_view("+-.0123456789eE").find(text_[at_]) !=
                                     std::string_view::npos) {
      ++at_;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + at_;
    const auto result = std::from_chars(first, last, *value);
    if (result.ptr != last || start == at_) return false;
    if (result.ec == std::errc::result_out_of_range) {
      // from_chars leaves the value as it was: 1e999 is infinite, 1e-999 zero.
      const std::string_view number(first, last - first);
      const bool negative = number[0] == '-';
      const bool tiny = number.find("e-") != std::string_view::npos ||
                        number.find("E-") != std::string_view::npos;
      *value = tiny ? 0.0 : std::numeric_limits<double>::infinity();
      if (negative) *value = -*value;
    } else if (result.ec != std::errc()) {
      return false;
    }
    return true;
  }

 private:
  void SkipSpace() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                  text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }

  bool Hex4(uint32_t* code) {
    if (at_ + 4 > text_.size()) return false;
    const char* first = text_.data() + at_;
    const auto result = std::from_chars(first, first + 4, *code, 16);
    if (result.ptr != first + 4) return false;
    at_ += 4;
    return true;
  }

  bool Escape(std::string* out) {
    if (at_ == text_.size()) return false;
    const char c = text_[at_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        return Unicode(out);
      default:
        return false;
    }
  }

  /// After "\u": a code point, or a UTF-16 surrogate pair.
  bool Unicode(std::string* out) {
    uint32_t code = 0;
    if (!Hex4(&code) || (code >= 0xdc00 && code < 0xe000)) return false;
    if (code >= 0xd800 && code < 0xdc00) {
      uint32_t low = 0;
      if (text_.substr(at_, 2) != "\\u") return false;
      at_ += 2;
      if (!Hex4(&low) || low < 0xdc00 || low >= 0xe000) return false;
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
    }
    AppendUtf8(code, out);
    return true;
  }

  std::string_view text_;
  size_t at_ = 0;
};

}  // namespace

std::string EncodeNumberMap(const std::map<std::string, double>& values) {
  std::string json = "{";
  for (const auto& [name, value] : values) {
    if (json.size() > 1) json += ", ";
    AppendString(name, &json);
    json += ": ";
    AppendNumber(value, &json);
  }
  return json + "}";
}

bool DecodeNumberMap(std::string_view json, std::map<std::string, double>* values) {
  values->clear();
  Reader reader(json);
  if (!reader.Consume('{')) return false;
  if (!reader.Consume('}')) {
    do {
      std::string name;
      double value = 0;
      if (!reader.String(&name) || !reader.Consume(':') || !reader.Number(&value)) {
        return false;
      }
      (*values)[name] = value;
    } while (reader.Consume(','));
    if (!reader.Consume('}')) return false;
  }
  return reader.AtEnd();
}

}  // namespace redqueen::bishop
