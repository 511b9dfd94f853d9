// --events FILE|-: the run as JSON Lines, written as things happen and
// flushed per line, so that `tail -f` follows it: run_start, pawn_start,
// test_start, test_result, pawn_exit, run_end.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "queen/summary.h"
#include "rook/run_sink.h"

namespace redqueen::queen {

class EventLog {
 public:
  /// Opens `path` ("-": stdout). Null with `*error` when it cannot.
  static std::unique_ptr<EventLog> Open(const std::string& path, std::string* error);
  ~EventLog();

  /// `labels`: each binary's name as the terminal shows it.
  void RunStart(const std::vector<std::string>& labels, int jobs);
  void RunEnd(const RunSummary& summary);

  /// The sink of the Rook of binary `binary` (an index into the labels).
  rook::RunSink* Sink(size_t binary);

 private:
  class BinarySink;
  EventLog(std::FILE* out, bool owned);
  void Write(const std::string& line);

  std::FILE* out_;
  bool owned_;
  std::vector<std::unique_ptr<BinarySink>> sinks_;
};

}  // namespace redqueen::queen
