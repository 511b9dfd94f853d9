// redqueen's command line and settings file: what each option sets, and
// which source wins (command line, REDQUEEN_JOBS, redqueen.toml, defaults).
#include "queen/options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "queen/config_file.h"
#include "tests/queen/parse_args.h"

namespace redqueen::queen {
namespace {

namespace fs = std::filesystem;

/// Runs in a fresh folder with REDQUEEN_JOBS unset, and parses argument lists.
class OptionsTest : public testing::Test {
 protected:
  void SetUp() override {
    old_cwd_ = fs::current_path();
    dir_ = fs::path(testing::TempDir()) /
           ("options_test_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sub" / "deeper");
    fs::current_path(dir_);
    unsetenv("REDQUEEN_JOBS");
    unsetenv("REDQUEEN_DB");
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    fs::remove_all(dir_);
    unsetenv("REDQUEEN_JOBS");
    unsetenv("REDQUEEN_DB");
  }

  void Write(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  /// Parses "redqueen ARGS"; the exit code when it says not to run, else -1.
  int Parse(std::vector<std::string> args) {
    return ParseArgs(std::move(args), &options_);
  }

  std::string SourceOf(const std::string& name) const {
    for (const Setting& setting : options_.settings) {
      if (setting.name == name) return setting.source;
    }
    return "(none)";
  }

  RunOptions options_;
  fs::path dir_;
  fs::path old_cwd_;
};

TEST_F(OptionsTest, EveryPolicyOptionParses) {
  ASSERT_EQ(
      Parse({"run",        "x_test",     "--order",       "random:7", "--failed-first",
             "--retries",  "2",          "--flaky-fails", "--repeat", "3",
             "--max-fail", "4",          "--serial",      "A.*",      "--serial",
             "B.*",        "--by-suite", "--timeout",     "1.5m",     "-j",
             "3"}),
      -1);
  EXPECT_EQ(options_.binaries, std::vector<std::string>{"x_test"});
  EXPECT_EQ(options_.order, "random:7");
  EXPECT_TRUE(options_.failed_first);
  EXPECT_EQ(options_.retries, 2);
  EXPECT_TRUE(options_.flaky_fails);
  EXPECT_EQ(options_.repeat, 3);
  EXPECT_EQ(options_.max_fail, 4);
  EXPECT_EQ(options_.serial, (std::vector<std::string>{"A.*", "B.*"}));
  EXPECT_TRUE(options_.by_suite);
  EXPECT_EQ(options_.timeout, std::chrono::seconds(90));
  EXPECT_EQ(options_.jobs, 3);
}

TEST_F(OptionsTest, FailFastUntilFailAndSequentialSetWhatTheyImply) {
  ASSERT_EQ(Parse({"run", "x", "--fail-fast"}), -1);
  EXPECT_EQ(options_.max_fail, 1);
  ASSERT_EQ(Parse({"run", "x", "--until-fail"}), -1);
  EXPECT_EQ(options_.repeat, 0) << "until the first failure";
  EXPECT_EQ(options_.max_fail, 1);
  ASSERT_EQ(Parse({"run", "x", "--until-fail", "--repeat", "5"}), -1);
  EXPECT_EQ(options_.repeat, 5);
  ASSERT_EQ(Parse({"run", "x", "--mode", "sequential"}), -1);
  EXPECT_EQ(options_.jobs, 1);
  EXPECT_EQ(options_.order, "declared");
  EXPECT_EQ(Parse({"run", "x", "--mode", "sequential", "--order", "random"}), 2);
  EXPECT_EQ(Parse({"run", "x", "--order", "random:x"}), 2);
  EXPECT_EQ(Parse({"run", "x", "--repeat", "0"}), 2);
}

TEST_F(OptionsTest, CommandLineBeatsEnvironmentBeatsFileBeatsCpus) {
  Write(dir_ / kConfigFileName, "# ours\n[run]\njobs = 3\nretries = 1\n");
  fs::current_path(dir_ / "sub" / "deeper");  // Found in a parent folder.
  ASSERT_EQ(Parse({"config"}), -1);
  EXPECT_EQ(options_.jobs, 3);
  EXPECT_EQ(options_.retries, 1);
  EXPECT_EQ(SourceOf("jobs"), (dir_ / kConfigFileName).string());
  EXPECT_EQ(SourceOf("retries"), (dir_ / kConfigFileName).string());
  EXPECT_EQ(SourceOf("repeat"), "default");
  setenv("REDQUEEN_JOBS", "5", 1);
  ASSERT_EQ(Parse({"config"}), -1);
  EXPECT_EQ(options_.jobs, 5);
  EXPECT_EQ(SourceOf("jobs"), "REDQUEEN_JOBS");
  ASSERT_EQ(Parse({"config", "-j", "7", "--retries", "0"}), -1);
  EXPECT_EQ(options_.jobs, 7);
  EXPECT_EQ(options_.retries, 0);
  EXPECT_EQ(SourceOf("jobs"), "command line");
  EXPECT_EQ(SourceOf("retries"), "command line");
  unsetenv("REDQUEEN_JOBS");
  fs::remove(dir_ / kConfigFileName);
  ASSERT_EQ(Parse({"config"}), -1);
  EXPECT_EQ(options_.jobs, AvailableCpus());
  EXPECT_EQ(SourceOf("jobs"), "the CPUs available");
}

TEST_F(OptionsTest, DbBeatsTheEnvironmentWhichBeatsTheFile) {
  Write(dir_ / kConfigFileName, "[run]\ndb = \"from/file.db\"\n");
  ASSERT_EQ(Parse({"config"}), -1);
  EXPECT_EQ(options_.db_path, (dir_ / "from/file.db").string());
  setenv("REDQUEEN_DB", "/env/rq.db", 1);
  ASSERT_EQ(Parse({"config"}), -1);
  EXPECT_EQ(options_.db_path, "/env/rq.db");
  EXPECT_EQ(SourceOf("db"), "REDQUEEN_DB");
  ASSERT_EQ(Parse({"config", "--db", "cli.db"}), -1);
  EXPECT_EQ(options_.db_path, "cli.db");
  unsetenv("REDQUEEN_DB");
}

TEST_F(OptionsTest, AnyRunOptionCanComeFromTheFileWithPathsRelativeToIt) {
  Write(dir_ / "ci.toml",
        "[run]\nBINARY = [\"build/a_test\"]\ndb = \"out/rq.db\"\ntimeout = \"90s\"\n"
        "serial = [\"A.*\", \"B.*\"]\nby-suite = true\nfail-fast = true\norder = "
        "\"declared\"\n");
  fs::current_path(dir_ / "sub");
  ASSERT_EQ(Parse({"run", "--config", "../ci.toml"}), -1);
  EXPECT_EQ(options_.binaries, std::vector<std::string>{"../build/a_test"});
  EXPECT_EQ(options_.db_path, "../out/rq.db");
  EXPECT_EQ(options_.timeout, std::chrono::seconds(90));
  EXPECT_EQ(options_.serial, (std::vector<std::string>{"A.*", "B.*"}));
  EXPECT_TRUE(options_.by_suite);
  EXPECT_EQ(options_.max_fail, 1);
  EXPECT_EQ(options_.order, "declared");
  ASSERT_EQ(Parse({"run", "mine", "--config=../ci.toml"}), -1);
  EXPECT_EQ(options_.binaries, std::vector<std::string>{"mine"})
      << "the command line's own";
}

TEST_F(OptionsTest, ABadFileIsAUsageErrorNamingIt) {
  Write(dir_ / kConfigFileName, "[run]\njobz = 3\n");
  EXPECT_EQ(Parse({"run", "x"}), 2);
  Write(dir_ / kConfigFileName, "[run]\njobs = \"many\"\n");
  EXPECT_EQ(Parse({"run", "x"}), 2);
  Write(dir_ / kConfigFileName, "jobs 3\n");
  EXPECT_EQ(Parse({"run", "x"}), 2);
  Write(dir_ / kConfigFileName, "[other]\njobs = 3\n");
  EXPECT_EQ(Parse({"run", "x"}), 2);
  fs::remove(dir_ / kConfigFileName);
  EXPECT_EQ(Parse({"run", "x", "--config", "missing.toml"}), 2);
  EXPECT_EQ(Parse({"run", "x", "--config"}), 2);
}

TEST(DurationTest, TakesUnitsAndRefusesWhatIsNotAFiniteDurationInRange) {
  std::chrono::microseconds d{0};
  EXPECT_TRUE(ParseDuration("500ms", &d));
  EXPECT_EQ(d, std::chrono::milliseconds(500));
  EXPECT_TRUE(ParseDuration("1000h", &d));
  EXPECT_EQ(d, std::chrono::hours(kMaxDurationHours));
  for (const char* bad : {"nan", "-nan", "inf", "infh", "1e400", "99999999999999h",
                          "1001h", "-1s", "5x", ""}) {
    d = std::chrono::microseconds(7);
    EXPECT_FALSE(ParseDuration(bad, &d)) << bad;
    EXPECT_EQ(d, std::chrono::microseconds(7)) << bad << ": left as it was";
  }
  EXPECT_EQ(DurationError("nan"),
            "must be a duration from 0 to 1000h (e.g. 90s, 1.5m, 500ms), not 'nan'");
}

TEST(NumberTest, RefusesWhatIsNotANumberInRangeWithTheRangeInPlainNumbers) {
  EXPECT_EQ(CheckNumber("4096", 1, 4096), "");
  EXPECT_EQ(CheckNumber("0", 1, 4096), "must be from 1 to 4096, not 0");
  EXPECT_EQ(CheckNumber("1.5", 1, 4096),
            "must be a whole number from 1 to 4096, not '1.5'");
  for (const char* bad : {"4097", "99999999999", "1.5", "1e3", "0x10", " 3", "3 ", "",
                          "nan", "-1", "1e400"}) {
    EXPECT_NE(CheckNumber(bad, 1, 4096), "") << bad;
  }
  EXPECT_EQ(CheckNumber("85.5", 0, 100, /*whole=*/false), "");
  EXPECT_EQ(CheckNumber("nan", 0, 100, /*whole=*/false),
            "must be a number from 0 to 100, not 'nan'");
  EXPECT_EQ(CheckNumber("150", 0, 100, /*whole=*/false),
            "must be from 0 to 100, not 150");
}

TEST_F(OptionsTest, ABadCountOrDurationIsOneShortLineWithTheRange) {
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"-j", "0"},
                                             {"-j", "99999999999"},
                                             {"--repeat", "0"},
                                             {"--retries", "-1"},
                                             {"--max-fail", "1.5"},
                                             {"--output-cap", "0"},
                                             {"--max-memory", "nan"},
                                             {"--timeout", "nan"},
                                             {"--timeout", "99999999999999h"},
                                             {"--kill-grace", "inf"},
                                             {"--slow", "-1s"}}) {
    std::vector<std::string> args = {"run", "x"};
    args.insert(args.end(), bad.begin(), bad.end());
    testing::internal::CaptureStderr();
    EXPECT_EQ(Parse(args), 2) << bad[0] << " " << bad[1];
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_LT(err.size(), 140u) << err;
    EXPECT_NE(err.find(" from "), std::string::npos) << err;
  }
  Write(dir_ / kConfigFileName, "[run]\ntimeout = \"nan\"\n");
  EXPECT_EQ(Parse({"run", "x"}), 2) << "the settings file goes through the same checks";
}

