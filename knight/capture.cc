#include "knight/capture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace redqueen::knight {
namespace {

std::string ReadAt(int fd, uint64_t offset, size_t size) {
  std::string data(size, '\0');
  size_t got = 0;
  while (got < size) {
    const ssize_t n =
        pread(fd, data.data() + got, size - got, static_cast<off_t>(offset + got));
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

}  // namespace

std::string ReadCapture(const std::string& path, uint64_t begin, uint64_t end,
                        size_t cap) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  fstat(fd, &st);
  const auto size = static_cast<uint64_t>(st.st_size);
  end = std::min(end, size);
  begin = std::min(begin, end);
  const uint64_t length = end - begin;
  std::string text;
  if (length <= cap) {
    text = ReadAt(fd, begin, length);
  } else {
    const size_t half = cap / 2;
    const uint64_t cut = length - 2 * half;
    text = ReadAt(fd, begin, half);
    text += "\n[... redqueen cut " + std::to_string(cut) + " bytes of output here ...]\n";
    text += ReadAt(fd, end - half, half);
  }
  close(fd);
  return text;
}

}  // namespace redqueen::knight
