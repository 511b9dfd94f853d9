#include "pawn/test_list.h"

#include <sstream>

namespace redqueen::pawn {
namespace {

/// Splits "name  # Key = value" into name and value (empty when absent).
void SplitComment(const std::string& text, const char* key, std::string* name,
                  std::string* value) {
  const size_t hash = text.find("  # ");
  *name = text.substr(0, hash);
  value->clear();
  if (hash == std::string::npos) return;
  const std::string comment = text.substr(hash + 4);
  const std::string prefix = std::string(key) + " = ";
  if (comment.rfind(prefix, 0) == 0) *value = comment.substr(prefix.size());
}

}  // namespace

bool ParseTestList(const std::string& text, std::vector<proto::TestInfo>* tests,
                   std::string* error) {
  std::istringstream in(text);
  std::string line, suite, type_param;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      if (suite.empty()) {
        *error = "line " + std::to_string(number) + " names a test before any suite: '" +
                 line + "'";
        return false;
      }
      proto::TestInfo test;
      std::string name;
      SplitComment(line.substr(2), "GetParam()", &name, &test.value_param);
      test.name = suite + "." + name;
      test.type_param = type_param;
      tests->push_back(std::move(test));
      continue;
    }
    std::string name;
    SplitComment(line, "TypeParam", &name, &type_param);
    const bool suite_line = line[0] != ' ' && name.size() >= 2 && name.back() == '.' &&
                            name.find(' ') == std::string::npos;
    // What a main() prints before gtest lists ("Running main() from ...").
    if (!suite_line && suite.empty() && line.rfind("  ", 0) != 0) continue;
    if (!suite_line) {
      *error = "line " + std::to_string(number) + " is neither a suite nor a test: '" +
               line + "'";
      return false;
    }
    suite = name.substr(0, name.size() - 1);
  }
  return true;
}

}  // namespace redqueen::pawn
