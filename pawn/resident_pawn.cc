#include "pawn/resident_pawn.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <unordered_set>

#include "pawn/result_limits.h"

namespace redqueen::pawn {

// gtest decides which tests run from the filter alone, and a batch runs
// under the filter "*": naming its tests would cost a parse and a hash of
// thousands of names, and a filter cannot always name exactly the tests of a
// batch (batch_filter.h). The flags gtest computes from the filter are
// private; these give the pawn the right to clear them for every test out of
// the batch, after gtest filtered and before anything ran. (Explicit instantiation may
// name private members; every gtest since 1.8 has both fields.)
template <class Tag, typename Tag::type kMember>
struct PrivateAccess {
  friend typename Tag::type Member(Tag) { return kMember; }
};
struct TestShouldRun {
  using type = bool testing::TestInfo::*;
  friend type Member(TestShouldRun);
};
struct SuiteShouldRun {
  using type = bool testing::TestSuite::*;
  friend type Member(SuiteShouldRun);
};
template struct PrivateAccess<TestShouldRun, &testing::TestInfo::should_run_>;
template struct PrivateAccess<SuiteShouldRun, &testing::TestSuite::should_run_>;

namespace {

using proto::Phase;
using proto::SteadyNanos;

/// Where the capture file (our stdout and stderr) ends, after flushing.
uint64_t OutputOffset() {
  // The streams that go to the capture file; fflush(nullptr) would walk
  // every stream the process has open, for each test.
  std::fflush(stdout);
  std::fflush(stderr);
  const off_t end = lseek(STDOUT_FILENO, 0, SEEK_END);
  return end < 0 ? 0 : static_cast<uint64_t>(end);
}

TestStatus StatusOf(const testing::TestResult& result) {
  if (result.Failed()) return TestStatus::kFailed;
  if (result.Skipped()) return TestStatus::kSkipped;
  return TestStatus::kPassed;
}

/// Prints a failure or skip where the test's own output is, as gtest's
/// console printer does; `where` names what ran outside a test.
void PrintPart(const testing::TestPartResult& part, const std::string& where) {
  const std::string kind = std::string(part.skipped() ? "Skipped" : "Failure") +
                           (where.empty() ? "" : " in " + where);
  if (part.file_name()) {
    std::printf("%s:%d: %s\n%s\n", part.file_name(), part.line_number(), kind.c_str(),
                part.message());
  } else {
    std::printf("%s\n%s\n", kind.c_str(), part.message());
  }
  std::fflush(stdout);
}

}  // namespace

/// Reports each test as it ends, and keeps the scoreboard current. It stands
/// in for gtest's console printer: it prints each failure and skip, and
/// nothing for a passing test, so that a passing test costs no write.
///
/// A failure outside any test (SetUpTestSuite, TearDownTestSuite, a global
/// Environment) fails the binary natively, so it must fail the run here too.
/// It goes to the test it concerns: a set-up failure to the next test; a
/// tear-down failure to the suite's last test in the batch (or, for the
/// environment, the batch's last), whose result waits for the tear-down.
class ResidentPawn::Reporter : public testing::EmptyTestEventListener {
 public:
  explicit Reporter(ResidentPawn* pawn) : pawn_(pawn) {}

  /// Before RUN_ALL_TESTS: which results wait for a tear-down.
  void BeginBatch(const std::vector<uint32_t>& indexes) {
    batch_ = &indexes;
    ended_ = 0;
    end_ = indexes.size();
    waits_.clear();
    for (size_t i = 0; i < indexes.size(); ++i) {
      const bool last_of_suite =
          i + 1 == indexes.size() ||
          pawn_->suites_[indexes[i]] != pawn_->suites_[indexes[i + 1]];
      if (last_of_suite) waits_.insert(indexes[i]);
    }
    batch_last_ = indexes.empty() ? 0 : indexes.back();
    // Wall-clock end times follow from the steady clock, read once a test.
    wall_minus_steady_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count() -
                            SteadyNanos() / 1000;
    SetPhase("the SetUp of a global Environment");
    Publish(Phase::kEnvironmentSetUp, Next(), SteadyNanos());
  }

