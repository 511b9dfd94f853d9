// Writes the frame fuzzer's seed corpus: real frames of every message, alone
// and in the orders a channel carries them. Run it again into
// tests/fuzz/corpus/frame_fuzz after a change of the protocol (the seeds
// carry kProtocolVersion, and frames of another version are refused whole).
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "proto/frame.h"

namespace redqueen::proto {
namespace {

template <class... Messages>
std::string Stream(const Messages&... messages) {
  std::string bytes;
  (EncodeFrame(messages, &bytes), ...);
  return bytes;
}

std::vector<std::pair<std::string, std::string>> Seeds() {
  const std::vector<TestInfo> tests = {{"A.a", "a_test.cc", 1, "", ""},
                                       {"A.b", "a_test.cc", 2, "int", ""},
                                       {"P/B.c/0", "b_test.cc", 3, "", "(1, \"x\")"}};
  Result failed;
  failed.index = 1;
  failed.status = TestStatus::kFailed;
  failed.duration_us = 1234;
  failed.failures = {{"a_test.cc", 2, "Expected equality of these values"}};
  failed.output_begin = 10;
  failed.output_end = 99;
  failed.finished_us = 1700000000000000;
  Result crashed;
  crashed.index = 2;
  crashed.status = TestStatus::kCrashed;
  crashed.crash = "signal 11 (SIGSEGV)";
  Result skipped;
  skipped.status = TestStatus::kSkipped;
  skipped.skip_message = "not on this machine";
  const Hello hello = HelloFor(4242, tests);
  return {
      {"hello", Stream(PawnMessage(hello))},
      {"test_list", Stream(PawnMessage(TestList{tests}))},
      {"result_failed", Stream(PawnMessage(failed))},
      {"result_crashed", Stream(PawnMessage(crashed))},
      {"requeue_bye", Stream(PawnMessage(Requeue{{2, 0}}), PawnMessage(Bye{}))},
      {"pawn_session",
       Stream(PawnMessage(hello), PawnMessage(TestList{tests}), PawnMessage(Started{0}),
              PawnMessage(Result{}), PawnMessage(skipped), PawnMessage(Bye{}))},
      {"run", Stream(RookMessage(Run{{0, 2, 1}, 2, true}))},
      {"rook_session",
       Stream(RookMessage(ListTests{}), RookMessage(Run{{0, 1}, 1, false}),
              RookMessage(Shutdown{}))},
  };
}

}  // namespace
}  // namespace redqueen::proto

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR (tests/fuzz/corpus/frame_fuzz)\n", argv[0]);
    return 2;
  }
  for (const auto& [name, bytes] : redqueen::proto::Seeds()) {
    std::ofstream(std::string(argv[1]) + "/" + name, std::ios::binary) << bytes;
  }
  return 0;
}
