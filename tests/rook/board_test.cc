#include "rook/board.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include "fakes.h"

namespace redqueen::rook {
namespace {

std::vector<proto::TestInfo> Tests(const std::string& suite, int count) {
  std::vector<proto::TestInfo> tests;
  for (int i = 0; i < count; ++i) {
    tests.push_back({suite + ".t" + std::to_string(i), "t.cc", i + 1, "", ""});
  }
  return tests;
}

/// One binary: its tests, its fake factory, its Rook, what it reported.
struct Binary {
  /// `exec`: its pawns run each batch to the end (RookOptions::whole_batches).
  Binary(const std::string& suite, int count, int jobs, FakeClock* clock,
         bool exec = false)
      : tests(Tests(suite, count)),
        clock(clock),
        rook({.jobs = jobs, .release_idle = true, .whole_batches = exec}, &factory, clock,
             &sink) {}

  /// The store remembers every test passing in `us`. Before the Board starts.
  void Remember(uint64_t us) { rook.SetPast(Remembered(tests, {us})); }

  /// Its first pawn says hello and gets its batch, which the test plays.
  std::pair<int, FakeWorker*> GreetFirst() {
    const auto [pawn, worker] = *factory.current.begin();
    greeted.insert(worker->fake_pid);
    factory.events->OnMessage(pawn, proto::HelloFor(1, tests));
    return {pawn, worker};
  }

  /// Plays every pawn of this binary one step: hello, list, pass the batch,
  /// or exit after Shutdown. True when something happened.
  bool Step() {
    bool acted = false;
    const auto current = factory.current;
    for (const auto& [pawn, worker] : current) {
      if (!factory.current.count(pawn)) continue;
      if (worker->kills > 0) {
        factory.current.erase(pawn);
        factory.events->OnExit(pawn, {.signaled = true, .signal = 9});
        acted = true;
        continue;
      }
      if (!greeted.count(worker->fake_pid)) {
        greeted.insert(worker->fake_pid);
        clock->now += startup;
        factory.events->OnMessage(pawn, proto::HelloFor(1, tests));
        acted = true;
        continue;
      }
      size_t& answered = handled[worker->fake_pid];
      if (answered >= worker->sent.size()) continue;
      const proto::RookMessage message = worker->sent[answered++];
      if (std::holds_alternative<proto::ListTests>(message)) {
        factory.events->OnMessage(pawn, proto::TestList{tests});
      } else if (const auto* run = std::get_if<proto::Run>(&message)) {
        ++runs;
        for (uint32_t index : run->indexes) {
          proto::Result result;
          result.index = index;
          result.duration_us = 1000;
          result.status =
              failing.count(index) ? TestStatus::kFailed : TestStatus::kPassed;
          factory.events->OnMessage(pawn, result);
          if (worker->kills > 0) break;
        }
      } else {
        factory.current.erase(pawn);
        factory.events->OnExit(pawn, {});
      }
      acted = true;
    }
    return acted;
  }

