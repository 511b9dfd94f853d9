#include "queen/report_text.h"

namespace redqueen::queen {

std::string BinaryLabel(const std::string& binary, const std::string& target) {
  return target.empty() ? binary : binary + "@" + target;
}

std::string FailureText(const bishop::RunExecution& e) {
  std::string text;
  for (const proto::Failure& f : e.failures) {
    if (!f.file.empty()) text += f.file + ":" + std::to_string(f.line) + ": ";
    text += f.message + "\n";
  }
  if (!e.crash.empty()) text += e.crash + "\n";
  return text;
}

}  // namespace redqueen::queen
