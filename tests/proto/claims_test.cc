// The claims word of the scoreboard: a test of a batch is started by the
// pawn or taken back by the Rook, never both.
#include <gtest/gtest.h>

#include "proto/scoreboard.h"

namespace redqueen::proto {
namespace {

TEST(ClaimsTest, APawnClaimsItsTestsOneByOneUpToTheBatch) {
  Scoreboard board;
  OfferBatch(board, 7, 3);
  EXPECT_EQ(ClaimTests(board, 7, 1), 1u);
  EXPECT_EQ(ClaimTests(board, 7, 1), 1u);
  EXPECT_EQ(ClaimTests(board, 7, 5), 1u) << "only what is left";
  EXPECT_EQ(ClaimTests(board, 7, 1), 0u);
}

TEST(ClaimsTest, TheRookTakesBackWhatThePawnHasNotStarted) {
  Scoreboard board;
  OfferBatch(board, 7, 10);
  ASSERT_EQ(ClaimTests(board, 7, 1), 1u);
  ASSERT_EQ(ClaimTests(board, 7, 1), 1u);
  EXPECT_EQ(TakeBackUnstarted(board, 7), 2) << "it keeps the two it started";
  EXPECT_EQ(ClaimTests(board, 7, 1), 0u) << "the rest is the Rook's";
  EXPECT_EQ(TakeBackUnstarted(board, 7), 2) << "asking again takes nothing more";
}

TEST(ClaimsTest, APawnThatHasNotBegunKeepsItsBatch) {
  Scoreboard board;
  OfferBatch(board, 3, 4);
  EXPECT_EQ(TakeBackUnstarted(board, 3), 4);
  EXPECT_EQ(ClaimTests(board, 3, 4), 4u);
}

TEST(ClaimsTest, AWordForAnotherBatchLimitsNothingAndGivesNothingBack) {
  Scoreboard board;
  OfferBatch(board, 3, 4);
  EXPECT_EQ(ClaimTests(board, 4, 9), 9u) << "a pawn of a Rook that offered no batch";
  EXPECT_EQ(TakeBackUnstarted(board, 5), -1);
  Scoreboard fresh;
  EXPECT_EQ(TakeBackUnstarted(fresh, 1), -1) << "no batch offered at all";
}

TEST(ClaimsTest, ABatchTooLargeForTheWordIsRunWhole) {
  Scoreboard board;
  OfferBatch(board, 3, BatchClaims::kMaxTests + 1);
  EXPECT_EQ(ClaimTests(board, 3, 5), 5u);
  EXPECT_EQ(TakeBackUnstarted(board, 3), -1);
}

TEST(ClaimsTest, TheWordPacksAndUnpacks) {
  const BatchClaims claims{0xBEEF, 123456, BatchClaims::kMaxTests};
  const BatchClaims back = BatchClaims::Unpack(claims.Pack());
  EXPECT_EQ(back.batch, claims.batch);
  EXPECT_EQ(back.started, claims.started);
  EXPECT_EQ(back.limit, claims.limit);
}

}  // namespace
}  // namespace redqueen::proto
