// A test binary run by the exec pawn: in the pawn's process group (which the
// Knight kills whole), stdout and stderr merged into one pipe that is read
// line by line, reaped by the pawn.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace redqueen::pawn {

class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;

  /// Starts `binary` with `args`; false with `*error` when it cannot start.
  bool Start(const std::string& binary, const std::vector<std::string>& args,
             std::string* error);
  ~ChildProcess();

  /// Reads the next line (with its '\n', if any) into `*line`. False at EOF,
  /// or when `deadline` passes first (then `timed_out()`).
  bool ReadLine(std::string* line, Clock::time_point deadline = Clock::time_point::max());
  bool timed_out() const { return timed_out_; }

  /// Kills the child (what it started dies with the pawn's group).
  void Kill();
  /// Reaps the child; returns its wait status.
  int Wait();

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  bool timed_out_ = false;
  int status_ = 0;
  std::string buffer_;
};

/// "signal 11 (SIGSEGV)" or "exit code 1", from a wait status.
std::string DescribeWaitStatus(int status);

}  // namespace redqueen::pawn
