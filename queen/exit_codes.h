// redqueen's exit codes, documented in the README. One place, one meaning each.
#pragma once

namespace redqueen {

enum ExitCode : int {
  kExitPassed = 0,       ///< Every selected test passed (or was skipped).
  kExitTestsFailed = 1,  ///< A test failed, crashed or timed out.
  kExitUsage = 2,        ///< Bad command line.
  kExitInfra = 3,        ///< Binary missing or not a pawn, lists disagree,
                         ///< store unwritable, pawns keep dying.
  kExitNoTests = 4,      ///< No test matched the filter (--no-tests fail).
  kExitInterrupted = 130,  ///< Ctrl-C (SIGINT), SIGTERM or SIGHUP.
};

}  // namespace redqueen
