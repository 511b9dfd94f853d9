#include "queen/terminal.h"

#include <algorithm>
#include <cstring>

namespace redqueen::queen {
namespace {

constexpr auto kTtyRedraw = std::chrono::milliseconds(100);
constexpr auto kPlainProgress = std::chrono::seconds(10);

std::string Indent(const std::string& text) {
  std::string out = "    ";
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) out += "    ";
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

/// The status word, coloured as gtest colours its own.
std::string StatusWord(TestStatus status, bool color) {
  const std::string word(StatusName(status));
  if (!color) return word;
  const char* code = status == TestStatus::kPassed ? "32"
                     : status == TestStatus::kSkipped || status == TestStatus::kFlaky
                         ? "33"
                         : "31";
  return std::string("\033[0;") + code + "m" + word + "\033[m";
}

bool EqualsIgnoringCase(const std::string& a, const char* b) {
  return a.size() == std::strlen(b) &&
         std::equal(a.begin(), a.end(), b, [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == y;
         });
}

}  // namespace

bool UseColor(const std::string& setting, bool tty, const char* term) {
  if (EqualsIgnoringCase(setting, "auto")) {
    // gtest 1.12's own list of terminals that show colours.
    if (!tty || !term) return false;
    const std::string t = term;
    for (const char* known :
         {"xterm", "xterm-color", "xterm-256color", "screen", "screen-256color", "tmux",
          "tmux-256color", "rxvt-unicode", "rxvt-unicode-256color", "linux", "cygwin"}) {
      if (t == known) return true;
    }
    return false;
  }
  return EqualsIgnoringCase(setting, "yes") || EqualsIgnoringCase(setting, "true") ||
         EqualsIgnoringCase(setting, "t") || setting == "1";
}

std::string FormatResult(const TestResult& result, const std::string& name,
                         const TerminalStyle& style) {
  std::string details;
  if (style.print_time) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3fs", result.duration_us / 1e6);
    details = duration;
  }
  auto add = [&details](const std::string& part) {
    details += (details.empty() ? "" : ", ") + part;
  };
  if (!result.crash.empty()) add(result.crash);
  if (result.pawn >= 0) add("pawn " + std::to_string(result.pawn));
  if (result.attempt > 1) add("attempt " + std::to_string(result.attempt));
  std::string text = StatusWord(result.status, style.color) + " " + name;
  if (result.final) {
    text += details.empty() ? "\n" : " (" + details + ")\n";
  } else {
    text += " (" + details + (details.empty() ? "" : "; ") + "retrying)\n";
  }
  if (!result.skip_message.empty()) text += Indent(result.skip_message);
  // gtest prints each failure in the output too; show them only without it.
  if (result.output.empty()) {
    for (const auto& failure : result.failures) {
      text += Indent(failure.file + ":" + std::to_string(failure.line) + ": " +
                     failure.message);
    }
  }
  if (!result.output.empty() && result.status != TestStatus::kSkipped) {
    text += Indent(result.output);
  }
  return text;
}

Terminal::Terminal(std::FILE* out, bool tty, std::vector<std::string> binaries,
                   uint32_t repeat, TerminalStyle style)
    : out_(out),
      tty_(tty),
      binaries_(std::move(binaries)),
      repeat_(repeat),
      style_(style),
      tests_(binaries_.size(), nullptr),
      started_(std::chrono::steady_clock::now()) {
  for (size_t i = 0; i < binaries_.size(); ++i) sinks_.emplace_back(this, i);
  totals_.resize(binaries_.size());
}

std::string Terminal::Name(size_t binary, uint32_t index) const {
  static const std::vector<proto::TestInfo> kNone;
  const auto& tests = tests_[binary] ? *tests_[binary] : kNone;
  std::string name =
      index < tests.size() ? tests[index].name : "#" + std::to_string(index);
  return binaries_.size() > 1 ? binaries_[binary] + ": " + name : name;
}

std::string Terminal::Name(size_t binary, const TestResult& result) const {
  std::string name = Name(binary, result.index);
  if (repeat_ != 1) name += " #" + std::to_string(result.repetition + 1);
  return name;
}

void Terminal::OnTestsListed(size_t binary, const std::vector<proto::TestInfo>& tests,
                             const std::vector<uint32_t>& selected) {
  tests_[binary] = &tests;
  total_ += selected.size() * repeat_;
  DrawStatus(true);
}

void Terminal::OnResult(size_t binary, const TestResult& result,
                        const RunTotals& totals) {
  // The totals only grow: what they grew by is this result's part.
  done_ += static_cast<size_t>(totals.total_tests - totals_[binary].total_tests);
  failed_ += static_cast<size_t>(totals.tests_failed - totals_[binary].tests_failed);
  totals_[binary] = totals;
  const bool shown = style_.brief ? IsFailure(result.status) && result.final
                                  : result.status != TestStatus::kPassed;
  if (shown) {
    ClearStatus();
    std::fputs(FormatResult(result, Name(binary, result), style_).c_str(), out_);
  }
  DrawStatus(false);
}

void Terminal::OnSlow(size_t binary, uint32_t index, uint64_t running_for_us, int pawn) {
  ClearStatus();
  std::fprintf(out_, "SLOW %s has been running for %.1fs (pawn %d)\n",
               Name(binary, index).c_str(), running_for_us / 1e6, pawn);
  DrawStatus(true);
}

void Terminal::Note(const std::string& line) {
  ClearStatus();
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void Terminal::DrawStatus(bool force) {
  if (total_ == 0 && repeat_ != 0 && !force) return;  // Not started yet.
  const auto now = std::chrono::steady_clock::now();
  const auto interval = tty_ ? kTtyRedraw : kPlainProgress;
  if (!force && now - last_draw_ < interval && done_ != total_) return;
  if (!tty_ && !force && done_ == total_) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  char line[160];
  if (repeat_ == 0) {
    std::snprintf(line, sizeof line, "[%zu] %zu failed, %.1fs", done_, failed_, elapsed);
  } else {
    std::snprintf(line, sizeof line, "[%zu/%zu] %zu failed, %.1fs", done_, total_,
                  failed_, elapsed);
  }
  if (tty_) {
    std::fprintf(out_, "\r\033[K%s", line);
    status_shown_ = true;
  } else {
    std::fprintf(out_, "%s\n", line);
  }
  std::fflush(out_);
}

void Terminal::ClearStatus() {
  if (!status_shown_) return;
  std::fputs("\r\033[K", out_);
  status_shown_ = false;
}

void Terminal::Finish(const std::vector<std::pair<size_t, const TestResult*>>& failures,
                      const std::string& summary) {
  ClearStatus();
  if (!failures.empty()) {
    std::fprintf(out_, "\nFailed tests, in registration order:\n");
    for (const auto& [binary, result] : failures) {
      std::fprintf(out_, "  %s %s%s\n", StatusWord(result->status, style_.color).c_str(),
                   Name(binary, *result).c_str(),
                   result->crash.empty() ? "" : (" (" + result->crash + ")").c_str());
    }
  }
  std::fprintf(out_, "\n%s", summary.c_str());
  std::fflush(out_);
}

}  // namespace redqueen::queen
