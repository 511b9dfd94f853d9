#include "queen/probe.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

#include "pawn/marker.h"

namespace redqueen::queen {
namespace {

bool Contains(std::string_view haystack, const std::string& needle) {
  return std::search(haystack.begin(), haystack.end(),
                     std::boyer_moore_horspool_searcher(needle.begin(), needle.end())) !=
         haystack.end();
}

/// The parts of an ELF64 file a string constant can live in: allocated,
/// non-executable sections with contents (.rodata, .data). Test binaries are
/// mostly code and debug info, so this reads a small fraction of the file.
/// Empty when the file is not ELF64: then the whole file is searched.
std::vector<std::string_view> DataSections(std::string_view file) {
  std::vector<std::string_view> sections;
  if (file.size() < sizeof(Elf64_Ehdr) || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0 ||
      file[EI_CLASS] != ELFCLASS64) {
    return sections;
  }
  Elf64_Ehdr header;
  std::memcpy(&header, file.data(), sizeof header);
  if (header.e_shentsize != sizeof(Elf64_Shdr) ||
      header.e_shoff + uint64_t{header.e_shnum} * sizeof(Elf64_Shdr) > file.size()) {
    return sections;
  }
  for (unsigned i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section;
    std::memcpy(&section, file.data() + header.e_shoff + i * sizeof(Elf64_Shdr),
                sizeof section);
    if (section.sh_type != SHT_PROGBITS || !(section.sh_flags & SHF_ALLOC) ||
        (section.sh_flags & SHF_EXECINSTR) || section.sh_offset > file.size() ||
        section.sh_size > file.size() - section.sh_offset) {
      continue;
    }
    sections.push_back(file.substr(section.sh_offset, section.sh_size));
  }
  return sections;
}

bool FileContains(int fd, size_t size, const std::string& needle) {
  if (size < needle.size()) return false;
  void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return false;
  const std::string_view file(static_cast<const char*>(data), size);
  const std::vector<std::string_view> sections = DataSections(file);
  bool found = false;
  if (sections.empty()) {
    found = Contains(file, needle);
  } else {
    for (std::string_view section : sections) found = found || Contains(section, needle);
  }
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
