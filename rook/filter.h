// GoogleTest's filter syntax, evaluated by redqueen on the collected names:
//   POSITIVE[-NEGATIVE], each a ':'-separated list of '*'/'?' globs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace redqueen::rook {

class TestFilter {
 public:
  /// As gtest 1.12 reads it: "*" (its default) matches everything, and an
  /// empty filter nothing; "-X" is everything but X.
  explicit TestFilter(std::string_view pattern);

  bool Matches(std::string_view full_name) const;

 private:
  std::vector<std::string> positive_;
  std::vector<std::string> negative_;
  /// gtest's default, "*": every name, without matching each.
  bool everything_ = false;
};

/// gtest's rule: a test is disabled when its suite or its name starts with
/// DISABLED_ (for parameterized suites, after the instantiation prefix).
bool IsDisabled(std::string_view full_name);

/// Shell-style glob with '*' and '?', as gtest matches filter patterns.
bool GlobMatches(std::string_view pattern, std::string_view text);

}  // namespace redqueen::rook