  /// After RUN_ALL_TESTS: the batch's last result, with any failure of the
  /// environment's tear-down, and everything queued.
  void EndBatch() {
    ReportUnrun();
    if (waiting_) Release();
    pawn_->channel_->Flush();
  }

  /// gtest has chosen the batch's tests by now. Every test's constructor
  /// copies every flag (and its destructor copies them back), so a batch's
  /// long filter would be copied twice per test: a cost that grows with the
  /// square of the batch. The filter goes back to what the binary had.
  void OnTestIterationStart(const testing::UnitTest&, int) override {
    GTEST_FLAG_SET(filter, pawn_->own_filter_);
    pawn_->Prune(*batch_);
  }

  void OnTestSuiteStart(const testing::TestSuite& suite) override {
    SetPhase("SetUpTestSuite of ", suite.name());
    Publish(Phase::kSuiteSetUp, Next(), SteadyNanos());
  }

  void OnTestSuiteEnd(const testing::TestSuite&) override {
    SetPhase("the TearDown of a global Environment");
    Publish(Phase::kEnvironmentTearDown, ended_ > 0 ? (*batch_)[ended_ - 1] : Next(),
            SteadyNanos());
    if (waiting_ && waiting_->index != batch_last_) Release();
  }

  /// Failures inside a test are in its gtest result; those outside are not,
  /// so they are kept here. (No call into gtest here: it holds its lock.)
  void OnTestPartResult(const testing::TestPartResult& part) override {
    if (part.type() == testing::TestPartResult::kSuccess) return;
    if (in_test_ || !part.failed()) {
      if (!in_test_ && part.skipped()) outside_skip_ = part.message();
      PrintPart(part, in_test_ ? "" : Phase());
      return;
    }
    if (outside_.empty()) outside_output_begin_ = OutputOffset();
    outside_.push_back(proto::Failure{part.file_name() ? part.file_name() : "",
                                      part.line_number(),
                                      "in " + Phase() + ": " + part.message()});
    PrintPart(part, Phase());
  }

  void OnTestStart(const testing::TestInfo& info) override {
    in_test_ = true;
    index_ = pawn_->IndexOf(info, ended_ < end_ ? (*batch_)[ended_] : 0);
    output_begin_ = OutputOffset();
    started_ns_ = SteadyNanos();
    if (auto* board = pawn_->scoreboard_) {
      board->output_begin.store(output_begin_, std::memory_order_relaxed);
      board->started_ns.store(started_ns_, std::memory_order_relaxed);
      board->running.store(index_, std::memory_order_release);
      board->Enter(Phase::kTest, index_, started_ns_);
    }
    // At once, queued passes with it: someone follows the run (--events).
    if (pawn_->channel_->report_starts()) pawn_->channel_->Send(proto::Started{index_});
  }

  void OnTestEnd(const testing::TestInfo& info) override {
    const testing::TestResult& gtest_result = *info.result();
    proto::Result result;
    result.index = index_;
    result.status = StatusOf(gtest_result);
    const int64_t ended_ns = SteadyNanos();
    result.duration_us = static_cast<uint64_t>((ended_ns - started_ns_) / 1000);
    for (int i = 0; i < gtest_result.total_part_count(); ++i) {
      const testing::TestPartResult& part = gtest_result.GetTestPartResult(i);
      if (part.skipped()) {
        if (result.skip_message.empty()) result.skip_message = part.message();
        continue;
      }
      if (!part.failed()) continue;
      result.failures.push_back(proto::Failure{part.file_name() ? part.file_name() : "",
                                               part.line_number(), part.message()});
    }
    result.finished_us = wall_minus_steady_us_ + ended_ns / 1000;
    result.output_begin = output_begin_;
    // Only a test that did not pass has its output read; skip the syscall.
    result.output_end =
        result.status == TestStatus::kPassed ? output_begin_ : OutputOffset();
    in_test_ = false;
    SetPhase("TearDownTestSuite of ", info.test_suite_name());
    // A set-up that failed before this test started.
    AddOutside(&result);
    if (auto* board = pawn_->scoreboard_) {
      board->running.store(proto::Scoreboard::kIdle, std::memory_order_release);
      // A set-up of the next test's suite, if any, says so when it starts.
      board->Enter(Phase::kSuiteTearDown, index_, ended_ns);
    }
    ++ended_;
    // The next test is claimed before gtest can start it; one the Rook took
    // back ends the batch here.
    if (ended_ < end_ && pawn_->Claim(1) == 0) Cut(result.index);
    if (waits_.count(result.index)) {
      waiting_ = std::move(result);
    } else {
      Report(result, ended_ns);
    }
  }

