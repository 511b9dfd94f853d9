#include "queen/report_sink.h"

#include <algorithm>
#include <tuple>

#include "queen/store_sink.h"

namespace redqueen::queen {

void ReportSink::OnTestsListed(const std::vector<proto::TestInfo>& tests,
                               const std::vector<uint32_t>&) {
  tests_ = &tests;
}

void ReportSink::OnResult(const rook::TestResult& result) {
  executions_.push_back(ExecutionOf(result, result.index));
}

void ReportSink::AppendTo(std::vector<bishop::RunExecution>* out) const {
  std::vector<const bishop::ExecutionRecord*> order;
  order.reserve(executions_.size());
  for (const bishop::ExecutionRecord& e : executions_) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::tie(a->test_id, a->repetition, a->attempt) <
           std::tie(b->test_id, b->repetition, b->attempt);
  });
  for (const bishop::ExecutionRecord* e : order) {
    const proto::TestInfo& test = tests_->at(static_cast<size_t>(e->test_id));
    bishop::RunExecution execution;
    static_cast<bishop::ExecutionRecord&>(execution) = *e;
    execution.binary = binary_;
    execution.target = target_;
    execution.name = test.name;
    execution.file = test.file;
    execution.line = test.line;
    out->push_back(std::move(execution));
  }
}

std::vector<bishop::RunExecution> ReportExecutions(std::vector<const ReportSink*> sinks) {
  std::stable_sort(sinks.begin(), sinks.end(), [](const auto* a, const auto* b) {
    return std::tie(a->binary(), a->target()) < std::tie(b->binary(), b->target());
  });
  std::vector<bishop::RunExecution> executions;
  for (const ReportSink* sink : sinks) sink->AppendTo(&executions);
  return executions;
}

}  // namespace redqueen::queen
