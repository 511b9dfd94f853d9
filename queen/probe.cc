#include "queen/probe.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string_view>

#include "pawn/marker.h"

namespace redqueen::queen {
namespace {

bool FileContains(int fd, size_t size, const std::string& needle) {
  if (size < needle.size()) return false;
  void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return false;
  const std::string_view haystack(static_cast<const char*>(data), size);
  const bool found =
      std::search(haystack.begin(), haystack.end(),
                  std::boyer_moore_horspool_searcher(needle.begin(), needle.end())) !=
      haystack.end();
  munmap(data, size);
  return found;
}

}  // namespace

BinaryKind ProbeBinary(const std::string& path, std::string* error) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    *error = "test binary '" + path + "' " +
             (errno == ENOENT ? std::string("does not exist (build it first, or check the path)")
                              : std::string("cannot be read: ") + std::strerror(errno));
    return BinaryKind::kUnusable;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "test binary '" + path + "' is not a regular file";
    return BinaryKind::kUnusable;
  }
  if (access(path.c_str(), X_OK) != 0) {
    *error = "test binary '" + path + "' is not executable (chmod +x, or pass the built binary)";
    return BinaryKind::kUnusable;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot read test binary '" + path + "': " + std::strerror(errno);
    return BinaryKind::kUnusable;
  }
  const bool pawn = FileContains(fd, static_cast<size_t>(st.st_size), PawnMarker());
  close(fd);
  return pawn ? BinaryKind::kResidentPawn : BinaryKind::kPlainGtest;
}

}  // namespace redqueen::queen
