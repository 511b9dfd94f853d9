#include "pawn/test_list.h"

#include <gtest/gtest.h>

namespace redqueen::pawn {
namespace {

TEST(TestListTest, ParsesSuitesTestsAndParameters) {
  const std::string text =
      "Running main() from gtest_main.cc\n"
      "Plain.\n"
      "  One\n"
      "  DISABLED_Two\n"
      "Numbers/ParamTest.\n"
      "  IsSmall/0  # GetParam() = 0\n"
      "  IsSmall/1  # GetParam() = \"a  # b\"\n"
      "TypedTest/0.  # TypeParam = int\n"
      "  DefaultIsZero\n";
  std::vector<proto::TestInfo> tests;
  std::string error;
  ASSERT_TRUE(ParseTestList(text, &tests, &error)) << error;
  ASSERT_EQ(tests.size(), 5u);
  EXPECT_EQ(tests[0].name, "Plain.One");
  EXPECT_EQ(tests[1].name, "Plain.DISABLED_Two");
  EXPECT_EQ(tests[2].name, "Numbers/ParamTest.IsSmall/0");
  EXPECT_EQ(tests[2].value_param, "0");
  EXPECT_EQ(tests[3].value_param, "\"a  # b\"");
  EXPECT_EQ(tests[4].name, "TypedTest/0.DefaultIsZero");
  EXPECT_EQ(tests[4].type_param, "int");
  EXPECT_EQ(tests[4].value_param, "");
}

TEST(TestListTest, EmptyListingIsNoTests) {
  std::vector<proto::TestInfo> tests;
  std::string error;
  EXPECT_TRUE(ParseTestList("", &tests, &error));
  EXPECT_TRUE(tests.empty());
}

TEST(TestListTest, JunkAfterTheFirstSuiteIsAnError) {
  std::vector<proto::TestInfo> tests;
  std::string error;
  EXPECT_FALSE(ParseTestList("Suite.\n  Test\nnot a listing line\n", &tests, &error));
  EXPECT_NE(error.find("line 3"), std::string::npos) << error;
}

TEST(TestListTest, TestBeforeAnySuiteIsAnError) {
  std::vector<proto::TestInfo> tests;
  std::string error;
  EXPECT_FALSE(ParseTestList("  Orphan\n", &tests, &error));
  EXPECT_NE(error.find("before any suite"), std::string::npos) << error;
}

}  // namespace
}  // namespace redqueen::pawn
