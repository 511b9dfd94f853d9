// redqueen as the test command of a sharded CI job: ctest with GoogleTest's
// shard variables, and Bazel's test protocol set by hand. Each shard must run
// exactly the tests the binary itself runs in that shard, the shards together
// every test once, and the files the runner asks for must be there (status,
// XML) or gone (premature exit) when each run ends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

constexpr int kShards = 3;

/// Full test names, "Suite.Test".
using Names = std::vector<std::string>;
using Env = std::vector<std::pair<std::string, std::string>>;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Unescaped(std::string text) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : kEntities) {
    for (size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + 1)) {
      text.replace(at, std::string(entity).size(), plain);
    }
  }
  return text;
}

/// The value of attribute `name` in the start tag `tag` ("" when absent).
std::string Attribute(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t begin = tag.find(key);
  if (begin == std::string::npos) return "";
  const size_t value = begin + key.size();
  return Unescaped(tag.substr(value, tag.find('"', value) - value));
}

/// The tests of a JUnit file of redqueen's, in its order. Its classname is
/// "<binary>.<suite>" and the binary's path may hold dots; a suite's name
/// never does.
Names TestsInXml(const std::string& path) {
  const std::string xml = ReadFile(path);
  Names names;
  for (size_t at = xml.find("<testcase "); at != std::string::npos;
       at = xml.find("<testcase ", at + 1)) {
    const std::string tag = xml.substr(at, xml.find('>', at) - at);
    const std::string classname = Attribute(tag, "classname");
    names.push_back(classname.substr(classname.rfind('.') + 1) + "." +
                    Attribute(tag, "name"));
  }
  return names;
}

/// The tests a gtest binary says it ran, in order.
Names TestsRun(const std::string& output) {
  static const std::string kRun = "[ RUN      ] ";
  Names names;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(kRun, 0) == 0) names.push_back(line.substr(kRun.size()));
  }
  return names;
}

Names Sorted(Names names) {
  std::sort(names.begin(), names.end());
  return names;
}

Env ShardEnv(int index) {
  return {{"GTEST_SHARD_INDEX", std::to_string(index)},
          {"GTEST_TOTAL_SHARDS", std::to_string(kShards)}};
}

/// What `binary` runs by itself with `env` (and `args`), in order.
Names NativeRun(const std::string& binary, const Env& env,
                std::vector<std::string> args = {}) {
  args.push_back("--gtest_color=no");
  const Outcome outcome = RunProgram(binary, Launch{args, env});
  EXPECT_EQ(outcome.exit_code, 0) << binary << ":\n" << outcome.out << outcome.err;
  return TestsRun(outcome.out);
}

/// The plain gtest build's own shards, each in its order, under `env`.
std::vector<Names> NativeShards(const Env& env = {},
                                const std::vector<std::string>& args = {}) {
  std::vector<Names> shards;
  for (int k = 0; k < kShards; ++k) {
    Env shard_env = ShardEnv(k);
    shard_env.insert(shard_env.end(), env.begin(), env.end());
    shards.push_back(NativeRun(Fixture("shards_plain"), shard_env, args));
  }
  return shards;
}

/// Each shard holds exactly the native shard's tests, and the shards
/// together every test of the unsharded run once.
void ExpectNativeShards(const std::vector<Names>& shards,
                        const std::vector<Names>& native, const Names& all) {
  ASSERT_EQ(shards.size(), native.size());
  Names together;
  for (size_t k = 0; k < shards.size(); ++k) {
    EXPECT_FALSE(native[k].empty()) << "native shard " << k << " runs nothing";
    EXPECT_EQ(Sorted(shards[k]), Sorted(native[k])) << "shard " << k;
    together.insert(together.end(), shards[k].begin(), shards[k].end());
  }
  EXPECT_EQ(Sorted(together), Sorted(all));
}

/// A build of the fixture and the pawns redqueen runs it on.
struct Pawns {
  std::string name;
  std::string fixture;
  std::string kind;  ///< --pawn
};

void PrintTo(const Pawns& pawns, std::ostream* os) { *os << pawns.name; }

class CiShardsTest : public testing::TestWithParam<Pawns> {
 protected:
  /// `redqueen run` on this test's build of the fixture and kind of pawn.
  std::vector<std::string> Run(const std::string& db) const {
    return {"run", Fixture(GetParam().fixture), "--pawn", GetParam().kind, "--db", db};
  }

