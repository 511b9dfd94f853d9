#include "pawn/attach.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cstdlib>

#include "proto/children.h"
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

/// Moves `fd` to the highest free descriptors, where a test's own files,
/// which take the lowest free numbers, never land.
int MoveAside(int fd) {
  rlimit limit{};
  int floor = 10;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur > 64 &&
      limit.rlim_cur != RLIM_INFINITY) {
    // Not past 4096: a table as large as a container's limit (2^20) would
    // cost every fork (death tests) a copy of it.
    floor = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 4096)) - 8;
  }
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, floor);
  if (moved < 0) moved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  if (moved < 0) {
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
  }
  close(fd);
  return moved;
}

}  // namespace

bool StartedByRook() { return std::getenv(proto::kEnvPawnFds) != nullptr; }

Attachment AttachToRook() {
  Attachment attachment;
  attachment.scoreboard = MapScoreboard(&attachment.region);
  if (const char* token = std::getenv(proto::kEnvChannelToken)) {
    attachment.token = static_cast<uint32_t>(std::strtoul(token, nullptr, 10));
  }
  unsetenv(proto::kEnvPawnFds);
  unsetenv(proto::kEnvScoreboard);
  unsetenv(proto::kEnvChannelToken);
  attachment.command_fd = MoveAside(proto::kCommandFd);
  attachment.event_fd = MoveAside(proto::kEventFd);
  return attachment;
}

}  // namespace redqueen::pawn
