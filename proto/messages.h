// The messages a Rook and a Pawn exchange, and their cereal serialization.
//
// Pawn -> Rook: Hello, TestList, Result, Requeue, Bye.
// Rook -> Pawn: ListTests, Run, Shutdown.
// Adding a message: a struct with serialize() (strings and vectors through
// Bounded(), bools and enums through Checked()) and a defaulted operator==
// (the round-trip tests and the frame fuzzer compare decoded messages), an
// entry in MessageType, and a case in the variant below; frame.cc picks the
// type id from the variant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/bounded.h"
#include "proto/status.h"

namespace redqueen::proto {

/// Bumped on any incompatible change of the messages below.
inline constexpr uint16_t kProtocolVersion = 4;

/// File descriptors a pawn finds its channel on (commands in, events out).
inline constexpr int kCommandFd = 3;
inline constexpr int kEventFd = 4;

/// Environment variables the Knight sets for a pawn.
inline constexpr char kEnvPawnFds[] = "REDQUEEN_PAWN_FDS";
inline constexpr char kEnvScoreboard[] = "REDQUEEN_SCOREBOARD";
/// In the environment of a pawn and all it starts, unique to the pawn: what
/// its tests leave behind is ended with it (children.h).
inline constexpr char kEnvPawnTag[] = "REDQUEEN_PAWN_TAG";
/// The token a pawn marks its frames with (frame.h).
inline constexpr char kEnvChannelToken[] = "REDQUEEN_CHANNEL_TOKEN";
inline constexpr char kEnvPawnId[] = "REDQUEEN_PAWN_ID";
inline constexpr char kEnvPawnCount[] = "REDQUEEN_PAWN_COUNT";

enum class MessageType : uint16_t {
  kHello = 1,
  kTestList = 2,
  kResult = 3,
  kBye = 4,
  kRequeue = 5,
  kStarted = 6,
  kListTests = 16,
  kRun = 17,
  kShutdown = 18,
  kServe = 19,
};

/// One registered test, in registration order.
struct TestInfo {
  std::string name;  ///< Full gtest name, "Suite.Test" ("Prefix/Suite.Test/0").
  std::string file;
  int32_t line = 0;
  std::string type_param;   ///< Empty unless a typed test.
  std::string value_param;  ///< Empty unless a value-parameterized test.

  template <class Archive>
  void serialize(Archive& ar) {
    ar(Bounded(name), Bounded(file), line, Bounded(type_param), Bounded(value_param));
  }

  bool operator==(const TestInfo&) const = default;
};

/// First message of every pawn: what it found, without the names.
struct Hello {
  uint16_t protocol_version = kProtocolVersion;
  int32_t pid = 0;
  uint32_t count = 0;
  uint64_t list_hash = 0;  ///< ListHash() of the tests in registration order.

  template <class Archive>
  void serialize(Archive& ar) {
    ar(protocol_version, pid, count, list_hash);
  }

  bool operator==(const Hello&) const = default;
};

/// The full list, sent by one pawn when the Rook asks. A test's file is sent
/// only when it differs from the previous test's: tests of one file are
/// registered together, and paths were most of a 10,000-test list's bytes.
struct TestList {
  std::vector<TestInfo> tests;

  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(tests.size())));
    const std::string* previous_file = nullptr;
    for (const TestInfo& test : tests) {
      const bool same_file = previous_file && *previous_file == test.file;
      ar(BoundedView(test.name), same_file);
      if (!same_file) ar(BoundedView(test.file));
      ar(test.line, BoundedView(test.type_param), BoundedView(test.value_param));
      previous_file = &test.file;
    }
  }

  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    if (size > kMaxFieldLength) throw cereal::Exception("list longer than a frame");
    tests.clear();
    for (cereal::size_type i = 0; i < size; ++i) {
      TestInfo test;
      bool same_file = false;
      ar(Bounded(test.name), Checked(same_file));
      if (same_file && tests.empty())
        throw cereal::Exception("first test without a file");
      if (same_file) {
        test.file = tests.back().file;
      } else {
        ar(Bounded(test.file));
      }
      ar(test.line, Bounded(test.type_param), Bounded(test.value_param));
      tests.push_back(std::move(test));
    }
  }

  bool operator==(const TestList&) const = default;
};

