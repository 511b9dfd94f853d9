#include "pawn/pawn_main.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "pawn/marker.h"
#include "pawn/resident_pawn.h"

namespace redqueen {
namespace {

namespace bip = boost::interprocess;

bool IsDeathTestChild(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strstr(argv[i], "gtest_internal_run_death_test")) return true;
  }
  return false;
}

/// Maps the Rook's scoreboard; null when none was offered or it is gone.
proto::Scoreboard* MapScoreboard(std::unique_ptr<bip::mapped_region>* region) {
  const char* name = std::getenv(proto::kEnvScoreboard);
  if (!name || !*name) return nullptr;
  try {
    bip::shared_memory_object shm(bip::open_only, name, bip::read_write);
    *region = std::make_unique<bip::mapped_region>(shm, bip::read_write);
    if ((*region)->get_size() < sizeof(proto::Scoreboard)) return nullptr;
    return static_cast<proto::Scoreboard*>((*region)->get_address());
  } catch (const bip::interprocess_exception&) {
    return nullptr;
  }
}

}  // namespace

int pawn_main(int argc, char** argv) {
  (void)LinkPawnMarker();
  const char* fds = std::getenv(proto::kEnvPawnFds);
  // A threadsafe death test re-executes this binary with the same environment:
  // that child must behave as plain gtest, not as a second pawn.
  if (!fds || IsDeathTestChild(argc, argv)) {
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
  }
  // Processes the tests start must not take themselves for pawns, nor hold
  // the channel open after this pawn is gone.
  unsetenv(proto::kEnvPawnFds);
  fcntl(proto::kCommandFd, F_SETFD, FD_CLOEXEC);
  fcntl(proto::kEventFd, F_SETFD, FD_CLOEXEC);

  testing::InitGoogleTest(&argc, argv);
  std::unique_ptr<bip::mapped_region> region;
  proto::Scoreboard* scoreboard = MapScoreboard(&region);
  pawn::Channel channel(proto::kCommandFd, proto::kEventFd);
  pawn::ResidentPawn pawn(&channel, scoreboard);
  return pawn.Serve();
}

}  // namespace redqueen
