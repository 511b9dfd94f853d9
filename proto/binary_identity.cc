// A binary's identity: stat(2), and the build-id its linker wrote or, for a
// binary without one, a hash of a sample of its bytes.
//
// Why the build-id: GNU ld, gold and lld compute it from the whole output
// (Debian's GCC passes --build-id to every link), so two links that differ
// in any byte differ in it, and it sits in a PT_NOTE segment near the start
// of the file: reading the ELF header, the program headers and the notes
// costs three reads of a few hundred bytes, whatever the binary's size. It
// does not see changes made after the link (strip, objcopy, patchelf keep
// it); those change the modification time unless it is kept on purpose, and
// hardly ever the registered tests.
//
// Without a build-id (-Wl,--build-id=none, a toolchain that writes none):
// the first and last 64 KiB (the ELF and program headers, dynamic symbols;
// the symbol table's end and the section headers) and 16 pages spread
// between, at most 192 KiB read from what is usually the page cache. A
// different binary of the same size that differs only in bytes not sampled
// passes for the same; with a build-id none does.
#include "proto/binary_identity.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

namespace redqueen::proto {
namespace {

constexpr size_t kEdgeBytes = 64 << 10;
constexpr size_t kSamplePages = 16;
constexpr size_t kPageBytes = 4 << 10;
/// More than any linker writes; a damaged header cannot make us read more.
constexpr size_t kMaxProgramHeaders = 256;
constexpr size_t kMaxNoteBytes = 64 << 10;

class File {
 public:
  explicit File(const std::string& path)
      : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  int fd() const { return fd_; }

  /// Exactly `size` bytes at `offset`, or false.
  bool ReadAt(uint64_t offset, void* out, size_t size) const {
    auto* to = static_cast<char*>(out);
    while (size > 0) {
      const ssize_t got = pread(fd_, to, size, static_cast<off_t>(offset));
      if (got <= 0) return false;
      to += got;
      offset += static_cast<uint64_t>(got);
      size -= static_cast<size_t>(got);
    }
    return true;
  }

 private:
  int fd_;
};

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 15]);
  }
  return hex;
}

size_t Padded(size_t size, size_t align) { return (size + align - 1) / align * align; }

/// The GNU build-id among the notes in `notes`; empty when none.
std::string BuildIdIn(std::string_view notes, size_t align) {
  while (notes.size() >= sizeof(ElfW(Nhdr))) {
    ElfW(Nhdr) note;
    std::memcpy(&note, notes.data(), sizeof note);
    const size_t name_at = sizeof note;
    const size_t desc_at = name_at + Padded(note.n_namesz, align);
    const size_t end = desc_at + Padded(note.n_descsz, align);
    if (note.n_namesz > notes.size() || note.n_descsz > notes.size() ||
        desc_at + note.n_descsz > notes.size()) {
      return {};
    }
    if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
        std::memcmp(notes.data() + name_at, "GNU", 4) == 0 && note.n_descsz > 0) {
      return Hex(reinterpret_cast<const unsigned char*>(notes.data() + desc_at),
                 note.n_descsz);
    }
    if (end >= notes.size()) return {};
    notes.remove_prefix(end);
  }
  return {};
}

/// The build-id of an ELF file of this machine's class and byte order;
/// empty when it has none (or is of another class: it gets sampled).
std::string BuildId(const File& file, const unsigned char* ident, uint64_t file_size) {
  ElfW(Ehdr) header;
  if (ident[EI_CLASS] != (sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32) ||
      ident[EI_DATA] != ELFDATA2LSB || !file.ReadAt(0, &header, sizeof header) ||
      header.e_phentsize != sizeof(ElfW(Phdr)) || header.e_phnum == 0 ||
      header.e_phnum > kMaxProgramHeaders) {
    return {};
  }
  std::vector<ElfW(Phdr)> segments(header.e_phnum);
  if (!file.ReadAt(header.e_phoff, segments.data(), segments.size() * sizeof segments[0]))
    return {};
  for (const ElfW(Phdr) & segment : segments) {
    if (segment.p_type != PT_NOTE || segment.p_filesz > kMaxNoteBytes ||
        segment.p_offset > file_size || segment.p_filesz > file_size - segment.p_offset) {
      continue;
    }
    std::string notes(segment.p_filesz, '\0');
    if (!file.ReadAt(segment.p_offset, notes.data(), notes.size())) return {};
    std::string id = BuildIdIn(notes, segment.p_align == 8 ? 8 : 4);
    if (!id.empty()) return id;
  }
  return {};
}

/// The hash of the sampled bytes (see the top of this file); empty when
/// they cannot be read.
std::string Sampled(const File& file, uint64_t size) {
  std::string bytes;
  auto take = [&](uint64_t offset, uint64_t length) {
    const size_t at = bytes.size();
    bytes.resize(at + length);
    return file.ReadAt(offset, bytes.data() + at, length);
  };
  const uint64_t edge = std::min<uint64_t>(size, kEdgeBytes);
  if (!take(0, edge)) return {};
  if (size > 2 * kEdgeBytes) {
    const uint64_t middle = size - 2 * kEdgeBytes;
    for (size_t i = 0; i < kSamplePages; ++i) {
      const uint64_t offset = kEdgeBytes + middle * i / kSamplePages;
      if (!take(offset, std::min<uint64_t>(kPageBytes, size - kEdgeBytes - offset)))
        return {};
    }
  }
  if (size > kEdgeBytes) {
    const uint64_t tail = std::min<uint64_t>(size - kEdgeBytes, kEdgeBytes);
    if (!take(size - tail, tail)) return {};
  }
  // std::hash of a string is libstdc++'s 64-bit murmur hash; were another
  // build to hash otherwise, its binaries would only be listed once more.
  const uint64_t hash = std::hash<std::string>{}(bytes);
  unsigned char raw[sizeof hash];
  std::memcpy(raw, &hash, sizeof hash);
  return Hex(raw, sizeof raw);
}

}  // namespace

std::optional<BinaryIdentity> IdentifyBinary(const std::string& path) {
  const File file(path);
  struct stat st;
  if (file.fd() < 0 || fstat(file.fd(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return std::nullopt;
  }
  unsigned char ident[EI_NIDENT];
  if (!file.ReadAt(0, ident, sizeof ident) || std::memcmp(ident, ELFMAG, SELFMAG) != 0) {
    return std::nullopt;
  }
  BinaryIdentity identity;
  identity.device = st.st_dev;
  identity.inode = st.st_ino;
  identity.size = static_cast<uint64_t>(st.st_size);
  identity.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (std::string id = BuildId(file, ident, identity.size); !id.empty()) {
    identity.content = "build-id:" + id;
  } else if (std::string hash = Sampled(file, identity.size); !hash.empty()) {
    identity.content = "sampled:" + hash;
  } else {
    return std::nullopt;
  }
  return identity;
}

}  // namespace redqueen::proto
