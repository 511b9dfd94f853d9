// redqueen's exit codes, documented in the README. One place, one meaning each.
#pragma once

namespace redqueen {

enum ExitCode : int {
  kExitPassed = 0,         ///< Every selected test passed (or was skipped).
  kExitTestsFailed = 1,    ///< A test failed, crashed or timed out.
  kExitUsage = 2,          ///< Bad command line.
  kExitInfra = 3,          ///< Binary missing or not a pawn, lists disagree,
                           ///< store unwritable, pawns keep dying,
                           ///< shards that do not merge.
  kExitNoTests = 4,        ///< No test matched the filter (--no-tests fail).
  kExitInterrupted = 130,  ///< Ctrl-C (SIGINT), SIGTERM or SIGHUP.
};

/// Each code with what it means to a user, for the man page (the README's
/// table says the same at more length).
struct ExitCodeMeaning {
  ExitCode code;
  const char* meaning;
};
inline constexpr ExitCodeMeaning kExitCodeMeanings[] = {
    {kExitPassed, "Every selected test passed (or was skipped)."},
    {kExitTestsFailed,
     "A test failed, crashed or timed out (after its retries), or a FLAKY test with "
     "--flaky-fails, or a run stopped by --fail-fast; bench: a benchmark failed to "
     "measure; bench compare and ab: a benchmark is slower."},
    {kExitUsage,
     "Bad usage: an unknown command or option, a bad value, a bad settings file, a "
     "GoogleTest flag or variable redqueen refuses, a report file it cannot write; "
     "bench compare of two machines' runs without --cross-machine."},
    {kExitInfra,
     "Infrastructure error: a binary missing or not a GoogleTest binary, a pawn that "
     "cannot start or keeps dying, pawns that disagree on the test list, a store that "
     "cannot be written, CI shards' stores that merge cannot join into the whole "
     "suite's run; bench compare and ab with --fail-unstable: a benchmark too noisy "
     "to judge."},
    {kExitNoTests,
     "No test of any binary matches the filter its user gave (--no-tests fail, the "
     "default for such a filter); bench: no benchmark in the binaries or none "
     "matches --filter."},
    {kExitInterrupted,
     "Interrupted (Ctrl-C, SIGTERM or SIGHUP); results already received are kept."},
};

}  // namespace redqueen
