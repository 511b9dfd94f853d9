// GoogleTest's flags and variables as redqueen takes them: where each flag
// goes, which refusals and suggestions it gives, and how the variables and
// flags map onto redqueen's settings, with their precedence.
#include "queen/gtest_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "queen/nearest.h"
#include "queen/options.h"
#include "queen/run_environment.h"

namespace redqueen::queen {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

struct Sorted {
  bool ok = false;
  std::vector<std::string> ours;
  std::vector<std::string> pawn;
  std::string error;
};

Sorted Sort(std::vector<std::string> ours, std::vector<std::string> pawn) {
  Sorted sorted;
  sorted.ok = SortGtestFlags(&ours, &pawn, &sorted.error);
  sorted.ours = std::move(ours);
  sorted.pawn = std::move(pawn);
  return sorted;
}

TEST(GtestFlagsTest, RunFlagsAfterTheSeparatorBecomeRedqueensAndPawnFlagsReachThePawns) {
  const Sorted sorted =
      Sort({"run", "bin", "--gtest_catch_exceptions=0"},
           {"--gtest_repeat=2", "--own_flag", "--gtest_shuffle=yes", "--gtest_brief",
            "--gtest_break_on_failure", "--gtest_print_time=f", "positional"});
  ASSERT_TRUE(sorted.ok) << sorted.error;
  EXPECT_THAT(sorted.ours,
              ElementsAre("run", "bin", "--gtest_repeat=2", "--gtest_shuffle=true",
                          "--gtest_brief=true", "--gtest_print_time=false"));
  EXPECT_THAT(sorted.pawn,
              ElementsAre("--own_flag", "positional", "--gtest_catch_exceptions=0",
                          "--gtest_break_on_failure"));
}

TEST(GtestFlagsTest, AnEmptyValueIsHandedToCLI11SpeltApart) {
  // Found by tests/fuzz/gtest_flags_fuzz: a value ending in '=' was cut.
  const Sorted sorted =
      Sort({"run"}, {"--gtest_filter=", "--gtest_filter=A=", "--gtest_repeat=2"});
  ASSERT_TRUE(sorted.ok) << sorted.error;
  EXPECT_THAT(sorted.ours, ElementsAre("run", "--gtest_filter", "",
                                       "--gtest_filter=A=", "--gtest_repeat=2"));
}

TEST(GtestFlagsTest, BoolValuesAreReadAsGtestReadsThem) {
  for (const auto& [value, expected] : std::map<std::string, bool>{{"", true},
                                                                   {"1", true},
                                                                   {"yes", true},
                                                                   {"true", true},
                                                                   {"0", false},
                                                                   {"false", false},
                                                                   {"f", false},
                                                                   {"F", false},
                                                                   {"000", false}}) {
    EXPECT_EQ(GtestBool(value), expected) << value;
  }
}

TEST(GtestFlagsTest, RedqueensOwnSpacedFilterStaysForItsParser) {
  const Sorted sorted = Sort({"run", "--gtest_filter", "A.*", "bin"}, {});
  ASSERT_TRUE(sorted.ok) << sorted.error;
  EXPECT_THAT(sorted.ours, ElementsAre("run", "--gtest_filter", "A.*", "bin"));
}

TEST(GtestFlagsTest, AnUnknownFlagSuggestsTheNearestOne) {
  for (const Sorted& sorted :
       {Sort({"run", "--gtest_fliter=A"}, {}), Sort({"run"}, {"--gtest_fliter=A"})}) {
    EXPECT_FALSE(sorted.ok);
    EXPECT_EQ(
        sorted.error,
        "'--gtest_fliter=A' is not a GoogleTest flag (did you mean --gtest_filter?)");
  }
  EXPECT_EQ(Nearest("--gtest_nothing_like_it", {"--gtest_filter", "--gtest_repeat"}), "");
}

TEST(GtestFlagsTest, FlagsRedqueenCannotHonourAreRefusedWithWhatToUse) {
  EXPECT_THAT(Sort({"run"}, {"--gtest_stream_result_to=localhost:9"}).error,
              HasSubstr("use --events FILE"));
  EXPECT_THAT(Sort({"run", "--gtest_recreate_environments_when_repeating"}, {}).error,
              HasSubstr("once per pawn"));
  EXPECT_THAT(Sort({"run"}, {"--gtest_internal_run_death_test=x"}).error,
              HasSubstr("death test"));
  EXPECT_THAT(Sort({"run"}, {"--gtest_filter"}).error,
              HasSubstr("needs a value: --gtest_filter=VALUE"));
}

TEST(GtestFlagsTest, ANumberFlagTakesOnlyANumberAsGtestDoes) {
  for (const char* arg : {"--gtest_stack_trace_depth=abc", "--gtest_stack_trace_depth=",
                          "--gtest_repeat=3x", "--gtest_random_seed=99999999999"}) {
    const Sorted sorted = Sort({"run"}, {arg});
    EXPECT_FALSE(sorted.ok) << arg;
    EXPECT_THAT(sorted.error, HasSubstr("takes a whole number")) << arg;
  }
  EXPECT_TRUE(Sort({"run"}, {"--gtest_stack_trace_depth=-3"}).ok);
}

TEST(GtestFlagsTest, GtestsInternalFlagsItDoesNotKnowAreOrdinaryArguments) {
  const Sorted sorted = Sort({"run"}, {"--gtest_internal_something=1"});
  ASSERT_TRUE(sorted.ok) << sorted.error;
  EXPECT_THAT(sorted.pawn, ElementsAre("--gtest_internal_something=1"));
}

TEST(GtestFlagsTest, WhatWouldMakeEveryPawnPrintGtestsHelpIsRefused) {
  for (const char* arg :
       {"--help", "-gtest_filter=A", "/gtest_filter=A", "--gtest-filter=A"}) {
    const Sorted sorted = Sort({"run"}, {arg});
    EXPECT_FALSE(sorted.ok) << arg;
    EXPECT_THAT(sorted.error, HasSubstr("print gtest's help and run no test")) << arg;
  }
  // gtest passes its internal flags' prefix over, as it does.
  EXPECT_TRUE(Sort({"run"}, {"-gtest_internal_x"}).ok);
}

class FlagfileTest : public testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path =
        testing::TempDir() + "/flagfile_" + std::to_string(getpid()) + "_" + name;
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const std::string& path : paths_) std::filesystem::remove(path);
  }
  std::vector<std::string> paths_;
};

