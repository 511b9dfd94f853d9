// GoogleTest's own flags (1.12), as redqueen takes them: each one either
// steers the whole run (redqueen honours it, and no pawn ever sees it),
// changes how a test behaves inside its process (passed to every pawn), or
// cannot be honoured (refused, saying what to use).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace redqueen::queen {

enum class FlagRole {
  kRun,      ///< redqueen does what the binary would (--gtest_filter, _repeat, ...).
  kPawn,     ///< Passed to every pawn (--gtest_break_on_failure, ...).
  kRefused,  ///< Exit 2, with `hint`.
};

enum class FlagType { kBool, kInt, kString };

struct GtestFlag {
  std::string_view name;  ///< Without "--gtest_".
  FlagType type;
  FlagRole role;
  /// The variable gtest reads when the flag is not given (empty: none).
  std::string_view variable;
  std::string_view hint;  ///< kRefused: why, and what to use instead.
};

/// Every flag of GoogleTest 1.12, in gtest's --help order.
const std::vector<GtestFlag>& GtestFlags();

/// The flag named `name` (without "--gtest_"), or null.
const GtestFlag* FindGtestFlag(std::string_view name);

/// gtest's reading of a bool flag's value: false when it starts with '0',
/// 'f' or 'F', else true ("--gtest_shuffle" alone is true).
bool GtestBool(std::string_view value);

/// Sorts the gtest flags of a command line into where they belong. `ours` are
/// redqueen's arguments (before `--`), `pawn_args` the ones after it. Flags
/// that steer the run move to the end of `ours`, where CLI11 reads them, with
/// bool values spelt "true"/"false"; flags for the pawns move to the end of
/// `pawn_args`; each --gtest_flagfile=F is replaced by the flags in F, one
/// per line, as gtest reads it. False with a one-line `*error` for a flag
/// redqueen refuses, an unknown one ("did you mean ...?"), or an argument
/// after `--` that would make gtest print its help and run no test.
bool SortGtestFlags(std::vector<std::string>* ours, std::vector<std::string>* pawn_args,
                    std::string* error);

}  // namespace redqueen::queen
