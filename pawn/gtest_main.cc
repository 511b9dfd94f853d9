// main() for test binaries: a drop-in replacement for GTest::gtest_main.
#include <cstdio>

#include "pawn/pawn_main.h"

int main(int argc, char** argv) {
  std::printf("Running main() from %s\n", __FILE__);
  return redqueen::pawn_main(argc, argv);
}
