#include "pawn/marker.h"

#include <gtest/gtest.h>

namespace redqueen {
namespace {

// The Queen searches executables for PawnMarker(); the pawn library embeds
// LinkPawnMarker(). They must be the same bytes.
TEST(MarkerTest, SearchedMarkerIsTheLinkedOne) {
  EXPECT_EQ(PawnMarker(), std::string(LinkPawnMarker()));
}

}  // namespace
}  // namespace redqueen
