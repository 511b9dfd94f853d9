// The exec pawn: serves the Rook's commands for an unmodified gtest binary.
//
// It lists the tests with `BINARY --gtest_list_tests` (as JSON when gtest can
// write it, with file and line), unless the Queen handed it the list the
// store remembers of this very binary (proto/known_list.h), and runs each
// batch as one child, `BINARY ARGS --gtest_filter=<batch>
// --gtest_output=json:<file>` (no report for a child of many tests),
// copying the child's output into its own capture file and following gtest's
// [ RUN ] / [ OK ] / [ FAILED ] / [ SKIPPED ] lines to know which test runs;
// a pass is reported at once, a failure when the child ends, with the
// failures of its JSON report, or of its output where there is none.
// A child that dies inside a test makes that test CRASHED; the rest of the
// batch goes back to the Rook (Requeue). The Rook cannot tell it from a
// resident pawn but by that message.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

#include "pawn/batch_filter.h"
#include "pawn/channel.h"
#include "pawn/child_process.h"
#include "proto/scoreboard.h"

namespace redqueen::pawn {

struct ExecPawnOptions {
  std::string binary;
  std::vector<std::string> args;  ///< Given to every child, before ours.
};

class ExecPawn {
 public:
  ExecPawn(Channel* channel, proto::Scoreboard* scoreboard, ExecPawnOptions options);
  ~ExecPawn();

  /// Lists, says Hello, serves until Shutdown or EOF. A list that cannot be
  /// read is one line on stderr and exit code 3, before any Hello.
  int Serve();

 private:
  struct Finished;
  class BatchRun;

  /// The tests, and their names as filters take them.
  bool Collect(std::string* error);
  /// Collect, then Hello; false, with the error on stderr, when the list
  /// cannot be read.
  bool SayHello();
  /// Serve: from now on this pawn is the exec pawn of another binary, with
  /// that binary's environment; lists it (or takes the known list) and says
  /// Hello. False, with the error on stderr, when its list cannot be read.
  bool SwitchTo(const proto::Serve& next);
  /// Takes the list named by REDQUEEN_KNOWN_LIST when it is of this binary,
  /// as it stands now, and these arguments; false when not (then it lists).
  bool TakeKnownList();
  /// `BINARY --gtest_list_tests`.
  bool ListByRunning(std::string* error);
  /// The gtest filter that runs exactly `batch` (batch_filter.h).
  std::string FilterFor(const std::vector<uint32_t>& batch) const;
  /// Tells the Rook, through the scoreboard, what the pawn does now.
  void Publish(proto::Phase phase, int64_t test);
  void RunBatch(std::vector<uint32_t> pending);
  /// Runs one child over `pending`; returns what it did not get to.
  /// `env` is set over the pawn's for that child ("KEY=VALUE").
  std::vector<uint32_t> RunChild(const std::vector<uint32_t>& pending,
                                 const std::vector<std::string>& env);
  /// Takes out of `*batch` (and returns) its tests whose names a filter
  /// cannot tell from another registered test's.
  std::vector<uint32_t> Indistinct(std::vector<uint32_t>* batch) const;
  /// The sharding that selects test `index` alone among those its filter
  /// pattern selects.
  std::vector<std::string> ShardFor(uint32_t index) const;
  void MarkRunning(int64_t index, uint64_t output_begin);
  static proto::Result ResultOf(const Finished& f);
  /// A fresh file name in the pawn's private temp dir.
  std::string TempPath(const char* what);

  Channel* channel_;
  proto::Scoreboard* scoreboard_;
  ExecPawnOptions options_;
  std::vector<proto::TestInfo> tests_;
  std::vector<std::string> names_;  ///< Of tests_, as batch filters take them.
  size_t longest_name_ = 0;
  std::unordered_map<std::string, uint32_t> index_of_;
  SuiteSizes suite_sizes_;  ///< Views into names_, which Collect fills.
  int children_ = 0;
  /// The entries environ points into since the last Serve (putenv keeps
  /// the strings, not copies).
  std::vector<std::string> environment_;
};

/// main() of `redqueen exec-pawn BINARY [-- ARGS]`, started by a Knight.
int ExecPawnMain(int argc, char** argv);

}  // namespace redqueen::pawn
