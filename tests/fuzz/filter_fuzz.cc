// A gtest filter and a test name, "PATTERN\nNAME": redqueen's matcher must
// say what gtest's rules say, checked against a slow matcher that is
// obviously right (a table over every pair of positions), not just run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rook/filter.h"
#include "tests/fuzz/require.h"

namespace {

/// '*' is any run of characters, '?' any one: matched[p][t] says whether
/// pattern[p..] matches text[t..].
bool SlowGlob(std::string_view pattern, std::string_view text) {
  std::vector<std::vector<bool>> matched(pattern.size() + 1,
                                         std::vector<bool>(text.size() + 1, false));
  matched[pattern.size()][text.size()] = true;
  for (size_t p = pattern.size(); p-- > 0;) {
    for (size_t t = text.size() + 1; t-- > 0;) {
      if (pattern[p] == '*') {
        matched[p][t] = matched[p + 1][t] || (t < text.size() && matched[p][t + 1]);
      } else {
        matched[p][t] = t < text.size() && (pattern[p] == '?' || pattern[p] == text[t]) &&
                        matched[p + 1][t + 1];
      }
    }
  }
  return matched[0][0];
}

/// gtest 1.12's rules (PositiveAndNegativeUnitTestFilter): ':' separates
/// patterns, every one kept, an empty one matching only an empty name; the
/// first '-' starts the negative ones, and an empty positive part before it
/// is "*".
bool SlowFilter(std::string_view filter, std::string_view name) {
  auto any = [name](std::string_view list) {
    for (size_t begin = 0; begin <= list.size();) {
      const size_t end = std::min(list.find(':', begin), list.size());
      if (SlowGlob(list.substr(begin, end - begin), name)) return true;
      begin = end + 1;
    }
    return false;
  };
  const size_t dash = filter.find('-');
  if (dash == std::string_view::npos) return any(filter);
  const std::string_view positive = filter.substr(0, dash);
  return any(positive.empty() ? "*" : positive) && !any(filter.substr(dash + 1));
}

/// gtest's rule, applied as gtest does to the suite and the test apart.
bool SlowIsDisabled(std::string_view name) {
  const size_t dot = name.find('.');
  auto disabled = [](std::string_view part) {
    return SlowGlob("DISABLED_*", part) || SlowGlob("*/DISABLED_*", part);
  };
  return disabled(name.substr(0, dot)) || disabled(name.substr(dot + 1));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using redqueen::fuzz::Require;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view filter = input.substr(0, newline);
  const std::string_view name =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  Require(redqueen::rook::GlobMatches(filter, name) == SlowGlob(filter, name),
          "GlobMatches agrees with the slow glob");
  // A test's name is never empty (gtest's empty pattern would match one).
  if (!name.empty()) {
    Require(redqueen::rook::TestFilter(filter).Matches(name) == SlowFilter(filter, name),
            "TestFilter agrees with gtest's rules");
  }
  // Only a full name has a suite and a test to tell apart.
  if (name.find('.') != std::string_view::npos && name.find('.') == name.rfind('.')) {
    Require(redqueen::rook::IsDisabled(name) == SlowIsDisabled(name),
            "IsDisabled agrees with gtest's rule");
  }
  return 0;
}
