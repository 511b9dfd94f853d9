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

/// The parts of an ELF64 file a string constant or an imported symbol's name
/// can live in: allocated, non-executable sections with contents (.rodata,
/// .data) and the dynamic string table. Test binaries are mostly code and
/// debug info, so this reads a small fraction of the file. Empty when the file
/// is not ELF64: then the whole file is searched.
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
    const bool data = section.sh_type == SHT_PROGBITS || section.sh_type == SHT_STRTAB;
    if (!data || !(section.sh_flags & SHF_ALLOC) || (section.sh_flags & SHF_EXECINSTR) ||
        section.sh_offset > file.size() ||
        section.sh_size > file.size() - section.sh_offset) {
      continue;
    }
    sections.push_back(file.substr(section.sh_offset, section.sh_size));
  }
  return sections;
}

/// Which of `needles` occur in the file's data (see DataSections).
std::vector<bool> FileContains(int fd, size_t size, const std::vector<std::string>& needles) {
  std::vector<bool> found(needles.size(), false);
  void* data = size == 0 ? MAP_FAILED : mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return found;
  const std::string_view file(static_cast<const char*>(data), size);
  std::vector<std::string_view> sections = DataSections(file);
  if (sections.empty()) sections.push_back(file);
  for (size_t i = 0; i < needles.size(); ++i) {
    for (std::string_view section : sections) {
      if (section.size() >= needles[i].size() && Contains(section, needles[i])) {
        found[i] = true;
        break;
      }
    }
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
  // gtest's help text names its flags; a binary linking libgtest.so imports
  // symbols of namespace testing instead.
  const std::vector<bool> found = FileContains(
      fd, static_cast<size_t>(st.st_size),
      {PawnMarker(), "--gtest_list_tests", "_ZN7testing8internal"});
  close(fd);
  if (found[0]) return BinaryKind::kResidentPawn;
  if (found[1] || found[2]) return BinaryKind::kPlainGtest;
  *error = "'" + path +
           "' is not a GoogleTest binary (it has none of gtest's flags); pass a test "
           "binary built with GoogleTest";
  return BinaryKind::kUnusable;
}

}  // namespace redqueen::queen
