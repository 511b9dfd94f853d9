#include "rook/list_agreement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rook_fixture.h"

namespace redqueen::rook {
namespace {

using Hello = ListAgreement::HelloVerdict;
using List = ListAgreement::ListVerdict;
using testing::HasSubstr;

TEST(ListAgreementTest, TheFirstPawnIsAskedForItsListAndTheOthersAgreeByHash) {
  const auto tests = MakeTests(5);
  ListAgreement list;
  EXPECT_EQ(list.OnHello(2, HelloFor(tests)), Hello::kSendList);
  EXPECT_EQ(list.reference_slot(), 2);
  EXPECT_FALSE(list.listed());
  EXPECT_EQ(list.OnHello(0, HelloFor(tests)), Hello::kAgrees);
  EXPECT_EQ(list.OnList(2, tests), List::kListed);
  EXPECT_TRUE(list.listed());
  EXPECT_EQ(list.tests().size(), 5u);
  EXPECT_EQ(list.list_hash(), proto::ListHash(tests));
  EXPECT_FALSE(list.Disagreement());
}

TEST(ListAgreementTest, AnotherProtocolIsRefusedBeforeItBecomesTheReference) {
  const auto tests = MakeTests(3);
  ListAgreement list;
  proto::Hello old = HelloFor(tests);
  old.protocol_version = proto::kProtocolVersion + 1;
  EXPECT_EQ(list.OnHello(0, old), Hello::kWrongProtocol);
  EXPECT_FALSE(list.reference_slot());
  EXPECT_THAT(ListAgreement::ProtocolError(old),
              HasSubstr("speaks protocol " + std::to_string(old.protocol_version)));
}

TEST(ListAgreementTest, TheRememberedListNeedsNoPawnToSendIt) {
  const auto tests = MakeTests(4);
  ListAgreement list;
  Past past;
  past.tests = tests;
  past.list_hash = proto::ListHash(tests);
  past.history.resize(tests.size());
  list.SetPast(past);
  EXPECT_EQ(list.OnHello(0, HelloFor(tests)), Hello::kKnown);
  EXPECT_TRUE(list.listed());
  EXPECT_EQ(list.history().size(), 4u);
}

TEST(ListAgreementTest, ARememberedListOfAnotherHashIsAskedFor) {
  const auto tests = MakeTests(4);
  ListAgreement list;
  Past past;
  past.tests = MakeTests(4, "Old.t");
  past.list_hash = proto::ListHash(past.tests);
  list.SetPast(past);
  EXPECT_EQ(list.OnHello(0, HelloFor(tests)), Hello::kSendList);
  EXPECT_EQ(list.OnList(0, tests), List::kListed);
}

TEST(ListAgreementTest, AReferenceListThatDoesNotMatchItsHelloIsBroken) {
  const auto tests = MakeTests(4);
  ListAgreement list;
  list.OnHello(0, HelloFor(tests));
  EXPECT_EQ(list.OnList(0, MakeTests(4, "Other.t")), List::kBroken);
  EXPECT_FALSE(list.listed());
}

TEST(ListAgreementTest, ADifferingListNamesThePawnAndTheFirstDifferingTest) {
  const auto tests = MakeTests(5);
  auto other = tests;
  other[3].name = "T.changed";
  ListAgreement list;
  list.OnHello(0, HelloFor(tests));
  EXPECT_EQ(list.OnHello(1, HelloFor(other)), Hello::kSendList);
  EXPECT_EQ(list.OnList(1, other), List::kDisagrees);
  EXPECT_FALSE(list.Disagreement()) << "not before the reference list is known";
  list.OnList(0, tests);
  const auto difference = list.Disagreement();
  ASSERT_TRUE(difference);
  EXPECT_EQ(difference->slot, 1);
  EXPECT_THAT(difference->words,
              HasSubstr("disagrees with pawn 0 on the test list: it has 'T.changed' as "
                        "test #3 where pawn 0 has 'T.t3'"));
}

TEST(FirstDifferenceTest, NamesAnExtraOrAMissingTestAtTheEnd) {
  const auto tests = MakeTests(3);
  auto longer = tests;
  longer.push_back({"T.extra", "t.cc", 9, "", ""});
  EXPECT_EQ(FirstDifference(tests, longer, "pawn 0"),
            "it has an extra test 'T.extra' (#3)");
  EXPECT_EQ(FirstDifference(longer, tests, "pawn 0"),
            "it lacks 'T.extra' (#3) that pawn 0 has");
  EXPECT_EQ(FirstDifference(tests, tests, "pawn 0"),
            "same names, different hash (a pawn built from other sources?)");
}

}  // namespace
}  // namespace redqueen::rook
