// Bytes on a channel, read by the Rook (pawn messages) and by a pawn (Rook
// messages). Whatever arrives, in whatever pieces, FrameReader must decode
// the same messages and end the same way; every message it decodes holds
// only values the protocol knows, and encodes to a frame that decodes to it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/frame.h"
#include "tests/fuzz/require.h"

namespace redqueen::proto {
namespace {

using fuzz::Require;

template <class Message>
struct Reading {
  std::vector<Message> messages;
  FrameReader::Status end = FrameReader::Status::kNeedMore;
  std::string error;
  size_t buffered = 0;
};

/// Reads `bytes` in pieces of 1 to 64 bytes drawn from `seed`, or all at
/// once when `seed` is 0; stops at the first error, as a Knight does.
template <class Message>
Reading<Message> Read(std::string_view bytes, uint64_t seed) {
  FrameReader reader;
  Reading<Message> reading;
  for (size_t at = 0; at < bytes.size();) {
    size_t piece = bytes.size() - at;
    if (seed != 0) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      piece = std::min<size_t>(piece, 1 + (seed >> 58));
    }
    reader.Append(bytes.data() + at, piece);
    at += piece;
    Message message;
    while ((reading.end = reader.Next(&message, &reading.error)) ==
           FrameReader::Status::kMessage) {
      reading.messages.push_back(std::move(message));
    }
    if (reading.end == FrameReader::Status::kError) break;
  }
  reading.buffered = reader.buffered();
  return reading;
}

bool Known(const PawnMessage& message) {
  const auto* result = std::get_if<Result>(&message);
  return !result || StatusName(result->status) != "UNKNOWN";
}
bool Known(const RookMessage&) { return true; }

template <class Message>
void Check(std::string_view bytes, uint64_t seed) {
  const Reading<Message> whole = Read<Message>(bytes, 0);
  const Reading<Message> pieces = Read<Message>(bytes, seed | 1);
  Require(whole.messages == pieces.messages, "pieces decode to the same messages");
  Require(whole.end == pieces.end && whole.error == pieces.error,
          "pieces end the same way");
  Require(whole.end == FrameReader::Status::kError || whole.buffered == pieces.buffered,
          "pieces leave the same bytes buffered");
  for (const Message& message : whole.messages) {
    Require(Known(message), "a decoded message holds only known values");
    std::string frame;
    EncodeFrame(message, &frame);
    const Reading<Message> again = Read<Message>(frame, 0);
    Require(again.end == FrameReader::Status::kNeedMore && again.buffered == 0 &&
                again.messages.size() == 1 && again.messages[0] == message,
            "a decoded message encodes to a frame that decodes to it");
  }
}

}  // namespace
}  // namespace redqueen::proto

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The pieces' sizes follow from the input, so that a finding replays.
  uint64_t seed = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) seed = (seed ^ c) * 0x100000001b3ull;
  redqueen::proto::Check<redqueen::proto::PawnMessage>(bytes, seed);
  redqueen::proto::Check<redqueen::proto::RookMessage>(bytes, seed);
  return 0;
}
