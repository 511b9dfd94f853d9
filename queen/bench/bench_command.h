// redqueen bench: measure benchmarks, list them, read the bench runs of the
// store, compare two runs or files, and run two builds side by side.
//
//   redqueen bench BINARY...           measure (--save, --cpus, --filter)
//   redqueen bench list BINARY...      the benchmarks, measuring none
//   redqueen bench runs                the store's bench runs
//   redqueen bench show [RUN]          one run's table (default: the newest)
//   redqueen bench compare BASE NEW    judge NEW against BASE (exit 1: slower)
//   redqueen bench ab BASE_BIN NEW_BIN both builds in one invocation, paired
#pragma once

#include <memory>

namespace CLI {
class App;
}  // namespace CLI

namespace redqueen::queen::bench {

/// Its parser, for the command tree (commands.h): help, completion, man.
std::shared_ptr<CLI::App> MakeBenchParser();

/// Runs `redqueen bench ...` (argv[1] is "bench"); returns the exit code.
int BenchMain(int argc, char** argv);

}  // namespace redqueen::queen::bench
