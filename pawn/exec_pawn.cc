#include "pawn/exec_pawn.h"

#include <sys/wait.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>

#include "pawn/attach.h"
#include "pawn/gtest_report.h"
#include "pawn/test_list.h"

namespace redqueen::pawn {
namespace {

using Clock = std::chrono::steady_clock;

/// How much of a test's output the exec pawn keeps to find its skip message.
constexpr size_t kHeadBytes = 64 * 1024;

constexpr char kRun[] = "[ RUN      ] ";
constexpr char kOk[] = "[       OK ] ";
constexpr char kFailed[] = "[  FAILED  ] ";
constexpr char kSkipped[] = "[  SKIPPED ] ";

/// gtest's summary line for a suite whose SetUpTestSuite or
/// TearDownTestSuite failed: "[  FAILED  ] Suite: SetUpTestSuite or ...".
constexpr char kSuiteFailed[] = ": SetUpTestSuite or TearDownTestSuite";

/// "Suite" of "Suite.Test", "Prefix/Suite" of "Prefix/Suite.Test/0".
std::string SuiteOf(const std::string& name) { return name.substr(0, name.find('.')); }

bool StartsWith(const std::string& text, const char* prefix) {
  return text.compare(0, std::strlen(prefix), prefix) == 0;
}

/// The test name in a gtest status line, without " (N ms)", ", where ..." and
/// the line end.
std::string NameIn(const std::string& line, const char* prefix) {
  std::string name = line.substr(std::strlen(prefix));
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  for (const char* tail : {", where ", " ("}) {
    const size_t at = name.find(tail);
    if (at != std::string::npos) name.resize(at);
  }
  return name;
}

/// Where in `line` gtest's end-of-test line for `name` starts; sets
/// `*status` to what it says, or leaves it null when the line has none.
size_t EndMarker(const std::string& line, const std::string& name,
                 const TestStatus** status) {
  static constexpr TestStatus kStatuses[] = {TestStatus::kPassed, TestStatus::kFailed,
                                             TestStatus::kSkipped};
  const char* const markers[] = {kOk, kFailed, kSkipped};
  for (int i = 0; i < 3; ++i) {
    const size_t at = line.find(markers[i]);
    if (at != std::string::npos && NameIn(line.substr(at), markers[i]) == name) {
      *status = &kStatuses[i];
      return at;
    }
  }
  return 0;
}

int64_t Nanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch())
      .count();
}

/// Appends to the capture file (our stdout) and keeps its size.
class Capture {
 public:
  Capture() {
    const off_t end = lseek(STDOUT_FILENO, 0, SEEK_END);
    offset_ = end < 0 ? 0 : static_cast<uint64_t>(end);
  }
  void Write(const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = write(STDOUT_FILENO, text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    offset_ += done;
  }
  uint64_t offset() const { return offset_; }

 private:
  uint64_t offset_ = 0;
};

/// The skip message gtest printed after "path:line: Skipped", if any.
std::string SkipMessage(const std::string& output) {
  const size_t at = output.find("Skipped\n");
  if (at == std::string::npos) return "";
  std::string message = output.substr(at + 8);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return message;
}

}  // namespace

struct ExecPawn::Finished {
  uint32_t index;
  TestStatus status;
  uint64_t duration_us;
  uint64_t output_begin;
  uint64_t output_end;
  std::string head;  ///< The start of its output (kHeadBytes at most).
};

proto::Result ExecPawn::ResultOf(const Finished& f) {
  proto::Result result;
  result.index = f.index;
  result.status = f.status;
  result.duration_us = f.duration_us;
  result.output_begin = f.output_begin;
  result.output_end = f.output_end;
  return result;
}

ExecPawn::ExecPawn(Channel* channel, proto::Scoreboard* scoreboard,
                   ExecPawnOptions options)
    : channel_(channel), scoreboard_(scoreboard), options_(std::move(options)) {}

std::string ExecPawn::TempPath(const char* what) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/redqueen-" + what + "-" +
         std::to_string(getpid()) + "-" + std::to_string(children_++) + ".json";
}

bool ExecPawn::Collect(std::string* error) {
  // The JSON listing is exact whatever else main() prints; the text one is
  // the fallback for a gtest that writes none.
  const std::string listing = TempPath("list");
  std::vector<std::string> args = options_.args;
  args.push_back("--gtest_list_tests");
  args.push_back("--gtest_output=json:" + listing);
  ChildProcess child;
  if (!child.Start(options_.binary, args, error)) return false;
  std::string text, line;
  const auto deadline = Clock::now() + options_.list_timeout;
  while (child.ReadLine(&line, deadline)) text += line;
  if (child.timed_out()) {
    child.Kill();
    child.Wait();
    *error = "listing its tests took longer than " +
             std::to_string(options_.list_timeout.count()) + "s";
    return false;
  }
  const int status = child.Wait();
  const bool from_json = ReadGtestListing(listing, &tests_);
  std::remove(listing.c_str());
  if (!from_json && !ParseTestList(text, &tests_, error)) {
    *error = "unreadable --gtest_list_tests output: " + *error;
    return false;
  }
  // A main() of its own may check things after listing and exit non-zero
  // (googletest-listener-test does); a full listing is still a listing.
  if (WIFSIGNALED(status) || (WEXITSTATUS(status) != 0 && tests_.empty())) {
    *error = "--gtest_list_tests ended with " + DescribeWaitStatus(status);
    return false;
  }
  for (uint32_t i = 0; i < tests_.size(); ++i) index_of_.emplace(tests_[i].name, i);
  return true;
}

