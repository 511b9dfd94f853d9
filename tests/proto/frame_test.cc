#include "proto/frame.h"

#include <gtest/gtest.h>

#include <cereal/archives/binary.hpp>
#include <cstring>
#include <sstream>

namespace redqueen::proto {
namespace {

template <class Message>
std::string Frame(const Message& message) {
  std::string bytes;
  EncodeFrame(message, &bytes);
  return bytes;
}

/// A frame of `message`'s type carrying `payload`, written by hand.
template <class Message>
std::string FrameWithPayload(const Message& message, const std::string& payload) {
  std::string bytes = Frame(message);
  bytes.resize(kFrameHeaderSize);
  bytes += payload;
  const auto length = static_cast<uint32_t>(payload.size());
  std::memcpy(bytes.data() + 8, &length, sizeof length);
  return bytes;
}

/// What a fresh reader makes of `bytes`.
template <class Variant>
FrameReader::Status Decode(const std::string& bytes, Variant* message,
                           std::string* error) {
  FrameReader reader;
  reader.Append(bytes.data(), bytes.size());
  return reader.Next(message, error);
}

TEST(FrameTest, ResultRoundTrips) {
  Result result;
  result.index = 42;
  result.status = TestStatus::kFailed;
  result.duration_us = 1234;
  result.failures.push_back({"a_test.cc", 17, "Expected equality"});
  result.skip_message = "why";
  result.output_begin = 10;
  result.output_end = 99;
  FrameReader reader;
  const std::string bytes = Frame(result);
  reader.Append(bytes.data(), bytes.size());
  PawnMessage message;
  std::string error;
  ASSERT_EQ(reader.Next(&message, &error), FrameReader::Status::kMessage) << error;
  const auto& decoded = std::get<Result>(message);
  EXPECT_EQ(decoded.index, 42u);
  EXPECT_EQ(decoded.status, TestStatus::kFailed);
  EXPECT_EQ(decoded.duration_us, 1234u);
  ASSERT_EQ(decoded.failures.size(), 1u);
  EXPECT_EQ(decoded.failures[0].file, "a_test.cc");
  EXPECT_EQ(decoded.failures[0].line, 17);
  EXPECT_EQ(decoded.failures[0].message, "Expected equality");
  EXPECT_EQ(decoded.skip_message, "why");
  EXPECT_EQ(decoded.output_end, 99u);
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kNeedMore);
}

TEST(FrameTest, TestListRoundTripsWithEachFileSentOnce) {
  TestList list;
  list.tests = {{"A.a", "a.cc", 1, "", ""},
                {"A.b", "a.cc", 2, "int", ""},
                {"B.a", "b.cc", 3, "", "(1, 2)"},
                {"A.c", "a.cc", 4, "", ""}};
  const std::string bytes = Frame(list);
  PawnMessage message;
  std::string error;
  ASSERT_EQ(Decode(bytes, &message, &error), FrameReader::Status::kMessage) << error;
  const auto& decoded = std::get<TestList>(message).tests;
  ASSERT_EQ(decoded.size(), 4u);
  for (size_t i = 0; i < decoded.size(); ++i) {
    EXPECT_EQ(decoded[i].name, list.tests[i].name);
    EXPECT_EQ(decoded[i].file, list.tests[i].file);
    EXPECT_EQ(decoded[i].line, list.tests[i].line);
    EXPECT_EQ(decoded[i].type_param, list.tests[i].type_param);
    EXPECT_EQ(decoded[i].value_param, list.tests[i].value_param);
  }
  // "a.cc" twice (the second after b.cc), "b.cc" once.
  size_t paths = 0;
  for (size_t at = bytes.find(".cc"); at != std::string::npos;
       at = bytes.find(".cc", at + 1)) {
    ++paths;
  }
  EXPECT_EQ(paths, 3u);
}

TEST(FrameTest, ATestListWhoseFirstTestClaimsThePreviousFileIsAnError) {
  // Count 1, name "A.a", then "same file as the previous test".
  std::string payload;
  const uint64_t count = 1, name_size = 3;
  payload.append(reinterpret_cast<const char*>(&count), sizeof count);
  payload.append(reinterpret_cast<const char*>(&name_size), sizeof name_size);
  payload += "A.a";
  payload += '\x01';
  PawnMessage message;
  std::string error;
  EXPECT_EQ(Decode(FrameWithPayload(TestList{}, payload), &message, &error),
            FrameReader::Status::kError);
}

/// A payload as cereal writes it, with no shortcut of direct_payload.h's.
template <class Message>
std::string CerealPayload(const Message& message) {
  std::ostringstream out;
  {
    cereal::BinaryOutputArchive archive(out);
    archive(message);
  }
  return out.str();
}

TEST(FrameTest, AListIsWrittenAsCerealWouldWriteItAndReadsBackWhole) {
  TestList list;
  list.tests = {{"A.a", "a_test.cc", 3, "", ""},
                {"A.b", "a_test.cc", 9, "", ""},
                {"B/C.d/0", "b_test.cc", 12, "int", "7"},
                {"E.f", "a_test.cc", -1, "", std::string("\0\xff", 2)}};
  for (const TestList& each : {list, TestList{}}) {
    const std::string bytes = Frame(each);
    EXPECT_EQ(bytes.substr(kFrameHeaderSize), CerealPayload(each));
    PawnMessage message;
    std::string error;
    ASSERT_EQ(Decode(bytes, &message, &error), FrameReader::Status::kMessage) << error;
    EXPECT_EQ(std::get<TestList>(message), each);
  }
  // Cut anywhere, it is an error, not a shorter list.
  const std::string payload = Frame(list).substr(kFrameHeaderSize);
  for (size_t cut = 0; cut < payload.size(); ++cut) {
    PawnMessage message;
    std::string error;
    EXPECT_EQ(Decode(FrameWithPayload(list, payload.substr(0, cut)), &message, &error),
              FrameReader::Status::kError)
        << cut;
  }
}

TEST(FrameTest, APlainResultIsWrittenAsCerealWouldWriteIt) {
  Result result;
  result.index = 70000;
  result.status = TestStatus::kFlaky;
  result.duration_us = 1ull << 40;
  result.output_begin = 5;
  result.output_end = 5;
  result.finished_us = -3;
  const std::string bytes = Frame(result);
  EXPECT_EQ(bytes.substr(kFrameHeaderSize), CerealPayload(result));
  PawnMessage message;
  std::string error;
  ASSERT_EQ(Decode(bytes, &message, &error), FrameReader::Status::kMessage) << error;
  EXPECT_EQ(std::get<Result>(message), result);
}

TEST(FrameTest, AResultWithAnyTextGoesThroughCereal) {
  // Each field that makes a result more than plain, alone: the payload is
  // cereal's, and it reads back whole.
  for (int field = 0; field < 3; ++field) {
    Result result;
    result.index = 3;
    result.status = TestStatus::kFailed;
    if (field == 0) result.failures.push_back({"a_test.cc", 9, "boom"});
    if (field == 1) result.skip_message = "later";
    if (field == 2) result.crash = "SIGSEGV";
    const std::string bytes = Frame(result);
    EXPECT_EQ(bytes.substr(kFrameHeaderSize), CerealPayload(result)) << field;
    PawnMessage message;
    std::string error;
    ASSERT_EQ(Decode(bytes, &message, &error), FrameReader::Status::kMessage) << error;
    EXPECT_EQ(std::get<Result>(message), result) << field;
  }
}

TEST(FrameTest, EveryStatusRoundTripsAndNoneBeyond) {
  for (int value = 0; value <= static_cast<int>(kLastStatus); ++value) {
    Result result;
    result.status = static_cast<TestStatus>(value);
    PawnMessage message;
    std::string error;
    ASSERT_EQ(Decode(Frame(result), &message, &error), FrameReader::Status::kMessage)
        << error;
    EXPECT_EQ(std::get<Result>(message), result);
  }
  // The status byte follows the index (a u32) in the payload.
  std::string bytes = Frame(Result{});
  bytes[kFrameHeaderSize + 4] = static_cast<char>(static_cast<int>(kLastStatus) + 1);
  PawnMessage message;
  std::string error;
  EXPECT_EQ(Decode(bytes, &message, &error), FrameReader::Status::kError);
  EXPECT_NE(error.find("enum value 6"), std::string::npos) << error;
  bytes[kFrameHeaderSize + 4] = '\xff';
  EXPECT_EQ(Decode(bytes, &message, &error), FrameReader::Status::kError);
}

TEST(FrameTest, ABoolByteOtherThanZeroOrOneIsAnError) {
  // TestList: count 2, "A.a" with its file, then "A.b" whose same-file byte is 2.
  auto string_field = [](const std::string& text) {
    const uint64_t size = text.size();
    return std::string(reinterpret_cast<const char*>(&size), sizeof size) + text;
  };
  const uint64_t count = 2;
  const int32_t line = 1;
  const std::string line_bytes(reinterpret_cast<const char*>(&line), sizeof line);
  const std::string test_rest = line_bytes + string_field("") + string_field("");
  const std::string list_payload =
      std::string(reinterpret_cast<const char*>(&count), sizeof count) +
      string_field("A.a") + '\x00' + string_field("a.cc") + test_rest +
      string_field("A.b") + '\x02' + test_rest;
  PawnMessage pawn_message;
  std::string error;
  EXPECT_EQ(Decode(FrameWithPayload(TestList{}, list_payload), &pawn_message, &error),
            FrameReader::Status::kError);
  EXPECT_NE(error.find("bool byte 2"), std::string::npos) << error;

  // Run: no indexes, attempt 1, then report_starts.
  proto::Run run{{}, 1, true};
  RookMessage rook_message;
  ASSERT_EQ(Decode(Frame(RookMessage(run)), &rook_message, &error),
            FrameReader::Status::kMessage)
      << error;
  EXPECT_EQ(std::get<proto::Run>(rook_message), run);
  std::string bytes = Frame(RookMessage(run));
  bytes.back() = '\x02';
  EXPECT_EQ(Decode(bytes, &rook_message, &error), FrameReader::Status::kError);
  EXPECT_NE(error.find("bool byte 2"), std::string::npos) << error;
}

TEST(FrameTest, RookMessagesRoundTripByteByByte) {
  std::string bytes;
  EncodeFrame(RookMessage(proto::Run{{3, 1, 4}}), &bytes);
  EncodeFrame(RookMessage(Shutdown{}), &bytes);
  const proto::Serve serve{"/bin/next_test", {"--x"}, {"PATH=/bin", "A=1"}};
  EncodeFrame(RookMessage(serve), &bytes);
  FrameReader reader;
  std::vector<RookMessage> got;
  std::string error;
  for (char c : bytes) {
    reader.Append(&c, 1);
    RookMessage message;
    while (reader.Next(&message, &error) == FrameReader::Status::kMessage) {
      got.push_back(message);
    }
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(std::get<proto::Run>(got[0]).indexes, (std::vector<uint32_t>{3, 1, 4}));
  EXPECT_TRUE(std::holds_alternative<Shutdown>(got[1]));
  EXPECT_EQ(std::get<proto::Serve>(got[2]), serve);
}

TEST(FrameTest, TruncatedFrameNeedsMoreAndStaysBuffered) {
  const std::string bytes = Frame(Hello{kProtocolVersion, 7, 3, 99});
  FrameReader reader;
  reader.Append(bytes.data(), bytes.size() - 1);
  PawnMessage message;
  std::string error;
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kNeedMore);
  EXPECT_EQ(reader.buffered(), bytes.size() - 1);
}

TEST(FrameTest, OversizedLengthIsAnErrorBeforeAnyAllocation) {
  std::string bytes = Frame(Bye{});
  const uint32_t huge = kMaxFrameLength + 1;
  std::memcpy(bytes.data() + 8, &huge, sizeof huge);
  FrameReader reader;
  reader.Append(bytes.data(), kFrameHeaderSize);
  PawnMessage message;
  std::string error;
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kError);
  EXPECT_NE(error.find("exceeds the limit"), std::string::npos) << error;
}

