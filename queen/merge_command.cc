#include "queen/merge_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "queen/exit_codes.h"
#include "queen/print_error.h"
#include "queen/shard_merge.h"
#include "queen/usage.h"

namespace redqueen::queen {
namespace {

class MergeParser : public CLI::App {
 public:
  MergeParser();
  std::vector<std::string> shards;
  std::string db_path = ".redqueen/redqueen.db";
};

MergeParser::MergeParser()
    : CLI::App("Join the stores of a suite's CI shards into one run", "merge") {
  add_option("SHARD", shards, "A shard's store (its run's --db); one for each shard")
      ->type_name("FILE")
      ->required();
  add_option("--db", db_path,
             "The store to write the merged run into; REDQUEEN_DB when not given")
      ->type_name("FILE")
      ->capture_default_str();
  footer(
      "Each shard's newest run must be a finished --shard K/N run, every shard of one "
      "split (the same count, partition and history) given once, and together they "
      "must have run each test they selected exactly once; else nothing is written "
      "(exit 3).");
}

std::string Summary(int64_t run_id, const std::string& db_path, const bishop::RunRow& row,
                    size_t shards) {
  const auto& s = row.summary;
  return "redqueen: merged " + std::to_string(shards) + " shards into run " +
         std::to_string(run_id) + " of '" + db_path + "' (" + s.status +
         "): " + std::to_string(s.total_tests) + " tests, " +
         std::to_string(s.tests_passed) + " passed, " + std::to_string(s.tests_failed) +
         " failed, " + std::to_string(s.tests_skipped) + " skipped\n";
}

}  // namespace

std::shared_ptr<CLI::App> MakeMergeParser() { return std::make_shared<MergeParser>(); }

int MergeMain(int argc, char** argv) {
  MergeParser app;
  // After the parser took its default, as the history commands do.
  if (const char* env = std::getenv("REDQUEEN_DB"); env && *env) app.db_path = env;
  if (int exit_code = 0; !ParseCommand(app, argc, argv, &exit_code)) return exit_code;
  std::vector<ShardRun> shards(app.shards.size());
  for (size_t i = 0; i < shards.size(); ++i) {
    if (std::string error; !LoadShard(app.shards[i], &shards[i], &error)) {
      return ErrorExit(error, kExitInfra);
    }
  }
  const std::vector<std::string> problems = CheckShards(shards);
  if (!problems.empty()) {
    for (size_t i = 0; i + 1 < problems.size(); ++i) PrintError(problems[i]);
    return ErrorExit(problems.back(), kExitInfra);
  }
  std::string error;
  std::unique_ptr<bishop::Store> out = bishop::Store::Open(app.db_path, &error);
  if (!out) return ErrorExit(error, kExitInfra);
  std::string command = "redqueen";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  try {
    const int64_t run_id = MergeShards(*out, shards, command);
    std::fputs(
        Summary(run_id, app.db_path, out->Runs(1, run_id).at(0), shards.size()).c_str(),
        stdout);
  } catch (const std::exception& e) {
    return ErrorExit(e.what(), kExitInfra);
  }
  return kExitPassed;
}

}  // namespace redqueen::queen