TEST_F(FlagfileTest, ItsLinesStandWhereTheFlagStands) {
  const std::string file = Write(
      "good", "--gtest_filter=A.*\r\n\n--gtest_repeat=3\n--gtest_throw_on_failure\n");
  const Sorted sorted = Sort({"run", "--gtest_flagfile=" + file, "--gtest_repeat=5"}, {});
  ASSERT_TRUE(sorted.ok) << sorted.error;
  // The last --gtest_repeat wins in CLI11, as in gtest.
  EXPECT_THAT(sorted.ours, ElementsAre("run", "--gtest_filter=A.*", "--gtest_repeat=3",
                                       "--gtest_repeat=5"));
  EXPECT_THAT(sorted.pawn, ElementsAre("--gtest_throw_on_failure"));
}

TEST_F(FlagfileTest, AMissingFileOrALineThatIsNoFlagIsAnError) {
  EXPECT_THAT(Sort({"run"}, {"--gtest_flagfile=/no/such/file"}).error,
              HasSubstr("cannot read '/no/such/file'"));
  const std::string bad = Write("bad", "--gtest_filter=A\nfilter=B\n");
  EXPECT_THAT(Sort({"run", "--gtest_flagfile=" + bad}, {}).error,
              HasSubstr("'filter=B' is not a GoogleTest flag"));
  const std::string loop = Write("loop", "");
  std::ofstream(loop) << "--gtest_flagfile=" << loop << "\n";
  EXPECT_THAT(Sort({"run", "--gtest_flagfile=" + loop}, {}).error,
              HasSubstr("a flag file cannot name another"));
  // A line is a whole flag: no value taken from the next argument.
  const std::string spaced = Write("spaced", "--gtest_filter\n");
  EXPECT_THAT(Sort({"run", "--gtest_flagfile=" + spaced, "bin"}, {}).error,
              HasSubstr("--gtest_filter needs a value"));
  EXPECT_THAT(Sort({"run", "--gtest_flagfile=/dev/zero"}, {}).error,
              HasSubstr("over 1 MiB"));
}

/// getenv over a map.
GetEnv Env(std::map<std::string, std::string> values) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(values));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

TEST(ShardTest, GtestsAndBazelsVariablesAreReadAsGtestReadsThem) {
  ShardSpec shard;
  std::string error;
  ASSERT_TRUE(ReadShard(Env({}), &shard, &error));
  EXPECT_EQ(shard.total, 1);
  EXPECT_EQ(shard.source, "");
  ASSERT_TRUE(ReadShard(Env({{"GTEST_SHARD_INDEX", "2"}, {"GTEST_TOTAL_SHARDS", "3"}}),
                        &shard, &error));
  EXPECT_EQ(shard.index, 2);
  EXPECT_EQ(shard.total, 3);
  EXPECT_EQ(shard.source, "GTEST_SHARD_INDEX=2, GTEST_TOTAL_SHARDS=3");
  ASSERT_TRUE(ReadShard(Env({{"TEST_SHARD_INDEX", "0"}, {"TEST_TOTAL_SHARDS", "4"}}),
                        &shard, &error));
  EXPECT_EQ(shard.total, 4);
  ASSERT_TRUE(ReadShard(Env({{"TEST_SHARD_INDEX", "1"},
                             {"TEST_TOTAL_SHARDS", "2"},
                             {"GTEST_SHARD_INDEX", "1"},
                             {"GTEST_TOTAL_SHARDS", "2"}}),
                        &shard, &error));
  EXPECT_EQ(shard.source, "GTEST_SHARD_INDEX=1, GTEST_TOTAL_SHARDS=2");
  // gtest takes -1 for unset.
  ShardSpec unsharded;
  ASSERT_TRUE(ReadShard(Env({{"GTEST_SHARD_INDEX", "-1"}, {"GTEST_TOTAL_SHARDS", "-1"}}),
                        &unsharded, &error));
  EXPECT_EQ(unsharded.total, 1);
  EXPECT_FALSE(ReadShard(Env({{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "-1"}}),
                         &unsharded, &error));
}