/// One gtest failure (or skip) part: where and what.
struct Failure {
  std::string file;
  int32_t line = 0;
  std::string message;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(Bounded(file), line, Bounded(message));
  }

  bool operator==(const Failure&) const = default;
};

struct Result {
  uint32_t index = 0;
  TestStatus status = TestStatus::kPassed;
  uint64_t duration_us = 0;
  std::vector<Failure> failures;
  std::string skip_message;
  /// For CRASHED (an exec pawn's child died in the test): how it died.
  std::string crash;
  /// The test's slice of the pawn's capture file: [output_begin, output_end).
  uint64_t output_begin = 0;
  uint64_t output_end = 0;
  /// When the test ended, Unix time in microseconds by the pawn's clock; 0:
  /// when the Rook receives it (results may be sent a while after).
  int64_t finished_us = 0;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(index, Checked(status, kLastStatus), duration_us, Bounded(failures),
       Bounded(skip_message), Bounded(crash), output_begin, output_end, finished_us);
  }

  bool operator==(const Result&) const = default;
};

/// Tests of the current batch the pawn gives back unrun (an exec pawn whose
/// child died in an earlier test of the batch): the Rook queues them again.
struct Requeue {
  std::vector<uint32_t> indexes;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(Bounded(indexes));
  }

  bool operator==(const Requeue&) const = default;
};

/// A test of the batch began (sent only when the Run asked for it).
struct Started {
  uint32_t index = 0;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(index);
  }

  bool operator==(const Started&) const = default;
};

struct Bye {
  template <class Archive>
  void serialize(Archive&) {}

  bool operator==(const Bye&) const = default;
};

struct ListTests {
  template <class Archive>
  void serialize(Archive&) {}

  bool operator==(const ListTests&) const = default;
};

/// Run these tests (indexes into the TestList), in registration order.
struct Run {
  std::vector<uint32_t> indexes;
  /// Which attempt at these tests this is (1, or more for retries): the pawn
  /// sets REDQUEEN_ATTEMPT to it for them.
  uint32_t attempt = 1;
  /// Send Started as each test begins (for --events; off, a trivial test
  /// costs no message more than its result).
  bool report_starts = false;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(Bounded(indexes), attempt, Checked(report_starts));
  }

  bool operator==(const Run&) const = default;
};

struct Shutdown {
  template <class Archive>
  void serialize(Archive&) {}

  bool operator==(const Shutdown&) const = default;
};

/// To an exec pawn that is waiting: serve this binary from now on, as if
/// started for it (`redqueen exec-pawn BINARY -- ARGS`), with `environment`
/// as its whole environment ("KEY=value" entries, as it would hold them
/// once attached: without its channel's variables). It says Hello for the
/// new binary, and its children run with that environment. Saves a binary the start of a
/// pawn of its own: the Board moves a free pawn to the next binary this way.
struct Serve {
  std::string binary;
  std::vector<std::string> args;
  std::vector<std::string> environment;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(Bounded(binary), Bounded(args), Bounded(environment));
  }

  bool operator==(const Serve&) const = default;
};

using PawnMessage = std::variant<Hello, TestList, Result, Bye, Requeue, Started>;
using RookMessage = std::variant<ListTests, Run, Shutdown, Serve>;

/// A 64-bit hash of every field of every test, in order: pawns compare lists
/// by it, and the Rook knows by it that a binary still has the list the store
/// remembers (a moved test changes its line, so the hash). Not meant to
/// resist anyone crafting collisions.
class ListHasher {
 public:
  void Add(std::string_view name, std::string_view file, int32_t line,
           std::string_view type_param, std::string_view value_param);
  uint64_t hash() const { return hash_; }

 private:
  void MixWord(uint64_t word);
  void Mix(std::string_view field);
  uint64_t hash_ = 0x243f6a8885a308d3ull;  // Not 0: a fixed point of MixWord(0).
};

uint64_t ListHash(const std::vector<TestInfo>& tests);

/// The Hello of a pawn with these tests, in registration order.
Hello HelloFor(int32_t pid, const std::vector<TestInfo>& tests);

}  // namespace redqueen::proto