  Scratch scratch_;
};

TEST_P(CiShardsTest, CtestShardsAreTheBinarysOwn) {
  const std::string project = scratch_.Path("proj");
  std::filesystem::create_directories(project);
  {
    std::ofstream lists(project + "/CMakeLists.txt");
    lists << "cmake_minimum_required(VERSION 3.22)\n"
          << "project(shards NONE)\nenable_testing()\n";
    for (int k = 0; k < kShards; ++k) {
      const std::string shard = "shard_" + std::to_string(k);
      lists << "add_test(NAME " << shard << " COMMAND " << REDQUEEN_BINARY;
      for (const std::string& arg : Run(scratch_.Path(shard + ".db"))) {
        lists << " " << arg;
      }
      lists << ")\nset_tests_properties(" << shard << " PROPERTIES ENVIRONMENT \""
            << "GTEST_SHARD_INDEX=" << k << ";GTEST_TOTAL_SHARDS=" << kShards
            << ";GTEST_SHARD_STATUS_FILE=" << scratch_.Path("status_" + std::to_string(k))
            << ";GTEST_OUTPUT=xml:" << scratch_.Path(shard + ".xml") << "\")\n";
    }
  }
  const Outcome cmake =
      RunProgram(REDQUEEN_CMAKE, {"-S", project, "-B", project + "/build"});
  ASSERT_EQ(cmake.exit_code, 0) << cmake.out << cmake.err;
  Launch ctest;
  // Shards side by side, as a CI job runs them.
  ctest.args = {"--test-dir", project + "/build",   "-j3", "--timeout",
                "30",         "--output-on-failure"};
  const Outcome outcome = RunProgram(REDQUEEN_CTEST, ctest);
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out,
              testing::HasSubstr("100% tests passed, 0 tests failed out of 3"));

  std::vector<Names> shards;
  for (int k = 0; k < kShards; ++k) {
    EXPECT_TRUE(std::filesystem::exists(scratch_.Path("status_" + std::to_string(k))));
    shards.push_back(TestsInXml(scratch_.Path("shard_" + std::to_string(k) + ".xml")));
  }
  ExpectNativeShards(shards, NativeShards(), NativeRun(Fixture("shards_plain"), {}));
}

TEST_P(CiShardsTest, BazelShardsAreTheBinarysOwn) {
  const std::vector<Names> native = NativeShards();
  std::vector<Names> shards;
  for (int k = 0; k < kShards; ++k) {
    const std::string n = std::to_string(k);
    const std::string tmp = scratch_.Path("tmp_" + n);
    std::filesystem::create_directories(tmp);
    const Env env = {{"TEST_SHARD_INDEX", n},
                     {"TEST_TOTAL_SHARDS", std::to_string(kShards)},
                     {"TEST_SHARD_STATUS_FILE", scratch_.Path("status_" + n)},
                     {"XML_OUTPUT_FILE", scratch_.Path("test_" + n + ".xml")},
                     {"TEST_PREMATURE_EXIT_FILE", scratch_.Path("premature_" + n)},
                     {"TEST_TMPDIR", tmp}};
    const Outcome outcome =
        RunRedqueen(Launch{Run(scratch_.Path("shard_" + n + ".db")), env});
    EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_TRUE(std::filesystem::exists(scratch_.Path("status_" + n)));
    EXPECT_FALSE(std::filesystem::exists(scratch_.Path("premature_" + n)));
    EXPECT_TRUE(std::filesystem::is_empty(tmp))
        << "redqueen left its folders in TEST_TMPDIR";
    shards.push_back(TestsInXml(scratch_.Path("test_" + n + ".xml")));

    // `redqueen list` names the same shard, in gtest's order.
    const Outcome list = RunRedqueen(
        Launch{{"list", Fixture(GetParam().fixture), "--pawn", GetParam().kind}, env});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    Names listed;
    std::istringstream lines(list.out);
    for (std::string line; std::getline(lines, line);) listed.push_back(line);
    EXPECT_EQ(listed, native[k]) << "redqueen list, shard " << k;
    // Run by hand, the resident build shards as the plain one.
    EXPECT_EQ(NativeRun(Fixture("shards"), ShardEnv(k)), native[k])
        << "by hand, shard " << k;
  }
  // Unsharded, redqueen runs what the binary runs.
  const Outcome whole = RunRedqueen(
      Launch{Run(scratch_.db()), {{"XML_OUTPUT_FILE", scratch_.Path("whole.xml")}}});
  EXPECT_EQ(whole.exit_code, 0) << whole.out << whole.err;
  const Names all = NativeRun(Fixture("shards_plain"), {});
  EXPECT_EQ(Sorted(TestsInXml(scratch_.Path("whole.xml"))), Sorted(all));
  ExpectNativeShards(shards, native, all);
}