TEST(FrameTest, BadMagicIsAnErrorAndStaysOne) {
  const std::string garbage = "this is not a redqueen frame";
  FrameReader reader;
  reader.Append(garbage.data(), garbage.size());
  PawnMessage message;
  std::string error;
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kError);
  EXPECT_NE(error.find("bad frame magic"), std::string::npos) << error;
  const std::string good = Frame(Bye{});
  reader.Append(good.data(), good.size());
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kError);
}

TEST(FrameTest, UnknownMessageTypeIsAnError) {
  std::string bytes = Frame(Bye{});
  const uint16_t type = 999;
  std::memcpy(bytes.data() + 6, &type, sizeof type);
  PawnMessage message;
  std::string error;
  EXPECT_EQ(Decode(bytes, &message, &error), FrameReader::Status::kError);
  EXPECT_NE(error.find("unknown message type 999"), std::string::npos) << error;
}

TEST(FrameTest, RookMessageTypeFromAPawnIsAnError) {
  std::string bytes;
  EncodeFrame(RookMessage(Shutdown{}), &bytes);
  FrameReader reader;
  reader.Append(bytes.data(), bytes.size());
  PawnMessage message;
  std::string error;
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kError);
}

TEST(FrameTest, CorruptPayloadIsAnErrorNotACrash) {
  // A TestList whose vector size prefix claims billions of entries.
  const uint64_t count = 1ull << 40;
  const std::string payload(reinterpret_cast<const char*>(&count), sizeof count);
  PawnMessage message;
  std::string error;
  EXPECT_EQ(Decode(FrameWithPayload(TestList{}, payload), &message, &error),
            FrameReader::Status::kError);
  EXPECT_NE(error.find("undecodable"), std::string::npos) << error;
}

