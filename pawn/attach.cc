#include "pawn/attach.h"

#include <fcntl.h>

#include <boost/interprocess/shared_memory_object.hpp>
#include <cstdlib>

#include "proto/messages.h"

namespace redqueen::pawn {
namespace {

namespace bip = boost::interprocess;

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

bool StartedByRook() { return std::getenv(proto::kEnvPawnFds) != nullptr; }

Attachment AttachToRook() {
  Attachment attachment;
  attachment.scoreboard = MapScoreboard(&attachment.region);
  unsetenv(proto::kEnvPawnFds);
  unsetenv(proto::kEnvScoreboard);
  fcntl(proto::kCommandFd, F_SETFD, FD_CLOEXEC);
  fcntl(proto::kEventFd, F_SETFD, FD_CLOEXEC);
  return attachment;
}

}  // namespace redqueen::pawn
