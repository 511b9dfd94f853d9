#include "queen/run_environment.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "queen/gtest_flags.h"
#include "queen/options.h"

namespace redqueen::queen {
namespace {

/// gtest's Int32FromEnvOrDie: the whole value a 32-bit number.
bool ParseInt32(const char* text, int64_t* value) {
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno == ERANGE || parsed < INT32_MIN ||
      parsed > INT32_MAX) {
    return false;
  }
  *value = parsed;
  return true;
}

/// One pair of shard variables; false with `*error` when it is half set or
/// not numbers. `*set` says whether the pair is there at all.
bool ReadShardPair(const GetEnv& getenv, const char* index_name, const char* total_name,
                   ShardSpec* shard, bool* set, std::string* error) {
  // gtest reads an unset variable as -1, and so -1 as unset.
  auto read = [&getenv](const char* name) -> const char* {
    const char* value = getenv(name);
    return value && std::strcmp(value, "-1") == 0 ? nullptr : value;
  };
  const char* index = read(index_name);
  const char* total = read(total_name);
  *set = index || total;
  if (!*set) return true;
  if (!index || !total) {
    *error = std::string(index ? index_name : total_name) + " is set but " +
             (index ? total_name : index_name) +
             " is not (set both, as a sharded test runner does, or neither)";
    return false;
  }
  int64_t i = 0;
  int64_t n = 0;
  if (!ParseInt32(index, &i) || !ParseInt32(total, &n)) {
    const bool bad_index = !ParseInt32(index, &i);
    *error = std::string(bad_index ? index_name : total_name) + "='" +
             (bad_index ? index : total) + "' is not a whole number";
    return false;
  }
  if (n < 1 || i < 0 || i >= n) {
    *error = std::string(index_name) + "=" + index + " is not a shard of " + total_name +
             "=" + total + " (the index runs from 0 to " +
             (n < 1 ? "TOTAL - 1, and TOTAL is at least 1" : std::to_string(n - 1)) + ")";
    return false;
  }
  shard->index = static_cast<int>(i);
  shard->total = static_cast<int>(n);
  shard->source = std::string(index_name) + "=" + index + ", " + total_name + "=" + total;
  return true;
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

/// A variable that redqueen refuses, set to a value gtest would act on; false
/// with `*error` naming it.
bool CheckRefusedVariables(const GetEnv& getenv, std::string* error) {
  for (const GtestFlag& flag : GtestFlags()) {
    if (flag.role != FlagRole::kRefused || flag.variable.empty()) continue;
    const char* value = getenv(std::string(flag.variable).c_str());
    // Only a value gtest would act on: an empty target, a false bool is none.
    const bool acts =
        value &&
        (flag.type == FlagType::kBool ? std::strcmp(value, "0") != 0 : *value != '\0');
    if (acts) {
      *error = std::string(flag.variable) + "='" + value +
               "' is set: " + std::string(flag.hint) + " (unset it)";
      return false;
    }
  }
  return true;
}

/// Reads the variables of the settings the command line did not give (which
/// beat them), noting each one read for `redqueen config`. ReadString and
/// ReadBool return whether they read one.
class VariableReader {
 public:
  VariableReader(const GetEnv& getenv, const std::set<std::string>& given,
                 std::vector<Setting>* from_env)
      : getenv_(getenv), given_(given), from_env_(from_env) {}

  /// The first variable set of `names`, as gtest reads them, with its value;
  /// {nullptr, nullptr} when none is, or `setting` was given.
  std::pair<const char*, const char*> Read(
      const std::string& setting, std::initializer_list<const char*> names) const {
    if (given_.count(setting)) return {nullptr, nullptr};
    for (const char* name : names) {
      if (const char* value = getenv_(name)) return {name, value};
    }
    return {nullptr, nullptr};
  }

  void Note(const std::string& setting, const std::string& value, const char* variable) {
    from_env_->push_back(Setting{setting, value, variable});
  }

  bool ReadString(const std::string& setting, std::initializer_list<const char*> names,
                  std::string* out) {
    auto [name, value] = Read(setting, names);
    if (!name) return false;
    *out = value;
    Note(setting, Quoted(value), name);
    return true;
  }

  /// gtest's BoolFromGTestEnv: any value but "0" is true.
  bool ReadBool(const std::string& setting, const char* variable, bool* out) {
    auto [name, value] = Read(setting, {variable});
    if (!name) return false;
    *out = std::strcmp(value, "0") != 0;
    Note(setting, *out ? "true" : "false", name);
    return true;
  }

  /// False with `*error` when the variable is not a 32-bit whole number.
  bool ReadInt(const std::string& setting, const char* variable,
               std::optional<int64_t>* out, std::string* error) {
    auto [name, value] = Read(setting, {variable});
    if (!name) return true;
    int64_t number = 0;
    if (!ParseInt32(value, &number)) {
      *error = std::string(variable) + "='" + value +
               "' is not a whole number (unset it, or set it to one)";
      return false;
    }
    *out = number;
    Note(setting, std::to_string(number), name);
    return true;
  }

 private:
  const GetEnv& getenv_;
  const std::set<std::string>& given_;
  std::vector<Setting>* from_env_;
};

}  // namespace

const std::vector<std::string>& RunVariables() {
  static const std::vector<std::string> kVariables = [] {
    std::vector<std::string> names;
    for (const GtestFlag& flag : GtestFlags()) {
      if (flag.role != FlagRole::kPawn && !flag.variable.empty()) {
        names.emplace_back(flag.variable);
      }
    }
    for (const char* name :
         {"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS", "GTEST_SHARD_STATUS_FILE",
          "TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", "TEST_SHARD_STATUS_FILE",
          "XML_OUTPUT_FILE", "TESTBRIDGE_TEST_ONLY", "TESTBRIDGE_TEST_RUNNER_FAIL_FAST",
          "TEST_PREMATURE_EXIT_FILE", "TEST_WARNINGS_OUTPUT_FILE"}) {
      names.emplace_back(name);
    }
    return names;
  }();
  return kVariables;
}

bool ReadShard(const GetEnv& getenv, ShardSpec* shard, std::string* error) {
  ShardSpec gtest;
  ShardSpec bazel;
  bool gtest_set = false;
  bool bazel_set = false;
  if (!ReadShardPair(getenv, "GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS", &gtest,
                     &gtest_set, error) ||
      !ReadShardPair(getenv, "TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", &bazel, &bazel_set,
                     error)) {
    return false;
  }
  if (gtest_set && bazel_set &&
      (gtest.index != bazel.index || gtest.total != bazel.total)) {
    *error = "the shard variables disagree: " + gtest.source + " but " + bazel.source +
             " (unset one pair)";
    return false;
  }
  // gtest reads only its own pair; Bazel sets both alike.
  if (gtest_set) {
    *shard = gtest;
  } else if (bazel_set) {
    *shard = bazel;
  }
  return true;
}

RunnerFiles ReadRunnerFiles(const GetEnv& getenv) {
  RunnerFiles files;
  for (const char* name : {"GTEST_SHARD_STATUS_FILE", "TEST_SHARD_STATUS_FILE"}) {
    const char* path = getenv(name);
    if (path && *path &&
        std::find(files.shard_status.begin(), files.shard_status.end(), path) ==
            files.shard_status.end()) {
      files.shard_status.emplace_back(path);
    }
  }
  if (const char* path = getenv("TEST_PREMATURE_EXIT_FILE"); path && *path) {
    files.premature_exit = path;
  }
  if (const char* path = getenv("TEST_WARNINGS_OUTPUT_FILE"); path && *path) {
    files.warnings = path;
  }
  return files;
}

bool ApplyGtestVariables(const GetEnv& getenv, const std::set<std::string>& given,
                         RunOptions* options, std::vector<Setting>* from_env,
                         std::string* error) {
  if (!CheckRefusedVariables(getenv, error)) return false;
  VariableReader env(getenv, given, from_env);
  GtestRun& gtest = options->gtest;
  env.ReadString("gtest_filter", {"GTEST_FILTER", "TESTBRIDGE_TEST_ONLY"},
                 &options->gtest_filter);
  env.ReadBool("gtest_also_run_disabled_tests", "GTEST_ALSO_RUN_DISABLED_TESTS",
               &options->also_run_disabled);
  env.ReadBool("gtest_shuffle", "GTEST_SHUFFLE", &gtest.shuffle);
  env.ReadBool("gtest_brief", "GTEST_BRIEF", &gtest.brief);
  env.ReadBool("gtest_print_time", "GTEST_PRINT_TIME", &gtest.print_time);
  if (!env.ReadBool("gtest_fail_fast", "GTEST_FAIL_FAST", &gtest.fail_fast)) {
    if (auto [name, value] =
            env.Read("gtest_fail_fast", {"TESTBRIDGE_TEST_RUNNER_FAIL_FAST"});
        name) {
      // Bazel's --test_runner_fail_fast: on only when "1".
      gtest.fail_fast = std::strcmp(value, "1") == 0;
      env.Note("gtest_fail_fast", gtest.fail_fast ? "true" : "false", name);
    }
  }
  std::optional<int64_t> seed;
  if (!env.ReadInt("gtest_repeat", "GTEST_REPEAT", &gtest.repeat, error) ||
      !env.ReadInt("gtest_random_seed", "GTEST_RANDOM_SEED", &seed, error)) {
    return false;
  }
  if (seed) gtest.random_seed = *seed;
  env.ReadString("gtest_color", {"GTEST_COLOR"}, &gtest.color);
  if (!env.ReadString("gtest_output", {"GTEST_OUTPUT"}, &gtest.output)) {
    if (auto [name, path] = env.Read("gtest_output", {"XML_OUTPUT_FILE"}); name) {
      // Bazel's: a file name, without gtest's "xml:".
      gtest.output = std::string("xml:") + path;
      env.Note("gtest_output", Quoted(gtest.output), name);
    }
  }
  return true;
}

}  // namespace redqueen::queen
