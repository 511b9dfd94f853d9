// How the store and the reports name a binary: the same from any folder,
// relative to its build tree (or the settings file, or the git checkout),
// and two alike in different trees told apart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

using testing::HasSubstr;

class NamingTest : public FixtureTest {};

TEST_F(NamingTest, ABinaryIsNamedByItsPathInItsBuildTreeFromAnyFolder) {
  namespace fs = std::filesystem;
  const std::string absolute =
      fs::absolute(Fixture("passing")).lexically_normal().string();
  const std::string junit = scratch_.Path("report.xml");
  RunFixture("passing");
  RunRedqueen({"run", absolute, "--db", scratch_.db()});
  const Outcome elsewhere = RunProgram(
      "/bin/sh", {"-c", "cd / && exec " + std::string(REDQUEEN_BINARY) + " run " +
                            absolute + " --db " + scratch_.db() + " --junit " + junit});
  EXPECT_EQ(elsewhere.exit_code, 0) << elsewhere.out << elsewhere.err;
  Db db(scratch_.db());
  // The build tree is the folder of its CMakeCache.txt.
  EXPECT_EQ(db.Value("SELECT DISTINCT binary FROM tests"),
            "tests/fixtures/fixture_passing");
  EXPECT_EQ(db.Count("SELECT count(DISTINCT binary) FROM tests"), 1);
  EXPECT_EQ(db.Count("SELECT count(*) FROM tests"), 5);
  std::ifstream in(junit);
  const std::string xml((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  EXPECT_THAT(xml, HasSubstr("classname=\"tests/fixtures/fixture_passing.Passing\""));
}

TEST_F(NamingTest, TwoBinariesNamedAlikeInTwoBuildTreesStayApart) {
  namespace fs = std::filesystem;
  for (const char* tree : {"a", "b"}) {
    fs::create_directories(scratch_.Path(std::string(tree) + "/tests"));
    std::ofstream(scratch_.Path(std::string(tree) + "/CMakeCache.txt"));
    fs::copy_file(Fixture("passing"),
                  scratch_.Path(std::string(tree) + "/tests/passing"));
  }
  const Outcome outcome =
      RunRedqueen({"run", scratch_.Path("a/tests/passing"),
                   scratch_.Path("b/tests/passing"), "--db", scratch_.db()});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(DISTINCT binary) FROM tests"), 2);
  EXPECT_EQ(db.Count("SELECT count(*) FROM tests"), 10);
}

TEST_F(NamingTest, ABinaryOutsideABuildTreeIsNamedByTheSettingsFileFolderOrAsGiven) {
  namespace fs = std::filesystem;
  fs::create_directories(scratch_.Path("project/bin"));
  const std::string copy = scratch_.Path("project/bin/passing");
  fs::copy_file(Fixture("passing"), copy);
  RunRedqueen({"run", copy, "--db", scratch_.db()});
  std::ofstream(scratch_.Path("project/redqueen.toml")) << "[run]\n";
  const Outcome configured =
      RunRedqueen({"run", copy, "--config", scratch_.Path("project/redqueen.toml"),
                   "--db", scratch_.db()});
  EXPECT_EQ(configured.exit_code, 0) << configured.out << configured.err;
  Db db(scratch_.db());
  EXPECT_EQ(db.Rows("SELECT DISTINCT binary FROM tests ORDER BY binary"),
            (std::vector<std::vector<std::string>>{{copy}, {"bin/passing"}}));
}

}  // namespace
}  // namespace redqueen::e2e
