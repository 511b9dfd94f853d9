// The run as one JSON document (--json): its summary and every result, for
// scripts and dashboards that want more than JUnit carries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bishop/store.h"

namespace redqueen::queen {

/// {"run": {id, command, jobs, started_at, status, counts...}, "results": [
/// {binary, target, name, file, line, repetition, attempt, final, status,
/// duration_s, skip_message, crash, failures: [{file, line, message}],
/// output}]}. Bytes that are not UTF-8 become U+FFFD.
std::string RunJson(int64_t run_id, const bishop::RunRecord& run,
                    const bishop::RunSummaryRecord& summary,
                    const std::vector<bishop::RunExecution>& executions);

}  // namespace redqueen::queen
