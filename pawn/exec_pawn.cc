// ExecPawn's serving: it lists, says Hello, and runs each batch in children
// (RunBatch, RunChild); and main() of `redqueen exec-pawn`.
#include "pawn/exec_pawn.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include "pawn/attach.h"
#include "pawn/batch_run.h"
#include "pawn/child_output.h"
#include "pawn/gtest_bytes.h"
#include "pawn/gtest_report.h"
#include "proto/children.h"

namespace redqueen::pawn {
namespace {

using proto::Phase;

/// A batch filter longer than this goes through a flagfile: the kernel
/// refuses an argument over 128 KiB (E2BIG), and all of them over ARG_MAX.
constexpr size_t kMaxFilterArgument = 32 * 1024;

/// A child of more tests than this writes no JSON report. gtest takes about
/// 10 us a test to write one (of 5,000 trivial tests' 80 ms in a child, 50
/// were the report), which a batch of many short tests cannot afford; its
/// failures are then read from its output (FailuresInOutput). Below this,
/// the report's exact text costs at most a few ms.
constexpr size_t kMaxReportedTests = 500;

}  // namespace

ExecPawn::ExecPawn(Channel* channel, proto::Scoreboard* scoreboard,
                   ExecPawnOptions options)
    : channel_(channel), scoreboard_(scoreboard), options_(std::move(options)) {
  channel_->set_scoreboard(scoreboard_);
}

ExecPawn::~ExecPawn() = default;

std::string ExecPawn::TempPath(const char* what) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/redqueen-" + what + "-" +
         std::to_string(getpid()) + "-" + std::to_string(children_++) + ".json";
}

void ExecPawn::Publish(Phase phase, int64_t test) {
  if (scoreboard_) scoreboard_->Enter(phase, test, proto::SteadyNanos());
}

void ExecPawn::MarkRunning(int64_t index, uint64_t output_begin) {
  if (!scoreboard_) return;
  const int64_t now = proto::SteadyNanos();
  scoreboard_->output_begin.store(output_begin, std::memory_order_relaxed);
  scoreboard_->started_ns.store(now, std::memory_order_relaxed);
  scoreboard_->running.store(index, std::memory_order_release);
  scoreboard_->Enter(Phase::kTest, index, now);
}

std::vector<uint32_t> ExecPawn::RunChild(const std::vector<uint32_t>& pending,
                                         const std::vector<std::string>& env) {
  const std::string report = TempPath("report");
  std::vector<std::string> args = options_.args;
  // However long the batch's filter is, the child can be started.
  const std::string filter = FilterFor(pending);
  std::string flagfile;
  if (filter.size() > kMaxFilterArgument) {
    flagfile = TempPath("filter");
    std::ofstream(flagfile, std::ios::binary) << "--gtest_filter=" << filter << "\n";
    args.push_back("--gtest_flagfile=" + flagfile);
  } else {
    args.push_back("--gtest_filter=" + filter);
  }
  // Last, so they win over the same flags in ARGS: the line parsing needs
  // every test's lines, once, uncoloured.
  for (const char* flag : {"--gtest_also_run_disabled_tests", "--gtest_color=no",
                           "--gtest_brief=0", "--gtest_repeat=1"}) {
    args.emplace_back(flag);
  }
  const bool with_report = pending.size() <= kMaxReportedTests;
  if (with_report) args.push_back("--gtest_output=json:" + report);

  ChildProcess child;
  std::string error;
  if (!child.Start(options_.binary, args, &error, env)) {
    // No test of the batch ran: they go back, and the Rook stops the run
    // with this line rather than blame one of them.
    std::fprintf(stderr, "redqueen: error: %s\n", error.c_str());
    std::fflush(stderr);
    channel_->Send(proto::Requeue{pending});
    _exit(3);
  }
  BatchRun run(this, pending);
  // A status line may follow at most this much unterminated output.
  LineSplitter lines(longest_name_ + kHeadBytes);
  std::string piece;
  bool whole = false;
  while (child.Read(&lines.buffer())) {
    while (lines.Next(&piece, &whole)) run.OnOutput(std::move(piece), whole);
    run.Flush();
  }
  if (lines.Rest(&piece)) run.OnOutput(std::move(piece), true);
  const int status = child.Wait();
  // What the child left behind (a daemon holding its output open) goes now.
  proto::KillOrphans();
  if (!flagfile.empty()) std::remove(flagfile.c_str());
  std::map<std::string, ReportedTest> reported;
  // A batch that passed would have its report parsed for nothing: on 5,000
  // trivial tests, 1.6 MB of JSON read after the child ended.
  if (with_report && run.WantsReport()) {
    for (auto& [name, test] : ReadGtestReport(report)) {
      for (proto::Failure& failure : test.failures) {
        failure.file = GtestBytes(failure.file);
        failure.message = GtestBytes(failure.message);
      }
      reported.emplace(GtestBytes(name), std::move(test));
    }
  }
  if (with_report) std::remove(report.c_str());
  return run.Finish(status, reported);
}

