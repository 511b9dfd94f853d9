#include "pawn/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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
                         std::string* error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return false;
  }
  const int write_fd = fds[1];
  std::error_code ec;
  bp::child child(bp::exe = binary, bp::args = args,
                  bp::extend::on_exec_setup =
                      [write_fd](auto&) {
                        // Stays in the pawn's process group, which the Knight
                        // kills whole; dies with the pawn if the pawn is killed.
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        dup2(write_fd, STDOUT_FILENO);
                        dup2(write_fd, STDERR_FILENO);
                      },
                  ec);
  close(write_fd);
  out_fd_ = fds[0];
  if (ec) {
    *error = "cannot start '" + binary + "': " + ec.message();
    return false;
  }
  pid_ = child.id();
  child.detach();
  return true;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    Kill();
    Wait();
  }
  if (out_fd_ >= 0) close(out_fd_);
}

bool ChildProcess::ReadLine(std::string* line, Clock::time_point deadline) {
  for (;;) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      *line = buffer_.substr(0, newline + 1);
      buffer_.erase(0, newline + 1);
      return true;
    }
    int timeout_ms = -1;
    if (deadline != Clock::time_point::max()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      if (left.count() <= 0) {
        timed_out_ = true;
        return false;
      }
      timeout_ms = static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
    }
    pollfd poll_fd{out_fd_, POLLIN, 0};
    const int ready = poll(&poll_fd, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // Deadline check on the next turn.
    char chunk[64 * 1024];
    const ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (buffer_.empty()) return false;
      *line = std::move(buffer_);  // A last line without '\n'.
      buffer_.clear();
      return true;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void ChildProcess::Kill() {
  if (pid_ > 0 && !reaped_) kill(pid_, SIGKILL);
}

int ChildProcess::Wait() {
  if (reaped_ || pid_ <= 0) return status_;
  while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  return status_;
}

}  // namespace redqueen::pawn