TEST(ShardTest, HalfSetOutOfRangeNotANumberOrDisagreeingIsAnError) {
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"GTEST_SHARD_INDEX", "0"}},
       "GTEST_SHARD_INDEX is set but GTEST_TOTAL_SHARDS is not"},
      {{{"TEST_TOTAL_SHARDS", "2"}},
       "TEST_TOTAL_SHARDS is set but TEST_SHARD_INDEX is not"},
      {{{"GTEST_SHARD_INDEX", "2"}, {"GTEST_TOTAL_SHARDS", "2"}},
       "GTEST_SHARD_INDEX=2 is not a shard of GTEST_TOTAL_SHARDS=2 (the index runs from "
       "0 to 1)"},
      {{{"GTEST_SHARD_INDEX", "-2"}, {"GTEST_TOTAL_SHARDS", "2"}}, "is not a shard of"},
      {{{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "0"}}, "TOTAL is at least 1"},
      {{{"GTEST_SHARD_INDEX", "one"}, {"GTEST_TOTAL_SHARDS", "2"}},
       "GTEST_SHARD_INDEX='one' is not a whole number"},
      {{{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "99999999999"}},
       "not a whole number"},
      {{{"GTEST_SHARD_INDEX", "0"},
        {"GTEST_TOTAL_SHARDS", "2"},
        {"TEST_SHARD_INDEX", "1"},
        {"TEST_TOTAL_SHARDS", "2"}},
       "the shard variables disagree"},
  };
  for (const auto& [env, message] : cases) {
    ShardSpec shard;
    std::string error;
    EXPECT_FALSE(ReadShard(Env(env), &shard, &error)) << message;
    EXPECT_THAT(error, HasSubstr(message));
  }
}

TEST(RunnerFilesTest, EachFileIsReadFromItsVariable) {
  const RunnerFiles files = ReadRunnerFiles(Env({{"GTEST_SHARD_STATUS_FILE", "/s"},
                                                 {"TEST_SHARD_STATUS_FILE", "/s"},
                                                 {"TEST_PREMATURE_EXIT_FILE", "/p"},
                                                 {"TEST_WARNINGS_OUTPUT_FILE", "/w"}}));
  EXPECT_THAT(files.shard_status, ElementsAre("/s"));
  EXPECT_EQ(files.premature_exit, "/p");
  EXPECT_EQ(files.warnings, "/w");
}

