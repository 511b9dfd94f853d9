// Exec pawns take the list the store remembers while the binary is the one
// that listed (issue 15): an unchanged binary is not started to list its
// tests again; a rebuilt, touched or replaced one, or one run otherwise, is.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "e2e/harness.h"

namespace redqueen::e2e {
namespace {

namespace fs = std::filesystem;
using Statuses_ = std::vector<std::pair<std::string, std::string>>;

class KnownListTest : public FixtureTest {
 protected:
  void SetUp() override { Use("listed"); }

  /// Runs a copy of fixture `name` from now on.
  void Use(const std::string& name) {
    fs::copy_file(Fixture(name), binary_, fs::copy_options::overwrite_existing);
  }

  Outcome Run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", binary_, "-j", "2", "--db", scratch_.db()};
    args.insert(args.end(), extra.begin(), extra.end());
    Outcome outcome = RunRedqueen(Launch{args, {{"LISTINGS_FILE", listings_}}});
    EXPECT_EQ(LeftBehind(), std::vector<int>{}) << "processes of the run survived it";
    return outcome;
  }

  /// How many times the binary was started to list its tests so far.
  int Listings() const {
    std::ifstream in(listings_);
    int count = 0;
    for (std::string line; std::getline(in, line);) ++count;
    return count;
  }

  Statuses_ LastStatuses() {
    Db db(scratch_.db());
    return Statuses(db);
  }

  /// Sets the binary's access and modification times.
  void SetTimes(const timespec& accessed, const timespec& modified) {
    const timespec times[2] = {accessed, modified};
    ASSERT_EQ(utimensat(AT_FDCWD, binary_.c_str(), times, 0), 0);
  }

  struct stat Stat() const {
    struct stat st {};
    EXPECT_EQ(stat(binary_.c_str(), &st), 0);
    return st;
  }

  const std::string binary_ = scratch_.Path("listed_test");
  const std::string listings_ = scratch_.Path("listings");
};

const Statuses_ kBothPassed = {{"Listed.First", "PASSED"}, {"Listed.Second", "PASSED"}};

TEST_F(KnownListTest, AnUnchangedBinaryIsNotListedAgain) {
  Outcome outcome = Run();
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_THAT(outcome.out, testing::HasSubstr("on 2 exec pawns"));
  EXPECT_EQ(Listings(), 2) << "each pawn lists on a first run";
  for (int run = 2; run <= 3; ++run) {
    outcome = Run();
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_EQ(Listings(), 2) << "run " << run << " listed";
    EXPECT_EQ(LastStatuses(), kBothPassed);
  }
}

TEST_F(KnownListTest, ATouchedBinaryIsListedAgain) {
  EXPECT_EQ(Run().exit_code, 0);
  ASSERT_EQ(Listings(), 2);
  SetTimes({0, UTIME_OMIT}, {1'000'000'000, 0});
  EXPECT_EQ(Run().exit_code, 0);
  EXPECT_EQ(Listings(), 4);
  EXPECT_EQ(LastStatuses(), kBothPassed);
  EXPECT_EQ(Run().exit_code, 0);
  EXPECT_EQ(Listings(), 4) << "the touched binary's list is remembered in turn";
}

TEST_F(KnownListTest, ABinaryReplacedWithItsTimesKeptIsListedUnderItsOwnNames) {
  EXPECT_EQ(Run().exit_code, 0);
  ASSERT_EQ(Listings(), 2);
  // cp --preserve=timestamps of another build over it: same path and
  // inode, same times.
  const struct stat before = Stat();
  Use("listed_other");
  SetTimes(before.st_atim, before.st_mtim);
  const struct stat after = Stat();
  ASSERT_EQ(after.st_ino, before.st_ino);
  ASSERT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  ASSERT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);

  const Outcome outcome = Run();
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_EQ(Listings(), 4);
  EXPECT_EQ(LastStatuses(), (Statuses_{{"Listed.First", "PASSED"},
                                       {"Listed.Renamed", "FAILED"},
                                       {"Listed.Added", "PASSED"}}));
  Db db(scratch_.db());
  EXPECT_THAT(db.Value("SELECT f.message FROM failures f JOIN executions e ON "
                       "e.id = f.execution_id JOIN tests t ON t.id = e.test_id "
                       "WHERE t.name = 'Listed.Renamed'"),
              testing::HasSubstr("the other binary's test"));
}

TEST_F(KnownListTest, OtherArgumentsAreListedAgain) {
  EXPECT_EQ(Run().exit_code, 0);
  ASSERT_EQ(Listings(), 2);
  EXPECT_EQ(Run({"--", "--custom=1"}).exit_code, 0);
  EXPECT_EQ(Listings(), 4) << "a main() may register tests by its arguments";
  EXPECT_EQ(Run({"--", "--custom=1"}).exit_code, 0);
  EXPECT_EQ(Listings(), 4);
  EXPECT_EQ(LastStatuses(), kBothPassed);
}

TEST_F(KnownListTest, EachTargetRemembersItsOwnList) {
  const std::vector<std::string> targets = {"--target", "one:X=1", "--target", "two:X=2"};
  Outcome outcome = Run(targets);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  const int first = Listings();
  EXPECT_GE(first, 2) << "each target's pawns list";
  outcome = Run(targets);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_EQ(Listings(), first);
  EXPECT_EQ(LastStatuses().size(), 4u);
  EXPECT_EQ(Run({"--target", "one:X=other", "--target", "two:X=2"}).exit_code, 0);
  EXPECT_GT(Listings(), first) << "a target's variables changed";
}

TEST_F(KnownListTest, ResidentRunsBetweenExecRunsKeepTheExecListing) {
  // As bench/run_bench.sh runs one store: resident, exec, resident, exec.
  Use("listed_resident");
  EXPECT_EQ(Run({"--pawn", "resident"}).exit_code, 0);
  EXPECT_EQ(Listings(), 0) << "a resident pawn lists in its own process";
  EXPECT_EQ(Run({"--pawn", "exec"}).exit_code, 0);
  EXPECT_EQ(Listings(), 2);
  for (int run = 0; run < 2; ++run) {
    EXPECT_EQ(Run({"--pawn", "resident"}).exit_code, 0);
    const Outcome outcome = Run({"--pawn", "exec"});
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, testing::HasSubstr("exec pawns"));
    EXPECT_EQ(Listings(), 2);
    EXPECT_EQ(LastStatuses(), kBothPassed);
  }
}

TEST_F(KnownListTest, ABinaryWithoutABuildIdIsRememberedByASampleOfItsBytes) {
  Use("listed_no_build_id");
  EXPECT_EQ(Run().exit_code, 0);
  ASSERT_EQ(Listings(), 2);
  EXPECT_EQ(Run().exit_code, 0);
  EXPECT_EQ(Listings(), 2);
  EXPECT_EQ(LastStatuses(), kBothPassed);
}

}  // namespace
}  // namespace redqueen::e2e
