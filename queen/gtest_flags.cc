#include "queen/gtest_flags.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "queen/nearest.h"

namespace redqueen::queen {
namespace {

using R = FlagRole;
using T = FlagType;

constexpr std::string_view kPrefix = "--gtest_";

/// "--gtest_NAME[=VALUE]": NAME, and VALUE when there is one.
bool SplitFlag(std::string_view arg, std::string_view* name, std::string_view* value,
               bool* has_value) {
  if (arg.substr(0, kPrefix.size()) != kPrefix) return false;
  arg.remove_prefix(kPrefix.size());
  const size_t equals = arg.find('=');
  *name = arg.substr(0, equals);
  *has_value = equals != std::string_view::npos;
  *value = *has_value ? arg.substr(equals + 1) : std::string_view();
  return true;
}

/// An argument gtest takes as a request for its help (and then runs no
/// test): "--help", or a gtest flag spelt as gtest does not parse it
/// ("-gtest_x", "/gtest_x", "--gtest-x").
bool AsksGtestForHelp(std::string_view arg) {
  if (arg == "--help") return true;
  for (std::string_view lead : {"--", "-", "/"}) {
    if (arg.substr(0, lead.size()) != lead) continue;
    const std::string_view rest = arg.substr(lead.size());
    if (rest.substr(0, 15) == "gtest_internal_") return false;
    if (rest.substr(0, 6) == "gtest_" || rest.substr(0, 6) == "gtest-") return true;
  }
  return false;
}

std::vector<std::string> FlagNames() {
  std::vector<std::string> names;
  for (const GtestFlag& flag : GtestFlags())
    names.push_back("--gtest_" + std::string(flag.name));
  return names;
}

std::string UnknownFlag(std::string_view arg, std::string_view name) {
  std::string line = "'" + std::string(arg) + "' is not a GoogleTest flag";
  const std::string nearest = Nearest("--gtest_" + std::string(name), FlagNames());
  if (!nearest.empty()) line += " (did you mean " + nearest + "?)";
  return line;
}

/// gtest's ParseInt32: the whole value a 32-bit number.
bool IsInt32(std::string_view value) {
  const std::string text(value);
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && errno != ERANGE && parsed >= INT32_MIN &&
         parsed <= INT32_MAX;
}

/// Checks one gtest flag and says where it goes (`*found`: null for one of
/// gtest's internal ones it passes over, an ordinary argument); `arg` is
/// rewritten into the spelling CLI11 reads for run flags. False with
/// `*error` for what gtest would not parse, and then print its help and run
/// no test.
bool ClassifyFlag(std::string* arg, const GtestFlag** found, std::string* error) {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
  SplitFlag(*arg, &name, &value, &has_value);
  const GtestFlag* flag = FindGtestFlag(name);
  *found = flag;
  if (!flag && name.substr(0, 9) == "internal_") return true;
  if (!flag) {
    *error = UnknownFlag(*arg, name);
    return false;
  }
  const std::string spelt = "--gtest_" + std::string(flag->name);
  if (flag->role == R::kRefused) {
    *error = spelt + ": " + std::string(flag->hint);
    return false;
  }
  if (flag->type != T::kBool && !has_value) {
    *error = spelt + " needs a value: " + spelt + "=VALUE";
    return false;
  }
  if (flag->type == T::kInt && !IsInt32(value)) {
    *error = "'" + *arg + "': " + spelt +
             " takes a whole number (gtest would print its "
             "help for this and run no test)";
    return false;
  }
  if (flag->type == T::kBool && flag->role == R::kRun) {
    *arg = spelt + "=" + (!has_value || GtestBool(value) ? "true" : "false");
  }
  return true;
}

/// A flag file is a few lines; more than this is the wrong file (or /dev/zero).
constexpr size_t kMaxFlagfileBytes = 1 << 20;

bool ReadFlagfile(const std::string& path, std::vector<std::string>* lines,
                  std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "--gtest_flagfile: cannot read '" + path + "' (is the path right?)";
    return false;
  }
  std::string contents(kMaxFlagfileBytes + 1, '\0');
  in.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  contents.resize(static_cast<size_t>(in.gcount()));
  if (contents.size() > kMaxFlagfileBytes) {
    *error = "--gtest_flagfile: '" + path + "' is over 1 MiB (is it the flag file?)";
    return false;
  }
  std::istringstream text(contents);
  std::string line;
  while (std::getline(text, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    // Each line as gtest reads it: a whole flag (no value on the next line),
    // and no flag file in a flag file.
    std::string_view name;
    std::string_view value;
    bool has_value = false;
    std::string checked = line;
    const GtestFlag* flag = nullptr;
    if (!SplitFlag(line, &name, &value, &has_value)) {
      *error =
          "'" + line + "' is not a GoogleTest flag (one --gtest_NAME=VALUE per line)";
    } else if (name == "flagfile") {
      *error =
          "a flag file cannot name another (gtest would print its help and run no test)";
    } else if (ClassifyFlag(&checked, &flag, error)) {
      lines->push_back(line);
      continue;
    }
    *error = "--gtest_flagfile " + path + ": " + *error;
    return false;
  }
  return true;
}

/// Replaces each --gtest_flagfile=F in `args` by the lines of F (gtest reads
/// the file where the flag stands, so later flags win over it).
bool ExpandFlagfiles(std::vector<std::string>* args, std::string* error) {
  std::vector<std::string> out;
  for (const std::string& arg : *args) {
    std::string_view name;
    std::string_view value;
    bool has_value = false;
    if (!SplitFlag(arg, &name, &value, &has_value) || name != "flagfile") {
      out.push_back(arg);
      continue;
    }
    if (!has_value || value.empty()) {
      *error = "--gtest_flagfile needs a file: --gtest_flagfile=PATH";
      return false;
    }
    if (!ReadFlagfile(std::string(value), &out, error)) return false;
  }
  *args = std::move(out);
  return true;
}

}  // namespace

const std::vector<GtestFlag>& GtestFlags() {
  static const std::vector<GtestFlag> kFlags = {
      {"list_tests", T::kBool, R::kRun, "", ""},
      {"filter", T::kString, R::kRun, "GTEST_FILTER", ""},
      {"also_run_disabled_tests", T::kBool, R::kRun, "GTEST_ALSO_RUN_DISABLED_TESTS", ""},
      {"repeat", T::kInt, R::kRun, "GTEST_REPEAT", ""},
      {"recreate_environments_when_repeating", T::kBool, R::kRefused,
       "GTEST_RECREATE_ENVIRONMENTS_WHEN_REPEATING",
       "redqueen sets each global environment up once per pawn, whatever it repeats; "
       "drop the flag (or use --mode sequential --repeat N to keep one pawn)"},
      {"shuffle", T::kBool, R::kRun, "GTEST_SHUFFLE", ""},
      {"random_seed", T::kInt, R::kRun, "GTEST_RANDOM_SEED", ""},
      {"color", T::kString, R::kRun, "GTEST_COLOR", ""},
      {"brief", T::kBool, R::kRun, "GTEST_BRIEF", ""},
      {"print_time", T::kBool, R::kRun, "GTEST_PRINT_TIME", ""},
      {"print_utf8", T::kBool, R::kPawn, "GTEST_PRINT_UTF8", ""},
      {"output", T::kString, R::kRun, "GTEST_OUTPUT", ""},
      {"stream_result_to", T::kString, R::kRefused, "GTEST_STREAM_RESULT_TO",
       "redqueen collects the results itself; use --events FILE for a live stream"},
      {"death_test_style", T::kString, R::kPawn, "GTEST_DEATH_TEST_STYLE", ""},
      {"death_test_use_fork", T::kBool, R::kPawn, "GTEST_DEATH_TEST_USE_FORK", ""},
      {"fail_fast", T::kBool, R::kRun, "GTEST_FAIL_FAST", ""},
      {"break_on_failure", T::kBool, R::kPawn, "GTEST_BREAK_ON_FAILURE", ""},
      {"throw_on_failure", T::kBool, R::kPawn, "GTEST_THROW_ON_FAILURE", ""},
      {"catch_exceptions", T::kBool, R::kPawn, "GTEST_CATCH_EXCEPTIONS", ""},
      {"stack_trace_depth", T::kInt, R::kPawn, "GTEST_STACK_TRACE_DEPTH", ""},
      // Defined by gtest 1.12 but read from the command line only in Abseil
      // builds: given to Debian's gtest, it prints its help and runs no test.
      {"show_internal_stack_frames", T::kBool, R::kRefused, "",
       "GoogleTest 1.12 reads it only when built with Abseil; otherwise the binary "
       "prints its help and runs no test. Drop it"},
      {"install_failure_signal_handler", T::kBool, R::kRefused, "",
       "GoogleTest 1.12 reads it only when built with Abseil; otherwise the binary "
       "prints its help and runs no test. Drop it"},
      {"flagfile", T::kString, R::kRun, "GTEST_FLAGFILE", ""},
      {"internal_run_death_test", T::kString, R::kRefused, "",
       "gtest's own, for the child process of a death test; drop it"},
  };
  return kFlags;
}

const GtestFlag* FindGtestFlag(std::string_view name) {
  for (const GtestFlag& flag : GtestFlags()) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

bool GtestBool(std::string_view value) {
  return value.empty() || (value[0] != '0' && value[0] != 'f' && value[0] != 'F');
}

bool SortGtestFlags(std::vector<std::string>* ours, std::vector<std::string>* pawn_args,
                    std::string* error) {
  if (!ExpandFlagfiles(ours, error) || !ExpandFlagfiles(pawn_args, error)) return false;
  std::vector<std::string> kept_ours;
  std::vector<std::string> run_flags;
  std::vector<std::string> pawn_flags;
  // Into `keep` when it is none of gtest's flags after all (an internal one).
  auto sort = [&](std::string arg, std::vector<std::string>* keep) {
    const GtestFlag* flag = nullptr;
    if (!ClassifyFlag(&arg, &flag, error)) return false;
    (!flag                   ? *keep
     : flag->role == R::kRun ? run_flags
                             : pawn_flags)
        .push_back(std::move(arg));
    return true;
  };
  for (std::string& arg : *ours) {
    // `--gtest_filter PATTERN` (a space, not '=') is redqueen's own spelling.
    std::string_view name;
    std::string_view value;
    bool has_value = false;
    if (!SplitFlag(arg, &name, &value, &has_value) ||
        (!has_value && (name == "filter" || name == "output" || name == "repeat" ||
                        name == "random_seed" || name == "color"))) {
      kept_ours.push_back(std::move(arg));
    } else if (!sort(std::move(arg), &kept_ours)) {
      return false;
    }
  }
  std::vector<std::string> kept_pawn;
  for (std::string& arg : *pawn_args) {
    if (arg.substr(0, kPrefix.size()) == kPrefix) {
      if (!sort(std::move(arg), &kept_pawn)) return false;
    } else if (AsksGtestForHelp(arg)) {
      *error = "'" + arg +
               "' after -- would make every pawn print gtest's help and run " +
               "no test; write gtest flags as --gtest_NAME[=VALUE]";
      return false;
    } else {
      kept_pawn.push_back(std::move(arg));
    }
  }
  for (const std::string& flag : run_flags) {
    // CLI11 takes "--gtest_filter=" for a missing value; gtest, for an empty
    // one (a filter matching no test). Spelt apart, CLI11 takes it so too.
    if (flag.find('=') == flag.size() - 1) {
      kept_ours.push_back(flag.substr(0, flag.size() - 1));
      kept_ours.emplace_back();
    } else {
      kept_ours.push_back(flag);
    }
  }
  kept_pawn.insert(kept_pawn.end(), pawn_flags.begin(), pawn_flags.end());
  *ours = std::move(kept_ours);
  *pawn_args = std::move(kept_pawn);
  return true;
}

}  // namespace redqueen::queen
