#include "queen/known_listing.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "proto/known_list.h"
#include "test_dir.h"

namespace redqueen::queen {
namespace {

namespace fs = std::filesystem;

class KnownListingTest : public testing::Test {
 protected:
  void SetUp() override { fs::copy_file(REDQUEEN_GTEST_FIXTURE, binary_); }

  /// An exec pawn's spec, as SpecFor makes it.
  knight::PawnSpec Spec(std::vector<std::string> args = {}) const {
    knight::PawnSpec spec;
    spec.binary = "/proc/self/exe";
    spec.args = {"exec-pawn", binary_, "--"};
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    return spec;
  }

  KnownListing Prepare(knight::PawnSpec spec) const {
    return PrepareKnownListing(&spec, (dir_ / "known-list-0").string());
  }

  /// A suite of two tests as the store would hold it, listed by `by`.
  static bishop::SuiteRecord Suite(const std::optional<proto::ListingIdentity>& by) {
    bishop::SuiteRecord suite;
    suite.past.tests = {{"A.a", "a.cc", 1, "", ""}, {"A.b", "a.cc", 2, "", ""}};
    suite.listed_by = by;
    return suite;
  }

  /// A new modification time for the binary. Not UTIME_NOW: file times are
  /// coarser than nanoseconds, and the copy may be of the same tick.
  void Touch() const {
    const timespec times[2] = {{0, UTIME_OMIT}, {1'000'000'000, 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, binary_.c_str(), times, 0), 0);
  }

  testing_support::TestDir test_dir_{"known_listing_test"};
  const fs::path& dir_ = test_dir_.path();
  const std::string binary_ = test_dir_.Path("foo_test");
};

TEST_F(KnownListingTest, AnExecPawnIsToldWhereItsListIsAndWhatItRuns) {
  knight::PawnSpec spec = Spec({"--custom=1"});
  const KnownListing listing = PrepareKnownListing(&spec, (dir_ / "list").string());
  ASSERT_EQ(spec.env.size(), 1u);
  EXPECT_EQ(spec.env[0].first, proto::kEnvKnownList);
  EXPECT_EQ(spec.env[0].second, (dir_ / "list").string());
  EXPECT_EQ(listing.binary, binary_);
  EXPECT_EQ(listing.args, std::vector<std::string>{"--custom=1"});
  ASSERT_TRUE(listing.identity);
  EXPECT_EQ(listing.identity->binary, proto::IdentifyBinary(binary_));
  EXPECT_EQ(Prepare(Spec({"--custom=1"})).identity, listing.identity);
}

TEST_F(KnownListingTest, WhatChangesTheListingChangesTheIdentity) {
  const auto base = Prepare(Spec()).identity;
  ASSERT_TRUE(base);
  EXPECT_NE(Prepare(Spec({"--custom=1"})).identity, base) << "arguments";
  knight::PawnSpec target = Spec();
  target.env = {{"BROWSER", "chrome"}};
  EXPECT_NE(Prepare(target).identity, base) << "a --target's variables";

  ASSERT_EQ(setenv("GTEST_KNOWN_LISTING_TEST", "1", 1), 0);
  EXPECT_NE(Prepare(Spec()).identity, base) << "a GTEST_ variable the pawns get";
  knight::PawnSpec hidden = Spec();
  hidden.unset_env = {"GTEST_KNOWN_LISTING_TEST"};
  EXPECT_EQ(Prepare(hidden).identity, base) << "one they do not get";
  unsetenv("GTEST_KNOWN_LISTING_TEST");
  ASSERT_EQ(setenv("LD_KNOWN_LISTING_TEST", "1", 1), 0);
  EXPECT_NE(Prepare(Spec()).identity, base) << "the dynamic loader's";
  unsetenv("LD_KNOWN_LISTING_TEST");
  ASSERT_EQ(setenv("KNOWN_LISTING_TEST", "1", 1), 0);
  EXPECT_EQ(Prepare(Spec()).identity, base) << "any other variable";
  unsetenv("KNOWN_LISTING_TEST");
  EXPECT_EQ(Prepare(Spec()).identity, base);
}

TEST_F(KnownListingTest, TheListIsHandedOverOnlyWhenWhatListedItIsUnchanged) {
  const KnownListing listing = Prepare(Spec({"--custom=1"}));
  ASSERT_TRUE(listing.identity);
  EXPECT_FALSE(HandOverList(listing, Suite(std::nullopt)));
  proto::ListingIdentity other = *listing.identity;
  other.context ^= 1;
  EXPECT_FALSE(HandOverList(listing, Suite(other)));
  other = *listing.identity;
  other.binary.mtime_ns -= 1;
  EXPECT_FALSE(HandOverList(listing, Suite(other)));
  EXPECT_FALSE(HandOverList(listing, bishop::SuiteRecord{})) << "no tests";
  EXPECT_FALSE(fs::exists(listing.path));

  ASSERT_TRUE(HandOverList(listing, Suite(listing.identity)));
  const auto known = proto::ReadKnownList(listing.path);
  ASSERT_TRUE(known);
  EXPECT_EQ(known->binary, binary_);
  EXPECT_EQ(known->args, std::vector<std::string>{"--custom=1"});
  EXPECT_EQ(known->identity, listing.identity->binary);
  EXPECT_EQ(known->list.tests, Suite(std::nullopt).past.tests);
}

TEST_F(KnownListingTest, AScriptIsAlwaysListed) {
  fs::remove(binary_);
  std::ofstream(binary_) << "#!/bin/sh\nexec ./real_test \"$@\"\n";
  const KnownListing listing = Prepare(Spec());
  EXPECT_FALSE(listing.identity);
  EXPECT_FALSE(HandOverList(listing, Suite(listing.identity)));
}

TEST_F(KnownListingTest, ABinaryChangedDuringTheRunIsNotRemembered) {
  const KnownListing listing = Prepare(Spec());
  ASSERT_TRUE(listing.identity);
  EXPECT_EQ(ListedByAtEnd(listing, binary_, 1, 2, std::nullopt), listing.identity);
  Touch();
  EXPECT_FALSE(ListedByAtEnd(listing, binary_, 1, 2, std::nullopt));
  EXPECT_FALSE(ListedByAtEnd(KnownListing{}, binary_, 1, 2, std::nullopt));
}

TEST_F(KnownListingTest, ARunOfTheRememberedListKeepsWhatListedIt) {
  // A resident run (no listing of its own) of the list an exec run made.
  const auto exec = Prepare(Spec()).identity;
  ASSERT_TRUE(exec);
  EXPECT_EQ(ListedByAtEnd(KnownListing{}, binary_, 7, 7, exec), exec);
  EXPECT_FALSE(ListedByAtEnd(KnownListing{}, binary_, 8, 7, exec)) << "another list";
  Touch();
  EXPECT_FALSE(ListedByAtEnd(KnownListing{}, binary_, 7, 7, exec)) << "another file";
}

}  // namespace
}  // namespace redqueen::queen
