// `redqueen report`: one self-contained HTML file (no network needed) with a
// timeline (a row per pawn, a bar per test coloured by status, hover for name
// and duration), a duration histogram, the slowest tests, and the failures
// with their output. The page draws itself from the run's data, embedded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bishop/store.h"

namespace redqueen::queen {

/// `data` as JSON text that can stand inside a <script> element.
std::string ScriptJson(const nlohmann::json& data);

std::string HtmlReport(const bishop::RunRow& run,
                       const std::vector<bishop::RunExecution>& executions);

}  // namespace redqueen::queen