TEST(FrameTest, AStringLongerThanItsPayloadIsAnError) {
  // A Result whose skip message claims 60 MB and brings 3 bytes: read in
  // pieces, it fails after one piece instead of after zeroing 60 MB.
  std::string payload = Frame(Result{}).substr(kFrameHeaderSize);
  const size_t skip_message_at = 4 + 1 + 8 + 8;  // index, status, duration, no failures
  const uint64_t claimed = 60u << 20;
  std::memcpy(payload.data() + skip_message_at, &claimed, sizeof claimed);
  payload.resize(skip_message_at + sizeof claimed + 3);
  PawnMessage message;
  std::string error;
  EXPECT_EQ(Decode(FrameWithPayload(Result{}, payload), &message, &error),
            FrameReader::Status::kError);
  EXPECT_NE(error.find("undecodable"), std::string::npos) << error;
}

TEST(FrameTest, NewerProtocolVersionIsAnError) {
  std::string bytes = Frame(Bye{});
  const uint16_t version = kProtocolVersion + 1;
  std::memcpy(bytes.data() + 4, &version, sizeof version);
  FrameReader reader;
  reader.Append(bytes.data(), bytes.size());
  PawnMessage message;
  std::string error;
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kError);
  EXPECT_NE(error.find("rebuild"), std::string::npos) << error;
}

