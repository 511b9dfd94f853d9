#include "knight/knight.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "knight/capture.h"
#include "knight/memory.h"
#include "proto/children.h"

namespace redqueen::knight {
namespace {

namespace bp = boost::process;
namespace bip = boost::interprocess;

/// The descriptors a pawn's child side is built from. All are opened
/// close-on-exec and above the numbers they are moved to.
struct ChildFds {
  int command_read = -1;
  int event_write = -1;
  int capture = -1;
  int null_in = -1;

  void Close() {
    for (int* fd : {&command_read, &event_write, &capture, &null_in}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
  }
};

/// How long a pawn that closed its channel may take to exit by itself.
constexpr auto kExitGrace = std::chrono::milliseconds(200);

/// Every live pawn of this process, whatever its factory: the children that
/// are not orphans.
std::set<pid_t>& LivePawns() {
  static std::set<pid_t> pids;
  return pids;
}

/// A name no other user can guess: the scoreboard is created 0600 and
/// exclusively, so nobody else can create or read it first.
std::string UnguessableName(const std::string& tag) {
  std::random_device random;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
  return "redqueen." + std::to_string(getpid()) + "." + tag + "." + suffix;
}

/// What to do about an error of `err`, when it is the open-files limit's.
std::string FilesHint(int err) {
  return err == EMFILE || err == EINVAL
             ? " (raise the open-files limit, ulimit -n, or lower -j)"
             : "";
}

int Raise(int fd) {
  if (fd < 0) return fd;
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return high;
}

/// Runs in the child between fork and exec: async-signal-safe calls only.
void SetUpChild(const ChildFds& fds, pid_t parent) {
  setpgid(0, 0);
  // The pawn dies with redqueen, even when redqueen is SIGKILLed.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  dup2(fds.null_in, STDIN_FILENO);
  dup2(fds.capture, STDOUT_FILENO);
  dup2(fds.capture, STDERR_FILENO);
  dup2(fds.command_read, proto::kCommandFd);
  dup2(fds.event_write, proto::kEventFd);
  // Nothing else of redqueen's leaks into the pawn, whoever opened it.
  close_range(proto::kEventFd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
  // redqueen ignores SIGPIPE; a test binary must get the default back.
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

/// redqueen's environment, less what no pawn may see, with the pawn's own
/// variables set over it.
std::vector<std::string> PawnEnvironment(const PawnSpec& spec, int slot,
                                         const std::string& scoreboard,
                                         const std::string& tmp_dir, uint32_t token,
                                         const std::string& tag) {
  std::vector<std::pair<std::string, std::string>> overrides = {
      {proto::kEnvPawnFds,
       std::to_string(proto::kCommandFd) + "," + std::to_string(proto::kEventFd)},
      {proto::kEnvScoreboard, scoreboard},
      {proto::kEnvChannelToken, std::to_string(token)},
      {proto::kEnvPawnTag, tag},
      {proto::kEnvPawnId, std::to_string(slot)},
      {proto::kEnvPawnCount, std::to_string(spec.pawn_count)},
      {"TMPDIR", tmp_dir},
      {"TEST_TMPDIR", tmp_dir},
  };
  overrides.insert(overrides.end(), spec.env.begin(), spec.env.end());
  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    const std::string_view text(*entry);
    const std::string_view key = text.substr(0, text.find('='));
    const bool overridden =
        std::any_of(overrides.begin(), overrides.end(),
                    [key](const auto& kv) { return kv.first == key; }) ||
        std::find(spec.unset_env.begin(), spec.unset_env.end(), key) !=
            spec.unset_env.end();
    if (!overridden) env.emplace_back(text);
  }
  for (const auto& [key, value] : overrides) env.push_back(key + "=" + value);
  return env;
}

}  // namespace

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

bool Knight::CreateScoreboard(std::string* error) {
  try {
    bip::permissions owner_only;
    owner_only.set_permissions(0600);
    bip::shared_memory_object shm(bip::create_only, scoreboard_name_.c_str(),
                                  bip::read_write, owner_only);
    shm.truncate(sizeof(proto::Scoreboard));
    scoreboard_region_ = std::make_unique<bip::mapped_region>(shm, bip::read_write);
    scoreboard_ = new (scoreboard_region_->get_address()) proto::Scoreboard();
    scoreboard_->Enter(proto::Phase::kStarting, proto::Scoreboard::kIdle,
                       proto::SteadyNanos());
    return true;
  } catch (const bip::interprocess_exception& e) {
    *error = "cannot create the pawn scoreboard in shared memory (/dev/shm): " +
             std::string(e.what());
    return false;
  }
}

void Knight::RemoveScoreboardName() {
  if (!scoreboard_name_.empty()) {
    bip::shared_memory_object::remove(scoreboard_name_.c_str());
    scoreboard_name_.clear();
  }
}

bool Knight::Spawn(const PawnSpec& spec, int generation, std::string* error) {
  const std::string tag =
      spec.label + "-" + std::to_string(slot_) + "-" + std::to_string(generation);
  capture_path_ = spec.run_dir + "/pawn-" + tag + ".out";
  const std::string tmp_dir = spec.run_dir + "/tmp-" + std::to_string(slot_);
  mkdir(tmp_dir.c_str(), 0700);
  scoreboard_name_ = UnguessableName(tag);
  if (!CreateScoreboard(error)) return false;

  ChildFds fds;
  int command[2] = {-1, -1};
  int event[2] = {-1, -1};
  if (pipe2(command, O_CLOEXEC) != 0 || pipe2(event, O_CLOEXEC) != 0) {
    *error =
        std::string("cannot create a pipe: ") + std::strerror(errno) + FilesHint(errno);
    for (int fd : {command[0], command[1], event[0], event[1]}) {
      if (fd >= 0) close(fd);
    }
    return false;
  }
  fds.command_read = Raise(command[0]);
  fds.event_write = Raise(event[1]);
  fds.capture =
      Raise(open(capture_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  fds.null_in = Raise(open("/dev/null", O_RDONLY | O_CLOEXEC));
  command_fd_ = command[1];
  events_pipe_.assign(event[0]);
  if (fds.command_read < 0 || fds.event_write < 0 || fds.capture < 0 || fds.null_in < 0) {
    const int err = errno;
    *error = "cannot open the pawn's channel and capture file " + capture_path_ + ": " +
             std::strerror(err) + FilesHint(err);
    fds.Close();
    return false;
  }

  // Not 0, which is what an untokened frame carries.
  const uint32_t token = static_cast<uint32_t>(std::random_device{}()) | 1u;
  reader_ = proto::FrameReader(token);
  const std::string pawn_tag = std::to_string(getpid()) + "-" + tag;
  orphan_tag_ = std::string(proto::kEnvPawnTag) + "=" + pawn_tag;
  std::vector<std::string> env =
      PawnEnvironment(spec, slot_, scoreboard_name_, tmp_dir, token, pawn_tag);
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const pid_t parent = getpid();
  std::error_code ec;
  // The environment goes straight to execve: Boost 1.74's environment class
  // reads past the end of its entries when looking keys up.
  bp::child child(
      bp::exe = spec.binary, bp::args = spec.args,
      bp::extend::on_setup = [&envp](auto& exec) { exec.env = envp.data(); },
      bp::extend::on_exec_setup = [&fds, parent](auto&) { SetUpChild(fds, parent); }, ec);
  fds.Close();
  // Boost.Process 1.74 returns a child with pid -1 and no error when its
  // own pipe cannot be made (too many open files).
  if (!ec && child.id() <= 0) ec = std::error_code(EMFILE, std::generic_category());
  if (ec) {
    *error = "cannot start " + spec.binary + ": " + ec.message() + FilesHint(ec.value());
    return false;
  }
  pid_ = child.id();
  LivePawns().insert(pid_);
  // This Knight reaps the child itself (see TryReap); Boost must not.
  child.detach();
  ReadMore();
  return true;
}

void Knight::Send(const proto::RookMessage& message) {
  if (command_fd_ < 0) return;
  std::string frame;
  proto::EncodeFrame(message, &frame);
  ++commands_sent_;
  // Commands are small and go only to a pawn that waits for one, so the pipe
  // never fills; a dead pawn shows up as EPIPE here and as OnExit soon after.
  size_t written = 0;
  while (written < frame.size()) {
    const ssize_t n = write(command_fd_, frame.data() + written, frame.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(command_fd_);
      command_fd_ = -1;
      return;
    }
    written += static_cast<size_t>(n);
  }
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
  return ReadCapture(capture_path_, begin, end, cap);
}

void Knight::ReadMore() {
  events_pipe_.async_read_some(
      boost::asio::buffer(read_buffer_),
      [this, alive = std::weak_ptr<const bool>(alive_)](
          const boost::system::error_code& ec, size_t size) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        if (ec) {
          OnChannelClosed();
        } else {
          OnBytes(size);
        }
      });
}

void Knight::OnBytes(size_t size) {
  if (Consume(size)) ReadMore();
}

bool Knight::Consume(size_t size) {
  if (killed_) return false;  // Nothing it said after its kill counts.
  reader_.Append(read_buffer_.data(), size);
  proto::PawnMessage message;
  std::string error;
  while (!killed_) {
    const auto status = reader_.Next(&message, &error);
    if (status == proto::FrameReader::Status::kNeedMore) {
      NoteUnfinishedFrame();
      return true;
    }
    if (status == proto::FrameReader::Status::kError) {
      FailProtocol(error);
      return false;
    }
    // The pawn has mapped the scoreboard before it says hello.
    if (std::holds_alternative<proto::Hello>(message)) RemoveScoreboardName();
    events_->OnMessage(slot_, std::move(message));
  }
  return false;
}

void Knight::NoteUnfinishedFrame() {
  if (reader_.buffered() == 0) {
    partial_frame_test_ = kNone;
  } else if (partial_frame_test_ == kNone) {
    partial_frame_test_ =
        scoreboard_ ? scoreboard_->running.load(std::memory_order_acquire) : -1;
  }
}

uint64_t Knight::ResidentBytes() const {
  // The pawn leads its own process group (Spawn), so its id is the group's.
  return pid_ > 0 && !reaped_ ? GroupResidentBytes(pid_) : 0;
}

void Knight::FailProtocol(const std::string& error) {
  protocol_error_ = error;
  OnChannelClosed();
}

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

void Knight::DrainChannel() {
  // The pawn is reaped: what it wrote is in the pipe now, and a process that
  // inherited the pipe's write end (a forked grandchild) must not keep the
  // Knight waiting for an EOF.
  boost::system::error_code ec;
  events_pipe_.non_blocking(true, ec);
  for (;;) {
    const size_t size = events_pipe_.read_some(boost::asio::buffer(read_buffer_), ec);
    if (ec || size == 0 || killed_ || !Consume(size)) break;
  }
  events_pipe_.cancel(ec);
  OnChannelClosed();
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

}  // namespace redqueen::knight
