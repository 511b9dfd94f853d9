#include "queen/summary.h"

#include <cstdio>
#include <ctime>

namespace redqueen::queen {

std::string Iso8601(rook::Clock::TimePoint time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, static_cast<int>(millis.count()));
  return text;
}

void Conclude(rook::Clock::TimePoint started, rook::Clock::TimePoint completed,
              RunSummary* summary) {
  summary->status = summary->tests_failed > 0 ? "failed" : "passed";
  summary->execution_time = std::chrono::duration<double>(completed - started).count();
  summary->started_at = Iso8601(started);
  summary->completed_at = Iso8601(completed);
}

void Accumulate(const RunTotals& part, RunSummary* total) {
  total->Add(part);
  total->status = total->tests_failed > 0 ? "failed" : "passed";
}

std::string FormatSummary(const RunSummary& s) {
  char time[32];
  std::snprintf(time, sizeof time, "%.3fs", s.execution_time);
  std::string text;
  auto line = [&text](const char* key, const std::string& value) {
    text += key;
    text += ": ";
    text += value;
    text += '\n';
  };
  line("status", s.status);
  line("total_tests", std::to_string(s.total_tests));
  line("tests_passed", std::to_string(s.tests_passed));
  line("tests_failed", std::to_string(s.tests_failed));
  line("tests_skipped", std::to_string(s.tests_skipped));
  line("execution_errors", std::to_string(s.execution_errors));
  line("flaky", std::to_string(s.flaky));
  line("execution_time", time);
  line("started_at", s.started_at);
  line("completed_at", s.completed_at);
  return text;
}

}  // namespace redqueen::queen
