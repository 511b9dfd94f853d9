// Framing of messages on a byte stream:
//   magic (u32) | protocol version (u16) | type (u16) | length (u32) | payload
// A pawn's frames carry its channel token in the magic (kFrameMagic ^ token):
// a frame that test code writes on the channel, without the token, is told
// from the pawn's own.
// The payload is a cereal binary archive of one message. The length is bounded
// before anything is decoded, because cereal trusts its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "proto/messages.h"

namespace redqueen::proto {

inline constexpr uint32_t kFrameMagic = 0x314e5152;  // "RQN1" little-endian.
inline constexpr size_t kFrameHeaderSize = 12;
inline constexpr uint32_t kMaxFrameLength = 64u << 20;

/// Appends the frame of `message` to `out`, marked with `token`.
void EncodeFrame(const PawnMessage& message, std::string* out, uint32_t token = 0);
void EncodeFrame(const RookMessage& message, std::string* out, uint32_t token = 0);

/// Splits a byte stream into frames. Feed it bytes as they arrive; take
/// messages out until it says it needs more. After an error it stays failed.
class FrameReader {
 public:
  enum class Status { kMessage, kNeedMore, kError };

  /// Takes only frames marked with `token`.
  explicit FrameReader(uint32_t token = 0) : token_(token) {}

  void Append(const char* data, size_t size);

  /// Decodes the next complete frame into `*out`. On kError, `*error` says
  /// what was wrong (bad magic, oversized length, unknown type, bad payload).
  Status Next(PawnMessage* out, std::string* error);
  Status Next(RookMessage* out, std::string* error);

  /// Bytes received but not yet decoded (a truncated frame at EOF).
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  /// Finds the next frame's type and payload; kMessage when one is complete.
  Status NextFrame(uint16_t* type, const char** payload, size_t* size,
                   std::string* error);
  template <class Variant>
  Status DecodeNext(Variant* out, std::string* error);

  uint32_t token_;
  std::string buffer_;
  size_t consumed_ = 0;
  std::string error_;
};

}  // namespace redqueen::proto