TEST_F(OptionsTest, AnOutOfRangeValueNamesTheOptionAsItWasTyped) {
  for (const auto& [args, line] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"-j", "0"}, "-j must be from 1 to 4096, not 0"},
           {{"--jobs=5000"}, "--jobs must be from 1 to 4096, not 5000"},
           {{"-j0"}, "-j must be from 1 to 4096, not 0"},
           {{"--retries", "x"},
            "--retries must be a whole number from 0 to 1000, not 'x'"},
           {{"--timeout", "soon"},
            "--timeout must be a duration from 0 to 1000h (e.g. 90s, 1.5m, 500ms), not "
            "'soon'"},
           {{"--mode", "fast"},
            "--mode must be one of parallel, sequential, not 'fast'"}}) {
    std::vector<std::string> all = {"run", "x"};
    all.insert(all.end(), args.begin(), args.end());
    testing::internal::CaptureStderr();
    EXPECT_EQ(Parse(all), 2);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "redqueen: error: " + line + "\n");
  }
}

TEST_F(OptionsTest, AnUnknownOptionNamesTheNearestOne) {
  for (const auto& [arg, line] : std::vector<std::pair<std::string, std::string>>{
           {"--jbos", "unknown option --jbos (did you mean --jobs?)"},
           {"--retires=2", "unknown option --retires (did you mean --retries?)"},
           {"--whatever", "unknown option --whatever (see 'redqueen run --help')"}}) {
    testing::internal::CaptureStderr();
    EXPECT_EQ(Parse({"run", "x", arg, "2"}), 2);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "redqueen: error: " + line + "\n");
  }
}

