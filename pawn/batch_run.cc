// ExecPawn::BatchRun (batch_run.h): gtest's lines in a child's output, which
// tell which test runs and how it ended, and the results made of them when
// the child is reaped.
#include "pawn/batch_run.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstring>

#include "pawn/result_limits.h"

namespace redqueen::pawn {
namespace {

using Clock = std::chrono::steady_clock;
using proto::Phase;

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

/// The skip message gtest printed after "path:line: Skipped", if any.
std::string SkipMessage(const std::string& output) {
  const size_t at = output.find("Skipped\n");
  if (at == std::string::npos) return "";
  std::string message = output.substr(at + 8);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return message;
}

}  // namespace

EndLines::EndLines(const std::string& name)
    : lines{kOk + name, kFailed + name, kSkipped + name} {}

proto::Result ExecPawn::ResultOf(const Finished& f) {
  proto::Result result;
  result.index = f.index;
  result.status = f.status;
  result.duration_us = f.duration_us;
  result.output_begin = f.output_begin;
  result.output_end = f.output_end;
  return result;
}

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
  // A pass is reported as it happens, in one write with the others of the
  // same read of the child's output (Flush): a write per test was most of
  // a trivial test's cost, here and in the Rook woken for each. A failure
  // or skip waits for the child's end and its JSON report (exact file:line),
  // where it writes one.
  if (f.status == TestStatus::kPassed) {
    if (last_pass_) pawn_->channel_->Queue(*last_pass_);
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
  SendHeld(status, reported);
  std::vector<uint32_t> rest;
  for (uint32_t index : pending_) {
    if (!done_.count(index) && static_cast<int64_t>(index) != current_)
      rest.push_back(index);
  }
  if (current_ >= 0) {
    SendCrashed(status);
    return rest;
  }
  SendNotRun(status, rest);
  return {};
}

void ExecPawn::BatchRun::SendHeld(int status,
                                  const std::map<std::string, ReportedTest>& reported) {
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
    // The report's words when it has the test; else (a child that crashed
    // before writing it, or wrote none) what the output says.
    const auto it = reported.find(pawn_->names_[f.index]);
    result.failures =
        it != reported.end() ? it->second.failures : FailuresInOutput(f.head);
    // gtest's JSON report has no skip message; its output has.
    if (f.status == TestStatus::kSkipped) result.skip_message = SkipMessage(f.head);
    if (failed_outside && i == carrier) FailOutside(&result);
    FitResult(&result);
    channel->Send(result);
  }
}

void ExecPawn::BatchRun::SendCrashed(int status) {
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
  pawn_->channel_->Send(crashed);
  if (auto* board = pawn_->scoreboard_) board->running.store(proto::Scoreboard::kIdle);
}

void ExecPawn::BatchRun::SendNotRun(int status, const std::vector<uint32_t>& rest) {
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
    pawn_->channel_->Send(lost);
  }
}

}  // namespace redqueen::pawn
