#include "proto/frame.h"

#include <algorithm>
#include <bit>
#include <cereal/archives/binary.hpp>
#include <cstring>
#include <istream>
#include <ostream>
#include <streambuf>
#include <type_traits>
#include <utility>
#include <variant>

#include "proto/direct_payload.h"

namespace redqueen::proto {
namespace {

// Each message's type on the wire. A message added to PawnMessage or
// RookMessage without one here does not compile (TypeOf, DecodeAny).
constexpr MessageType WireType(const Hello*) { return MessageType::kHello; }
constexpr MessageType WireType(const TestList*) { return MessageType::kTestList; }
constexpr MessageType WireType(const Result*) { return MessageType::kResult; }
constexpr MessageType WireType(const Bye*) { return MessageType::kBye; }
constexpr MessageType WireType(const Requeue*) { return MessageType::kRequeue; }
constexpr MessageType WireType(const Started*) { return MessageType::kStarted; }
constexpr MessageType WireType(const ListTests*) { return MessageType::kListTests; }
constexpr MessageType WireType(const Run*) { return MessageType::kRun; }
constexpr MessageType WireType(const Shutdown*) { return MessageType::kShutdown; }
constexpr MessageType WireType(const Serve*) { return MessageType::kServe; }

template <class Message>
constexpr MessageType kWireType = WireType(static_cast<const Message*>(nullptr));

template <class Variant>
MessageType TypeOf(const Variant& message) {
  return std::visit([](const auto& m) { return kWireType<std::decay_t<decltype(m)>>; },
                    message);
}

template <class T>
void PutLittle(T value, std::string* out) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // x86_64 and aarch64: little-endian.
  out->append(bytes, sizeof(T));
}

template <class T>
T GetLittle(const char* data) {
  T value;
  std::memcpy(&value, data, sizeof(T));
  return value;
}

/// A stream buffer that appends to a string: cereal writes the payload
/// straight after the frame header, with no stream of its own to copy from.
class AppendToString : public std::streambuf {
 public:
  void Target(std::string* out) { out_ = out; }

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) out_->push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    out_->append(data, static_cast<size_t>(size));
    return size;
  }

 private:
  std::string* out_ = nullptr;
};

/// A stream buffer over bytes held elsewhere: payloads are decoded where
/// they lie in the reader's buffer.
class ReadFromBytes : public std::streambuf {
 public:
  void Source(const char* data, size_t size) {
    char* begin = const_cast<char*>(data);  // Only ever read.
    setg(begin, begin, begin + size);
  }

 protected:
  // cereal reads each field through sgetn: the base class's xsgetn copies
  // a byte range through a loop of its own, about half of decoding a result.
  std::streamsize xsgetn(char* out, std::streamsize size) override {
    const std::streamsize n = std::min<std::streamsize>(size, egptr() - gptr());
    if (n <= 0) return 0;
    std::memcpy(out, gptr(), static_cast<size_t>(n));
    setg(eback(), gptr() + n, egptr());
    return n;
  }
};

/// One encoder and decoder per thread, reused: making a stream per message
/// (a locale each) cost more than a trivial test.
struct Streams {
  AppendToString sink;
  std::ostream out{&sink};
  ReadFromBytes source;
  std::istream in{&source};
};

Streams& ThreadStreams() {
  thread_local Streams streams;
  return streams;
}

/// Writes the payloads direct_payload.h has a writer for; false for others.
bool PutDirectly(const PawnMessage& message, std::string* out) {
  if (const Result* result = std::get_if<Result>(&message); result && IsPlain(*result)) {
    PutPlainResult(*result, out);
    return true;
  }
  if (const TestList* list = std::get_if<TestList>(&message)) {
    PutTestList(*list, out);
    return true;
  }
  return false;
}
bool PutDirectly(const RookMessage&, std::string*) { return false; }