TEST_P(CiShardsTest, AShardBeyondTheLastTestPassesWithNone) {
  // More shards than tests, as a Bazel shard_count may ask: gtest runs none
  // and passes.
  const Env env = {{"TEST_SHARD_INDEX", "18"},
                   {"TEST_TOTAL_SHARDS", "20"},
                   {"TEST_SHARD_STATUS_FILE", scratch_.Path("status")},
                   {"XML_OUTPUT_FILE", scratch_.Path("test.xml")},
                   {"TEST_PREMATURE_EXIT_FILE", scratch_.Path("premature")}};
  EXPECT_EQ(NativeRun(Fixture("shards_plain"),
                      {{"GTEST_SHARD_INDEX", "18"}, {"GTEST_TOTAL_SHARDS", "20"}}),
            Names{});
  const Outcome outcome = RunRedqueen(Launch{Run(scratch_.db()), env});
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_TRUE(std::filesystem::exists(scratch_.Path("status")));
  EXPECT_FALSE(std::filesystem::exists(scratch_.Path("premature")));
  EXPECT_THAT(ReadFile(scratch_.Path("test.xml")), testing::HasSubstr("<testsuites"));
  EXPECT_EQ(TestsInXml(scratch_.Path("test.xml")), Names{});
}

TEST_P(CiShardsTest, OnlyTestsTheFilterSelectsAreDealtToShards) {
  // Dropping tests from the front and the middle moves every later test to
  // another shard; gtest deals the filtered tests alone.
  const std::string filter = "-Alpha.*:Typed/*:*.p/1";
  const Names all = NativeRun(Fixture("shards_plain"), {}, {"--gtest_filter=" + filter});
  // By a variable, as a CI job sets it, and by the flag, each as gtest takes it.
  for (const bool by_flag : {false, true}) {
    SCOPED_TRACE(by_flag ? "--gtest_filter" : "GTEST_FILTER");
    const Env filter_env = by_flag ? Env{} : Env{{"GTEST_FILTER", filter}};
    const std::vector<std::string> filter_args =
        by_flag ? std::vector<std::string>{"--gtest_filter=" + filter}
                : std::vector<std::string>{};
    const std::vector<Names> native = NativeShards(filter_env, filter_args);
    std::vector<Names> shards;
    for (int k = 0; k < kShards; ++k) {
      const std::string n = std::to_string(k) + (by_flag ? "f" : "v");
      // gtest's folder form: the report is DIR/<binary name>.xml.
      const std::string dir = scratch_.Path("xml_" + n) + "/";
      Env env = ShardEnv(k);
      env.insert(env.end(), filter_env.begin(), filter_env.end());
      env.emplace_back("GTEST_OUTPUT", "xml:" + dir);
      std::vector<std::string> args = Run(scratch_.Path("shard_" + n + ".db"));
      args.insert(args.end(), filter_args.begin(), filter_args.end());
      const Outcome outcome = RunRedqueen(Launch{args, env});
      EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
      EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
      shards.push_back(TestsInXml(dir + "fixture_" + GetParam().fixture + ".xml"));
    }
    ExpectNativeShards(shards, native, all);
  }
}

// The same binary on each kind of pawn, and the unmodified gtest build (exec
// pawns, as auto picks).
INSTANTIATE_TEST_SUITE_P(Pawns, CiShardsTest,
                         testing::Values(Pawns{"resident", "shards", "resident"},
                                         Pawns{"exec", "shards", "exec"},
                                         Pawns{"unmodified", "shards_plain", "auto"}),
                         [](const testing::TestParamInfo<Pawns>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace redqueen::e2e
