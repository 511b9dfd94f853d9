#include "pawn/batch_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace redqueen::pawn {
namespace {

/// "Big.T0" ... : `count` tests of one suite.
void AddSuite(const std::string& suite, int count, std::vector<std::string>* names) {
  for (int i = 0; i < count; ++i) names->push_back(suite + ".T" + std::to_string(i));
}

std::vector<std::string> Patterns(const std::string& filter) {
  std::vector<std::string> patterns;
  std::stringstream in(filter);
  for (std::string pattern; std::getline(in, pattern, ':');) patterns.push_back(pattern);
  return patterns;
}

/// gtest's reading of a filter of names and "Suite.*" globs.
bool Selects(const std::vector<std::string>& patterns, const std::string& name) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    if (p.size() >= 2 && p.compare(p.size() - 2, 2, ".*") == 0) {
      return name.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0;
    }
    return p == name;
  });
}

/// The filter selects exactly the batch among `names`.
void ExpectExactly(const std::vector<std::string>& names,
                   const std::vector<uint32_t>& batch, const std::string& filter) {
  const std::vector<std::string> patterns = Patterns(filter);
  for (uint32_t i = 0; i < names.size(); ++i) {
    const bool wanted = std::find(batch.begin(), batch.end(), i) != batch.end();
    EXPECT_EQ(Selects(patterns, names[i]), wanted) << names[i] << " in " << filter;
  }
}

TEST(CompactBatchFilterTest, AWholeSuiteIsOneGlob) {
  std::vector<std::string> names;
  AddSuite("Big", 10, &names);
  AddSuite("Other", 10, &names);
  std::vector<uint32_t> batch;
  for (uint32_t i = 0; i < 12; ++i) batch.push_back(i);
  bool widened = false;
  const std::string filter =
      CompactBatchFilter(names, CountSuites(names), batch, &widened);
  EXPECT_EQ(filter, "Big.*:Other.T0:Other.T1");
  EXPECT_FALSE(widened);
  ExpectExactly(names, batch, filter);
}

TEST(CompactBatchFilterTest, ASuiteWithATestLeftOutIsByName) {
  // A disabled test the run did not choose is listed, and "Big.*" would run
  // it: the suite is not whole.
  std::vector<std::string> names;
  AddSuite("Big", 9, &names);
  names.push_back("Big.DISABLED_Slow");
  std::vector<uint32_t> batch;
  for (uint32_t i = 0; i < 9; ++i) batch.push_back(i);
  bool widened = false;
  const std::string filter =
      CompactBatchFilter(names, CountSuites(names), batch, &widened);
  EXPECT_EQ(Patterns(filter).size(), 9u);
  ExpectExactly(names, batch, filter);
}

TEST(CompactBatchFilterTest, ASmallSuiteIsByName) {
  std::vector<std::string> names;
  AddSuite("Small", static_cast<int>(kMinTestsPerGlob) - 1, &names);
  std::vector<uint32_t> batch;
  for (uint32_t i = 0; i < names.size(); ++i) batch.push_back(i);
  bool widened = false;
  const std::string filter =
      CompactBatchFilter(names, CountSuites(names), batch, &widened);
  EXPECT_EQ(Patterns(filter).size(), names.size());
  ExpectExactly(names, batch, filter);
}

TEST(CompactBatchFilterTest, APrefixOfAnotherSuiteStaysApart) {
  // "Big.*" must not take "BigMore.T0", nor "Big" a name without a suite.
  std::vector<std::string> names;
  AddSuite("Big", 8, &names);
  AddSuite("BigMore", 8, &names);
  names.push_back("Big");
  std::vector<uint32_t> batch;
  for (uint32_t i = 0; i < 8; ++i) batch.push_back(i);
  batch.push_back(9);
  batch.push_back(16);
  bool widened = false;
  const std::string filter =
      CompactBatchFilter(names, CountSuites(names), batch, &widened);
  EXPECT_EQ(filter, "Big.*:BigMore.T1:Big");
  ExpectExactly(names, batch, filter);
}

TEST(CompactBatchFilterTest, ASuiteMadeWholeOutOfOrderIsOneGlobWhereItFirstComes) {
  std::vector<std::string> names;
  AddSuite("A", 8, &names);
  AddSuite("B", 2, &names);
  const std::vector<uint32_t> batch = {8, 7, 6, 5, 4, 3, 2, 1, 0, 9};
  bool widened = false;
  const std::string filter =
      CompactBatchFilter(names, CountSuites(names), batch, &widened);
  EXPECT_EQ(filter, "B.T0:A.*:B.T1");
  ExpectExactly(names, batch, filter);
}

TEST(CompactBatchFilterTest, FilterSyntaxInANameWidensAsBatchFilterDoes) {
  std::vector<std::string> names = {"Odd.a:b", "Odd.c"};
  bool widened = false;
  EXPECT_EQ(CompactBatchFilter(names, CountSuites(names), {0}, &widened), "Odd.a?b");
  EXPECT_TRUE(widened);
}

}  // namespace
}  // namespace redqueen::pawn
