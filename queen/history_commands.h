// The commands that read the store instead of running tests:
//   redqueen runs [-n N]                  past runs with their summaries
//   redqueen show [RUN] [--status S]...   a run's results in registration order
//   redqueen slowest [RUN] [-n N]         a run's slowest tests
//   redqueen flaky [--runs N]             tests whose outcome changed lately
//   redqueen export [RUN] [--junit F] [--json F]   a past run's reports
//   redqueen report [RUN] -o FILE         a self-contained HTML picture of a run
// RUN defaults to the newest run. The store is --db, else REDQUEEN_DB, else
// .redqueen/redqueen.db; a missing store is exit 3, never created.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace redqueen::queen {

/// The commands above, in the order --help lists them.
const std::vector<std::string>& HistoryCommands();

/// True for the commands above.
bool IsHistoryCommand(std::string_view command);

/// The parser of one of them, as HistoryMain parses it: for the command
/// tree that prints help, completion scripts and the man page (commands.h).
std::shared_ptr<CLI::App> MakeHistoryParser(const std::string& command);

/// Runs one of them; returns the exit code.
int HistoryMain(int argc, char** argv);

}  // namespace redqueen::queen