TEST_F(OptionsTest, RedqueenJobsOutOfRangeSaysTheRange) {
  setenv("REDQUEEN_JOBS", "many", 1);
  testing::internal::CaptureStderr();
  EXPECT_EQ(Parse({"run", "x"}), 2);
  EXPECT_EQ(
      testing::internal::GetCapturedStderr(),
      "redqueen: error: REDQUEEN_JOBS must be a whole number from 1 to 4096, not 'many' "
      "(unset it, or set it to one)\n");
}

TEST(ConfigFileTest, ChecksEveryLine) {
  const fs::path path = fs::path(testing::TempDir()) / "check.toml";
  std::string error;
  std::ofstream(path) << "# c\n\n[run]  # section\njobs = 3\nserial = [\"a\", \"b\"]\r\n";
  EXPECT_TRUE(CheckConfigFile(path.string(), &error)) << error;
  std::ofstream(path) << "[run]\njobs =\n";
  EXPECT_FALSE(CheckConfigFile(path.string(), &error));
  EXPECT_EQ(error, path.string() +
                       ":2: 'jobs =' is not 'name = value', a comment or [run] "
                       "(every setting goes in [run])");
  fs::remove(path);
}

TEST(ConfigFileTest, TakesTheConfigOptionFromAnywhere) {
  std::vector<std::string> args = {"run", "--config",        "a.toml",
                                   "x",   "--config=b.toml", "-j2"};
  std::string path;
  std::string error;
  ASSERT_TRUE(TakeConfigOption(&args, &path, &error));
  EXPECT_EQ(path, "b.toml") << "the last one";
  EXPECT_EQ(args, (std::vector<std::string>{"run", "x", "-j2"}));
}

}  // namespace
}  // namespace redqueen::queen
