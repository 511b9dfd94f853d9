#include "proto/binary_identity.h"

#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "proto/known_list.h"
#include "test_dir.h"

namespace redqueen::proto {
namespace {

namespace fs = std::filesystem;

/// An ELF file of this machine's class, `size` bytes long, with a GNU
/// build-id note of `build_id` (none when empty) and `fill` in its rest.
std::string Elf(size_t size, const std::string& build_id, char fill = 'x') {
  std::string bytes(size, fill);
  ElfW(Ehdr) header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_type = ET_EXEC;
  header.e_phoff = sizeof header;
  header.e_phentsize = sizeof(ElfW(Phdr));
  header.e_phnum = build_id.empty() ? 0 : 1;
  std::memcpy(bytes.data(), &header, sizeof header);
  if (build_id.empty()) return bytes;
  ElfW(Nhdr) note{};
  note.n_namesz = 4;
  note.n_descsz = static_cast<uint32_t>(build_id.size());
  note.n_type = NT_GNU_BUILD_ID;
  std::string notes(reinterpret_cast<const char*>(&note), sizeof note);
  notes.append("GNU", 4);
  notes += build_id;
  ElfW(Phdr) segment{};
  segment.p_type = PT_NOTE;
  segment.p_offset = sizeof header + sizeof segment;
  segment.p_filesz = notes.size();
  segment.p_align = 4;
  std::memcpy(bytes.data() + sizeof header, &segment, sizeof segment);
  std::memcpy(bytes.data() + segment.p_offset, notes.data(), notes.size());
  return bytes;
}

class BinaryIdentityTest : public testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  /// Writes `bytes` into the file at `path` (in place, as cp does over an
  /// existing file: same inode).
  static void Overwrite(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }

  /// Sets the modification time of `path` to `mtime_ns`.
  static void SetModified(const std::string& path, int64_t mtime_ns) {
    const timespec times[2] = {{0, UTIME_OMIT},
                               {static_cast<time_t>(mtime_ns / 1'000'000'000),
                                static_cast<long>(mtime_ns % 1'000'000'000)}};
    ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }

  /// The identity of `path` once `bytes` are written over it with its
  /// modification time kept as `before` has it (cp --preserve=timestamps).
  static std::optional<BinaryIdentity> Replaced(const std::string& path,
                                                const std::string& bytes,
                                                const BinaryIdentity& before) {
    Overwrite(path, bytes);
    SetModified(path, before.mtime_ns);
    return IdentifyBinary(path);
  }

  testing_support::TestDir dir_{"binary_identity_test"};
};

TEST_F(BinaryIdentityTest, TheSameFileIsTheSame) {
  const std::string path = Path("bin");
  Overwrite(path, Elf(8192, "\x01\x23\x45\x67\x89\xab\xcd\xef"));
  const auto first = IdentifyBinary(path);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->content, "build-id:0123456789abcdef");
  EXPECT_EQ(first->size, 8192u);
  EXPECT_EQ(IdentifyBinary(path), first);
}

TEST_F(BinaryIdentityTest, ATouchedFileIsAnother) {
  const std::string path = Path("bin");
  Overwrite(path, Elf(8192, "abcd"));
  const auto before = IdentifyBinary(path);
  ASSERT_TRUE(before);
  SetModified(path, before->mtime_ns + 1);
  const auto after = IdentifyBinary(path);
  ASSERT_TRUE(after);
  EXPECT_NE(after, before);
  EXPECT_EQ(after->content, before->content);
}

TEST_F(BinaryIdentityTest, AnotherBinaryCopiedOverWithItsTimesKeptIsAnother) {
  // Same size, same inode, same modification time: only the bytes differ.
  const std::string path = Path("bin");
  Overwrite(path, Elf(8192, "first build"));
  const auto before = IdentifyBinary(path);
  ASSERT_TRUE(before);
  const auto after = Replaced(path, Elf(8192, "other build"), *before);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->inode, before->inode);
  EXPECT_EQ(after->mtime_ns, before->mtime_ns);
  EXPECT_EQ(after->size, before->size);
  EXPECT_NE(after, before);
}

TEST_F(BinaryIdentityTest, RealBinariesCopiedOverWithPreservedTimestampsDiffer) {
  // cp --preserve=timestamps of one real program over another's copy.
  const std::string path = Path("bin");
  fs::copy_file("/proc/self/exe", path);
  const auto before = IdentifyBinary(path);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->content.rfind("build-id:", 0), 0u)
      << "Debian's toolchain writes a build-id; the cheap check relies on it";
  fs::copy_file("/bin/true", path, fs::copy_options::overwrite_existing);
  SetModified(path, before->mtime_ns);
  const auto after = IdentifyBinary(path);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->mtime_ns, before->mtime_ns);
  EXPECT_NE(after->content, before->content);
  EXPECT_NE(after, before);
}

TEST_F(BinaryIdentityTest, ABinaryWithoutABuildIdIsKnownByASampleOfItsBytes) {
  const std::string path = Path("bin");
  const std::string bytes = Elf(1 << 20, "");
  Overwrite(path, bytes);
  const auto before = IdentifyBinary(path);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->content.rfind("sampled:", 0), 0u) << before->content;
  EXPECT_EQ(IdentifyBinary(path), before);
  // A byte changed near the start, in the middle (a sampled page) and near
  // the end, each with the times kept.
  for (const size_t at :
       {size_t{1000}, size_t{(1 << 20) / 2 + 10}, size_t{(1 << 20) - 10}}) {
    std::string changed = bytes;
    changed[at] = 'y';
    const auto after = Replaced(path, changed, *before);
    ASSERT_TRUE(after);
    EXPECT_NE(after->content, before->content) << "byte " << at;
  }
  EXPECT_EQ(Replaced(path, bytes, *before), before);
}

