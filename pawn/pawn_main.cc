#include "pawn/pawn_main.h"

#include <gtest/gtest.h>

#include <cstring>

#include "pawn/attach.h"
#include "pawn/marker.h"
#include "pawn/resident_pawn.h"

namespace redqueen {
namespace {

bool IsDeathTestChild(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strstr(argv[i], "gtest_internal_run_death_test")) return true;
  }
  return false;
}

}  // namespace

int pawn_main(int argc, char** argv) {
  (void)LinkPawnMarker();
  // A threadsafe death test re-executes this binary with the same environment:
  // that child must behave as plain gtest, not as a second pawn.
  if (!pawn::StartedByRook() || IsDeathTestChild(argc, argv)) {
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
  }
  pawn::Attachment attachment = pawn::AttachToRook();
  testing::InitGoogleTest(&argc, argv);
  pawn::Channel channel(attachment.command_fd, attachment.event_fd, attachment.token);
  pawn::ResidentPawn pawn(&channel, attachment.scoreboard);
  return pawn.Serve();
}

}  // namespace redqueen
