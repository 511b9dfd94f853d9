#include "pawn/resident_pawn.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace redqueen::pawn {
namespace {

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Where the capture file (our stdout and stderr) ends, after flushing.
uint64_t OutputOffset() {
  std::fflush(nullptr);
  const off_t end = lseek(STDOUT_FILENO, 0, SEEK_END);
  return end < 0 ? 0 : static_cast<uint64_t>(end);
}

TestStatus StatusOf(const testing::TestResult& result) {
  if (result.Failed()) return TestStatus::kFailed;
  if (result.Skipped()) return TestStatus::kSkipped;
  return TestStatus::kPassed;
}

}  // namespace

/// Reports each test as it ends, and keeps the scoreboard current.
class ResidentPawn::Reporter : public testing::EmptyTestEventListener {
 public:
  explicit Reporter(ResidentPawn* pawn) : pawn_(pawn) {}

  void OnTestStart(const testing::TestInfo& info) override {
    const auto it = pawn_->index_of_.find(&info);
    index_ = it == pawn_->index_of_.end() ? 0 : it->second;
    output_begin_ = OutputOffset();
    started_ns_ = SteadyNanos();
    if (auto* board = pawn_->scoreboard_) {
      board->output_begin.store(output_begin_, std::memory_order_relaxed);
      board->started_ns.store(started_ns_, std::memory_order_relaxed);
      board->running.store(index_, std::memory_order_release);
    }
  }

  void OnTestEnd(const testing::TestInfo& info) override {
    const testing::TestResult& gtest_result = *info.result();
    proto::Result result;
    result.index = index_;
    result.status = StatusOf(gtest_result);
    result.duration_us = static_cast<uint64_t>((SteadyNanos() - started_ns_) / 1000);
    for (int i = 0; i < gtest_result.total_part_count(); ++i) {
      const testing::TestPartResult& part = gtest_result.GetTestPartResult(i);
      if (part.skipped()) {
        if (result.skip_message.empty()) result.skip_message = part.message();
        continue;
      }
      if (!part.failed()) continue;
      result.failures.push_back(proto::Failure{
          part.file_name() ? part.file_name() : "", part.line_number(),
          part.message()});
    }
    result.finished_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    result.output_begin = output_begin_;
    // Only a test that did not pass has its output read; skip the syscall.
    result.output_end =
        result.status == TestStatus::kPassed ? output_begin_ : OutputOffset();
    Report(result);
    if (auto* board = pawn_->scoreboard_) {
      board->running.store(proto::Scoreboard::kIdle, std::memory_order_release);
    }
  }

  /// Writes what is queued (at the end of a batch).
  void Flush() { pawn_->channel_->Flush(); }

 private:
  /// Passes are queued and written together, a write per test being most of
  /// a trivial test's cost; anything else goes at once, and nothing waits
  /// longer than kMaxHoldNs or past the batch. A pawn that dies loses only
  /// queued passes: those tests are requeued with the rest of its batch.
  void Report(const proto::Result& result) {
    Channel& channel = *pawn_->channel_;
    const int64_t now = SteadyNanos();
    if (channel.queued_bytes() == 0) oldest_queued_ns_ = now;
    channel.Queue(result);
    if (result.status != TestStatus::kPassed || channel.queued_bytes() >= kMaxQueuedBytes ||
        now - oldest_queued_ns_ >= kMaxHoldNs) {
      channel.Flush();
    }
  }

  static constexpr size_t kMaxQueuedBytes = 32 * 1024;
  static constexpr int64_t kMaxHoldNs = 2'000'000;

  ResidentPawn* pawn_;
  int64_t oldest_queued_ns_ = 0;
  uint32_t index_ = 0;
  uint64_t output_begin_ = 0;
  int64_t started_ns_ = 0;
};

/// Replaces gtest's console printer in a pawn: it prints each failure and
/// skip where the test's own output is, as gtest does, and nothing for a
/// passing test, so that a passing test costs no write.
class FailurePrinter : public testing::EmptyTestEventListener {
 public:
  void OnTestPartResult(const testing::TestPartResult& part) override {
    if (part.type() == testing::TestPartResult::kSuccess) return;
    const char* kind = part.skipped() ? "Skipped" : "Failure";
    if (part.file_name()) {
      std::printf("%s:%d: %s\n%s\n", part.file_name(), part.line_number(), kind,
                  part.message());
    } else {
      std::printf("%s\n%s\n", kind, part.message());
    }
    std::fflush(stdout);
  }
};

ResidentPawn::ResidentPawn(Channel* channel, proto::Scoreboard* scoreboard)
    : channel_(channel), scoreboard_(scoreboard) {}

void ResidentPawn::CollectTests() {
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const testing::TestInfo* info = suite.GetTestInfo(j);
      index_of_.emplace(info, static_cast<uint32_t>(tests_.size()));
      tests_.push_back(info);
      names_.push_back(std::string(info->test_suite_name()) + "." + info->name());
    }
  }
}

proto::TestList ResidentPawn::List() const {
  proto::TestList list;
  list.tests.reserve(tests_.size());
  for (size_t i = 0; i < tests_.size(); ++i) {
    const testing::TestInfo& info = *tests_[i];
    list.tests.push_back(proto::TestInfo{
        names_[i], info.file(), info.line(),
        info.type_param() ? info.type_param() : "",
        info.value_param() ? info.value_param() : ""});
  }
  return list;
}

void ResidentPawn::RunBatch(const std::vector<uint32_t>& indexes) {
  std::string filter;
  for (uint32_t index : indexes) {
    if (index >= names_.size()) continue;
    if (!filter.empty()) filter += ':';
    filter += names_[index];
  }
  // An empty filter would mean "everything"; a batch of unknown indexes runs
  // nothing instead.
  if (filter.empty()) return;
  GTEST_FLAG_SET(filter, filter);
  GTEST_FLAG_SET(also_run_disabled_tests, true);
  // The per-test results went out through the Reporter; the aggregate is moot.
  if (RUN_ALL_TESTS() != 0) {
  }
  std::fflush(nullptr);
  reporter_->Flush();
}

int ResidentPawn::Serve() {
  CollectTests();
  channel_->Send(proto::HelloFor(static_cast<int32_t>(getpid()), names_));

  // Line-buffered, so what a test printed before it crashed is in the
  // capture file, as on a terminal.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new FailurePrinter);
  reporter_ = new Reporter(this);
  listeners.Append(reporter_);
  return ServeCommands(
      channel_, [this] { return List(); },
      [this](const std::vector<uint32_t>& indexes) { RunBatch(indexes); });
}

}  // namespace redqueen::pawn
