#include "queen/events.h"

#include <nlohmann/json.hpp>

namespace redqueen::queen {
namespace {

using nlohmann::json;

json Event(const char* name) {
  return {{"event", name}, {"time", Iso8601(std::chrono::system_clock::now())}};
}

}  // namespace

class EventLog::BinarySink : public rook::RunSink {
 public:
  BinarySink(EventLog* log, std::string label) : log_(log), label_(std::move(label)) {}

  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>&, uint64_t /*list_hash*/) override {
    tests_ = &tests;
  }

  void OnResult(const TestResult& result, const RunTotals&) override {
    json event =
        Test("test_result", result.index, result.repetition, result.attempt, result.pawn);
    event["status"] = std::string(StatusName(result.status));
    event["final"] = result.final;
    event["duration_s"] = result.duration_us / 1e6;
    if (!result.failures.empty()) event["message"] = result.failures.front().message;
    if (!result.crash.empty()) event["crash"] = result.crash;
    if (!result.skip_message.empty()) event["skip_message"] = result.skip_message;
    log_->Write(event.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  void OnTestStarted(uint32_t index, uint32_t repetition, uint32_t attempt,
                     int pawn) override {
    log_->Write(Test("test_start", index, repetition, attempt, pawn)
                    .dump(-1, ' ', false, json::error_handler_t::replace));
  }

  void OnPawnStarted(int pawn, int pid) override {
    json event = Event("pawn_start");
    event.update({{"binary", label_}, {"pawn", pawn}, {"pid", pid}});
    log_->Write(event.dump());
  }

  void OnPawnExited(int pawn, int pid, const std::string& how) override {
    json event = Event("pawn_exit");
    event.update({{"binary", label_}, {"pawn", pawn}, {"pid", pid}, {"exit", how}});
    log_->Write(event.dump(-1, ' ', false, json::error_handler_t::replace));
  }

 private:
  json Test(const char* name, uint32_t index, uint32_t repetition, uint32_t attempt,
            int pawn) const {
    json event = Event(name);
    event.update(
        {{"binary", label_},
         {"test", tests_ && index < tests_->size() ? (*tests_)[index].name
                                                   : "#" + std::to_string(index)},
         {"repetition", repetition},
         {"attempt", attempt},
         {"pawn", pawn}});
    return event;
  }

  EventLog* log_;
  std::string label_;
  const std::vector<proto::TestInfo>* tests_ = nullptr;
};

std::unique_ptr<EventLog> EventLog::Open(const std::string& path, std::string* error) {
  if (path == "-") return std::unique_ptr<EventLog>(new EventLog(stdout, false));
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (!out) {
    *error =
        "cannot write the event log '" + path + "' (is its folder there and writable?)";
    return nullptr;
  }
  return std::unique_ptr<EventLog>(new EventLog(out, true));
}

EventLog::EventLog(std::FILE* out, bool owned) : out_(out), owned_(owned) {}

rook::RunSink* EventLog::Sink(size_t binary) { return sinks_[binary].get(); }

EventLog::~EventLog() {
  if (owned_) std::fclose(out_);
}

void EventLog::Write(const std::string& line) {
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);  // Per line: `tail -f` follows the run.
}

void EventLog::RunStart(const std::vector<std::string>& labels, int jobs) {
  for (const std::string& label : labels) {
    sinks_.push_back(std::make_unique<BinarySink>(this, label));
  }
  json event = Event("run_start");
  event.update({{"binaries", labels}, {"jobs", jobs}});
  Write(event.dump(-1, ' ', false, json::error_handler_t::replace));
}

void EventLog::RunEnd(const RunSummary& s) {
  json event = Event("run_end");
  event.update({{"status", s.status},
                {"total_tests", s.total_tests},
                {"tests_passed", s.tests_passed},
                {"tests_failed", s.tests_failed},
                {"tests_skipped", s.tests_skipped},
                {"execution_errors", s.execution_errors},
                {"flaky", s.flaky},
                {"execution_time", s.execution_time}});
  Write(event.dump());
}

}  // namespace redqueen::queen
