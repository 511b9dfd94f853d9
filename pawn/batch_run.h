// The exec pawn's run of one child over one batch (ExecPawn::BatchRun),
// private to the exec pawn: what it reads in the child's output, and the
// results it makes of that and of the child's JSON report.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pawn/child_output.h"
#include "pawn/exec_pawn.h"
#include "pawn/gtest_report.h"

namespace redqueen::pawn {

/// How much of a test's output the exec pawn keeps to find its skip message.
inline constexpr size_t kHeadBytes = 64 * 1024;

/// gtest's three end-of-test lines for one test, without what follows the
/// name.
struct EndLines {
  explicit EndLines(const std::string& name);
  std::string lines[3];
};

struct ExecPawn::Finished {
  uint32_t index;
  TestStatus status;
  uint64_t duration_us;
  uint64_t output_begin;
  uint64_t output_end;
  std::string head;  ///< The start of its output (kHeadBytes at most).
};

/// One child over one batch: follows its output to know which test runs,
/// reports each test as it ends, and tells the Rook what it is doing.
class ExecPawn::BatchRun {
 public:
  BatchRun(ExecPawn* pawn, const std::vector<uint32_t>& pending)
      : pawn_(pawn),
        pending_(pending),
        wanted_(pending.begin(), pending.end()),
        batch_begin_(capture_.offset()) {
    pawn_->Publish(proto::Phase::kStarting, NextPending());
  }

  /// Before the pawn waits for more output: what it has is in the file,
  /// and the passes queued since the last wait are with the Rook.
  void Flush() {
    capture_.Flush();
    pawn_->channel_->Flush();
  }

  /// A line of the child's output (`whole`), or a piece of a long one.
  void OnOutput(std::string line, bool whole) {
    if (current_ >= 0 && whole) EndTestIn(&line);
    capture_.Write(line);
    if (current_ >= 0 && head_.size() < kHeadBytes) head_ += line;
    if (current_ < 0 && whole) OnLineOutsideTests(line);
  }

  /// Whether Finish needs the child's JSON report: only the results held
  /// back (failures and skips) take anything from it.
  bool WantsReport() const { return !held_.empty(); }

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
  /// Sends the results held back and the latest pass; one of them carries
  /// a failure outside the tests when the child's exit code says so.
  void SendHeld(int status, const std::map<std::string, ReportedTest>& reported);
  /// The result of the test the child died in.
  void SendCrashed(int status);
  /// The results of `rest`, which the child ended without running.
  void SendNotRun(int status, const std::vector<uint32_t>& rest);

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
  std::chrono::steady_clock::time_point started_;
  /// The next test's RUN line read so far; the running test's last lines,
  /// where its end line may begin (names may hold '\n').
  std::string run_line_;
  std::string last_lines_;
  std::optional<EndLines> ends_;  ///< The running test's.
};

}  // namespace redqueen::pawn