 private:
  /// Adds the failures outside tests so far to `result`, which then fails.
  void AddOutside(proto::Result* result) {
    if (outside_.empty()) return;
    result->failures.insert(result->failures.begin(), outside_.begin(), outside_.end());
    outside_.clear();
    result->status = TestStatus::kFailed;
    result->output_begin = std::min(result->output_begin, outside_output_begin_);
    result->output_end = OutputOffset();
  }

  /// The Rook took back the batch's tests from the ended_-th on: gtest does
  /// not start them, and `last`, which just ended, is now the last of its
  /// suite and of the batch, so its result waits for their tear-downs.
  void Cut(uint32_t last) {
    pawn_->Drop(*batch_, ended_, end_, last);
    end_ = ended_;
    waits_.insert(last);
    batch_last_ = last;
  }

  /// The batch's tests gtest did not run at all: a global Environment's
  /// SetUp skipped them or failed (no event of a test follows either). The
  /// binary then passes, or fails with that failure, natively; so do they.
  /// The first of them was claimed before gtest began; the rest are claimed
  /// here, and those the Rook took back meanwhile are not reported.
  void ReportUnrun() {
    if (!batch_) return;
    if (ended_ + 1 < end_) {
      end_ = ended_ + 1 + pawn_->Claim(static_cast<uint32_t>(end_ - ended_ - 1));
    }
    for (size_t i = ended_; i < end_; ++i) {
      proto::Result result;
      result.index = (*batch_)[i];
      result.status = TestStatus::kSkipped;
      result.skip_message =
          outside_.empty() ? "not run: the SetUp of a global Environment skipped it" +
                                 (outside_skip_.empty() ? "" : ": " + outside_skip_)
                           : "not run: the SetUp of a global Environment failed";
      result.output_begin = result.output_end = OutputOffset();
      if (!outside_.empty()) {
        result.skip_message.clear();
        AddOutside(&result);
      }
      Report(result, SteadyNanos());
    }
    ended_ = end_;
    outside_skip_.clear();
  }

  /// Sends the result that waited for its suite's tear-down.
  void Release() {
    AddOutside(&*waiting_);
    Report(*waiting_, SteadyNanos());
    waiting_.reset();
  }

  /// Passes are queued and written together, a write per test being most of
  /// a trivial test's cost; anything else goes at once, and nothing waits
  /// longer than kMaxHoldNs or past the batch. A pawn that dies loses only
  /// queued passes: those tests are requeued with the rest of its batch.
  /// `now`: SteadyNanos() at the test's end.
  void Report(proto::Result& result, int64_t now) {
    if (result.status != TestStatus::kPassed) FitResult(&result);
    Channel& channel = *pawn_->channel_;
    if (channel.queued_bytes() == 0) oldest_queued_ns_ = now;
    channel.Queue(result);
    if (result.status != TestStatus::kPassed ||
        channel.queued_bytes() >= kMaxQueuedBytes ||
        now - oldest_queued_ns_ >= kMaxHoldNs) {
      channel.Flush();
    }
  }

  /// The batch's next test to start (kIdle past its end).
  int64_t Next() const {
    return batch_ && ended_ < end_ ? (*batch_)[ended_] : proto::Scoreboard::kIdle;
  }

  void Publish(Phase phase, int64_t test, int64_t now) {
    if (auto* board = pawn_->scoreboard_) board->Enter(phase, test, now);
  }

  static constexpr size_t kMaxQueuedBytes = 32 * 1024;
  static constexpr int64_t kMaxHoldNs = 2'000'000;

