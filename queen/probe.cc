#include "queen/probe.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "pawn/marker.h"

namespace redqueen::queen {
namespace {

// glibc's memmem: several times faster than std::search with a
// Boyer-Moore-Horspool searcher on these needles, and the probe of every
// binary comes before any pawn starts.
bool Contains(std::string_view haystack, const std::string& needle) {
  return memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) !=
         nullptr;
}

struct Section {
  std::string_view name;
  Elf64_Shdr header;
  std::string_view contents;  ///< Empty for sections with no bytes in the file.
};

/// The sections of an ELF64 file; empty when it is not one.
std::vector<Section> Sections(std::string_view file) {
  std::vector<Section> sections;
  if (file.size() < sizeof(Elf64_Ehdr) ||
      std::memcmp(file.data(), ELFMAG, SELFMAG) != 0 || file[EI_CLASS] != ELFCLASS64) {
    return sections;
  }
  Elf64_Ehdr header;
  std::memcpy(&header, file.data(), sizeof header);
  if (header.e_shentsize != sizeof(Elf64_Shdr) ||
      header.e_shoff + uint64_t{header.e_shnum} * sizeof(Elf64_Shdr) > file.size()) {
    return sections;
  }
  auto within = [&file](const Elf64_Shdr& s) {
    return s.sh_type != SHT_NOBITS && s.sh_offset <= file.size() &&
           s.sh_size <= file.size() - s.sh_offset;
  };
  for (unsigned i = 0; i < header.e_shnum; ++i) {
    Section section;
    std::memcpy(&section.header, file.data() + header.e_shoff + i * sizeof(Elf64_Shdr),
                sizeof section.header);
    if (within(section.header)) {
      section.contents = file.substr(section.header.sh_offset, section.header.sh_size);
    }
    sections.push_back(section);
  }
  // Names last: they live in one of the sections.
  if (header.e_shstrndx < sections.size()) {
    const std::string_view names = sections[header.e_shstrndx].contents;
    for (Section& section : sections) {
      if (section.header.sh_name < names.size()) {
        const std::string_view rest = names.substr(section.header.sh_name);
        section.name = rest.substr(0, rest.find('\0'));
      }
    }
  }
  return sections;
}

/// The parts of an ELF64 file a string constant or an imported symbol's name
/// can live in: allocated, non-executable sections with contents (.rodata,
/// .data) and the dynamic string table. Test binaries are mostly code and
/// debug info, so this reads a small fraction of the file; the unwind
/// tables, as large as .rodata in a small binary, hold no strings.
std::vector<std::string_view> DataSections(const std::vector<Section>& sections) {
  std::vector<std::string_view> data;
  for (const Section& section : sections) {
    if (section.name.starts_with(".eh_frame") || section.name == ".gcc_except_table") {
      continue;
    }
    const Elf64_Shdr& h = section.header;
    if ((h.sh_type == SHT_PROGBITS || h.sh_type == SHT_STRTAB) &&
        (h.sh_flags & SHF_ALLOC) && !(h.sh_flags & SHF_EXECINSTR)) {
      data.push_back(section.contents);
    }
  }
  return data;
}

/// Which of `needles` occur in `places`.
std::vector<bool> Find(const std::vector<std::string_view>& places,
                       const std::vector<std::string>& needles) {
  std::vector<bool> found(needles.size(), false);
  for (size_t i = 0; i < needles.size(); ++i) {
    for (std::string_view place : places) {
      if (place.size() >= needles[i].size() && Contains(place, needles[i])) {
        found[i] = true;
        break;
      }
    }
  }
  return found;
}

/// What the executable is, from its bytes: a pawn has the marker in a
/// section of its own; a plain gtest binary has gtest's flags among its
/// constants (its help text), or imports symbols of namespace testing when
/// it links libgtest.so. (A pawn linked before the marker had its section
/// speaks an older protocol: it runs as plain gtest.)
BinaryKind KindOf(std::string_view file) {
  const std::vector<Section> sections = Sections(file);
  for (const Section& section : sections) {
    if (section.name == kPawnMarkerSection &&
        Find({section.contents}, {PawnMarker()})[0]) {
      return BinaryKind::kResidentPawn;
    }
  }
  std::vector<std::string_view> places = DataSections(sections);
  // Not ELF64: the whole file.
  if (sections.empty()) places.push_back(file);
  const std::vector<bool> found =
      Find(places, {"--gtest_list_tests", "_ZN7testing8internal"});
  return found[0] || found[1] ? BinaryKind::kPlainGtest : BinaryKind::kUnusable;
}

}  // namespace

BinaryKind ProbeBinary(const std::string& path, std::string* error) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    *error = "test binary '" + path + "' " +
             (errno == ENOENT
                  ? std::string("does not exist (build it first, or check the path)")
                  : std::string("cannot be read: ") + std::strerror(errno));
    return BinaryKind::kUnusable;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "test binary '" + path + "' is not a regular file";
    return BinaryKind::kUnusable;
  }
  if (access(path.c_str(), X_OK) != 0) {
    *error = "test binary '" + path +
             "' is not executable (chmod +x, or pass the built binary)";
    return BinaryKind::kUnusable;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot read test binary '" + path + "': " + std::strerror(errno);
    return BinaryKind::kUnusable;
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* data =
      size == 0 ? MAP_FAILED : mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  BinaryKind kind = BinaryKind::kUnusable;
  if (data != MAP_FAILED) {
    kind = KindOf(std::string_view(static_cast<const char*>(data), size));
    munmap(data, size);
  }
  if (kind != BinaryKind::kUnusable) return kind;
  *error = "'" + path +
           "' is not a GoogleTest binary (it has none of gtest's flags); pass a test "
           "binary built with GoogleTest";
  return BinaryKind::kUnusable;
}

}  // namespace redqueen::queen
