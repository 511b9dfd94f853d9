#include "rook/pawn_health.h"

#include <algorithm>
#include <cstdio>

namespace redqueen::rook {
namespace {

uint64_t MicrosBetween(Clock::TimePoint from, Clock::TimePoint to) {
  return to > from ? static_cast<uint64_t>(
                         std::chrono::duration_cast<std::chrono::microseconds>(to - from)
                             .count())
                   : 0;
}

bool InBatch(const std::deque<Work>& batch, int64_t index) {
  return std::any_of(batch.begin(), batch.end(),
                     [index](const Work& work) { return work.index == index; });
}

uint64_t Micros(std::chrono::microseconds limit) {
  return static_cast<uint64_t>(limit.count());
}

}  // namespace

std::string Seconds(std::chrono::microseconds limit) {
  char text[32];
  std::snprintf(text, sizeof text, "%gs", std::chrono::duration<double>(limit).count());
  return text;
}

HealthVerdict PawnHealth::Check(const PawnView& pawn,
                                const std::vector<proto::TestInfo>& tests,
                                Clock::TimePoint now) const {
  if (pawn.state != PawnState::kBusy) return CheckStartAndExit(pawn, now);
  HealthVerdict verdict;
  if (pawn.watch->timed_out >= 0) {
    if (now >= pawn.watch->kill_at) verdict.act = HealthVerdict::Act::kKill;
    return verdict;
  }
  int64_t index = -1;
  uint64_t running_for = 0;
  if (!pawn.worker->Running(&index, &running_for) || !InBatch(*pawn.batch, index)) {
    return CheckPhase(pawn, tests, now);
  }
  if (limits_.slow.count() > 0 && index != pawn.watch->slow_reported &&
      running_for >= Micros(limits_.slow)) {
    verdict.slow = index;
    verdict.slow_for_us = running_for;
  }
  if (limits_.timeout.count() > 0 && running_for >= Micros(limits_.timeout)) {
    verdict.act = HealthVerdict::Act::kTerminate;
    verdict.index = index;
    verdict.limit = limits_.timeout;
  }
  return verdict;
}

HealthVerdict PawnHealth::CheckPhase(const PawnView& pawn,
                                     const std::vector<proto::TestInfo>& tests,
                                     Clock::TimePoint now) const {
  const std::deque<Work>& batch = *pawn.batch;
  HealthVerdict verdict;
  knight::Worker::Whereabouts where;
  if (batch.empty() || !pawn.worker->Where(&where)) return verdict;
  if (where.phase == proto::Phase::kTest)
    return verdict;  // Between its two words' updates.
  if (where.phase == proto::Phase::kWaiting) {
    // It read every command and waits, yet results are missing: they went
    // into a frame that never ends.
    if (where.unread == 0 && where.for_us >= Micros(kStuckChannel)) {
      verdict.act = HealthVerdict::Act::kKillStuck;
      verdict.words = "its channel is stuck: the pawn waits for a command while " +
                      std::to_string(batch.size()) +
                      " results of its batch are missing (did a test write part of a "
                      "frame to redqueen's channel?)";
    }
    return verdict;
  }
  // Set-ups and tear-downs are bounded as tests are; starting and exiting
  // (a test binary's static initializers, atexit handlers) as pawns are,
  // and an exit that hangs ends the run as a resident pawn's does.
  const bool test_code = where.phase == proto::Phase::kEnvironmentSetUp ||
                         where.phase == proto::Phase::kSuiteSetUp ||
                         where.phase == proto::Phase::kSuiteTearDown ||
                         where.phase == proto::Phase::kEnvironmentTearDown;
  const std::chrono::microseconds limit =
      test_code ? limits_.timeout : limits_.start_timeout;
  // Not before the batch was sent: a pawn may have waited long for it.
  const uint64_t age = std::min(where.for_us, MicrosBetween(pawn.watch->since, now));
  if (limit.count() <= 0 || age < Micros(limit)) return verdict;
  if (where.phase == proto::Phase::kExiting) {
    verdict.act = HealthVerdict::Act::kKillOverdue;
    return verdict;
  }
  // Blamed: the test the phase is about, else the batch's first unreported.
  const bool known = where.subject >= 0 && InBatch(batch, where.subject);
  const uint32_t blamed =
      known ? static_cast<uint32_t>(where.subject) : batch.front().index;
  verdict.act = HealthVerdict::Act::kTerminate;
  verdict.index = blamed;
  verdict.limit = limit;
  verdict.words = proto::PhaseWords(where.phase);
  if (where.phase == proto::Phase::kSuiteSetUp ||
      where.phase == proto::Phase::kSuiteTearDown) {
    const std::string name =
        blamed < tests.size() ? tests[blamed].name : "#" + std::to_string(blamed);
    verdict.words += name.substr(0, name.find('.'));
  }
  return verdict;
}

HealthVerdict PawnHealth::CheckStartAndExit(const PawnView& pawn,
                                            Clock::TimePoint now) const {
  const PawnWatch& watch = *pawn.watch;
  HealthVerdict verdict;
  const bool starting =
      pawn.state == PawnState::kStarting || pawn.state == PawnState::kListing;
  const bool stopping =
      pawn.state == PawnState::kStopping && watch.told_to_stop && !watch.exit_overdue;
  if ((!starting && !stopping) ||
      MicrosBetween(watch.since, now) < Micros(limits_.start_timeout)) {
    return verdict;
  }
  if (stopping) {
    // Its results are in; OnExit says what hung.
    verdict.act = HealthVerdict::Act::kKillOverdue;
    return verdict;
  }
  knight::Worker::Whereabouts where;
  std::string doing;
  if (pawn.worker->Where(&where) && where.phase == proto::Phase::kListing) {
    doing = ", " + std::string(proto::PhaseWords(where.phase)) + " hangs";
  }
  verdict.act = HealthVerdict::Act::kFail;
  verdict.words =
      (pawn.state == PawnState::kStarting ? " did not say hello within "
                                          : " did not send its test list within ") +
      Seconds(limits_.start_timeout) + doing +
      " (does a static initializer or main() of the test binary hang? --list-timeout "
      "sets the limit)";
  return verdict;
}

int PawnHealth::MemoryVictim(double used_percent,
                             const std::vector<PawnView>& pawns) const {
  if (used_percent <= limits_.max_memory_percent) return -1;
  int victim = -1;
  uint64_t most = kMinMemoryVictimBytes - 1;
  for (size_t i = 0; i < pawns.size(); ++i) {
    const PawnView& pawn = pawns[i];
    if (pawn.state != PawnState::kBusy && pawn.state != PawnState::kReady) continue;
    if (pawn.watch->timed_out >= 0) continue;
    const uint64_t bytes = pawn.worker->ResidentBytes();
    if (bytes > most) {
      most = bytes;
      victim = static_cast<int>(i);
    }
  }
  return victim;
}

std::string PawnHealth::ExitOverdue() const {
  return ": the test binary did not exit within " + Seconds(limits_.start_timeout) +
         " after its last test, and was killed: does an atexit handler or a static "
         "destructor hang? (--list-timeout sets the limit)";
}

}  // namespace redqueen::rook