  ResidentPawn* pawn_;
  bool in_test_ = false;
  /// What runs when no test does, for the messages of failures there: kept
  /// as two pieces, and joined only for such a failure, since it changes
  /// with every test. gtest keeps the suite names for the process's life.
  void SetPhase(const char* what, const char* suite = "") {
    phase_what_ = what;
    phase_suite_ = suite;
  }
  std::string Phase() const { return std::string(phase_what_) + phase_suite_; }
  const char* phase_what_ = "";
  const char* phase_suite_ = "";
  std::vector<proto::Failure> outside_;
  std::string outside_skip_;  ///< A GTEST_SKIP outside tests, for ReportUnrun.
  uint64_t outside_output_begin_ = 0;
  /// Tests whose result waits for their suite's tear-down, and the one that
  /// waits now.
  std::unordered_set<uint32_t> waits_;
  uint32_t batch_last_ = 0;
  /// The batch being run, in the order it runs, how many of it ended, and
  /// where it ends now (the Rook may take back its tail).
  const std::vector<uint32_t>* batch_ = nullptr;
  size_t ended_ = 0;
  size_t end_ = 0;
  std::optional<proto::Result> waiting_;
  int64_t oldest_queued_ns_ = 0;
  int64_t wall_minus_steady_us_ = 0;
  uint32_t index_ = 0;
  uint64_t output_begin_ = 0;
  int64_t started_ns_ = 0;
};

ResidentPawn::ResidentPawn(Channel* channel, proto::Scoreboard* scoreboard)
    : channel_(channel), scoreboard_(scoreboard) {}

void ResidentPawn::CollectTests() {
  own_filter_ = GTEST_FLAG_GET(filter);
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  proto::ListHasher hasher;
  // The hello needs only the list's hash: each full name is made in one
  // buffer, and kept only if the Rook asks for the list (List), which it
  // does not when the store remembers this list.
  std::string name;
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const testing::TestInfo* info = suite.GetTestInfo(j);
      tests_.push_back(info);
      suites_.push_back(&suite);
      FullName(*info, &name);
      hasher.Add(name, info->file(), info->line(),
                 info->type_param() ? info->type_param() : "",
                 info->value_param() ? info->value_param() : "");
    }
  }
  list_hash_ = hasher.hash();
}

void ResidentPawn::FullName(const testing::TestInfo& info, std::string* name) {
  name->assign(info.test_suite_name());
  name->push_back('.');
  name->append(info.name());
}

proto::TestList ResidentPawn::List() const {
  proto::TestList list;
  list.tests.reserve(tests_.size());
  for (size_t i = 0; i < tests_.size(); ++i) {
    const testing::TestInfo& info = *tests_[i];
    std::string name;
    FullName(info, &name);
    list.tests.push_back(proto::TestInfo{std::move(name), info.file(), info.line(),
                                         info.type_param() ? info.type_param() : "",
                                         info.value_param() ? info.value_param() : ""});
  }
  return list;
}

void ResidentPawn::RunBatch(const std::vector<uint32_t>& indexes) {
  std::vector<uint32_t> batch;
  for (uint32_t index : indexes) {
    if (index < tests_.size()) batch.push_back(index);
  }
  // A batch of unknown indexes runs nothing (an empty filter would mean
  // "everything").
  if (batch.empty()) return;
  std::sort(batch.begin(), batch.end());
  command_ = scoreboard_ ? scoreboard_->commands_read.load(std::memory_order_relaxed) : 0;
  // The Rook takes back nothing of a batch not begun (proto::
  // TakeBackUnstarted keeps it whole), so this first claim holds: were it
  // refused, none of the batch would be this pawn's to run.
  if (Claim(1) == 0) return;
  // gtest matches every registered test against the filter. A filter that
  // names the batch cost its parse into a set of thousands of names and a
  // hash of every test's name: half of a batch's walk of 10,000 tests.
  // Every test matches "*", and Prune then keeps the batch alone.
  GTEST_FLAG_SET(filter, "*");
  GTEST_FLAG_SET(also_run_disabled_tests, true);
  reporter_->BeginBatch(batch);
  // The per-test results went out through the Reporter; the aggregate is moot.
  if (RUN_ALL_TESTS() != 0) {
  }
  std::fflush(nullptr);
  reporter_->EndBatch();
}

