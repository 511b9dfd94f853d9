// redqueen merge SHARD.db... [--db OUT]: the stores of a suite's CI shards,
// one per machine, joined into one run in OUT (--db, else REDQUEEN_DB,
// else .redqueen/redqueen.db), from which `export` and `report` give the
// whole pipeline's reports and the next `time` split learns every machine's
// durations. Shards that do not add up to the suite, each test once, are
// refused (exit 3) with what is wrong, and nothing is written.
#pragma once

#include <memory>

namespace CLI {
class App;
}  // namespace CLI

namespace redqueen::queen {

/// Its parser, for the command tree (commands.h).
std::shared_ptr<CLI::App> MakeMergeParser();

/// Runs `redqueen merge` (argv[1] is "merge"); returns the exit code.
int MergeMain(int argc, char** argv);

}  // namespace redqueen::queen
