// A test binary run by the exec pawn: in the pawn's process group (which the
// Knight kills whole), stdout and stderr merged into one pipe that is read
// as it comes, reaped by the pawn.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace redqueen::pawn {

class ChildProcess {
 public:
  /// Starts `binary` with `args` and, over the pawn's environment, `env`
  /// ("KEY=VALUE"); false with `*error` when it cannot start.
  bool Start(const std::string& binary, const std::vector<std::string>& args,
             std::string* error, const std::vector<std::string>& env = {});
  ~ChildProcess();

  /// Before Start: the child runs on CPU `cpu` only (a benchmark's, apart
  /// from redqueen's own work); -1, the default, leaves it where we are.
  void PinTo(int cpu) { cpu_ = cpu; }
  /// Before Start: the child leads a process group of its own, which Kill
  /// and Wait end whole, so what it started cannot outlive it (a
  /// benchmark's helpers would go on using its CPU). Without, it stays in
  /// our group, which the Knight kills whole.
  void OwnGroup() { own_group_ = true; }
  /// Past `deadline`, Read kills the child (and timed_out() says so): a
  /// caller that has no event loop of its own still never waits forever.
  void KillAt(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  bool timed_out() const { return timed_out_; }

  /// Appends what the child wrote next to `*out`. False once the child has
  /// exited and all it wrote is read: a process it left behind that holds
  /// the pipe open does not keep the pawn waiting.
  bool Read(std::string* out);

  /// Kills the child (what it started dies with the pawn's group).
  void Kill();
  /// Reaps the child (killing it at the KillAt deadline); returns its wait
  /// status. With OwnGroup, what is left of its group is killed first.
  int Wait();

 private:
  /// True once the child is waitable (it exited or was killed).
  bool Exited() const;

  /// Milliseconds Read may wait before the deadline (-1: no deadline).
  int WaitBudgetMs();

  /// Blocks until the child is waitable or the deadline passes (then kills).
  void AwaitExit();

  int cpu_ = -1;
  bool own_group_ = false;
  std::chrono::steady_clock::time_point deadline_ =
      std::chrono::steady_clock::time_point::max();
  bool timed_out_ = false;
  int pid_ = -1;
  int pidfd_ = -1;  ///< Readable when the child exits (-1: polled instead).
  int out_fd_ = -1;
  bool reaped_ = false;
  bool exited_ = false;
  int status_ = 0;
};

/// "signal 11 (SIGSEGV)" or "exit code 1", from a wait status.
std::string DescribeWaitStatus(int status);

}  // namespace redqueen::pawn
