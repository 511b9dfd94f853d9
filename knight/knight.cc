// The Knight's life and the Worker calls that only signal the pawn or read
// its scoreboard and capture file, and the factory that starts and reaps
// Knights. Spawning is in spawn.cc, the channel in channel.cc, the pawn's
// end in reap.cc.
#include "knight/knight.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "knight/capture.h"
#include "knight/live_pawns.h"
#include "knight/memory.h"
#include "proto/children.h"

namespace redqueen::knight {

std::string ExitInfo::Describe() const {
  if (!protocol_error.empty()) return "protocol error: " + protocol_error;
  if (!killed_because.empty()) return killed_because + " (killed by redqueen)";
  return DescribeExit(signaled, signal, exit_code);
}

Knight::Knight(KnightFactory* factory, int slot, WorkerEvents* events)
    : factory_(factory),
      slot_(slot),
      events_(events),
      events_pipe_(factory->io()),
      reap_timer_(factory->io()),
      read_buffer_(64 * 1024) {
  factory_->Register(this);
}

Knight::~Knight() {
  factory_->Unregister(this);
  if (pid_ > 0 && !reaped_) {
    KillGroup();
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    LivePawns().erase(pid_);
    proto::KillOrphans(LivePawns(), orphan_tag_);
  }
  if (command_fd_ >= 0) close(command_fd_);
  RemoveScoreboardName();
}

void Knight::Kill() {
  // Whatever it said after this (frames already read included) is not used.
  killed_ = true;
  if (!reaped_) KillGroup();
}

void Knight::Terminate() {
  if (!reaped_ && pid_ > 0) {
    kill(-pid_, SIGTERM);
    kill(pid_, SIGTERM);
  }
}

bool Knight::Where(Whereabouts* where) const {
  if (!scoreboard_) return false;
  where->phase =
      static_cast<proto::Phase>(scoreboard_->phase.load(std::memory_order_acquire));
  where->subject = scoreboard_->subject.load(std::memory_order_relaxed);
  const int64_t since = scoreboard_->phase_ns.load(std::memory_order_relaxed);
  const int64_t now = proto::SteadyNanos();
  where->for_us = now > since ? static_cast<uint64_t>(now - since) / 1000 : 0;
  const uint64_t read = scoreboard_->commands_read.load(std::memory_order_relaxed);
  where->unread = commands_sent_ > read ? commands_sent_ - read : 0;
  return true;
}

int64_t Knight::TakeBackUnstarted() {
  // A busy pawn has been sent nothing since its batch's Run.
  return scoreboard_ ? proto::TakeBackUnstarted(*scoreboard_, commands_sent_) : -1;
}

bool Knight::Running(int64_t* index, uint64_t* running_for_us) const {
  if (!scoreboard_) return false;
  *index = scoreboard_->running.load(std::memory_order_acquire);
  if (*index < 0) return false;
  const int64_t started = scoreboard_->started_ns.load(std::memory_order_relaxed);
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  *running_for_us = now > started ? static_cast<uint64_t>(now - started) / 1000 : 0;
  return true;
}

void Knight::KillGroup(const std::string& why) {
  if (pid_ <= 0) return;
  if (!why.empty() && killed_because_.empty() && !reaped_) killed_because_ = why;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
}

void Knight::Snapshot() {
  if (snapshot_taken_ || !scoreboard_) return;
  snapshot_taken_ = true;
  snapshot_running_ = scoreboard_->running.load(std::memory_order_acquire);
  snapshot_output_begin_ = scoreboard_->output_begin.load(std::memory_order_relaxed);
  snapshot_started_ns_ = scoreboard_->started_ns.load(std::memory_order_relaxed);
}

std::string Knight::ReadOutput(uint64_t begin, uint64_t end, size_t cap) {
  return ReadCapture(capture_path_, std::max(begin, output_base_), end, cap);
}

bool Knight::CanServeAnother() const {
  // Only an exec pawn serves any binary (a resident pawn is its binary).
  return factory_->CanAdopt() && pid_ > 0 && command_fd_ >= 0 && !reaped_ && !killed_ &&
         !channel_closed_ && protocol_error_.empty() && partial_frame_test_ == kNone;
}

uint64_t Knight::ResidentBytes() const {
  // The pawn leads its own process group (Spawn), so its id is the group's.
  return pid_ > 0 && !reaped_ ? GroupResidentBytes(pid_) : 0;
}

KnightFactory::KnightFactory(boost::asio::io_context& io, PawnSpec spec)
    : io_(io), spec_(std::move(spec)), sigchld_(io, SIGCHLD) {
  WaitForChildSignal();
}

KnightFactory::~KnightFactory() { sigchld_.cancel(); }

void KnightFactory::WaitForChildSignal() {
  sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    // Signals coalesce: one SIGCHLD may stand for several children.
    const std::set<Knight*> knights = live_;
    for (Knight* knight : knights) {
      if (live_.count(knight)) knight->TryReap();
    }
    WaitForChildSignal();
  });
}

std::unique_ptr<Worker> KnightFactory::Start(int slot, WorkerEvents* events,
                                             std::string* error) {
  auto knight = std::make_unique<Knight>(this, slot, events);
  if (!knight->Spawn(spec_, generation_++, error)) return nullptr;
  return knight;
}

bool KnightFactory::CanAdopt() const {
  return !spec_.args.empty() && spec_.args[0] == "exec-pawn";
}

std::unique_ptr<Worker> KnightFactory::Adopt(int slot, WorkerEvents* events,
                                             std::unique_ptr<Worker> worker,
                                             std::string* error) {
  auto* knight = dynamic_cast<Knight*>(worker.get());
  if (!CanAdopt() || !knight || !knight->CanServeAnother()) {
    *error = "the pawn cannot serve this binary";
    return nullptr;
  }
  knight->ServeAnother(this, slot, events, spec_);
  return worker;
}

}  // namespace redqueen::knight