TEST(RunVariablesTest, PawnsLoseWhatSteersTheRunAndKeepWhatActsInATest) {
  const std::vector<std::string>& names = RunVariables();
  auto has = [&names](const char* name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (const char* name : {"GTEST_FILTER",
                           "GTEST_ALSO_RUN_DISABLED_TESTS",
                           "GTEST_REPEAT",
                           "GTEST_SHUFFLE",
                           "GTEST_RANDOM_SEED",
                           "GTEST_FAIL_FAST",
                           "GTEST_OUTPUT",
                           "GTEST_BRIEF",
                           "GTEST_COLOR",
                           "GTEST_PRINT_TIME",
                           "GTEST_FLAGFILE",
                           "GTEST_STREAM_RESULT_TO",
                           "GTEST_SHARD_INDEX",
                           "GTEST_TOTAL_SHARDS",
                           "GTEST_SHARD_STATUS_FILE",
                           "TEST_SHARD_INDEX",
                           "TEST_TOTAL_SHARDS",
                           "TEST_SHARD_STATUS_FILE",
                           "XML_OUTPUT_FILE",
                           "TESTBRIDGE_TEST_ONLY",
                           "TESTBRIDGE_TEST_RUNNER_FAIL_FAST",
                           "TEST_PREMATURE_EXIT_FILE",
                           "TEST_WARNINGS_OUTPUT_FILE"}) {
    EXPECT_TRUE(has(name)) << name;
  }
  for (const char* name : {"GTEST_BREAK_ON_FAILURE", "GTEST_CATCH_EXCEPTIONS",
                           "GTEST_DEATH_TEST_STYLE", "GTEST_PRINT_UTF8", "TEST_TMPDIR"}) {
    EXPECT_FALSE(has(name)) << name;
  }
}

struct Applied {
  bool ok = false;
  RunOptions options;
  std::vector<Setting> from_env;
  std::string error;
};

Applied Apply(std::map<std::string, std::string> env, std::set<std::string> given = {}) {
  Applied applied;
  applied.ok = ApplyGtestVariables(Env(std::move(env)), given, &applied.options,
                                   &applied.from_env, &applied.error);
  return applied;
}

TEST(GtestVariablesTest, EachVariableSetsItsSettingAndSaysSo) {
  const Applied applied = Apply({{"TESTBRIDGE_TEST_ONLY", "B.*"},
                                 {"GTEST_REPEAT", "-1"},
                                 {"GTEST_SHUFFLE", "1"},
                                 {"GTEST_RANDOM_SEED", "42"},
                                 {"GTEST_BRIEF", "yes"},
                                 {"GTEST_PRINT_TIME", "0"},
                                 {"GTEST_COLOR", "no"},
                                 {"GTEST_ALSO_RUN_DISABLED_TESTS", "1"},
                                 {"XML_OUTPUT_FILE", "/out/test.xml"},
                                 {"TESTBRIDGE_TEST_RUNNER_FAIL_FAST", "1"}});
  ASSERT_TRUE(applied.ok) << applied.error;
  const RunOptions& o = applied.options;
  EXPECT_EQ(o.gtest_filter, "B.*");
  EXPECT_EQ(o.gtest.repeat, -1);
  EXPECT_TRUE(o.gtest.shuffle);
  EXPECT_EQ(o.gtest.random_seed, 42);
  EXPECT_TRUE(o.gtest.brief);
  EXPECT_FALSE(o.gtest.print_time);
  EXPECT_EQ(o.gtest.color, "no");
  EXPECT_TRUE(o.also_run_disabled);
  EXPECT_EQ(o.gtest.output, "xml:/out/test.xml");
  EXPECT_TRUE(o.gtest.fail_fast);
  std::map<std::string, std::string> sources;
  for (const Setting& setting : applied.from_env) sources[setting.name] = setting.source;
  EXPECT_EQ(sources["gtest_filter"], "TESTBRIDGE_TEST_ONLY");
  EXPECT_EQ(sources["gtest_output"], "XML_OUTPUT_FILE");
  EXPECT_EQ(sources["gtest_fail_fast"], "TESTBRIDGE_TEST_RUNNER_FAIL_FAST");
}

TEST(GtestVariablesTest, GtestsOwnVariableBeatsBazelsAndAFlagBeatsBoth) {
  const Applied gtest = Apply({{"GTEST_FILTER", "A.*"},
                               {"TESTBRIDGE_TEST_ONLY", "B.*"},
                               {"GTEST_OUTPUT", "json:r.json"},
                               {"XML_OUTPUT_FILE", "r.xml"},
                               {"GTEST_FAIL_FAST", "0"},
                               {"TESTBRIDGE_TEST_RUNNER_FAIL_FAST", "1"}});
  EXPECT_EQ(gtest.options.gtest_filter, "A.*");
  EXPECT_EQ(gtest.options.gtest.output, "json:r.json");
  EXPECT_FALSE(gtest.options.gtest.fail_fast);
  const Applied flag = Apply({{"GTEST_FILTER", "A.*"}, {"GTEST_REPEAT", "3"}},
                             {"gtest_filter", "gtest_repeat"});
  EXPECT_EQ(flag.options.gtest_filter, "*");
  EXPECT_FALSE(flag.options.gtest.repeat.has_value());
  EXPECT_TRUE(flag.from_env.empty());
}

TEST(GtestVariablesTest, ABadNumberOrARefusedVariableIsAnError) {
  EXPECT_EQ(Apply({{"GTEST_REPEAT", "twice"}}).error,
            "GTEST_REPEAT='twice' is not a whole number (unset it, or set it to one)");
  EXPECT_THAT(
      Apply({{"GTEST_STREAM_RESULT_TO", "localhost:9"}}).error,
      HasSubstr("GTEST_STREAM_RESULT_TO='localhost:9' is set: redqueen collects"));
  // Values gtest does not act on are no reason to refuse.
  EXPECT_TRUE(Apply({{"GTEST_STREAM_RESULT_TO", ""}}).ok);
  EXPECT_TRUE(Apply({{"GTEST_RECREATE_ENVIRONMENTS_WHEN_REPEATING", "0"}}).ok);
  EXPECT_FALSE(Apply({{"GTEST_RECREATE_ENVIRONMENTS_WHEN_REPEATING", "1"}}).ok);
}

}  // namespace
}  // namespace redqueen::queen
