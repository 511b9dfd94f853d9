#include "queen/report_sink.h"

#include <algorithm>
#include <tuple>

namespace redqueen::queen {

void ReportSink::OnTestsListed(const std::vector<proto::TestInfo>& tests,
                               const std::vector<uint32_t>&, uint64_t /*list_hash*/) {
  tests_ = &tests;
}

void ReportSink::OnResult(const TestResult& result, const RunTotals&) {
  executions_.push_back(result);
}

void ReportSink::AppendTo(std::vector<bishop::RunExecution>* out) const {
  std::vector<const TestResult*> order;
  order.reserve(executions_.size());
  for (const TestResult& e : executions_) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::tie(a->index, a->repetition, a->attempt) <
           std::tie(b->index, b->repetition, b->attempt);
  });
  for (const TestResult* e : order) {
    const proto::TestInfo& test = tests_->at(e->index);
    bishop::RunExecution execution;
    static_cast<TestResult&>(execution) = *e;
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