TEST(FrameTest, ReaderTakesOnlyFramesWithItsToken) {
  std::string mine;
  EncodeFrame(PawnMessage(Started{7}), &mine, 0x5eed);
  FrameReader reader(0x5eed);
  reader.Append(mine.data(), mine.size());
  PawnMessage message;
  std::string error;
  ASSERT_EQ(reader.Next(&message, &error), FrameReader::Status::kMessage) << error;
  EXPECT_EQ(std::get<Started>(message).index, 7u);
  // What test code writes with redqueen's own library carries no token.
  const std::string forged = Frame(Started{8});
  reader.Append(forged.data(), forged.size());
  EXPECT_EQ(reader.Next(&message, &error), FrameReader::Status::kError);
  EXPECT_NE(error.find("without this pawn's token"), std::string::npos) << error;
  FrameReader other(0x0bad);
  other.Append(mine.data(), mine.size());
  EXPECT_EQ(other.Next(&message, &error), FrameReader::Status::kError);
}

TEST(ListHashTest, DependsOnOrderBoundariesAndEveryField) {
  const TestInfo a{"A.a", "a.cc", 1, "", ""};
  const TestInfo b{"B.b", "b.cc", 2, "", ""};
  EXPECT_EQ(ListHash({a, b}), ListHash({a, b}));
  EXPECT_NE(ListHash({a, b}), ListHash({b, a}));
  EXPECT_NE(ListHash({{"A.ab", "", 0, "", ""}}), ListHash({{"A.a", "b", 0, "", ""}}));
  EXPECT_NE(ListHash({a}), ListHash({{"A.a", "a.cc", 2, "", ""}})) << "a moved test";
  EXPECT_NE(ListHash({a}), ListHash({{"A.a", "b.cc", 1, "", ""}}));
  EXPECT_NE(ListHash({a}), ListHash({{"A.a", "a.cc", 1, "int", ""}}));
  EXPECT_NE(ListHash({a}), ListHash({{"A.a", "a.cc", 1, "", "1"}}));
  EXPECT_NE(ListHash({}), ListHash({{"", "", 0, "", ""}}));
}

}  // namespace
}  // namespace redqueen::proto