void ExecPawn::MarkRunning(int64_t index, uint64_t output_begin) {
  if (!scoreboard_) return;
  scoreboard_->output_begin.store(output_begin, std::memory_order_relaxed);
  scoreboard_->started_ns.store(Nanos(Clock::now()), std::memory_order_relaxed);
  scoreboard_->running.store(index, std::memory_order_release);
}

std::vector<uint32_t> ExecPawn::RunChild(const std::vector<uint32_t>& pending) {
  std::string filter;
  for (uint32_t index : pending) {
    if (!filter.empty()) filter += ':';
    filter += tests_[index].name;
  }
  const std::string report = TempPath("report");
  std::vector<std::string> args = options_.args;
  // Last, so they win over the same flags in ARGS: the line parsing needs
  // every test's lines, once, uncoloured.
  for (std::string flag :
       {"--gtest_filter=" + filter, std::string("--gtest_also_run_disabled_tests"),
        "--gtest_output=json:" + report, std::string("--gtest_color=no"),
        std::string("--gtest_brief=0"), std::string("--gtest_repeat=1")}) {
    args.push_back(std::move(flag));
  }

  Capture capture;
  ChildProcess child;
  std::string error;
  if (!child.Start(options_.binary, args, &error)) {
    capture.Write("redqueen: " + error + "\n");
    _exit(3);  // The Rook sees a dead pawn and blames the batch's first test.
  }

  const std::set<uint32_t> wanted(pending.begin(), pending.end());
  const uint64_t batch_begin = capture.offset();
  std::set<uint32_t> done;
  std::vector<Finished> held;
  // The latest pass waits for the next one, or for the child's end: an exit
  // code of 1 after passing tests is a failure outside any test.
  std::optional<proto::Result> last_pass;
  std::set<std::string> failed_suites;  // From gtest's summary.
  int64_t current = -1;
  uint64_t begin = 0;
  std::string head;  // The start of the running test's output.
  Clock::time_point started;
  std::string line;
  while (child.ReadLine(&line)) {
    if (current >= 0) {
      // gtest's status line can follow output that did not end its line.
      const TestStatus* status = nullptr;
      const size_t at = EndMarker(line, tests_[current].name, &status);
      if (status) {
        capture.Write(line.substr(0, at));
        if (head.size() < kHeadBytes) head += line.substr(0, at);
        line.erase(0, at);
        const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(
            Clock::now() - started);
        Finished f{static_cast<uint32_t>(current), *status,
                   static_cast<uint64_t>(duration.count()), begin, capture.offset(),
                   std::move(head)};
        done.insert(f.index);
        // A pass is reported as it happens; a failure or skip waits for the
        // JSON report (exact file:line) when the child ends.
        if (f.status == TestStatus::kPassed) {
          if (last_pass) channel_->Send(*last_pass);
          last_pass = ResultOf(f);
        } else {
          held.push_back(std::move(f));
        }
        current = -1;
        if (scoreboard_) scoreboard_->running.store(proto::Scoreboard::kIdle);
      }
    }
    capture.Write(line);
    if (current >= 0 && head.size() < kHeadBytes) head += line;
    if (current < 0 && StartsWith(line, kFailed)) {
      const size_t at = line.find(kSuiteFailed);
      if (at != std::string::npos) {
        failed_suites.insert(line.substr(std::strlen(kFailed), at - std::strlen(kFailed)));
      }
    }
    if (current < 0 && StartsWith(line, kRun)) {
      const auto it = index_of_.find(NameIn(line, kRun));
      if (it != index_of_.end() && wanted.count(it->second)) {
        current = it->second;
        if (channel_->report_starts()) channel_->Send(proto::Started{it->second});
        begin = capture.offset();
        head.clear();
        started = Clock::now();
        MarkRunning(current, begin);
      }
    }
  }
  const int status = child.Wait();
  const std::map<std::string, ReportedTest> reported = ReadGtestReport(report);
  std::remove(report.c_str());
  const bool all_ran = std::all_of(pending.begin(), pending.end(),
                                   [&done](uint32_t index) { return done.count(index); });
  const bool any_failed = std::any_of(held.begin(), held.end(), [](const Finished& f) {
    return f.status == TestStatus::kFailed;
  });
  // gtest's report does not say what failed outside the tests; its output
  // does. The last test the summary names a suite of carries it; else the
  // batch's last pass, or else its last skip.
  const bool failed_outside =
      all_ran && !any_failed && WIFEXITED(status) && WEXITSTATUS(status) == 1;
  size_t carrier = held.size();  // Into held; held.size(): none there.
  for (size_t i = 0; i < held.size(); ++i) {
    if (failed_suites.count(SuiteOf(tests_[held[i].index].name))) carrier = i;
  }
  if (carrier == held.size() && !last_pass && !held.empty()) carrier = held.size() - 1;
  auto fail_outside = [&](proto::Result* carrier) {
    carrier->status = TestStatus::kFailed;
    carrier->failures.push_back(proto::Failure{
        "", 0,
        "the test binary exited with code 1 though its tests passed: a failure outside "
        "any test (SetUpTestSuite, TearDownTestSuite or a global Environment); see the "
        "output"});
    carrier->output_begin = batch_begin;
    carrier->output_end = capture.offset();
  };
  if (last_pass) {
    if (failed_outside && carrier == held.size()) fail_outside(&*last_pass);
    channel_->Send(*last_pass);
  }

  for (size_t i = 0; i < held.size(); ++i) {
    const Finished& f = held[i];
    proto::Result result = ResultOf(f);
    const auto it = reported.find(tests_[f.index].name);
    if (it != reported.end()) result.failures = it->second.failures;
    // gtest's JSON report has no skip message; its output has.
    if (f.status == TestStatus::kSkipped) result.skip_message = SkipMessage(f.head);
    if (failed_outside && i == carrier) fail_outside(&result);
    channel_->Send(result);
  }

  std::vector<uint32_t> rest;
  for (uint32_t index : pending) {
    if (!done.count(index) && static_cast<int64_t>(index) != current) rest.push_back(index);
  }
  if (current >= 0) {
    proto::Result crashed;
    crashed.index = static_cast<uint32_t>(current);
    crashed.status = TestStatus::kCrashed;
    crashed.crash = DescribeWaitStatus(status);
    crashed.duration_us = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started)
            .count());
    crashed.output_begin = begin;
    crashed.output_end = capture.offset();
    channel_->Send(crashed);
    if (scoreboard_) scoreboard_->running.store(proto::Scoreboard::kIdle);
    return rest;
  }
  // The child ended between tests without running these: they would not run
  // in another child either.
  for (uint32_t index : rest) {
    proto::Result lost;
    lost.index = index;
    lost.status = TestStatus::kCrashed;
    lost.crash = DescribeWaitStatus(status) + " before the test started";
    lost.output_begin = lost.output_end = capture.offset();
    channel_->Send(lost);
  }
  return {};
}

