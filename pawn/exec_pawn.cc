#include "pawn/exec_pawn.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "pawn/attach.h"
#include "pawn/batch_filter.h"
#include "pawn/gtest_bytes.h"
#include "pawn/gtest_report.h"
#include "pawn/result_limits.h"
#include "pawn/test_list.h"
#include "proto/children.h"

namespace redqueen::pawn {
namespace {

using Clock = std::chrono::steady_clock;
using proto::Phase;

/// How much of a test's output the exec pawn keeps to find its skip message.
constexpr size_t kHeadBytes = 64 * 1024;
/// A batch filter longer than this goes through a flagfile: the kernel
/// refuses an argument over 128 KiB (E2BIG), and all of them over ARG_MAX.
constexpr size_t kMaxFilterArgument = 32 * 1024;
/// Output without a newline goes to the capture file in pieces of this size,
/// so that neither time nor memory grows with a line's length.
constexpr size_t kLongLine = 1 << 20;

constexpr char kRun[] = "[ RUN      ] ";
constexpr char kOk[] = "[       OK ] ";
constexpr char kFailed[] = "[  FAILED  ] ";
constexpr char kSkipped[] = "[  SKIPPED ] ";
constexpr char kDivider[] = "[----------] ";
constexpr char kEnvironmentSetUp[] = "[----------] Global test environment set-up.";
constexpr char kEnvironmentTearDown[] = "[----------] Global test environment tear-down";
constexpr char kAllRan[] = "[==========] ";

/// gtest's summary line for a suite whose SetUpTestSuite or
/// TearDownTestSuite failed: "[  FAILED  ] Suite: SetUpTestSuite or ...".
constexpr char kSuiteFailed[] = ": SetUpTestSuite or TearDownTestSuite";

/// "Suite" of "Suite.Test", "Prefix/Suite" of "Prefix/Suite.Test/0".
std::string SuiteOf(const std::string& name) { return name.substr(0, name.find('.')); }

bool StartsWith(const std::string& text, const char* prefix) {
  return text.compare(0, std::strlen(prefix), prefix) == 0;
}

/// `line` without its line end.
std::string Chomp(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

/// Whether the text at `at` of `line` ends gtest's name of a test: a name
/// is the registered bytes, whatever they hold, and gtest follows it with
/// " (N ms)", ", where ..." or the line's end.
bool EndsName(const std::string& line, size_t at) {
  return at >= line.size() || line[at] == '\n' || line[at] == '\r' ||
         line.compare(at, 2, " (") == 0 || line.compare(at, 8, ", where ") == 0;
}

/// gtest's three end-of-test lines for one test, without what follows the
/// name.
struct EndLines {
  explicit EndLines(const std::string& name)
      : lines{kOk + name, kFailed + name, kSkipped + name} {}
  std::string lines[3];
};

/// Where in `line` an end line of `ends` starts; sets `*status` to what it
/// says, or leaves it null when the line has none.
size_t EndMarker(const std::string& line, const EndLines& ends,
                 const TestStatus** status) {
  static constexpr TestStatus kStatuses[] = {TestStatus::kPassed, TestStatus::kFailed,
                                             TestStatus::kSkipped};
  if (line.find('[') == std::string::npos) return 0;  // Most output lines.
  for (int i = 0; i < 3; ++i) {
    const std::string& wanted = ends.lines[i];
    for (size_t at = line.find(wanted); at != std::string::npos;
         at = line.find(wanted, at + 1)) {
      if (EndsName(line, at + wanted.size())) {
        *status = &kStatuses[i];
        return at;
      }
    }
  }
  return 0;
}

/// Splits a child's output into lines as it comes, in time linear in its
/// size; a line that grows past kLongLine without '\n' comes out in pieces,
/// each holding back the last `keep` bytes, where a status line that follows
/// unterminated output may begin.
class LineSplitter {
 public:
  explicit LineSplitter(size_t keep) : keep_(keep) {}

  std::string& buffer() {
    if (begin_ > 0) {
      buffer_.erase(0, begin_);
      scan_ -= begin_;
      begin_ = 0;
    }
    return buffer_;
  }

  /// The next line (with its '\n'), or piece of a long one (`*whole`
  /// false); false when neither is there yet.
  bool Next(std::string* piece, bool* whole) {
    const size_t newline = buffer_.find('\n', scan_);
    if (newline != std::string::npos) {
      piece->assign(buffer_, begin_, newline + 1 - begin_);
      begin_ = scan_ = newline + 1;
      *whole = true;
      return true;
    }
    scan_ = buffer_.size();
    if (buffer_.size() - begin_ <= kLongLine + keep_) return false;
    const size_t size = buffer_.size() - begin_ - keep_;
    piece->assign(buffer_, begin_, size);
    begin_ += size;
    *whole = false;
    return true;
  }

  /// A last line without '\n', at the end of the output.
  bool Rest(std::string* piece) {
    if (begin_ == buffer_.size()) return false;
    piece->assign(buffer_, begin_, std::string::npos);
    begin_ = scan_ = buffer_.size();
    return true;
  }

 private:
  size_t keep_;
  std::string buffer_;
  size_t begin_ = 0;
  size_t scan_ = 0;
};

/// Appends to the capture file (our stdout) and keeps its size. Writes are
/// gathered (a write per line cost ten times the test's own printing), and
/// flushed before the pawn waits or reports, so the Rook finds them there.
class Capture {
 public:
  Capture() {
    const off_t end = lseek(STDOUT_FILENO, 0, SEEK_END);
    written_ = end < 0 ? 0 : static_cast<uint64_t>(end);
  }
  ~Capture() { Flush(); }
  void Write(const std::string& text) {
    pending_ += text;
    if (pending_.size() >= kGather) Flush();
  }
  void Flush() {
    size_t done = 0;
    while (done < pending_.size()) {
      const ssize_t n =
          write(STDOUT_FILENO, pending_.data() + done, pending_.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    written_ += done;
    pending_.clear();
  }
  uint64_t offset() const { return written_ + pending_.size(); }

 private:
  static constexpr size_t kGather = 256 * 1024;
  uint64_t written_ = 0;
  std::string pending_;
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

/// One child over one batch: follows its output to know which test runs,
/// reports each test as it ends, and tells the Rook what it is doing.
class ExecPawn::BatchRun {
 public:
  BatchRun(ExecPawn* pawn, const std::vector<uint32_t>& pending)
      : pawn_(pawn),
        pending_(pending),
        wanted_(pending.begin(), pending.end()),
        batch_begin_(capture_.offset()) {
    pawn_->Publish(Phase::kStarting, NextPending());
  }

  /// Before the pawn waits for more output: what it has is in the file.
  void Flush() { capture_.Flush(); }

  /// A line of the child's output (`whole`), or a piece of a long one.
  void OnOutput(std::string line, bool whole) {
    if (current_ >= 0 && whole) EndTestIn(&line);
    capture_.Write(line);
    if (current_ >= 0 && head_.size() < kHeadBytes) head_ += line;
    if (current_ < 0 && whole) OnLineOutsideTests(line);
  }

  /// After the child is reaped with `status`: the results held back, and
  /// what the child did not get to.
  std::vector<uint32_t> Finish(int status,
                               const std::map<std::string, ReportedTest>& reported);

 private:
  /// Ends the running test if `*line` holds its end; what precedes the end
  /// in the line is its output, and is taken out of `*line`.
  void EndTestIn(std::string* line);
  void OnLineOutsideTests(const std::string& line);
  /// True when `line` is (or continues) the RUN line of the batch's next
  /// test, which it then starts.
  bool StartsNextTest(const std::string& line);
  void StartTest(uint32_t index);
  /// The batch's next test that has not ended (kIdle: none).
  int64_t NextPending() {
    while (next_ < pending_.size() && done_.count(pending_[next_])) ++next_;
    return next_ < pending_.size() ? pending_[next_] : proto::Scoreboard::kIdle;
  }
  void FailOutside(proto::Result* carrier) const;

  ExecPawn* pawn_;
  const std::vector<uint32_t>& pending_;
  const std::set<uint32_t> wanted_;
  Capture capture_;
  const uint64_t batch_begin_;
  std::set<uint32_t> done_;
  size_t next_ = 0;
  std::vector<Finished> held_;
  /// The latest pass waits for the next one, or for the child's end: an exit
  /// code of 1 after passing tests is a failure outside any test.
  std::optional<proto::Result> last_pass_;
  std::set<std::string> failed_suites_;  // From gtest's summary.
  int64_t current_ = -1;
  uint64_t begin_ = 0;
  std::string head_;  // The start of the running test's output.
  Clock::time_point started_;
  /// The next test's RUN line read so far; the running test's last lines,
  /// where its end line may begin (names may hold '\n').
  std::string run_line_;
  std::string last_lines_;
  std::optional<EndLines> ends_;  ///< The running test's.
};

void ExecPawn::BatchRun::EndTestIn(std::string* line) {
  // gtest's status line can follow output that did not end its line, and
  // spans as many lines as the test's name.
  const std::string& name = pawn_->names_[current_];
  const auto lines_in_name =
      static_cast<size_t>(std::count(name.begin(), name.end(), '\n'));
  const std::string text = lines_in_name > 0 ? last_lines_ + *line : *line;
  const TestStatus* status = nullptr;
  const size_t at = EndMarker(text, *ends_, &status);
  if (!status) {
    if (lines_in_name > 0) {
      last_lines_ = text;
      while (static_cast<size_t>(std::count(last_lines_.begin(), last_lines_.end(),
                                            '\n')) > lines_in_name) {
        last_lines_.erase(0, last_lines_.find('\n') + 1);
      }
    }
    return;
  }
  // What of the end line was in earlier lines went out as the test's output.
  const size_t earlier = text.size() - line->size();
  const size_t own = at > earlier ? at - earlier : 0;
  last_lines_.clear();
  capture_.Write(line->substr(0, own));
  if (head_.size() < kHeadBytes) head_ += line->substr(0, own);
  line->erase(0, own);
  const auto duration =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
  Finished f{static_cast<uint32_t>(current_),
             *status,
             static_cast<uint64_t>(duration.count()),
             begin_,
             capture_.offset(),
             std::move(head_)};
  done_.insert(f.index);
  current_ = -1;
  if (auto* board = pawn_->scoreboard_) board->running.store(proto::Scoreboard::kIdle);
  pawn_->Publish(Phase::kSuiteTearDown, f.index);
  // A pass is reported as it happens; a failure or skip waits for the
  // JSON report (exact file:line) when the child ends.
  if (f.status == TestStatus::kPassed) {
    if (last_pass_) pawn_->channel_->Send(*last_pass_);
    last_pass_ = ResultOf(f);
  } else {
    held_.push_back(std::move(f));
  }
}

bool ExecPawn::BatchRun::StartsNextTest(const std::string& line) {
  if (run_line_.empty() && !StartsWith(line, kRun)) return false;
  const int64_t next = NextPending();
  if (next < 0) {
    run_line_.clear();
    return false;
  }
  // gtest runs the batch in registration order, so the test that starts is
  // its next one; a RUN line is the prefix and the name, exactly, over as
  // many lines as the name has.
  const std::string expected = kRun + pawn_->names_[next] + "\n";
  run_line_ += line;
  if (run_line_ == expected) {
    run_line_.clear();
    StartTest(static_cast<uint32_t>(next));
    return true;
  }
  if (run_line_.size() < expected.size() &&
      expected.compare(0, run_line_.size(), run_line_) == 0) {
    return true;
  }
  run_line_.clear();
  return false;
}

void ExecPawn::BatchRun::OnLineOutsideTests(const std::string& line) {
  if (StartsNextTest(line)) return;
  if (StartsWith(line, kFailed)) {
    const size_t at = line.find(kSuiteFailed);
    if (at != std::string::npos) {
      failed_suites_.insert(line.substr(std::strlen(kFailed), at - std::strlen(kFailed)));
    }
  } else if (StartsWith(line, kRun)) {
    // Not the next test (a main() that reorders them): found by its name.
    const auto it = pawn_->index_of_.find(Chomp(line.substr(std::strlen(kRun))));
    if (it != pawn_->index_of_.end() && wanted_.count(it->second) &&
        !done_.count(it->second)) {
      StartTest(it->second);
    }
  } else if (StartsWith(line, kEnvironmentSetUp)) {
    pawn_->Publish(Phase::kEnvironmentSetUp, NextPending());
  } else if (StartsWith(line, kEnvironmentTearDown)) {
    pawn_->Publish(Phase::kEnvironmentTearDown, proto::Scoreboard::kIdle);
  } else if (StartsWith(line, kDivider) && line.find(" total)") == std::string::npos) {
    // "[----------] 3 tests from HS": its SetUpTestSuite runs now.
    pawn_->Publish(Phase::kSuiteSetUp, NextPending());
  } else if (StartsWith(line, kAllRan) && line.find(" ran.") != std::string::npos) {
    pawn_->Publish(Phase::kExiting, proto::Scoreboard::kIdle);
  }
}

void ExecPawn::BatchRun::StartTest(uint32_t index) {
  current_ = index;
  ends_.emplace(pawn_->names_[index]);
  if (pawn_->channel_->report_starts()) pawn_->channel_->Send(proto::Started{index});
  begin_ = capture_.offset();
  head_.clear();
  started_ = Clock::now();
  pawn_->MarkRunning(current_, begin_);
}

void ExecPawn::BatchRun::FailOutside(proto::Result* carrier) const {
  carrier->status = TestStatus::kFailed;
  carrier->failures.push_back(proto::Failure{
      "", 0,
      "the test binary exited with code 1 though its tests passed: a failure outside "
      "any test (SetUpTestSuite, TearDownTestSuite or a global Environment); see the "
      "output"});
  carrier->output_begin = batch_begin_;
  carrier->output_end = capture_.offset();
}

std::vector<uint32_t> ExecPawn::BatchRun::Finish(
    int status, const std::map<std::string, ReportedTest>& reported) {
  capture_.Flush();
  Channel* channel = pawn_->channel_;
  const bool all_ran = std::all_of(pending_.begin(), pending_.end(),
                                   [this](uint32_t index) { return done_.count(index); });
  const bool any_failed = std::any_of(held_.begin(), held_.end(), [](const Finished& f) {
    return f.status == TestStatus::kFailed;
  });
  // gtest's report does not say what failed outside the tests; its output
  // does. The last test the summary names a suite of carries it; else the
  // batch's last pass, or else its last skip.
  const bool failed_outside =
      all_ran && !any_failed && WIFEXITED(status) && WEXITSTATUS(status) == 1;
  size_t carrier = held_.size();  // Into held_; held_.size(): none there.
  for (size_t i = 0; i < held_.size(); ++i) {
    if (failed_suites_.count(SuiteOf(pawn_->names_[held_[i].index]))) carrier = i;
  }
  if (carrier == held_.size() && !last_pass_ && !held_.empty())
    carrier = held_.size() - 1;
  if (last_pass_) {
    if (failed_outside && carrier == held_.size()) FailOutside(&*last_pass_);
    channel->Send(*last_pass_);
  }
  for (size_t i = 0; i < held_.size(); ++i) {
    const Finished& f = held_[i];
    proto::Result result = ResultOf(f);
    const auto it = reported.find(pawn_->names_[f.index]);
    if (it != reported.end()) result.failures = it->second.failures;
    // gtest's JSON report has no skip message; its output has.
    if (f.status == TestStatus::kSkipped) result.skip_message = SkipMessage(f.head);
    if (failed_outside && i == carrier) FailOutside(&result);
    FitResult(&result);
    channel->Send(result);
  }

  std::vector<uint32_t> rest;
  for (uint32_t index : pending_) {
    if (!done_.count(index) && static_cast<int64_t>(index) != current_)
      rest.push_back(index);
  }
  if (current_ >= 0) {
    // Out of the test, before the Rook reads that it ended.
    pawn_->Publish(Phase::kExiting, proto::Scoreboard::kIdle);
    proto::Result crashed;
    crashed.index = static_cast<uint32_t>(current_);
    crashed.status = TestStatus::kCrashed;
    crashed.crash = DescribeWaitStatus(status);
    crashed.duration_us = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_)
            .count());
    crashed.output_begin = begin_;
    crashed.output_end = capture_.offset();
    channel->Send(crashed);
    if (auto* board = pawn_->scoreboard_) board->running.store(proto::Scoreboard::kIdle);
    return rest;
  }
  // The child ended between tests without running these: they would not run
  // in another child either. Exiting 0 or 1 there, gtest ran no more tests
  // (a global Environment's SetUp skipped them or failed): they are skipped,
  // or the first carries the failure, as the binary passes or fails natively.
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (size_t i = 0; i < rest.size(); ++i) {
    proto::Result lost;
    lost.index = rest[i];
    lost.output_begin = lost.output_end = capture_.offset();
    if (code == 0 || (code == 1 && i > 0)) {
      lost.status = TestStatus::kSkipped;
      lost.skip_message =
          "not run: the test binary ran no more tests and exited with code " +
          std::to_string(code);
    } else if (code == 1) {
      lost.status = TestStatus::kFailed;
      lost.failures.push_back(proto::Failure{
          "", 0,
          "the test binary exited with code 1 before running this test: a failure "
          "outside any test (a global Environment's SetUp?); see the output"});
      lost.output_begin = batch_begin_;
    } else {
      lost.status = TestStatus::kCrashed;
      lost.crash = DescribeWaitStatus(status) + " before the test started";
    }
    channel->Send(lost);
  }
  return {};
}

ExecPawn::ExecPawn(Channel* channel, proto::Scoreboard* scoreboard,
                   ExecPawnOptions options)
    : channel_(channel), scoreboard_(scoreboard), options_(std::move(options)) {
  channel_->set_scoreboard(scoreboard_);
}

ExecPawn::~ExecPawn() = default;

std::string ExecPawn::TempPath(const char* what) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/redqueen-" + what + "-" +
         std::to_string(getpid()) + "-" + std::to_string(children_++) + ".json";
}

void ExecPawn::Publish(Phase phase, int64_t test) {
  if (scoreboard_) scoreboard_->Enter(phase, test, proto::SteadyNanos());
}

bool ExecPawn::Collect(std::string* error) {
  Publish(Phase::kListing, proto::Scoreboard::kIdle);
  // The JSON listing is exact whatever else main() prints; the text one is
  // the fallback for a gtest that writes none.
  const std::string listing = TempPath("list");
  std::vector<std::string> args = options_.args;
  args.push_back("--gtest_list_tests");
  args.push_back("--gtest_output=json:" + listing);
  ChildProcess child;
  if (!child.Start(options_.binary, args, error)) return false;
  // However long it takes: the Rook's deadline for the pawn's hello ends it.
  std::string text;
  while (child.Read(&text)) {
  }
  const int status = child.Wait();
  proto::KillOrphans();
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
  for (proto::TestInfo& test : tests_) {
    // A test's identity is the bytes gtest registered (gtest_bytes.h); the
    // text listing has them as they are.
    if (from_json) {
      for (std::string* field :
           {&test.name, &test.file, &test.type_param, &test.value_param}) {
        *field = GtestBytes(*field);
      }
    }
    names_.push_back(test.name);
    longest_name_ = std::max(longest_name_, test.name.size());
  }
  for (uint32_t i = 0; i < tests_.size(); ++i) index_of_.emplace(names_[i], i);
  return true;
}

void ExecPawn::MarkRunning(int64_t index, uint64_t output_begin) {
  if (!scoreboard_) return;
  const int64_t now = proto::SteadyNanos();
  scoreboard_->output_begin.store(output_begin, std::memory_order_relaxed);
  scoreboard_->started_ns.store(now, std::memory_order_relaxed);
  scoreboard_->running.store(index, std::memory_order_release);
  scoreboard_->Enter(Phase::kTest, index, now);
}

std::string ExecPawn::FilterFor(const std::vector<uint32_t>& batch) const {
  bool widened = false;
  const std::string filter = BatchFilter(names_, batch, {}, &widened);
  if (!widened) return filter;
  // The filter may select tests beyond the batch: keep those out, but for a
  // name a filter cannot tell from one of the batch's (they differ only in
  // filter syntax): that test runs along, and its result is not used.
  std::vector<std::string> patterns;
  for (uint32_t index : batch) {
    bool odd = false;
    std::string pattern = PatternFor(names_[index], &odd);
    if (odd) patterns.push_back(std::move(pattern));
  }
  const std::set<uint32_t> in_batch(batch.begin(), batch.end());
  std::vector<uint32_t> excluded;
  for (uint32_t i = 0; i < names_.size(); ++i) {
    if (in_batch.count(i) ||
        std::none_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
          return MatchesPattern(pattern, names_[i]);
        })) {
      continue;
    }
    bool odd = false;
    const std::string own = PatternFor(names_[i], &odd);
    if (std::none_of(batch.begin(), batch.end(), [&](uint32_t index) {
          return MatchesPattern(own, names_[index]);
        })) {
      excluded.push_back(i);
    }
  }
  return BatchFilter(names_, batch, excluded, &widened);
}

std::vector<uint32_t> ExecPawn::Indistinct(std::vector<uint32_t>* batch) const {
  std::vector<uint32_t> alone;
  std::vector<uint32_t> kept;
  for (uint32_t index : *batch) {
    bool odd = false;
    const std::string pattern = PatternFor(names_[index], &odd);
    bool twin = false;
    for (uint32_t other = 0; odd && !twin && other < names_.size(); ++other) {
      bool ignored = false;
      twin = other != index && MatchesPattern(pattern, names_[other]) &&
             MatchesPattern(PatternFor(names_[other], &ignored), names_[index]);
    }
    (twin ? alone : kept).push_back(index);
  }
  *batch = std::move(kept);
  return alone;
}

std::vector<std::string> ExecPawn::ShardFor(uint32_t index) const {
  bool odd = false;
  const std::string pattern = PatternFor(names_[index], &odd);
  size_t count = 0;
  size_t position = 0;
  for (uint32_t i = 0; i < names_.size(); ++i) {
    if (!MatchesPattern(pattern, names_[i])) continue;
    if (i == index) position = count;
    ++count;
  }
  return {"GTEST_TOTAL_SHARDS=" + std::to_string(count),
          "GTEST_SHARD_INDEX=" + std::to_string(position)};
}

std::vector<uint32_t> ExecPawn::RunChild(const std::vector<uint32_t>& pending,
                                         const std::vector<std::string>& env) {
  const std::string report = TempPath("report");
  std::vector<std::string> args = options_.args;
  // However long the batch's filter is, the child can be started.
  const std::string filter = FilterFor(pending);
  std::string flagfile;
  if (filter.size() > kMaxFilterArgument) {
    flagfile = TempPath("filter");
    std::ofstream(flagfile, std::ios::binary) << "--gtest_filter=" << filter << "\n";
    args.push_back("--gtest_flagfile=" + flagfile);
  } else {
    args.push_back("--gtest_filter=" + filter);
  }
  // Last, so they win over the same flags in ARGS: the line parsing needs
  // every test's lines, once, uncoloured.
  for (const char* flag : {"--gtest_also_run_disabled_tests", "--gtest_color=no",
                           "--gtest_brief=0", "--gtest_repeat=1"}) {
    args.emplace_back(flag);
  }
  args.push_back("--gtest_output=json:" + report);

  ChildProcess child;
  std::string error;
  if (!child.Start(options_.binary, args, &error, env)) {
    // No test of the batch ran: they go back, and the Rook stops the run
    // with this line rather than blame one of them.
    std::fprintf(stderr, "redqueen: error: %s\n", error.c_str());
    std::fflush(stderr);
    channel_->Send(proto::Requeue{pending});
    _exit(3);
  }
  BatchRun run(this, pending);
  // A status line may follow at most this much unterminated output.
  LineSplitter lines(longest_name_ + kHeadBytes);
  std::string piece;
  bool whole = false;
  while (child.Read(&lines.buffer())) {
    while (lines.Next(&piece, &whole)) run.OnOutput(std::move(piece), whole);
    run.Flush();
  }
  if (lines.Rest(&piece)) run.OnOutput(std::move(piece), true);
  const int status = child.Wait();
  // What the child left behind (a daemon holding its output open) goes now.
  proto::KillOrphans();
  if (!flagfile.empty()) std::remove(flagfile.c_str());
  std::map<std::string, ReportedTest> reported;
  for (auto& [name, test] : ReadGtestReport(report)) {
    for (proto::Failure& failure : test.failures) {
      failure.file = GtestBytes(failure.file);
      failure.message = GtestBytes(failure.message);
    }
    reported.emplace(GtestBytes(name), std::move(test));
  }
  std::remove(report.c_str());
  return run.Finish(status, reported);
}

void ExecPawn::RunBatch(std::vector<uint32_t> pending) {
  pending.erase(std::remove_if(pending.begin(), pending.end(),
                               [this](uint32_t i) { return i >= tests_.size(); }),
                pending.end());
  if (pending.empty()) return;
  std::sort(pending.begin(), pending.end());
  // A test that no filter tells from another (their names differ only in
  // filter syntax) runs in a child of its own, picked out of the tests its
  // filter selects by gtest's sharding, which counts them in registration
  // order.
  std::vector<uint32_t> rest;
  for (uint32_t index : Indistinct(&pending)) {
    if (rest.empty()) {
      rest = RunChild({index}, ShardFor(index));
    } else {
      rest.push_back(index);
    }
  }
  // After a crash, what the child did not get to goes back to the Rook's
  // queue, as a dead resident pawn's batch does.
  if (rest.empty() && !pending.empty()) {
    rest = RunChild(pending, {});
  } else {
    rest.insert(rest.end(), pending.begin(), pending.end());
  }
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
  // argv: redqueen exec-pawn BINARY [-- ARGS...]
  ExecPawnOptions options;
  int i = 2;
  if (i >= argc || !StartedByRook()) {
    std::fprintf(
        stderr, "redqueen: error: exec-pawn is started by 'redqueen run', not by hand\n");
    return 2;
  }
  options.binary = argv[i++];
  if (i < argc && std::strcmp(argv[i], "--") == 0) ++i;
  options.args.assign(argv + i, argv + argc);
  Attachment attachment = AttachToRook();
  // What a child's tests leave behind is the exec pawn's to end after each
  // child. (A resident pawn is no subreaper: its tests are its own code, and
  // wait() in one of them would reap what another left.)
  proto::BecomeSubreaper();
  Channel channel(attachment.command_fd, attachment.event_fd, attachment.token);
  ExecPawn pawn(&channel, attachment.scoreboard, std::move(options));
  return pawn.Serve();
}

}  // namespace redqueen::pawn