  std::vector<proto::TestInfo> tests;
  FakeClock* clock;
  /// How long each of its pawns takes to say hello.
  std::chrono::microseconds startup{0};
  int runs = 0;                ///< Batches its pawns ran.
  std::set<uint32_t> failing;  ///< Indexes that fail.
  FakeFactory factory;
  RecordingSink sink;
  Rook rook;
  /// By pid: a replacement may take a dead worker's address.
  std::set<int> greeted;
  std::map<int, size_t> handled;  ///< Messages answered, per pawn.
};

TEST(BoardTest, AnIdleExecPawnServesTheNextBinaryRatherThanANewPawn) {
  FakeClock clock;
  Binary a("A", 3, 1, &clock, true), b("B", 3, 1, &clock, true),
      c("C", 3, 1, &clock, true);
  for (Binary* binary : {&a, &b, &c}) binary->factory.adopts = true;
  Board board(1, {&a.rook, &b.rook, &c.rook});
  bool finished = false;
  board.Start([&] { finished = true; });
  ASSERT_EQ(a.factory.started, 1);
  FakeWorker* pawn = a.factory.current.at(0);
  while (a.Step()) {
  }
  EXPECT_EQ(a.sink.results.size(), 3u);
  EXPECT_EQ(pawn->kills, 0);
  EXPECT_EQ(b.factory.started, 0) << "no new pawn for B";
  EXPECT_EQ(b.factory.adopted, 1);
  EXPECT_EQ(b.factory.current.at(0), pawn) << "A's pawn serves B";
  EXPECT_TRUE(a.factory.current.empty());
  EXPECT_TRUE(a.rook.progress().finished) << "A ends without an exit to wait for";
  while (b.Step() || c.Step()) {
  }
  EXPECT_EQ(c.factory.adopted, 1);
  EXPECT_EQ(b.sink.results.size(), 3u);
  EXPECT_EQ(c.sink.results.size(), 3u);
  EXPECT_TRUE(finished);
  EXPECT_EQ(a.factory.started + b.factory.started + c.factory.started, 1);
  // The last binary has no one to hand its pawn to: it is shut down.
  EXPECT_TRUE(c.factory.current.empty());
}

TEST(BoardTest, APawnNoOtherBinaryCanAdoptIsShutDownAndReplaced) {
  FakeClock clock;
  Binary a("A", 3, 1, &clock, true), b("B", 3, 1, &clock);
  a.factory.adopts = true;  // B's pawns are resident: its factory adopts none.
  Board board(1, {&a.rook, &b.rook});
  bool finished = false;
  board.Start([&] { finished = true; });
  while (a.Step() || b.Step()) {
  }
  EXPECT_EQ(b.factory.adopted, 0);
  EXPECT_EQ(b.factory.started, 1);
  EXPECT_EQ(b.sink.results.size(), 3u);
  EXPECT_TRUE(finished);
}

TEST(BoardTest, PawnsMoveToTheBinaryThatStillHasWork) {
  FakeClock clock;
  Binary big("Big", 40, 2, &clock), small("Small", 2, 2, &clock);
  Board board(2, {&big.rook, &small.rook});
  bool finished = false;
  board.Start([&] { finished = true; });
  EXPECT_EQ(big.factory.started, 1) << "pawn 0";
  EXPECT_EQ(small.factory.started, 1) << "pawn 1";
  // The small binary finishes first; its pawn id goes to the big one.
  while (small.Step()) {
  }
  EXPECT_EQ(small.sink.results.size(), 2u);
  EXPECT_EQ(big.factory.started, 2) << "pawn 1 moved to the big binary";
  EXPECT_TRUE(big.factory.current.count(1));
  while (big.Step() || small.Step()) {
  }
  EXPECT_EQ(big.sink.results.size(), 40u);
  EXPECT_TRUE(finished);
}

TEST(BoardTest, BinariesBeyondTheJobsStartWhenAPawnIsFree) {
  FakeClock clock;
  Binary a("A", 3, 1, &clock), b("B", 3, 1, &clock), c("C", 3, 1, &clock);
  Board board(1, {&a.rook, &b.rook, &c.rook});
  bool finished = false;
  board.Start([&] { finished = true; });
  EXPECT_EQ(a.factory.started + b.factory.started + c.factory.started, 1);
  while (a.Step() || b.Step() || c.Step()) {
  }
  EXPECT_EQ(a.sink.results.size() + b.sink.results.size() + c.sink.results.size(), 9u);
  EXPECT_TRUE(finished);
}

TEST(BoardTest, TheBinaryWithTheLongestTestStartsFirstAndUnknownOnesBeforeIt) {
  FakeClock clock;
  Binary short_tests("Short", 3, 1, &clock), long_test("Long", 3, 1, &clock),
      unknown("Unknown", 3, 1, &clock);
  short_tests.Remember(10'000);
  long_test.Remember(100'000);
  Board board(1, {&short_tests.rook, &long_test.rook, &unknown.rook});
  board.Start([] {});
  std::vector<std::string> order;
  auto note = [&order](const Binary& binary, const std::string& name) {
    if (binary.factory.started > 0 &&
        std::find(order.begin(), order.end(), name) == order.end()) {
      order.push_back(name);
    }
  };
  do {
    note(unknown, "unknown");
    note(long_test, "long");
    note(short_tests, "short");
  } while (unknown.Step() || long_test.Step() || short_tests.Step());
  EXPECT_EQ(order, (std::vector<std::string>{"unknown", "long", "short"}));
}

TEST(BoardTest, AFreePawnGoesToTheBinaryWithTheMostExpectedWorkQueued) {
  FakeClock clock;
  // Two pawns: one runs `few` (6 tests of 100 ms), one `many` (40 of 1 ms)
  // and `quick` (2 tests), which end first; that pawn then helps `few`,
  // which has more work queued though fewer tests.
  Binary few("Few", 6, 2, &clock), many("Many", 40, 2, &clock),
      quick("Quick", 2, 2, &clock);
  few.Remember(100'000);
  many.Remember(1'000);
  quick.Remember(1'000);
  Board board(2, {&many.rook, &quick.rook, &few.rook});
  board.Start([] {});
  EXPECT_EQ(few.factory.started, 1) << "the longest tests start first";
  EXPECT_EQ(many.factory.started, 1);
  while (quick.Step() || many.Step()) {
  }
  EXPECT_EQ(quick.factory.started, 1);
  EXPECT_EQ(few.factory.started, 2) << "the pawn that ran dry joins the longest work";
}

TEST(BoardTest, APawnWithNothingElseToDoJoinsEvenALittleWorkLeftBehindALongTest) {
  FakeClock clock;
  // Long: a 2 s test, then three of 1 ms that wait behind it on its pawn.
  Binary long_test("Long", 4, 2, &clock), quick("Quick", 2, 2, &clock);
  long_test.rook.SetPast(Remembered(long_test.tests, {2'000'000, 1'000}));
  quick.Remember(1'000);
  Board board(2, {&quick.rook, &long_test.rook});
  board.Start([] {});
  // Long's pawn says hello and gets its 2 s test; it is still running it.
  const FakeWorker* busy = long_test.GreetFirst().second;
  ASSERT_TRUE(std::holds_alternative<proto::Run>(busy->sent.back()));
  EXPECT_EQ(std::get<proto::Run>(busy->sent.back()).indexes, std::vector<uint32_t>{0});
  while (quick.Step()) {
  }
  EXPECT_EQ(long_test.factory.started, 2) << "3 ms queued behind a 2 s test";
}

/// Long, four tests of `us` each by history, beside Quick, two of 1 ms, on
/// two pawns: Long is small beside the run, and its one pawn takes it whole.
struct LongBesideQuick {
  explicit LongBesideQuick(uint64_t us) {
    long_test.Remember(us);
    quick.Remember(1'000);
    board.Start([this] { finished = true; });
  }
  FakeClock clock;
  Binary long_test{"Long", 4, 2, &clock};
  Binary quick{"Quick", 2, 2, &clock};
  Board board{2, {&long_test.rook, &quick.rook}};
  bool finished = false;
};

TEST(BoardTest, APawnWithNothingQueuedAnywhereTakesBackATailThatGrewWorthIt) {
  // Long's first test now runs long; the other pawn, done with Quick, has
  // nothing queued anywhere.
  LongBesideQuick run(1'000);
  Binary& long_test = run.long_test;
  Board& board = run.board;
  const auto [first, busy] = long_test.GreetFirst();
  ASSERT_TRUE(std::holds_alternative<proto::Run>(busy->sent.back()));
  EXPECT_EQ(std::get<proto::Run>(busy->sent.back()).indexes,
            (std::vector<uint32_t>{0, 1, 2, 3}));
  busy->running = 0;
  busy->started = 1;
  while (run.quick.Step()) {
  }
  EXPECT_EQ(long_test.factory.started, 1) << "a 3 ms tail is not worth a pawn yet";
  board.Tick();
  EXPECT_EQ(long_test.factory.started, 1);
  // Its test has run 6 ms: the 3 ms behind it would wait; the idle pawn
  // joins on the next tick and takes them back.
  busy->running_for_us = 6'000;
  board.Tick();
  ASSERT_EQ(long_test.factory.started, 2);
  const int second = long_test.factory.current.rbegin()->first;
  ASSERT_NE(second, first);
  FakeWorker* joined = long_test.factory.current.at(second);
  long_test.factory.events->OnMessage(second, proto::HelloFor(1, long_test.tests));
  EXPECT_EQ(busy->take_backs, 1);
  ASSERT_FALSE(joined->sent.empty());
  ASSERT_TRUE(std::holds_alternative<proto::Run>(joined->sent.back()));
  EXPECT_EQ(std::get<proto::Run>(joined->sent.back()).indexes,
            (std::vector<uint32_t>{1, 2, 3}));
  // Each pawn reports what it kept; every test has one result.
  for (uint32_t index : {1u, 2u, 3u}) {
    proto::Result result;
    result.index = index;
    long_test.factory.events->OnMessage(second, result);
  }
  proto::Result result;
  result.index = 0;
  long_test.factory.events->OnMessage(first, result);
  EXPECT_EQ(busy->kills, 0) << "no result came for a test it gave up";
  for (const auto& [pawn, worker] :
       std::map<int, FakeWorker*>(long_test.factory.current)) {
    long_test.factory.current.erase(pawn);
    long_test.factory.events->OnExit(pawn, {});
  }
  EXPECT_EQ(long_test.sink.results.size(), 4u);
  EXPECT_TRUE(run.finished);
}

TEST(BoardTest, ABatchNotYetBegunDrawsNoPawnFromAnotherBinary) {
  // Long's pawn got its batch but has not begun it: a pawn started for the
  // tail (6 ms) would find nothing to take back, and leave again.
  LongBesideQuick run(2'000);
  Binary& long_test = run.long_test;
  Board& board = run.board;
  FakeWorker* busy = long_test.GreetFirst().second;
  while (run.quick.Step()) {
  }
  ASSERT_EQ(std::get<proto::Run>(busy->sent.back()).indexes.size(), 4u);
  board.Tick();
  EXPECT_EQ(long_test.factory.started, 1);
  EXPECT_EQ(busy->take_backs, 0);
  // Once it runs its first test, the tail is worth a pawn.
  busy->running = 0;
  board.Tick();
  EXPECT_EQ(long_test.factory.started, 2);
}

TEST(BoardTest, OneTailDrawsOnePawnNotEveryIdleOne) {
  FakeClock clock;
  Binary long_test("Long", 4, 3, &clock), quick1("QuickA", 2, 3, &clock),
      quick2("QuickB", 2, 3, &clock);
  for (Binary* binary : {&long_test, &quick1, &quick2}) binary->Remember(1'000);
  Board board(3, {&long_test.rook, &quick1.rook, &quick2.rook});
  board.Start([] {});
  FakeWorker* busy = long_test.GreetFirst().second;
  busy->running = 0;
  busy->running_for_us = 6'000;
  busy->started = 1;
  while (quick1.Step() || quick2.Step()) {
  }
  board.Tick();
  EXPECT_EQ(long_test.factory.started, 2) << "one pawn joins; the other waits";
  board.Tick();
  EXPECT_EQ(long_test.factory.started, 2) << "the joining pawn is on its way";
}

TEST(BoardTest, SmallBinariesRunWholeInOneBatchEach) {
  FakeClock clock;
  // Four binaries of 30 tests of 300 us (9 ms each) beside one of 30 tests
  // of 10 ms, on two pawns: while the big one keeps a pawn busy, splitting a
  // small one would only cost a batch (an exec pawn's child) more. The big
  // one is split, so that its end balances.
  std::vector<std::unique_ptr<Binary>> binaries;
  std::vector<Rook*> rooks;
  for (const char* name : {"S1", "S2", "S3", "S4", "Big"}) {
    binaries.push_back(std::make_unique<Binary>(name, 30, 2, &clock, /*exec=*/true));
    binaries.back()->Remember(std::string(name) == "Big" ? 10'000 : 300);
    binaries.back()->startup = std::chrono::milliseconds(3);
    rooks.push_back(&binaries.back()->rook);
  }
  Board board(2, rooks);
  bool finished = false;
  board.Start([&] { finished = true; });
  for (bool acted = true; acted;) {
    acted = false;
    for (auto& binary : binaries) acted = binary->Step() || acted;
  }
  ASSERT_TRUE(finished);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(binaries[i]->runs, 1) << binaries[i]->tests.front().name;
    EXPECT_EQ(binaries[i]->sink.results.size(), 30u);
  }
  EXPECT_GT(binaries[4]->runs, 1) << "300 ms of work is worth splitting";
}

TEST(BoardTest, AnAbortBeforeStartStartsNothingAndStillFinishes) {
  FakeClock clock;
  Binary a("A", 3, 1, &clock), b("B", 3, 1, &clock);
  Board board(2, {&a.rook, &b.rook});
  board.Abort("the store cannot be read");
  bool finished = false;
  board.Start([&] { finished = true; });
  EXPECT_TRUE(finished) << "else the run's event loop never stops";
  EXPECT_EQ(a.factory.started + b.factory.started, 0);
}

TEST(BoardTest, InterruptStopsStartedRooksAndNeverStartsTheRest) {
  FakeClock clock;
  Binary a("A", 3, 1, &clock), b("B", 3, 1, &clock);
  Board board(1, {&a.rook, &b.rook});
  bool finished = false;
  board.Start([&] { finished = true; });
  board.Interrupt();
  EXPECT_EQ(a.factory.current.at(0)->kills, 1);
  a.factory.current.erase(0);
  a.factory.events->OnExit(0, {.signaled = true, .signal = 9});
  EXPECT_TRUE(finished);
  EXPECT_EQ(b.factory.started, 0);
}

size_t Skipped(const RecordingSink& sink, const std::string& reason) {
  size_t count = 0;
  for (const auto& r : sink.results) {
    count += r.status == TestStatus::kSkipped && r.skip_message == reason;
  }
  return count;
}

TEST(BoardTest, MaxFailCountsFailuresOverEveryBinaryAndStopsThemAll) {
  FakeClock clock;
  Binary a("A", 6, 1, &clock), b("B", 6, 1, &clock), c("C", 3, 1, &clock);
  a.failing = {1};
  b.failing = {0};
  Board board(1, {&a.rook, &b.rook, &c.rook}, /*max_fail=*/2);
  bool finished = false;
  board.Start([&] { finished = true; });
  while (a.Step() || b.Step() || c.Step()) {
  }
  EXPECT_TRUE(finished);
  EXPECT_TRUE(board.stopped_early());
  EXPECT_EQ(a.sink.results.size(), 6u) << "one failure does not stop it";
  EXPECT_EQ(Skipped(a.sink, "fail-fast"), 0u);
  EXPECT_EQ(b.sink.results.size(), 6u);
  EXPECT_EQ(Skipped(b.sink, "fail-fast"), 5u) << "the second failure stops the run";
  EXPECT_EQ(b.rook.outcome(), RookOutcome::kCompleted);
  EXPECT_EQ(c.factory.started, 0) << "a binary not started never starts";
}

TEST(BoardTest, AGroupNeverHoldsMorePawnsThanItsCap) {
  FakeClock clock;
  // Two targets of one binary: "narrow" may hold one pawn, "wide" any.
  Binary narrow_a("A", 12, 3, &clock), wide_a("A", 12, 3, &clock);
  Binary narrow_b("B", 12, 3, &clock);
  Board board(3, {&narrow_a.rook, &wide_a.rook, &narrow_b.rook});
  board.SetGroups({0, 1, 0}, {1, 0});
  bool finished = false;
  board.Start([&] { finished = true; });
  auto narrow_pawns = [&] {
    return narrow_a.factory.current.size() + narrow_b.factory.current.size();
  };
  EXPECT_EQ(narrow_pawns(), 1u);
  EXPECT_EQ(wide_a.factory.current.size(), 2u)
      << "the narrow group's share goes to the wide";
  size_t most = 0;
  while (narrow_a.Step() || wide_a.Step() || narrow_b.Step()) {
    most = std::max(most, narrow_pawns());
  }
  EXPECT_EQ(most, 1u);
  EXPECT_TRUE(finished);
  EXPECT_EQ(narrow_a.sink.results.size(), 12u);
  EXPECT_EQ(wide_a.sink.results.size(), 12u);
  EXPECT_EQ(narrow_b.sink.results.size(), 12u) << "it waited for the group's pawn";
}

}  // namespace
}  // namespace redqueen::rook