void ExecPawn::RunBatch(std::vector<uint32_t> pending) {
  pending.erase(std::remove_if(pending.begin(), pending.end(),
                               [this](uint32_t i) { return i >= tests_.size(); }),
                pending.end());
  // After a crash, what the child did not get to goes back to the Rook's
  // queue, as a dead resident pawn's batch does.
  const std::vector<uint32_t> rest = RunChild(pending);
  if (!rest.empty()) channel_->Send(proto::Requeue{rest});
}

int ExecPawn::Serve() {
  std::string error;
  if (!Collect(&error)) {
    std::fprintf(stderr, "redqueen: error: cannot list the tests of '%s': %s\n",
                 options_.binary.c_str(), error.c_str());
    return 3;
  }
  channel_->Send(proto::HelloFor(static_cast<int32_t>(getpid()), tests_));

  return ServeCommands(
      channel_, [this] { return proto::TestList{tests_}; },
      [this](const std::vector<uint32_t>& indexes) { RunBatch(indexes); });
}

int ExecPawnMain(int argc, char** argv) {
  // argv: redqueen exec-pawn [--list-timeout=SECONDS] BINARY [-- ARGS...]
  ExecPawnOptions options;
  int i = 2;
  constexpr char kTimeoutFlag[] = "--list-timeout=";
  if (i < argc && std::strncmp(argv[i], kTimeoutFlag, sizeof kTimeoutFlag - 1) == 0) {
    options.list_timeout = std::chrono::seconds(std::atoi(argv[i] + sizeof kTimeoutFlag - 1));
    ++i;
  }
  if (i >= argc || !StartedByRook()) {
    std::fprintf(stderr,
                 "redqueen: error: exec-pawn is started by 'redqueen run', not by hand\n");
    return 2;
  }
  options.binary = argv[i++];
  if (i < argc && std::strcmp(argv[i], "--") == 0) ++i;
  options.args.assign(argv + i, argv + argc);
  Attachment attachment = AttachToRook();
  Channel channel(proto::kCommandFd, proto::kEventFd);
  ExecPawn pawn(&channel, attachment.scoreboard, std::move(options));
  return pawn.Serve();
}

}  // namespace redqueen::pawn
