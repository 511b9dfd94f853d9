#include "knight/limits.h"

#include <sys/resource.h>

namespace redqueen::knight {
namespace {

/// Descriptors redqueen holds besides its pawns' (stdio, the store and its
/// journal, the event loop, reports, a capture file being read).
constexpr rlim_t kOwnFiles = 32;
/// Each pawn's two channel ends, and, while it is being spawned, the child's
/// ends, its capture file, /dev/null and Boost.Process's own pipe.
constexpr rlim_t kFilesPerPawn = 2;
constexpr rlim_t kFilesPerSpawn = 6;

}  // namespace

bool FitsLimits(int jobs, bool exec, std::string* error) {
  const auto pawns = static_cast<rlim_t>(jobs);
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    const rlim_t needed = kOwnFiles + pawns * kFilesPerPawn + kFilesPerSpawn;
    if (needed > files.rlim_cur) {
      *error = "-j " + std::to_string(jobs) + " needs about " + std::to_string(needed) +
               " open files, but this process may open " +
               std::to_string(files.rlim_cur) +
               " (ulimit -n): lower -j or raise the limit";
      return false;
    }
  }
  rlimit processes{};
  if (getrlimit(RLIMIT_NPROC, &processes) == 0 && processes.rlim_cur != RLIM_INFINITY) {
    // An exec pawn runs a child of its own; the count is per user, so this
    // is the least that must fit.
    const rlim_t needed = pawns * (exec ? 2 : 1) + 1;
    if (needed > processes.rlim_cur) {
      *error = "-j " + std::to_string(jobs) + " needs at least " +
               std::to_string(needed) + " processes, but this user may run " +
               std::to_string(processes.rlim_cur) +
               " (ulimit -u): lower -j or raise the limit";
      return false;
    }
  }
  return true;
}

}  // namespace redqueen::knight
