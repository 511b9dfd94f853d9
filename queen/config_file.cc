#include "queen/config_file.h"

#include <cctype>
#include <fstream>
#include <string_view>

namespace redqueen::queen {

bool TakeConfigOption(std::vector<std::string>* args, std::string* path,
                      std::string* error) {
  const std::string flag = "--config";
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& arg = (*args)[i];
    if (arg == flag) {
      if (i + 1 == args->size()) {
        *error = "--config needs a file (--config path/to/redqueen.toml)";
        return false;
      }
      *path = (*args)[i + 1];
      args->erase(args->begin() + static_cast<long>(i),
                  args->begin() + static_cast<long>(i) + 2);
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

namespace {

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") + 1 - begin);
}

/// Blank, a comment, [run], or `name = value` (the value as TOML has it).
bool IsSettingsLine(std::string_view line) {
  line = Trim(line);
  if (line.empty() || line.front() == '#') return true;
  if (line.rfind("[run]", 0) == 0) {
    const std::string_view rest = Trim(line.substr(5));
    return rest.empty() || rest.front() == '#';
  }
  const size_t equals = line.find('=');
  if (equals == std::string_view::npos) return false;
  const std::string_view name = Trim(line.substr(0, equals));
  if (name.empty() ||
      !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return false;
  }
  return !Trim(line.substr(equals + 1)).empty();
}

}  // namespace

bool CheckConfigFile(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read the settings file '" + path + "' (check --config)";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (IsSettingsLine(line)) continue;
    *error = path + ":" + std::to_string(number) + ": '" + line +
             "' is not 'name = value', a comment or [run] (every setting goes in [run])";
    return false;
  }
  return true;
}

}  // namespace redqueen::queen
