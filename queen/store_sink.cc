#include "queen/store_sink.h"

#include "queen/summary.h"

namespace redqueen::queen {

StoreSink::StoreSink(bishop::Store* store, int64_t run_id, std::string binary,
                     std::string target)
    : store_(store), run_id_(run_id), binary_(std::move(binary)), target_(std::move(target)) {}

void StoreSink::OnTestsListed(const std::vector<proto::TestInfo>& tests,
                              const std::vector<uint32_t>&) {
  test_ids_ = store_->AddTests(binary_, tests, target_);
}

void StoreSink::OnResult(const rook::TestResult& result) {
  bishop::ExecutionRecord record;
  record.test_id = test_ids_.at(result.index);
  record.repetition = static_cast<int>(result.repetition);
  record.attempt = static_cast<int>(result.attempt);
  record.final = result.final;
  record.status = std::string(StatusName(result.status));
  record.duration_us = result.duration_us;
  record.finished_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           result.finished_at.time_since_epoch())
                           .count();
  record.pawn = result.pawn;
  record.skip_message = result.skip_message;
  record.crash = result.crash;
  record.output = result.output;
  record.failures = result.failures;
  store_->AddExecution(run_id_, record);
}

}  // namespace redqueen::queen
