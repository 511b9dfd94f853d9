// What a person sees: a live status line on a TTY (plain progress lines
// otherwise), each non-passing test as it ends, with its output, and at the
// end the failures in registration order and the summary.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "rook/run_sink.h"

namespace redqueen::queen {

/// How results are printed (gtest's --gtest_brief, _color, _print_time).
struct TerminalStyle {
  bool brief = false;      ///< Only failures as tests end (no SKIPPED or FLAKY).
  bool color = false;      ///< Status words in colour.
  bool print_time = true;  ///< Each printed result's duration.
};

/// gtest's --gtest_color: yes/true/t/1 (any case) colours, auto colours a
/// terminal whose TERM can show it, anything else does not.
bool UseColor(const std::string& setting, bool tty, const char* term);

class Terminal {
 public:
  /// `binaries`: the names shown before test names when there are several.
  /// `repeat`: runs of each test (--repeat; 0: until stopped).
  Terminal(std::FILE* out, bool tty, std::vector<std::string> binaries,
           uint32_t repeat = 1, TerminalStyle style = {});

  /// The sink of one binary's Rook.
  rook::RunSink* Sink(size_t binary) { return &sinks_[binary]; }

  /// Redraws the status line if it is due, so the elapsed time moves while a
  /// long test runs (called on a timer).
  void Tick() { DrawStatus(false); }

  /// A line of redqueen's own (start, warnings), kept clear of the status line.
  void Note(const std::string& line);
  /// Prints the failures list, in registration order per binary, and the
  /// summary block.
  void Finish(const std::vector<std::pair<size_t, const TestResult*>>& failures,
              const std::string& summary);

 private:
  class BinarySink : public rook::RunSink {
   public:
    BinarySink(Terminal* terminal, size_t binary)
        : terminal_(terminal), binary_(binary) {}
    void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                       const std::vector<uint32_t>& selected,
                       uint64_t /*list_hash*/) override {
      terminal_->OnTestsListed(binary_, tests, selected);
    }
    void OnResult(const TestResult& result, const RunTotals& totals) override {
      terminal_->OnResult(binary_, result, totals);
    }
    void OnSlow(uint32_t index, uint64_t running_for_us, int pawn) override {
      terminal_->OnSlow(binary_, index, running_for_us, pawn);
    }

   private:
    Terminal* terminal_;
    size_t binary_;
  };

  void OnTestsListed(size_t binary, const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected);
  void OnResult(size_t binary, const TestResult& result, const RunTotals& totals);
  void OnSlow(size_t binary, uint32_t index, uint64_t running_for_us, int pawn);
  void DrawStatus(bool force);
  void ClearStatus();
  std::string Name(size_t binary, uint32_t index) const;
  /// The test's name, and its repetition when tests repeat.
  std::string Name(size_t binary, const TestResult& result) const;

  std::FILE* out_;
  bool tty_;
  std::vector<std::string> binaries_;
  uint32_t repeat_;
  TerminalStyle style_;
  /// Each binary's list, as its Rook holds it (RunSink::OnTestsListed).
  std::vector<const std::vector<proto::TestInfo>*> tests_;
  std::vector<BinarySink> sinks_;
  size_t total_ = 0;
  /// Each binary's totals, as its last result carried them.
  std::vector<RunTotals> totals_;
  /// Their final results, and those that failed, over every binary.
  size_t done_ = 0;
  size_t failed_ = 0;
  bool status_shown_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// The text printed for a non-passing result: a header line (saying so when
/// the test is retried), then the failure messages and captured output,
/// indented.
std::string FormatResult(const TestResult& result, const std::string& name,
                         const TerminalStyle& style = {});

}  // namespace redqueen::queen
