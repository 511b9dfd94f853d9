#include "pawn/batch_filter.h"

#include <cstdint>
#include <unordered_set>

namespace redqueen::pawn {
namespace {

bool IsSyntax(char c) {
  return c == ':' || c == '-' || c == '*' || c == '?' || c == '\n' || c == '\r';
}

/// "Suite" of "Suite.Test"; empty for a name without a '.', which no
/// "Suite.*" matches.
std::string_view SuiteOf(std::string_view name) {
  const size_t dot = name.find('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(0, dot);
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

SuiteSizes CountSuites(const std::vector<std::string>& names) {
  SuiteSizes sizes;
  for (const std::string& name : names) {
    const std::string_view suite = SuiteOf(name);
    if (!suite.empty()) ++sizes[suite];
  }
  return sizes;
}

std::string CompactBatchFilter(const std::vector<std::string>& names,
                               const SuiteSizes& sizes,
                               const std::vector<uint32_t>& indexes, bool* widened) {
  SuiteSizes in_batch;
  for (uint32_t index : indexes) {
    const std::string_view suite = SuiteOf(names[index]);
    if (!suite.empty()) ++in_batch[suite];
  }
  // "Suite.*" matches every name whose first '.' ends "Suite": those are
  // the ones counted under it.
  std::unordered_set<std::string_view> whole;
  for (const auto& [suite, count] : in_batch) {
    if (count >= kMinTestsPerGlob && count == sizes.at(suite)) whole.insert(suite);
  }
  std::unordered_set<std::string_view> globbed;
  std::string filter;
  for (uint32_t index : indexes) {
    const std::string_view suite = SuiteOf(names[index]);
    const bool glob = whole.count(suite) > 0;
    if (glob && !globbed.insert(suite).second) continue;
    if (!filter.empty()) filter += ':';
    if (glob) {
      filter += PatternFor(suite, widened);
      filter += ".*";
    } else {
      filter += PatternFor(names[index], widened);
    }
  }
  return filter;
}

}  // namespace redqueen::pawn