void ResidentPawn::Prune(const std::vector<uint32_t>& batch) {
  std::vector<bool> wanted(tests_.size(), false);
  for (uint32_t index : batch) wanted[index] = true;
  for (size_t i = 0; i < tests_.size();) {
    // gtest hands out its suites and tests as const; they are its own,
    // mutable objects.
    auto& suite = const_cast<testing::TestSuite&>(*suites_[i]);
    bool any = false;
    for (; i < tests_.size() && suites_[i] == &suite; ++i) {
      auto& info = const_cast<testing::TestInfo&>(*tests_[i]);
      if (info.should_run() && !wanted[i]) info.*Member(TestShouldRun{}) = false;
      any = any || info.should_run();
    }
    // A suite none of whose tests runs must not run its set-up either.
    suite.*Member(SuiteShouldRun{}) = any;
  }
  // A test registered since CollectTests (RegisterTest in a test body) is
  // in no list the Rook has: it never runs, as no batch's names matched it.
  testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  if (static_cast<size_t>(unit.total_test_count()) == tests_.size()) return;
  std::unordered_set<const testing::TestInfo*> listed(tests_.begin(), tests_.end());
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    auto& suite = const_cast<testing::TestSuite&>(*unit.GetTestSuite(i));
    bool any = false;
    for (int j = 0; j < suite.total_test_count(); ++j) {
      auto& info = const_cast<testing::TestInfo&>(*suite.GetTestInfo(j));
      if (!listed.count(&info)) info.*Member(TestShouldRun{}) = false;
      any = any || info.should_run();
    }
    suite.*Member(SuiteShouldRun{}) = any;
  }
}

uint32_t ResidentPawn::IndexOf(const testing::TestInfo& info, uint32_t expected) {
  if (expected < tests_.size() && tests_[expected] == &info) return expected;
  if (index_of_.empty()) {
    for (size_t i = 0; i < tests_.size(); ++i) {
      index_of_.emplace(tests_[i], static_cast<uint32_t>(i));
    }
  }
  const auto it = index_of_.find(&info);
  return it == index_of_.end() ? 0 : it->second;
}

uint32_t ResidentPawn::Claim(uint32_t count) {
  return scoreboard_ ? proto::ClaimTests(*scoreboard_, command_, count) : count;
}

void ResidentPawn::Drop(const std::vector<uint32_t>& batch, size_t from, size_t to,
                        uint32_t current) {
  std::unordered_set<const testing::TestSuite*> touched;
  for (size_t i = from; i < to; ++i) {
    auto& info = const_cast<testing::TestInfo&>(*tests_[batch[i]]);
    info.*Member(TestShouldRun{}) = false;
    if (suites_[batch[i]] != suites_[current]) touched.insert(suites_[batch[i]]);
  }
  for (const testing::TestSuite* suite : touched) {
    bool any = false;
    for (int j = 0; j < suite->total_test_count(); ++j) {
      any = any || suite->GetTestInfo(j)->should_run();
    }
    const_cast<testing::TestSuite&>(*suite).*Member(SuiteShouldRun{}) = any;
  }
}

int ResidentPawn::Serve() {
  CollectTests();
  proto::Hello hello;
  hello.pid = static_cast<int32_t>(getpid());
  hello.count = static_cast<uint32_t>(tests_.size());
  hello.list_hash = list_hash_;
  channel_->Send(hello);

  // Line-buffered, so what a test printed before it crashed is in the
  // capture file, as on a terminal.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  channel_->set_scoreboard(scoreboard_);
  testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());
  reporter_ = new Reporter(this);
  listeners.Append(reporter_);
  return ServeCommands(
      channel_, [this] { return List(); },
      [this](const std::vector<uint32_t>& indexes) { RunBatch(indexes); });
}

}  // namespace redqueen::pawn