TEST_F(BinaryIdentityTest, ASmallFileWithoutABuildIdIsSampledWhole) {
  const std::string path = Path("bin");
  Overwrite(path, Elf(100, ""));
  const auto before = IdentifyBinary(path);
  ASSERT_TRUE(before);
  EXPECT_NE(Replaced(path, Elf(100, "", 'z'), *before), before);
}

TEST_F(BinaryIdentityTest, WhatIsNoElfFileHasNoIdentity) {
  std::ofstream(Path("script")) << "#!/bin/sh\nexec ./real_test \"$@\"\n";
  EXPECT_FALSE(IdentifyBinary(Path("script")));
  EXPECT_FALSE(IdentifyBinary(Path("missing")));
  EXPECT_FALSE(IdentifyBinary(dir_.path().string()));
  std::ofstream(Path("short")) << "\x7f"
                                  "EL";
  EXPECT_FALSE(IdentifyBinary(Path("short")));
}

TEST_F(BinaryIdentityTest, ADamagedNoteFallsBackToTheSample) {
  std::string bytes = Elf(8192, "abcd");
  // The note's description claims more bytes than its segment holds.
  const uint32_t huge = 1u << 30;
  std::memcpy(bytes.data() + sizeof(ElfW(Ehdr)) + sizeof(ElfW(Phdr)) + 4, &huge,
              sizeof huge);
  Overwrite(Path("bin"), bytes);
  const auto identity = IdentifyBinary(Path("bin"));
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->content.rfind("sampled:", 0), 0u) << identity->content;
}

KnownList AKnownList() {
  KnownList known;
  known.binary = "/build/tests/foo_test";
  known.args = {"--custom=1", "", "two words"};
  known.identity = {1, 2, 3, 4, "build-id:abcd"};
  known.list.tests = {{"A.a", "a.cc", 1, "", ""}, {"A/B.c/0", "b.cc", 2, "int", "1"}};
  return known;
}

TEST_F(BinaryIdentityTest, AKnownListRoundTrips) {
  const KnownList known = AKnownList();
  ASSERT_TRUE(WriteKnownList(Path("list"), known));
  EXPECT_FALSE(fs::exists(Path("list.partial")));
  EXPECT_EQ(ReadKnownList(Path("list")), known);
}

TEST_F(BinaryIdentityTest, AMissingDamagedOrForeignKnownListIsNone) {
  EXPECT_FALSE(ReadKnownList(Path("missing")));
  EXPECT_FALSE(WriteKnownList(Path("no/such/folder/list"), AKnownList()));
  ASSERT_TRUE(WriteKnownList(Path("list"), AKnownList()));
  std::ifstream in(Path("list"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (size_t size = 0; size < bytes.size(); ++size) {
    Overwrite(Path("cut"), bytes.substr(0, size));
    EXPECT_FALSE(ReadKnownList(Path("cut"))) << "cut at " << size;
  }
  Overwrite(Path("longer"), bytes + "x");
  EXPECT_FALSE(ReadKnownList(Path("longer")));
  std::string other = bytes;
  other[0] ^= 1;
  Overwrite(Path("other"), other);
  EXPECT_FALSE(ReadKnownList(Path("other")));
  std::string huge = bytes;
  huge.replace(4, 8, std::string(8, '\xff'));  // the binary's length
  Overwrite(Path("huge"), huge);
  EXPECT_FALSE(ReadKnownList(Path("huge")));
}

}  // namespace
}  // namespace redqueen::proto
