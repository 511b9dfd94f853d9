// The end of a pawn: its channel closed (the grace it gets to exit by
// itself, or the kill), its process and its leftovers reaped, and the one
// OnExit that says how it ended.
#include <signal.h>
#include <sys/wait.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>

#include "knight/knight.h"
#include "knight/live_pawns.h"
#include "proto/children.h"

namespace redqueen::knight {
namespace {

/// How long a pawn that closed its channel may take to exit by itself.
constexpr auto kExitGrace = std::chrono::milliseconds(200);

}  // namespace

void Knight::OnChannelClosed() {
  if (channel_closed_) return;
  channel_closed_ = true;
  // What the pawn was doing when its channel failed, not later.
  Snapshot();
  if (protocol_error_.empty() && reader_.buffered() > 0) {
    protocol_error_ = "channel closed inside a frame (" +
                      std::to_string(reader_.buffered()) + " bytes)";
  }
  if (protocol_error_.empty() && !killed_ && !reaped_) {
    // A plain end of the channel: the pawn is exiting, or something in it
    // closed the channel and it runs on. Its own exit status tells which.
    AwaitExitAfterEof(std::chrono::steady_clock::now() + kExitGrace);
    return;
  }
  // Whatever is left of the pawn's process group goes now: the pawn either
  // died or can no longer report.
  KillGroup();
  TryReap();
  if (!reaped_) PollForExit();
}

void Knight::AwaitExitAfterEof(std::chrono::steady_clock::time_point deadline) {
  TryReap();
  if (reaped_) return;
  if (killed_) {
    PollForExit();  // Killed meanwhile, for reasons of the Rook's.
    return;
  }
  if (std::chrono::steady_clock::now() >= deadline) {
    KillGroup("it closed its channel to redqueen while running");
    PollForExit();
    return;
  }
  reap_timer_.expires_after(std::chrono::milliseconds(5));
  reap_timer_.async_wait([this, deadline, alive = std::weak_ptr<const bool>(alive_)](
                             const boost::system::error_code& ec) {
    if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
    AwaitExitAfterEof(deadline);
  });
}

void Knight::PollForExit() {
  // The pawn is dying (it was just sent SIGKILL); its SIGCHLD may already
  // have been consumed by a wake-up that found it not yet waitable.
  reap_timer_.expires_after(std::chrono::milliseconds(5));
  reap_timer_.async_wait([this, alive = std::weak_ptr<const bool>(alive_)](
                             const boost::system::error_code& ec) {
    if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
    TryReap();
    if (!reaped_) PollForExit();
  });
}

void Knight::TryReap() {
  if (reaped_ || pid_ <= 0) return;
  siginfo_t info{};
  // WNOWAIT: look without reaping, so that the group id stays ours while the
  // rest of the group is killed.
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid == 0) {
    return;
  }
  KillGroup();
  while (waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  LivePawns().erase(pid_);
  // What the pawn's tests left behind, also outside its group, is ours now;
  // what other pawns' tests left may still be in use.
  proto::KillOrphans(LivePawns(), orphan_tag_);
  if (!channel_closed_) DrainChannel();
  MaybeFinish();
}

void Knight::MaybeFinish() {
  if (finished_ || !reaped_ || !channel_closed_) return;
  finished_ = true;
  ExitInfo info;
  info.signaled = WIFSIGNALED(wait_status_);
  info.signal = info.signaled ? WTERMSIG(wait_status_) : 0;
  info.exit_code = WIFEXITED(wait_status_) ? WEXITSTATUS(wait_status_) : 0;
  info.protocol_error = protocol_error_;
  info.partial_frame_test = partial_frame_test_ >= 0 ? partial_frame_test_ : -1;
  // Our own SIGKILL is no crash of the pawn's; any other end is its own.
  if (info.signaled && info.signal == SIGKILL) info.killed_because = killed_because_;
  Snapshot();
  if (snapshot_taken_) {
    info.running = snapshot_running_;
    info.output_begin = snapshot_output_begin_;
    const int64_t now = proto::SteadyNanos();
    if (info.running >= 0 && now > snapshot_started_ns_) {
      info.running_for_us = (now - snapshot_started_ns_) / 1000;
    }
  }
  // Posted, so that the Rook may destroy this Knight from its handler.
  boost::asio::post(factory_->io(), [events = events_, slot = slot_, info] {
    events->OnExit(slot, info);
  });
}

}  // namespace redqueen::knight
