#include "pawn/batch_filter.h"

#include <cstdint>

namespace redqueen::pawn {
namespace {

bool IsSyntax(char c) {
  return c == ':' || c == '-' || c == '*' || c == '?' || c == '\n' || c == '\r';
}

}  // namespace

std::string PatternFor(std::string_view name, bool* widened) {
  std::string pattern(name);
  for (char& c : pattern) {
    if (IsSyntax(c)) {
      c = '?';
      *widened = true;
    }
  }
  return pattern;
}

bool MatchesPattern(std::string_view pattern, std::string_view name) {
  if (pattern.size() != name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (pattern[i] != '?' && pattern[i] != name[i]) return false;
  }
  return true;
}

std::string BatchFilter(const std::vector<std::string>& names,
                        const std::vector<uint32_t>& indexes,
                        const std::vector<uint32_t>& excluded, bool* widened) {
  std::string filter;
  for (uint32_t index : indexes) {
    if (!filter.empty()) filter += ':';
    filter += PatternFor(names[index], widened);
  }
  bool ignored = false;
  for (size_t i = 0; i < excluded.size(); ++i) {
    filter += i == 0 ? '-' : ':';
    filter += PatternFor(names[excluded[i]], &ignored);
  }
  return filter;
}

}  // namespace redqueen::pawn