/// Reads what direct_payload.h has a reader for; false for the rest, and for
/// what it refuses.
template <class T>
bool GetDirectly(const char* payload, size_t size, T* message) {
  if constexpr (std::is_same_v<T, Result>) return GetPlainResult(payload, size, message);
  if constexpr (std::is_same_v<T, TestList>) return GetTestList(payload, size, message);
  return false;
}

template <class Variant>
void Encode(const Variant& message, std::string* out, uint32_t token) {
  PutLittle<uint32_t>(kFrameMagic ^ token, out);
  PutLittle<uint16_t>(kProtocolVersion, out);
  PutLittle<uint16_t>(static_cast<uint16_t>(TypeOf(message)), out);
  const size_t length_at = out->size();
  PutLittle<uint32_t>(0, out);
  if (!PutDirectly(message, out)) {
    Streams& streams = ThreadStreams();
    streams.sink.Target(out);
    streams.out.clear();
    cereal::BinaryOutputArchive archive(streams.out);
    std::visit([&](const auto& m) { archive(m); }, message);
  }
  const auto length = static_cast<uint32_t>(out->size() - length_at - sizeof(uint32_t));
  std::memcpy(out->data() + length_at, &length, sizeof length);
}

template <class T, class Variant>
bool DecodeAs(const char* payload, size_t size, Variant* out, std::string* error) {
  if (T direct; GetDirectly(payload, size, &direct)) {
    *out = std::move(direct);
    return true;
  }
  Streams& streams = ThreadStreams();
  streams.source.Source(payload, size);
  streams.in.clear();
  try {
    cereal::BinaryInputArchive archive(streams.in);
    T message;
    archive(message);
    if (streams.in.peek() != std::char_traits<char>::eof()) {
      *error = "frame payload has trailing bytes";
      return false;
    }
    *out = std::move(message);
    return true;
  } catch (const std::exception& e) {
    *error = std::string("undecodable frame payload: ") + e.what();
    return false;
  }
}

/// Decodes the payload as the alternative of `Variant` whose wire type is
/// `type`; false with `*known` false when none has it.
template <class Variant, size_t... I>
bool DecodeAny(uint16_t type, const char* payload, size_t size, Variant* out,
               std::string* error, bool* known, std::index_sequence<I...>) {
  bool decoded = false;
  auto attempt = [&](auto* kind) {
    using Message = std::remove_pointer_t<decltype(kind)>;
    if (*known || static_cast<uint16_t>(kWireType<Message>) != type) return;
    *known = true;
    decoded = DecodeAs<Message>(payload, size, out, error);
  };
  (attempt(static_cast<std::variant_alternative_t<I, Variant>*>(nullptr)), ...);
  return decoded;
}

template <class Variant>
bool DecodeVariant(uint16_t type, const char* payload, size_t size, Variant* out,
                   std::string* error, const char* from) {
  bool known = false;
  const bool decoded =
      DecodeAny(type, payload, size, out, error, &known,
                std::make_index_sequence<std::variant_size_v<Variant>>{});
  if (!known) *error = "unknown message type " + std::to_string(type) + " from " + from;
  return decoded;
}

bool DecodePayload(uint16_t type, const char* payload, size_t size, PawnMessage* out,
                   std::string* error) {
  return DecodeVariant(type, payload, size, out, error, "a pawn");
}

bool DecodePayload(uint16_t type, const char* payload, size_t size, RookMessage* out,
                   std::string* error) {
  return DecodeVariant(type, payload, size, out, error, "the rook");
}

}  // namespace

void ListHasher::MixWord(uint64_t word) {
  hash_ = (std::rotl(hash_, 23) ^ word) * 0x9e3779b97f4a7c15ull;
}

void ListHasher::Mix(std::string_view field) {
  // The length first, so that fields cannot trade bytes; then eight bytes a
  // step: a pawn hashes every test's name and file before it says hello.
  MixWord(field.size());
  size_t at = 0;
  for (; at + sizeof(uint64_t) <= field.size(); at += sizeof(uint64_t)) {
    uint64_t word;
    std::memcpy(&word, field.data() + at, sizeof word);
    MixWord(word);
  }
  if (at < field.size()) {
    uint64_t word = 0;
    std::memcpy(&word, field.data() + at, field.size() - at);
    MixWord(word);
  }
}

