// The entry point of a resident pawn.
//
// Link redqueen::gtest_main instead of GTest::gtest_main, or call
// redqueen::pawn_main(argc, argv) from your own main(). Run by hand, the binary
// behaves exactly like a gtest binary; started by redqueen, it serves the tests
// the Rook hands it, in this one process.
#pragma once

namespace redqueen {

/// Returns the exit code for main(): RUN_ALL_TESTS()'s when run by hand.
int pawn_main(int argc, char** argv);

}  // namespace redqueen
