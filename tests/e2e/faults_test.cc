// The fault fixtures, each on both kinds of pawn, against the table of
// expected outcomes (tests/fixtures/expected_outcomes.h): a run always ends,
// leaves no process behind, and gives each test its true verdict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "e2e/harness.h"
#include "expected_outcomes.h"

namespace redqueen::e2e {
namespace {

using fixtures::FaultCase;
using testing::HasSubstr;

struct Final {
  std::string status;
  std::string detail;  ///< Crash text, skip message and first failure.
};

/// The final outcome of each test of the last run, by name.
std::map<std::string, Final> Finals(Db& db) {
  std::map<std::string, Final> finals;
  for (const auto& row :
       db.Rows("SELECT t.name, e.status, coalesce(e.crash, ''), coalesce(e.skip_message, "
               "''), "
               "coalesce((SELECT message FROM failures f WHERE f.execution_id = e.id "
               "ORDER BY f.rowid LIMIT 1), '') FROM executions e JOIN tests t ON t.id = "
               "e.test_id "
               "WHERE e.run_id = (SELECT max(id) FROM runs) AND e.final = 1")) {
    finals[row[0]] = Final{row[1], row[2] + "\n" + row[3] + "\n" + row[4]};
  }
  return finals;
}

class FaultsTest : public testing::TestWithParam<FaultCase> {
 protected:
  Scratch scratch_;
};

TEST_P(FaultsTest, EndsLeavesNothingBehindAndGivesTrueVerdicts) {
  const FaultCase& c = GetParam();
  Launch launch;
  launch.args = {"run", Fixture(c.fixture), "--pawn", c.kind, "--db", scratch_.db()};
  launch.args.insert(launch.args.end(), c.args.begin(), c.args.end());
  launch.env = c.env;
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
  EXPECT_EQ(outcome.exit_code, c.exit_code) << outcome.out << outcome.err;
  if (!c.error.empty()) {
    EXPECT_THAT(outcome.err, HasSubstr(c.error));
  }
  if (c.tests.empty()) return;
  Db db(scratch_.db());
  const std::map<std::string, Final> finals = Finals(db);
  for (const fixtures::ExpectedTest& expected : c.tests) {
    if (expected.test == "*") {
      EXPECT_FALSE(finals.empty()) << "no test has a result";
      for (const auto& [name, final] : finals) {
        if (std::any_of(c.tests.begin(), c.tests.end(),
                        [&name = name](const auto& row) { return row.test == name; })) {
          continue;
        }
        EXPECT_EQ(final.status, expected.status) << name << ": " << final.detail;
        EXPECT_THAT(final.detail, HasSubstr(expected.detail)) << name;
      }
      continue;
    }
    const auto it = finals.find(expected.test);
    ASSERT_NE(it, finals.end()) << expected.test << " has no result\n" << outcome.out;
    EXPECT_EQ(it->second.status, expected.status)
        << expected.test << ": " << it->second.detail;
    EXPECT_THAT(it->second.detail, HasSubstr(expected.detail)) << expected.test;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FaultsTest, testing::ValuesIn(fixtures::FaultCases()),
                         [](const testing::TestParamInfo<FaultCase>& info) {
                           return info.param.name;
                         });

class FaultTest : public FixtureTest, public testing::WithParamInterface<std::string> {
 protected:
  std::vector<std::string> Kind() const { return {"--pawn", GetParam()}; }
};

// Names are the bytes gtest registered: each test runs once, however much
// filter syntax its name holds, and no other test runs with it.
TEST_P(FaultTest, EveryOddlyNamedTestRunsExactlyOnce) {
  const std::string log = scratch_.Path("ran.log");
  Launch launch;
  // Serial: a-b and a:b run in batches of their own, where a filter for one
  // selects both.
  launch.args = {"run",  Fixture("odd_names"), "-j",       "2",
                 "--db", scratch_.db(),        "--serial", "Odd.a?b"};
  for (const std::string& arg : Kind()) launch.args.push_back(arg);
  launch.env = {{"ODD_NAMES_LOG", log}};
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  std::ifstream in(log, std::ios::binary);
  std::map<std::string, int> runs;
  for (std::string name; std::getline(in, name, '\0');) ++runs[name];
  EXPECT_EQ(runs.size(), 15u);
  for (const auto& [name, count] : runs) EXPECT_EQ(count, 1) << name;
}

// A test that left its pawn's process group, ignores SIGTERM and hangs is
// still ended by Ctrl-C or SIGTERM, with no process left.
TEST_P(FaultTest, SignalsEndATestThatLeftItsGroup) {
  for (int signal : {SIGTERM, SIGINT}) {
    Launch launch;
    launch.args = {"run", Fixture("escape_group"), "-j", "1", "--db", scratch_.db()};
    for (const std::string& arg : Kind()) launch.args.push_back(arg);
    const std::string escaped = scratch_.Path("escaped" + std::to_string(signal));
    launch.env = {{"ESCAPED_FILE", escaped}};
    launch.signal = signal;
    launch.ready = FileExists(escaped);
    const Outcome outcome = RunRedqueen(launch);
    EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
    EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "signal " << signal;
  }
}

// More pawns than the open-files limit holds are refused before any starts.
TEST_P(FaultTest, JobsPastTheOpenFilesLimitAreRefusedBeforeAnyPawnStarts) {
  Launch launch;
  launch.args = {"run", Fixture("passing"), "-j", "200", "--db", scratch_.db()};
  for (const std::string& arg : Kind()) launch.args.push_back(arg);
  launch.open_files = 128;
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 2) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("open files"));
  EXPECT_THAT(outcome.err, HasSubstr("ulimit -n"));
  EXPECT_EQ(outcome.err.find('\n'), outcome.err.size() - 1) << "one line";
  // Within the limit, the same run works.
  launch.args[3] = "2";
  EXPECT_EQ(RunRedqueen(launch).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Kinds, FaultTest, testing::Values("resident", "exec"));

// An exec pawn that cannot start its child stops the run with why, instead
// of making the batch's tests CRASHED one pawn after another.
TEST_F(FixtureTest, ExecPawnThatCannotStartItsChildStopsTheRun) {
  const std::string copy = scratch_.Path("self_deleting");
  std::filesystem::copy_file(Fixture("self_deleting"), copy);
  std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
  Launch launch;
  launch.args = {"run", copy, "-j", "1", "--pawn", "exec", "--db", scratch_.db()};
  launch.env = {{"SELF_DELETE", "1"}};
  const Outcome outcome = RunRedqueen(launch);
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("could not run its batch"));
  EXPECT_THAT(outcome.err, HasSubstr("No such file or directory"));
  EXPECT_EQ(LeftBehind(), std::vector<int>{});
  Db db(scratch_.db());
  EXPECT_EQ(db.Count("SELECT count(*) FROM executions WHERE status = 'CRASHED'"), 0);
}

}  // namespace
}  // namespace redqueen::e2e
