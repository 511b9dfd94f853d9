#include "queen/config_file.h"

#include <fstream>
#include <regex>

namespace redqueen::queen {

bool TakeConfigOption(std::vector<std::string>* args, std::string* path, std::string* error) {
  const std::string flag = "--config";
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& arg = (*args)[i];
    if (arg == flag) {
      if (i + 1 == args->size()) {
        *error = "--config needs a file (--config path/to/redqueen.toml)";
        return false;
      }
      *path = (*args)[i + 1];
      args->erase(args->begin() + static_cast<long>(i), args->begin() + static_cast<long>(i) + 2);
      --i;
    } else if (arg.rfind(flag + "=", 0) == 0) {
      *path = arg.substr(flag.size() + 1);
      args->erase(args->begin() + static_cast<long>(i));
      --i;
    }
  }
  return true;
}

std::string FindConfigFile(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path at = std::filesystem::absolute(dir, ec);
  if (ec) return "";
  for (;; at = at.parent_path()) {
    const auto candidate = at / kConfigFileName;
    std::error_code missing;
    if (std::filesystem::is_regular_file(candidate, missing)) return candidate.string();
    if (at == at.parent_path()) return "";
  }
}

bool CheckConfigFile(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read the settings file '" + path + "' (check --config)";
    return false;
  }
  static const std::regex kLine(
      R"(\s*(#.*)?|\s*\[run\]\s*(#.*)?|\s*[A-Za-z_][A-Za-z0-9_-]*\s*=\s*\S.*)");
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_match(line, kLine)) continue;
    *error = path + ":" + std::to_string(number) + ": '" + line +
             "' is not 'name = value', a comment or [run] (every setting goes in [run])";
    return false;
  }
  return true;
}

}  // namespace redqueen::queen
