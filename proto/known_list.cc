#include "proto/known_list.h"

#include <cereal/archives/binary.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "proto/frame.h"

namespace redqueen::proto {
namespace {

/// "RQL1" little-endian, then a cereal binary archive of the KnownList.
/// Another layout gets another magic: a pawn of another redqueen then
/// lists.
constexpr uint32_t kKnownListMagic = 0x314c5152;

}  // namespace

bool WriteKnownList(const std::string& path, const KnownList& known) {
  const std::string partial = path + ".partial";
  try {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out.write(reinterpret_cast<const char*>(&kKnownListMagic), sizeof kKnownListMagic);
    {
      // Throws when the stream fails (a full disk).
      cereal::BinaryOutputArchive archive(out);
      archive(known);
    }
    out.close();
    if (!out) throw std::runtime_error("cannot write " + partial);
  } catch (const std::exception&) {
    std::remove(partial.c_str());
    return false;
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    return false;
  }
  return true;
}

std::optional<KnownList> ReadKnownList(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : -1;
  // No longer than a frame, as the list the pawn would otherwise send.
  if (size < static_cast<std::streamoff>(sizeof kKnownListMagic) ||
      size > static_cast<std::streamoff>(sizeof kKnownListMagic + kMaxFrameLength)) {
    return std::nullopt;
  }
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  uint32_t magic = 0;
  if (!in.read(bytes.data(), size)) return std::nullopt;
  std::memcpy(&magic, bytes.data(), sizeof magic);
  if (magic != kKnownListMagic) return std::nullopt;
  std::istringstream stream(std::move(bytes));
  stream.seekg(sizeof magic);
  try {
    KnownList known;
    cereal::BinaryInputArchive archive(stream);
    archive(known);
    if (stream.peek() != std::char_traits<char>::eof()) return std::nullopt;
    return known;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace redqueen::proto
