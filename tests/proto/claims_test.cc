// The claims word of the scoreboard: a test of a batch is started by the
// pawn or taken back by the Rook, never both.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

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

TEST(ClaimsTest, EveryCommandNumberCanBeClaimed) {
  // Numbers whose low 16 bits are 0 once named "no batch" and lost stealing.
  for (uint64_t command :
       {uint64_t{65535}, uint64_t{65536}, uint64_t{131071}, uint64_t{1} << 32}) {
    SCOPED_TRACE(command);
    Scoreboard board;
    OfferBatch(board, command, 4);
    ASSERT_EQ(ClaimTests(board, command, 1), 1u);
    EXPECT_EQ(TakeBackUnstarted(board, command), 1);
    EXPECT_EQ(ClaimTests(board, command, 1), 0u);
  }
}

TEST(ClaimsTest, APawnAndTheRookRacingShareNoTest) {
  // The pawn claims one test at a time while the Rook takes the rest back:
  // every test is either started or taken back, never both nor neither.
  constexpr uint32_t kTests = 100'000;
  for (int trial = 0; trial < 20; ++trial) {
    Scoreboard board;
    OfferBatch(board, 9, kTests);
    std::atomic<bool> go{false};
    std::atomic<uint32_t> claimed{0};
    std::thread pawn([&] {
      while (!go.load()) {
      }
      while (ClaimTests(board, 9, 1) == 1) ++claimed;
    });
    go = true;
    int64_t kept = -1;
    // Not begun: it keeps all; ask until it has begun.
    while ((kept = TakeBackUnstarted(board, 9)) == static_cast<int64_t>(kTests) &&
           claimed == 0) {
    }
    pawn.join();
    EXPECT_EQ(static_cast<int64_t>(claimed.load()), kept) << "trial " << trial;
  }
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
