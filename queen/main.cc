// redqueen: a parallel runner for GoogleTest suites.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "pawn/exec_pawn.h"
#include "queen/bench/bench_command.h"
#include "queen/commands.h"
#include "queen/config_command.h"
#include "queen/exit_codes.h"
#include "queen/history_commands.h"
#include "queen/list_command.h"
#include "queen/merge_command.h"
#include "queen/options.h"
#include "queen/plan_command.h"
#include "queen/session.h"

int main(int argc, char** argv) {
  // A pawn that dies while we write to it shows up as EPIPE and an exit event,
  // not as a signal that kills redqueen. Pawns get SIGPIPE back (knight.cc).
  signal(SIGPIPE, SIG_IGN);
  // The Knight starts redqueen itself as the pawn of an unmodified binary.
  if (argc > 1 && std::strcmp(argv[1], "exec-pawn") == 0) {
    signal(SIGPIPE, SIG_DFL);
    return redqueen::pawn::ExecPawnMain(argc, argv);
  }
  // --version, help, completion, man; unknown commands, misplaced options.
  std::vector<std::string> args(argv, argv + argc);
  int exit_code = 0;
  if (!redqueen::queen::PrepareCommand(&args, &exit_code)) return exit_code;
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  argc = static_cast<int>(args.size());
  argv = pointers.data();
  // Commands that read the store have parsers of their own.
  if (argc > 1 && redqueen::queen::IsHistoryCommand(argv[1])) {
    try {
      return redqueen::queen::HistoryMain(argc, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "redqueen: error: %s\n", e.what());
      return redqueen::kExitInfra;
    }
  }
  if (argc > 1 && std::strcmp(argv[1], "merge") == 0) {
    try {
      return redqueen::queen::MergeMain(argc, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "redqueen: error: %s\n", e.what());
      return redqueen::kExitInfra;
    }
  }
  if (argc > 1 && std::strcmp(argv[1], "bench") == 0) {
    try {
      return redqueen::queen::bench::BenchMain(argc, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "redqueen: error: %s\n", e.what());
      return redqueen::kExitInfra;
    }
  }
  redqueen::queen::RunOptions options;
  if (!redqueen::queen::ParseCommandLine(argc, argv, &options, &exit_code)) {
    return exit_code;
  }
  if (options.print_config) {
    redqueen::queen::PrintConfig(options);
    return redqueen::kExitPassed;
  }
  try {
    if (options.list_only) return redqueen::queen::ListSession(options);
    if (options.plan_only) return redqueen::queen::PlanSession(options);
    return redqueen::queen::RunSession(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redqueen: error: %s\n", e.what());
    return redqueen::kExitInfra;
  }
}
