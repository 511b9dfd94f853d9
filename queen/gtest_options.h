// GoogleTest's flags that steer a run, as options of `redqueen run`, and how
// they become redqueen's own settings: where a gtest setting ranks above
// redqueen's (a flag over a variable over the settings file), it wins.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "queen/options.h"

namespace redqueen::queen {

/// Declares --gtest_filter, --gtest_repeat... on `run`, stored into `options`.
void AddGtestOptions(CLI::App* run, RunOptions* options);

/// Where a setting's value came from; the higher rank wins.
struct Origin {
  enum Rank { kDefault, kSettingsFile, kVariable, kCommandLine } rank = kDefault;
  std::string source;  ///< The variable's name for kVariable.
};
/// The origin of a setting, by its long option name ("repeat", "gtest_repeat").
using OriginOf = std::function<Origin(const std::string& name)>;

/// How a setting is named to its user: the variable that set it, else "--NAME".
std::string Spelt(const std::string& name, const OriginOf& origin);

/// Sets redqueen's repeat, order, max_fail, junit/json and list_only from the
/// gtest settings that outrank them (redqueen's own win a tie), and the
/// default of --no-tests from where the filter came from. Each setting so
/// changed is added to `mapped`, for `redqueen config`. False with `*error`.
bool MapGtestRun(const OriginOf& origin, RunOptions* options,
                 std::vector<Setting>* mapped, std::string* error);

}  // namespace redqueen::queen
