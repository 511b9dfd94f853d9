// A test binary with its own main(), serving as a pawn through pawn_main.
#include <gtest/gtest.h>

#include "pawn/pawn_main.h"

TEST(OwnMain, Works) { EXPECT_TRUE(true); }

int main(int argc, char** argv) { return redqueen::pawn_main(argc, argv); }
