// A settings file (redqueen.toml), read as `redqueen config --config FILE`
// reads it: our line check, then CLI11's reader and the options' own
// parsers. Whatever the file holds, the outcome is settings or a usage
// error (exit 2), never an exception or undefined behaviour.
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "queen/exit_codes.h"
#include "queen/options.h"
#include "tests/fuzz/require.h"

namespace {

/// The settings file every input is written to: unlinked at once, so that
/// none is left behind however the fuzzer ends, and reopened by its name in
/// /proc as redqueen opens any settings file.
struct ScratchFile {
  int fd = -1;
  std::string path;
};

ScratchFile& Scratch() {
  static ScratchFile file = [] {
    char name[] = "/tmp/redqueen_config_fuzz_XXXXXX";
    ScratchFile made;
    made.fd = mkstemp(name);
    unlink(name);
    made.path = "/proc/self/fd/" + std::to_string(made.fd);
    return made;
  }();
  return file;
}

/// ParseCommandLine prints each usage error: sent to /dev/null so that the
/// fuzzer's own lines stay readable. Sanitizer reports keep the real stderr;
/// an exception is caught and told once stderr is back.
class QuietStderr {
 public:
  QuietStderr() {
    std::fflush(stderr);
    dup2(null_, STDERR_FILENO);
  }
  ~QuietStderr() {
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
  }
  static void Init() {
    saved_ = dup(STDERR_FILENO);
    null_ = open("/dev/null", O_WRONLY | O_CLOEXEC);
    __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<intptr_t>(saved_)));
  }

 private:
  static inline int saved_ = -1;
  static inline int null_ = -1;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  QuietStderr::Init();
  redqueen::fuzz::Require(Scratch().fd >= 0, "a scratch settings file can be made");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using redqueen::fuzz::Require;
  const ScratchFile& scratch = Scratch();
  Require(ftruncate(scratch.fd, 0) == 0 &&
              pwrite(scratch.fd, data, size, 0) == static_cast<ssize_t>(size),
          "the scratch settings file can be written");

  std::vector<std::string> args = {"redqueen", "config", "--config", scratch.path};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  redqueen::queen::RunOptions options;
  int exit_code = -1;
  bool go_on = false;
  try {
    QuietStderr quiet;
    go_on = redqueen::queen::ParseCommandLine(static_cast<int>(argv.size()), argv.data(),
                                              &options, &exit_code);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ParseCommandLine threw: %s\n", e.what());
    Require(false, "reading a settings file throws nothing");
  }
  Require(go_on || exit_code == redqueen::kExitUsage,
          "a bad settings file is a usage error");
  if (go_on) {
    Require(options.jobs >= 1, "a run has at least one pawn");
    Require(options.timeout.count() >= 0 && options.slow.count() >= 0 &&
                options.kill_grace.count() >= 0,
            "durations are never negative");
  }

  // Each value again, straight to the options' own parsers: through CLI11
  // only the settings that take it reach each parser.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view raw = line.substr(equals + 1);
    const size_t first = raw.find_first_not_of(" \t\"");
    raw = first == std::string_view::npos ? std::string_view() : raw.substr(first);
    const std::string value(raw.substr(0, raw.find_last_not_of(" \t\"\r") + 1));
    std::chrono::microseconds duration{0};
    if (redqueen::queen::ParseDuration(value, &duration)) {
      Require(duration.count() >= 0, "a duration is never negative");
    }
    std::string kind;
    uint64_t seed = 0;
    bool seeded = false;
    redqueen::queen::ParseOrder(value, &kind, &seed, &seeded);
  }
  return 0;
}
