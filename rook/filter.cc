#include "rook/filter.h"

#include <algorithm>

namespace redqueen::rook {
namespace {

std::vector<std::string> SplitPatterns(std::string_view list) {
  std::vector<std::string> patterns;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find(':', start), list.size());
    if (end > start) patterns.emplace_back(list.substr(start, end - start));
    start = end + 1;
  }
  return patterns;
}

bool AnyMatches(const std::vector<std::string>& patterns, std::string_view name) {
  for (const std::string& pattern : patterns) {
    if (GlobMatches(pattern, name)) return true;
  }
  return false;
}

}  // namespace

bool GlobMatches(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    // '*' first: as a literal it would match a '*' in the name and lose its
    // backtrack point.
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

TestFilter::TestFilter(std::string_view pattern) {
  // gtest 1.12's rules: empty patterns match only an empty name (so none);
  // an empty positive part means "*" only before a '-'.
  const size_t dash = pattern.find('-');
  const std::string_view positive = pattern.substr(0, dash);
  positive_ =
      SplitPatterns(dash != std::string_view::npos && positive.empty() ? "*" : positive);
  if (dash != std::string_view::npos) negative_ = SplitPatterns(pattern.substr(dash + 1));
  everything_ = negative_.empty() &&
                std::find(positive_.begin(), positive_.end(), "*") != positive_.end();
}

bool TestFilter::Matches(std::string_view full_name) const {
  if (everything_) return true;
  return AnyMatches(positive_, full_name) && !AnyMatches(negative_, full_name);
}

bool IsDisabled(std::string_view full_name) {
  // The globs "DISABLED_*", "*/DISABLED_*" and "*.DISABLED_*", as one scan:
  // this runs for every test of every run.
  constexpr std::string_view kPrefix = "DISABLED_";
  for (size_t at = full_name.find(kPrefix); at != std::string_view::npos;
       at = full_name.find(kPrefix, at + 1)) {
    if (at == 0 || full_name[at - 1] == '/' || full_name[at - 1] == '.') return true;
  }
  return false;
}

}  // namespace redqueen::rook
