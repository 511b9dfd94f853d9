#include "pawn/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <cstring>

#include "proto/status.h"

namespace redqueen::pawn {

namespace bp = boost::process;

std::string DescribeWaitStatus(int status) {
  return DescribeExit(WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                      WIFEXITED(status) ? WEXITSTATUS(status) : 0);
}

bool ChildProcess::Start(const std::string& binary, const std::vector<std::string>& args,
                         std::string* error, const std::vector<std::string>& env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return false;
  }
  const int write_fd = fds[1];
  out_fd_ = fds[0];
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) environment.emplace_back(*entry);
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::error_code ec;
  bp::child child(
      bp::exe = binary, bp::args = args,
      bp::extend::on_setup = [&envp](auto& exec) { exec.env = envp.data(); },
      bp::extend::on_exec_setup =
          [write_fd, cpu = cpu_, own_group = own_group_](auto&) {
            if (own_group) setpgid(0, 0);
            if (cpu >= 0) {
              cpu_set_t set;
              CPU_ZERO(&set);
              CPU_SET(cpu, &set);
              sched_setaffinity(0, sizeof set, &set);
            }
            // Stays in the pawn's process group, which the Knight
            // kills whole; dies with the pawn if the pawn is killed.
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            dup2(write_fd, STDOUT_FILENO);
            dup2(write_fd, STDERR_FILENO);
          },
      ec);
  close(write_fd);
  // Boost.Process 1.74 gives pid -1 and no error when its own pipe fails.
  if (!ec && child.id() <= 0) ec = std::error_code(EMFILE, std::generic_category());
  if (ec) {
    *error = "cannot start '" + binary + "': " + ec.message();
    return false;
  }
  pid_ = child.id();
  child.detach();
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  fcntl(out_fd_, F_SETFL, fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
  return true;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    Kill();
    Wait();
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (pidfd_ >= 0) close(pidfd_);
}

bool ChildProcess::Exited() const {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) ==
             0 &&
         info.si_pid != 0;
}

bool ChildProcess::Read(std::string* out) {
  char chunk[64 * 1024];
  for (;;) {
    ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n > 0) {
      // And what else is there now, up to a megabyte: a child that writes
      // line by line is read, and copied, a chunk at a time.
      size_t taken = 0;
      do {
        out->append(chunk, static_cast<size_t>(n));
        taken += static_cast<size_t>(n);
      } while (taken < (1u << 20) && (n = read(out_fd_, chunk, sizeof chunk)) > 0);
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return false;
    // Nothing to read now. Once the child is gone, what it wrote has been
    // read: whoever else holds the pipe is not waited for.
    if (exited_) return false;
    pollfd polls[2] = {{out_fd_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    const int budget = WaitBudgetMs();
    if (budget == 0) {
      timed_out_ = true;
      deadline_ = std::chrono::steady_clock::time_point::max();
      Kill();
      continue;
    }
    const int wait_ms = pidfd_ >= 0 ? budget : (budget < 0 ? 50 : std::min(budget, 50));
    const int ready = poll(polls, pidfd_ >= 0 ? 2 : 1, wait_ms);
    if (ready < 0 && errno != EINTR) return false;
    if (pidfd_ >= 0 ? (polls[1].revents & POLLIN) != 0 : (ready == 0 && Exited())) {
      exited_ = true;
    }
  }
}

int ChildProcess::WaitBudgetMs() {
  if (deadline_ == std::chrono::steady_clock::time_point::max()) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0
                           : static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
}

void ChildProcess::Kill() {
  if (pid_ > 0 && !reaped_) kill(own_group_ ? -pid_ : pid_, SIGKILL);
}

void ChildProcess::AwaitExit() {
  while (!exited_ && !Exited()) {
    const int budget = WaitBudgetMs();
    if (budget == 0) {
      timed_out_ = true;
      Kill();
      return;
    }
    pollfd poll_exit = {pidfd_, POLLIN, 0};
    if (pidfd_ < 0 || poll(&poll_exit, 1, budget < 0 ? -1 : budget) < 0) {
      poll(nullptr, 0, budget < 0 ? 50 : std::min(budget, 50));
    }
  }
}

int ChildProcess::Wait() {
  if (reaped_ || pid_ <= 0) return status_;
  // A child that closed its output reads as ended before it is: the
  // deadline still holds.
  if (deadline_ != std::chrono::steady_clock::time_point::max()) AwaitExit();
  // Its pid is held until it is reaped: the group cannot be another's yet.
  if (own_group_) kill(-pid_, SIGKILL);
  while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  return status_;
}

}  // namespace redqueen::pawn