void ExecPawn::RunBatch(std::vector<uint32_t> pending) {
  // A child runs its tests to the end, so the batch is claimed whole as it
  // begins: the Rook can take back none of it later (proto::ClaimTests).
  if (scoreboard_) {
    const uint64_t command = scoreboard_->commands_read.load(std::memory_order_relaxed);
    pending.resize(
        proto::ClaimTests(*scoreboard_, command, static_cast<uint32_t>(pending.size())));
  }
  pending.erase(std::remove_if(pending.begin(), pending.end(),
                               [this](uint32_t i) { return i >= tests_.size(); }),
                pending.end());
  if (pending.empty()) return;
  std::sort(pending.begin(), pending.end());
  // A test that no filter tells from another (their names differ only in
  // filter syntax) runs in a child of its own, picked out of the tests its
  // filter selects by gtest's sharding, which counts them in registration
  // order.
  std::vector<uint32_t> rest;
  for (uint32_t index : Indistinct(&pending)) {
    if (rest.empty()) {
      rest = RunChild({index}, ShardFor(index));
    } else {
      rest.push_back(index);
    }
  }
  // After a crash, what the child did not get to goes back to the Rook's
  // queue, as a dead resident pawn's batch does.
  if (rest.empty() && !pending.empty()) {
    rest = RunChild(pending, {});
  } else {
    rest.insert(rest.end(), pending.begin(), pending.end());
  }
  if (!rest.empty()) channel_->Send(proto::Requeue{rest});
}

bool ExecPawn::SayHello() {
  std::string error;
  if (!Collect(&error)) {
    std::fprintf(stderr, "redqueen: error: cannot list the tests of '%s': %s\n",
                 options_.binary.c_str(), error.c_str());
    return false;
  }
  channel_->Send(proto::HelloFor(static_cast<int32_t>(getpid()), tests_));
  return true;
}

bool ExecPawn::SwitchTo(const proto::Serve& next) {
  options_.binary = next.binary;
  options_.args = next.args;
  // The new binary's environment, whole: what the last one set or unset
  // does not carry over to its children.
  std::vector<std::string> environment = next.environment;
  clearenv();
  for (std::string& entry : environment) {
    if (entry.find('=') != std::string::npos) putenv(entry.data());
  }
  environment_ = std::move(environment);  // The strings stay where they are.
  tests_.clear();
  names_.clear();
  index_of_.clear();
  suite_sizes_ = {};
  longest_name_ = 0;
  return SayHello();
}

int ExecPawn::Serve() {
  if (!SayHello()) return 3;
  return ServeCommands(
      channel_, [this] { return proto::TestList{tests_}; },
      [this](const std::vector<uint32_t>& indexes) { RunBatch(indexes); },
      [this](const proto::Serve& next) { return SwitchTo(next); });
}

int ExecPawnMain(int argc, char** argv) {
  // argv: redqueen exec-pawn BINARY [-- ARGS...]
  ExecPawnOptions options;
  int i = 2;
  if (i >= argc || !StartedByRook()) {
    std::fprintf(
        stderr, "redqueen: error: exec-pawn is started by 'redqueen run', not by hand\n");
    return 2;
  }
  options.binary = argv[i++];
  if (i < argc && std::strcmp(argv[i], "--") == 0) ++i;
  options.args.assign(argv + i, argv + argc);
  Attachment attachment = AttachToRook();
  // What a child's tests leave behind is the exec pawn's to end after each
  // child. (A resident pawn is no subreaper: its tests are its own code, and
  // wait() in one of them would reap what another left.)
  proto::BecomeSubreaper();
  Channel channel(attachment.command_fd, attachment.event_fd, attachment.token);
  ExecPawn pawn(&channel, attachment.scoreboard, std::move(options));
  return pawn.Serve();
}

}  // namespace redqueen::pawn
