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

/// A pair of variables that name a shard.
struct ShardPair {
  const char* ci;  ///< "GitLab"; nullptr for a test runner's (GTEST_*, TEST_*).
  const char* index_name;
  const char* total_name;
  int first = 0;  ///< The first shard's index: 0, or GitLab's 1.
};

/// A test runner's pairs, read as gtest reads its own, and the CI's.
constexpr ShardPair kGtestPair{nullptr, "GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"};
constexpr ShardPair kBazelPair{nullptr, "TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS"};
constexpr ShardPair kCiPairs[] = {
    {"GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1},
    {"CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL"},
    {"Buildkite", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT"},
};
constexpr const char* kJobIndex = "JOB_COMPLETION_INDEX";

/// "is not a shard of TOTAL=3 (the index runs from 0 to 2)", the end of the
/// message for an index out of its range.
std::string OutOfRange(const std::string& total, int64_t n, int first) {
  const std::string last = first == 0 ? "TOTAL - 1" : "TOTAL";
  return " is not a shard of " + total + " (the index runs from " +
         std::to_string(first) + " to " +
         (n < 1 ? last + ", and TOTAL is at least 1" : std::to_string(n - 1 + first)) +
         ")";
}

/// One pair of shard variables; false with `*error` when it is half set,
/// not numbers or out of range. `*set` says whether the pair names a shard.
bool ReadShardPair(const GetEnv& getenv, const ShardPair& pair, ShardSpec* shard,
                   bool* set, std::string* error) {
  const bool runner = pair.ci == nullptr;
  // gtest reads an unset variable as -1, and so -1 as unset.
  auto read = [&getenv, runner](const char* name) -> const char* {
    const char* value = getenv(name);
    return runner && value && std::strcmp(value, "-1") == 0 ? nullptr : value;
  };
  const char* index = read(pair.index_name);
  const char* total = read(pair.total_name);
  // GitLab sets CI_NODE_TOTAL=1 in every job that is not parallel.
  *set = index || (total && (runner || std::strcmp(total, "1") != 0));
  if (!*set) return true;
  if (!index || !total) {
    *error = std::string(index ? pair.index_name : pair.total_name) + " is set but " +
             (index ? pair.total_name : pair.index_name) + " is not (set both, as " +
             (runner ? std::string("a sharded test runner does")
                     : pair.ci + std::string(" does")) +
             ", or neither)";
    return false;
  }
  int64_t i = 0;
  int64_t n = 0;
  if (!ParseInt32(index, &i) || !ParseInt32(total, &n)) {
    const bool bad_index = !ParseInt32(index, &i);
    *error = std::string(bad_index ? pair.index_name : pair.total_name) + "='" +
             (bad_index ? index : total) + "' is not a whole number";
    return false;
  }
  if (n < 1 || i < pair.first || i - pair.first >= n) {
    *error = std::string(pair.index_name) + "=" + index +
             OutOfRange(std::string(pair.total_name) + "=" + total, n, pair.first);
    return false;
  }
  // A CI's one shard of one is a job that is not parallel.
  *set = runner || n > 1;
  shard->index = static_cast<int>(i - pair.first);
  shard->total = static_cast<int>(n);
  shard->source = (runner ? "" : pair.ci + std::string(" ")) + pair.index_name + "=" +
                  index + ", " + pair.total_name + "=" + total;
  shard->from = runner ? ShardFrom::kTestRunner : ShardFrom::kCi;
  return true;
}

/// A Kubernetes Indexed Job's JOB_COMPLETION_INDEX (from 0), whose total
/// only --shards gives (`shards`; 0: not given). `*set` as ReadShardPair's.
bool ReadIndexedJob(const GetEnv& getenv, int shards, ShardSpec* shard, bool* set,
                    std::string* error) {
  const char* index = getenv(kJobIndex);
  // Without --shards, an Indexed Job that runs the whole suite on each pod
  // (its index may mean something else to it) is no shard.
  *set = index != nullptr && shards != 0;
  if (!*set) return true;
  const std::string named = std::string(kJobIndex) + "=" + index;
  int64_t i = 0;
  if (!ParseInt32(index, &i)) {
    *error = std::string(kJobIndex) + "='" + index + "' is not a whole number";
    return false;
  }
  const std::string total = "--shards " + std::to_string(shards);
  if (i < 0 || i >= shards) {
    *error = named + OutOfRange(total, shards, 0);
    return false;
  }
  shard->index = static_cast<int>(i);
  shard->total = shards;
  shard->source = "Kubernetes " + named + ", " + total;
  shard->from = ShardFrom::kCi;
  return true;
}

/// --shard K/N as two numbers, K from 1; false when it is not two whole
/// numbers around a '/'.
bool ParseShardOption(const std::string& text, int64_t* k, int64_t* n) {
  const size_t slash = text.find('/');
  return slash != std::string::npos &&
         text.find_first_not_of("0123456789/") == std::string::npos &&
         ParseInt32(text.substr(0, slash).c_str(), k) &&
         ParseInt32(text.substr(slash + 1).c_str(), n);
}

/// "shard 2 of 4", as people count.
std::string Named(const ShardSpec& shard) {
  return "shard " + std::to_string(shard.index + 1) + " of " +
         std::to_string(shard.total);
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
    for (const ShardPair& pair : kCiPairs) {
      names.emplace_back(pair.index_name);
      names.emplace_back(pair.total_name);
    }
    names.emplace_back(kJobIndex);
    return names;
  }();
  return kVariables;
}

bool ReadShard(const GetEnv& getenv, ShardSpec* shard, std::string* error) {
  ShardSpec gtest;
  ShardSpec bazel;
  bool gtest_set = false;
  bool bazel_set = false;
  if (!ReadShardPair(getenv, kGtestPair, &gtest, &gtest_set, error) ||
      !ReadShardPair(getenv, kBazelPair, &bazel, &bazel_set, error)) {
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

std::string CheckShardOption(const std::string& text) {
  if (text == "off") return "";
  int64_t k = 0;
  int64_t n = 0;
  if (!ParseShardOption(text, &k, &n)) {
    return "must be K/N, shard K of N (e.g. 1/4, the first of four), not '" + text + "'";
  }
  if (n < 1) return "must be K/N with N at least 1, not '" + text + "'";
  if (n > kMaxShards) {
    return "must be K/N with N at most " + std::to_string(kMaxShards) + ", not '" + text +
           "'";
  }
  if (k < 1 || k > n) {
    return "must be K/N with K from 1 to N (1 to " + std::to_string(n) + " here), not '" +
           text + "'";
  }
  return "";
}

namespace {

/// Every source that names a shard, first the one that beats the others in
/// ShardSpec::from: --shard, then the CI's, then the test runner's.
bool ReadShardSources(const std::string& shard_option, int shards, const GetEnv& getenv,
                      std::vector<ShardSpec>* found, std::string* error) {
  // --shard off: the CI's variables mean something else to this job (a
  // GitLab parallel:matrix sets them too); a test runner's still count.
  const bool ci = shard_option != "off";
  if (!shard_option.empty() && ci) {
    // The option's check refused what it cannot take; a caller may not have.
    if (const std::string refusal = CheckShardOption(shard_option); !refusal.empty()) {
      *error = "--shard " + refusal;
      return false;
    }
    int64_t k = 0;
    int64_t n = 0;
    ParseShardOption(shard_option, &k, &n);
    found->push_back(ShardSpec{static_cast<int>(k - 1), static_cast<int>(n),
                               ShardFrom::kCommandLine, "--shard " + shard_option});
  }
  ShardSpec shard;
  bool set = false;
  for (const ShardPair& pair : kCiPairs) {
    if (!ci) break;
    if (!ReadShardPair(getenv, pair, &shard, &set, error)) return false;
    if (set) found->push_back(shard);
  }
  if (ci && !ReadIndexedJob(getenv, shards, &shard, &set, error)) return false;
  if (ci && set) found->push_back(shard);
  ShardSpec runner;
  if (!ReadShard(getenv, &runner, error)) return false;
  if (runner.from == ShardFrom::kTestRunner) found->push_back(runner);
  return true;
}

}  // namespace

bool ResolveShard(const std::string& shard_option, int shards, const GetEnv& getenv,
                  ShardSpec* shard, std::string* error) {
  std::vector<ShardSpec> found;
  if (!ReadShardSources(shard_option, shards, getenv, &found, error)) return false;
  if (found.empty()) {
    if (shards == 0) return true;
    *error = "--shards " + std::to_string(shards) +
             " says how many shards there are, but nothing says which this is (pass "
             "--shard K/" +
             std::to_string(shards) +
             ", or run in a Kubernetes Indexed Job, which sets JOB_COMPLETION_INDEX)";
    return false;
  }
  ShardSpec agreed = found.front();
  for (size_t i = 1; i < found.size(); ++i) {
    const ShardSpec& other = found[i];
    if (other.index != agreed.index || other.total != agreed.total) {
      const bool given = agreed.from == ShardFrom::kCommandLine;
      *error = "the shard sources disagree: " + found.front().source + " is " +
               Named(found.front()) + " but " + other.source + " is " + Named(other) +
               (given ? " (drop --shard, or make it " + std::to_string(other.index + 1) +
                            "/" + std::to_string(other.total) + ")"
                      : " (unset one of them)");
      return false;
    }
    agreed.source += " and " + other.source;
  }
  if (shards != 0 && shards != agreed.total) {
    *error = "--shards " + std::to_string(shards) + " but " + agreed.source + " is " +
             Named(agreed) + " (drop --shards, or make it " +
             std::to_string(agreed.total) + ")";
    return false;
  }
  if (agreed.total > kMaxShards && agreed.from != ShardFrom::kTestRunner) {
    *error = agreed.source + " is " + Named(agreed) + ", but redqueen splits a suite " +
             "into at most " + std::to_string(kMaxShards) + " shards";
    return false;
  }
  *shard = agreed;
  return true;
}

std::vector<std::string> HiddenFromPawns(const ShardSpec& shard) {
  std::vector<std::string> hidden = RunVariables();
  if (shard.from == ShardFrom::kCi || shard.from == ShardFrom::kCommandLine)
    return hidden;
  auto is_ci = [](const std::string& name) {
    if (name == kJobIndex) return true;
    return std::any_of(std::begin(kCiPairs), std::end(kCiPairs),
                       [&name](const ShardPair& p) {
                         return name == p.index_name || name == p.total_name;
                       });
  };
  hidden.erase(std::remove_if(hidden.begin(), hidden.end(), is_ci), hidden.end());
  return hidden;
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