void ListHasher::Add(std::string_view name, std::string_view file, int32_t line,
                     std::string_view type_param, std::string_view value_param) {
  Mix(name);
  Mix(file);
  MixWord(static_cast<uint32_t>(line));
  Mix(type_param);
  Mix(value_param);
}

uint64_t ListHash(const std::vector<TestInfo>& tests) {
  ListHasher hasher;
  for (const TestInfo& t : tests)
    hasher.Add(t.name, t.file, t.line, t.type_param, t.value_param);
  return hasher.hash();
}

Hello HelloFor(int32_t pid, const std::vector<TestInfo>& tests) {
  Hello hello;
  hello.pid = pid;
  hello.count = static_cast<uint32_t>(tests.size());
  hello.list_hash = ListHash(tests);
  return hello;
}

void EncodeFrame(const PawnMessage& message, std::string* out, uint32_t token) {
  Encode(message, out, token);
}

void EncodeFrame(const RookMessage& message, std::string* out, uint32_t token) {
  Encode(message, out, token);
}

void FrameReader::Append(const char* data, size_t size) {
  // Drop what was read, so that a stream that always ends mid-frame does not
  // grow the buffer for the whole run. Moving the partial frame is cheap.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(data, size);
}

FrameReader::Status FrameReader::NextFrame(uint16_t* type, const char** payload,
                                           size_t* size, std::string* error) {
  if (!error_.empty()) {
    *error = error_;
    return Status::kError;
  }
  if (buffered() < kFrameHeaderSize) return Status::kNeedMore;
  const char* header = buffer_.data() + consumed_;
  const auto magic = GetLittle<uint32_t>(header);
  const auto version = GetLittle<uint16_t>(header + 4);
  *type = GetLittle<uint16_t>(header + 6);
  const auto length = GetLittle<uint32_t>(header + 8);
  if (magic != (kFrameMagic ^ token_) &&
      !(magic == kFrameMagic && version != kProtocolVersion)) {
    error_ = magic == kFrameMagic
                 ? "a frame without this pawn's token (did a test write to redqueen's "
                   "channel?)"
                 : "bad frame magic (something other than redqueen wrote to the channel)";
  } else if (version != kProtocolVersion) {
    error_ = "protocol version " + std::to_string(version) + ", expected " +
             std::to_string(kProtocolVersion) +
             " (rebuild the test binary against this redqueen)";
  } else if (length > kMaxFrameLength) {
    error_ = "frame length " + std::to_string(length) + " exceeds the limit of " +
             std::to_string(kMaxFrameLength);
  }
  if (!error_.empty()) {
    *error = error_;
    return Status::kError;
  }
  if (buffered() < kFrameHeaderSize + length) return Status::kNeedMore;
  // Valid until the next Append, which is after the payload is decoded.
  *payload = header + kFrameHeaderSize;
  *size = length;
  consumed_ += kFrameHeaderSize + length;
  return Status::kMessage;
}

template <class Variant>
FrameReader::Status FrameReader::DecodeNext(Variant* out, std::string* error) {
  uint16_t type = 0;
  const char* payload = nullptr;
  size_t size = 0;
  const Status status = NextFrame(&type, &payload, &size, error);
  if (status != Status::kMessage) return status;
  if (DecodePayload(type, payload, size, out, error)) return Status::kMessage;
  error_ = *error;
  return Status::kError;
}

FrameReader::Status FrameReader::Next(PawnMessage* out, std::string* error) {
  return DecodeNext(out, error);
}

FrameReader::Status FrameReader::Next(RookMessage* out, std::string* error) {
  return DecodeNext(out, error);
}

}  // namespace redqueen::proto
