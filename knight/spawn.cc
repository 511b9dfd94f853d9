// Starting a pawn: its scoreboard in shared memory, its channel's pipes and
// capture file raised above the fds they become, its environment, and the
// fork and exec in a process group of its own.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

// Boost.Process 1.74 builds its vfork path only for an old _XOPEN_SOURCE,
// not the _GNU_SOURCE g++ sets; Linux's vfork is there either way.
#define BOOST_POSIX_HAS_VFORK 1

#include <algorithm>
#include <boost/interprocess/shared_memory_object.hpp>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <random>

#include "knight/knight.h"
#include "knight/live_pawns.h"

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

  ~ChildFds() { Close(); }
  void Close() {
    for (int* fd : {&command_read, &event_write, &capture, &null_in}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
  }
};

/// Every signal blocked on this thread while it lives: nothing of
/// redqueen's runs in a vfork child before it resets the handlers, and the
/// mask comes back however the spawn ends (an exception too).
class AllSignalsBlocked {
 public:
  AllSignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before_);
  }
  ~AllSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &before_, nullptr); }
  AllSignalsBlocked(const AllSignalsBlocked&) = delete;
  AllSignalsBlocked& operator=(const AllSignalsBlocked&) = delete;

 private:
  sigset_t before_;
};

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

/// In the vfork child, before it unblocks signals: none of redqueen's
/// handlers may run in it, in redqueen's memory (the exec would reset them
/// anyway). redqueen ignores SIGPIPE; a test binary must get the default.
void ResetSignalHandlers() {
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction action {};
    if (sigaction(sig, nullptr, &action) != 0 || action.sa_handler == SIG_DFL) continue;
    if (action.sa_handler != SIG_IGN || sig == SIGPIPE)
      sigaction(sig, &fallback, nullptr);
  }
}

/// Runs in the child between vfork and exec: async-signal-safe calls only,
/// and nothing that writes redqueen's memory.
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
  ResetSignalHandlers();
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
  tmp_dir_ = spec.run_dir + "/tmp-" + std::to_string(slot_);
  mkdir(tmp_dir_.c_str(), 0700);
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
  token_ = static_cast<uint32_t>(std::random_device{}()) | 1u;
  reader_ = proto::FrameReader(token_);
  pawn_tag_ = std::to_string(getpid()) + "-" + tag;
  orphan_tag_ = std::string(proto::kEnvPawnTag) + "=" + pawn_tag_;
  std::vector<std::string> env =
      PawnEnvironment(spec, slot_, scoreboard_name_, tmp_dir_, token_, pawn_tag_);
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const pid_t parent = getpid();
  std::error_code ec;
  // vfork: the child borrows redqueen's memory until it execs, where a fork
  // would copy the page tables of redqueen's whole address space and then
  // tear them down in the exec, milliseconds per pawn. Until the exec, no
  // signal handler of redqueen's may run in the child: every signal stays
  // blocked from before the vfork to the child's own mask (SetUpChild).
  std::optional<AllSignalsBlocked> blocked(std::in_place);
  // The environment goes straight to execve: Boost 1.74's environment class
  // reads past the end of its entries when looking keys up.
  bp::child child(
      bp::exe = spec.binary, bp::args = spec.args, bp::posix::use_vfork,
      bp::extend::on_setup = [&envp](auto& exec) { exec.env = envp.data(); },
      bp::extend::on_exec_setup = [&fds, parent](auto&) { SetUpChild(fds, parent); }, ec);
  blocked.reset();
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

void Knight::ServeAnother(KnightFactory* factory, int slot, WorkerEvents* events,
                          const PawnSpec& spec) {
  factory_->Unregister(this);
  factory_ = factory;
  factory_->Register(this);
  slot_ = slot;
  events_ = events;
  struct stat st {};
  if (stat(capture_path_.c_str(), &st) == 0)
    output_base_ = static_cast<uint64_t>(st.st_size);
  // The environment Spawn gives a pawn of `spec`, less what the pawn drops
  // once attached (pawn/attach.h): its channel is the one it has.
  std::vector<std::string> env =
      PawnEnvironment(spec, slot_, scoreboard_name_, tmp_dir_, token_, pawn_tag_);
  std::erase_if(env, [](const std::string& entry) {
    const std::string_view key = std::string_view(entry).substr(0, entry.find('='));
    return key == proto::kEnvPawnFds || key == proto::kEnvScoreboard ||
           key == proto::kEnvChannelToken;
  });
  // SpecFor's exec pawn: `redqueen exec-pawn BINARY -- ARGS...`.
  proto::Serve serve;
  if (spec.args.size() >= 2) serve.binary = spec.args[1];
  if (spec.args.size() > 3) serve.args.assign(spec.args.begin() + 3, spec.args.end());
  serve.environment = std::move(env);
  Send(serve);
}

}  // namespace redqueen::knight
