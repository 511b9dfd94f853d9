// GoogleTest's flags and variables through the whole command line: each one
// lands in the setting it stands for, by precedence (command line, the
// environment, the settings file), and `redqueen config` says so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "queen/options.h"
#include "tests/queen/parse_args.h"

namespace redqueen::queen {
namespace {

/// The whole command line, with GTEST_* variables set for the test only.
class GtestCommandLineTest : public testing::Test {
 protected:
  void TearDown() override {
    for (const std::string& name : set_) unsetenv(name.c_str());
  }
  void SetEnv(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
    set_.push_back(name);
  }
  /// Parses "redqueen run bin ARGS"; the exit code when it says not to run, else -1.
  int Parse(std::vector<std::string> args) {
    args.insert(args.begin(), {"run", "bin", "--config", "/dev/null"});
    return ParseArgs(std::move(args), &options_);
  }
  RunOptions options_;
  std::vector<std::string> set_;
};

TEST_F(GtestCommandLineTest,
       GtestFlagsBecomeRedqueensSettingsUnlessItsOwnOptionsSayOtherwise) {
  ASSERT_EQ(Parse({"--", "--gtest_repeat=-1", "--gtest_shuffle", "--gtest_random_seed=7",
                   "--gtest_fail_fast", "--gtest_output=xml:reports/"}),
            -1);
  EXPECT_EQ(options_.repeat, 0) << "until stopped";
  EXPECT_EQ(options_.order, "random:7");
  EXPECT_EQ(options_.max_fail, 1);
  EXPECT_EQ(options_.junit_dir, "reports/");
  EXPECT_EQ(options_.junit_path, "");
  EXPECT_TRUE(options_.pawn_args.empty());

  ASSERT_EQ(Parse({"--repeat", "2", "--order", "declared", "--max-fail", "3", "--junit",
                   "a.xml", "--gtest_repeat=5", "--gtest_shuffle", "--gtest_fail_fast",
                   "--gtest_output=xml:b.xml"}),
            -1);
  EXPECT_EQ(options_.repeat, 2);
  EXPECT_EQ(options_.order, "declared");
  EXPECT_EQ(options_.max_fail, 3);
  EXPECT_EQ(options_.junit_path, "a.xml");

  ASSERT_EQ(Parse({"--gtest_output=json"}), -1);
  EXPECT_EQ(options_.json_path, "test_detail.json") << "gtest's default file";
  ASSERT_EQ(Parse({"--gtest_list_tests"}), -1);
  EXPECT_TRUE(options_.list_only);
}

TEST_F(GtestCommandLineTest, AFlagBeatsItsVariable) {
  SetEnv("GTEST_REPEAT", "4");
  SetEnv("GTEST_FILTER", "Env.*");
  ASSERT_EQ(Parse({}), -1);
  EXPECT_EQ(options_.repeat, 4);
  EXPECT_EQ(options_.gtest_filter, "Env.*");
  ASSERT_EQ(Parse({"--gtest_filter=Flag.*", "--", "--gtest_repeat=2"}), -1);
  EXPECT_EQ(options_.repeat, 2);
  EXPECT_EQ(options_.gtest_filter, "Flag.*");
}

TEST_F(GtestCommandLineTest, AVariableBeatsTheSettingsFileAndTheCommandLineBeatsBoth) {
  const std::string file =
      testing::TempDir() + "/gtest_flags_" + std::to_string(getpid()) + ".toml";
  std::ofstream(file) << "[run]\njunit = \"from-file.xml\"\nrepeat = 2\n";
  SetEnv("XML_OUTPUT_FILE", "/bazel/test.xml");
  SetEnv("GTEST_REPEAT", "1");
  std::vector<std::string> args = {"redqueen", "run", "bin", "--config", file};
  auto parse = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = args;
    all.insert(all.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& arg : all) argv.push_back(arg.data());
    options_ = RunOptions{};
    int code = -1;
    return ParseCommandLine(static_cast<int>(argv.size()), argv.data(), &options_, &code);
  };
  ASSERT_TRUE(parse({}));
  EXPECT_EQ(options_.junit_path, "/bazel/test.xml") << "Bazel gets its XML";
  EXPECT_EQ(options_.repeat, 1);
  ASSERT_TRUE(parse({"--repeat", "3", "--junit", "mine.xml"}));
  EXPECT_EQ(options_.repeat, 3);
  EXPECT_EQ(options_.junit_path, "mine.xml");
  std::filesystem::remove(file);
}

TEST_F(GtestCommandLineTest, ConfigShowsTheSettingsAGtestFlagOrVariableChanged) {
  SetEnv("XML_OUTPUT_FILE", "/bazel/test.xml");
  std::vector<std::string> args = {
      "redqueen", "config", "bin", "--config", "/dev/null", "--", "--gtest_shuffle"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  int code = -1;
  ASSERT_TRUE(
      ParseCommandLine(static_cast<int>(argv.size()), argv.data(), &options_, &code));
  std::map<std::string, std::pair<std::string, std::string>> settings;
  for (const Setting& s : options_.settings) settings[s.name] = {s.value, s.source};
  EXPECT_EQ(settings["junit"], std::make_pair(std::string("\"/bazel/test.xml\""),
                                              std::string("XML_OUTPUT_FILE")));
  EXPECT_EQ(settings["order"],
            std::make_pair(std::string("\"random\""), std::string("--gtest_shuffle")));
  EXPECT_EQ(settings["no-tests"].first, "\"warn\"");
}

TEST_F(GtestCommandLineTest, ValuesItCannotTakeAreUsageErrors) {
  EXPECT_EQ(Parse({"--gtest_repeat=0"}), 2);
  EXPECT_EQ(Parse({"--gtest_output=yaml:x"}), 2);
  EXPECT_EQ(Parse({"--mode", "sequential", "--gtest_shuffle"}), 2);
  EXPECT_EQ(Parse({"--gtest_list_tests", "--rerun-failed"}), 2);
  SetEnv("GTEST_SHARD_INDEX", "5");
  SetEnv("GTEST_TOTAL_SHARDS", "2");
  EXPECT_EQ(Parse({}), 2);
}

TEST(TargetsTest, ATargetCannotSetAVariableThatSteersTheRun) {
  std::vector<Target> targets;
  std::string error;
  EXPECT_FALSE(ParseTargets({"x:A=1,GTEST_SHUFFLE=1"}, {}, &targets, &error));
  EXPECT_EQ(error,
            "--target 'x:A=1,GTEST_SHUFFLE=1': GTEST_SHUFFLE steers the whole run, "
            "not a pawn; give it to redqueen itself");
  targets.clear();
  EXPECT_TRUE(ParseTargets({"x:GTEST_BREAK_ON_FAILURE=1"}, {}, &targets, &error))
      << error;
}

TEST_F(GtestCommandLineTest, ConfigSaysWhichVariableASettingCameFrom) {
  SetEnv("GTEST_FILTER", "Env.*");
  std::vector<std::string> args = {"redqueen", "config", "bin", "--config", "/dev/null"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  int code = -1;
  ASSERT_TRUE(
      ParseCommandLine(static_cast<int>(argv.size()), argv.data(), &options_, &code));
  auto it = std::find_if(options_.settings.begin(), options_.settings.end(),
                         [](const Setting& s) { return s.name == "gtest_filter"; });
  ASSERT_NE(it, options_.settings.end());
  EXPECT_EQ(it->value, "\"Env.*\"");
  EXPECT_EQ(it->source, "GTEST_FILTER");
}

}  // namespace
}  // namespace redqueen::queen
