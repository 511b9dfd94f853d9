#include "queen/json_report.h"

#include <nlohmann/json.hpp>

namespace redqueen::queen {

std::string RunJson(int64_t run_id, const bishop::RunRecord& run,
                    const bishop::RunSummaryRecord& summary,
                    const std::vector<bishop::RunExecution>& executions) {
  using nlohmann::json;
  json results = json::array();
  for (const bishop::RunExecution& e : executions) {
    json failures = json::array();
    for (const proto::Failure& f : e.failures) {
      failures.push_back({{"file", f.file}, {"line", f.line}, {"message", f.message}});
    }
    results.push_back({{"binary", e.binary},
                       {"target", e.target},
                       {"name", e.name},
                       {"file", e.file},
                       {"line", e.line},
                       {"repetition", e.repetition},
                       {"attempt", e.attempt},
                       {"final", e.final},
                       {"status", StatusName(e.status)},
                       {"duration_s", e.duration_us / 1e6},
                       {"skip_message", e.skip_message},
                       {"crash", e.crash},
                       {"failures", failures},
                       {"output", e.output}});
  }
  const json document = {{"run",
                          {{"id", run_id},
                           {"command", run.command},
                           {"jobs", run.jobs},
                           {"started_at", run.started_at},
                           {"completed_at", summary.completed_at},
                           {"status", summary.status},
                           {"total_tests", summary.total_tests},
                           {"tests_passed", summary.tests_passed},
                           {"tests_failed", summary.tests_failed},
                           {"tests_skipped", summary.tests_skipped},
                           {"execution_errors", summary.execution_errors},
                           {"flaky", summary.flaky},
                           {"execution_time", summary.execution_time}}},
                         {"results", results}};
  // Test output is bytes: whatever is not UTF-8 is replaced, not an error.
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace redqueen::queen
