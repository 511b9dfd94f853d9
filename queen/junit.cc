#include "queen/junit.h"

#include <cstdio>
#include <map>

#include "queen/report_text.h"

namespace redqueen::queen {
namespace {

/// Length of the valid UTF-8 sequence at `text[at]` that XML can hold, or 0.
size_t XmlCharLength(std::string_view text, size_t at) {
  const auto byte = [&text](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return lead >= 0x20 || lead == '\t' || lead == '\n' || lead == '\r';
  size_t length = 0;
  uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  const bool legal = code >= kSmallest[length] && code <= 0x10FFFF &&
                     !(code >= 0xD800 && code <= 0xDFFF) && code != 0xFFFE &&
                     code != 0xFFFF;
  return legal ? length : 0;
}

const char* Seconds(uint64_t us, char (&buffer)[32]) {
  std::snprintf(buffer, sizeof buffer, "%.3f", us / 1e6);
  return buffer;
}

bool IsError(TestStatus status) {
  return status == TestStatus::kCrashed || status == TestStatus::kTimeout;
}

/// The first line of the first failure, or how the pawn died.
std::string Message(const bishop::RunExecution& e) {
  std::string message = !e.crash.empty()     ? e.crash
                        : e.failures.empty() ? std::string(StatusName(e.status))
                                             : e.failures.front().message;
  return message.substr(0, message.find('\n'));
}

std::string Attribute(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + XmlEscape(value, true) + "\"";
}

/// <failure>, <rerunError>, <flakyFailure>...: `kind` + Failure or Error.
std::string Problem(const std::string& kind, const bishop::RunExecution& e, bool nested) {
  const std::string tag = kind + (IsError(e.status) ? "Error" : "Failure");
  std::string xml = "      <" + tag + Attribute("message", Message(e)) +
                    Attribute("type", StatusName(e.status)) + ">";
  if (nested) {
    xml += "<stackTrace>" + XmlEscape(FailureText(e), false) + "</stackTrace>";
    if (!e.output.empty())
      xml += "<system-out>" + XmlEscape(e.output, false) + "</system-out>";
  } else {
    xml += XmlEscape(FailureText(e), false);
  }
  return xml + "</" + tag + ">\n";
}

struct Suite {
  std::string cases;
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  uint64_t duration_us = 0;
};

/// The <testcase> of one test and repetition, from its attempts in order.
void AddCase(const std::vector<const bishop::RunExecution*>& attempts, bool repeating,
             const std::string& classname, Suite* suite) {
  const bishop::RunExecution& last = *attempts.back();
  std::string name = last.name.substr(last.name.find('.') + 1);
  if (repeating) name += " #" + std::to_string(last.repetition + 1);
  char time[32];
  std::string xml = "    <testcase" + Attribute("name", name) +
                    Attribute("classname", classname) +
                    Attribute("time", Seconds(last.duration_us, time));
  if (!last.file.empty())
    xml += Attribute("file", last.file) + Attribute("line", std::to_string(last.line));
  xml += ">\n";
  ++suite->tests;
  suite->duration_us += last.duration_us;
  const bool passed =
      last.status == TestStatus::kPassed || last.status == TestStatus::kFlaky;
  if (last.status == TestStatus::kSkipped) {
    ++suite->skipped;
    xml += "      <skipped" + Attribute("message", last.skip_message) + "/>\n";
  } else if (!passed) {
    (IsError(last.status) ? suite->errors : suite->failures) += 1;
    std::string tag = IsError(last.status) ? "error" : "failure";
    xml += "      <" + tag + Attribute("message", Message(last)) +
           Attribute("type", StatusName(last.status)) + ">" +
           XmlEscape(FailureText(last), false) + "</" + tag + ">\n";
  }
  for (size_t i = 0; i + 1 < attempts.size(); ++i) {
    xml += Problem(passed ? "flaky" : "rerun", *attempts[i], true);
  }
  if (!passed && last.status != TestStatus::kSkipped && !last.output.empty()) {
    xml += "      <system-out>" + XmlEscape(last.output, false) + "</system-out>\n";
  }
  suite->cases += xml + "    </testcase>\n";
}

}  // namespace

std::string XmlEscape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const size_t length = XmlCharLength(text, at);
    if (length == 0) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X",
                    static_cast<unsigned char>(text[at]));
      out += escaped;
      ++at;
      continue;
    }
    const char c = text[at];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out.append(text.substr(at, length));
    }
    at += length;
  }
  return out;
}

std::string JunitXml(const std::vector<bishop::RunExecution>& executions) {
  bool repeating = false;
  for (const auto& e : executions) repeating = repeating || e.repetition > 0;
  // Suites in the order their first test comes; executions are grouped by
  // binary, target and test, attempts in order.
  std::vector<std::string> order;
  std::map<std::string, Suite> suites;
  for (size_t i = 0; i < executions.size();) {
    std::vector<const bishop::RunExecution*> attempts;
    size_t j = i;
    for (; j < executions.size() && executions[j].binary == executions[i].binary &&
           executions[j].target == executions[i].target &&
           executions[j].name == executions[i].name &&
           executions[j].repetition == executions[i].repetition;
         ++j) {
      attempts.push_back(&executions[j]);
    }
    const bishop::RunExecution& first = executions[i];
    const std::string classname = BinaryLabel(first.binary, first.target) + "." +
                                  first.name.substr(0, first.name.find('.'));
    if (!suites.count(classname)) order.push_back(classname);
    AddCase(attempts, repeating, classname, &suites[classname]);
    i = j;
  }
  Suite total;
  std::string body;
  for (const std::string& classname : order) {
    const Suite& s = suites[classname];
    char time[32];
    body += "  <testsuite" + Attribute("name", classname) +
            Attribute("tests", std::to_string(s.tests)) +
            Attribute("failures", std::to_string(s.failures)) +
            Attribute("errors", std::to_string(s.errors)) +
            Attribute("skipped", std::to_string(s.skipped)) +
            Attribute("time", Seconds(s.duration_us, time)) + ">\n" + s.cases +
            "  </testsuite>\n";
    total.tests += s.tests;
    total.failures += s.failures;
    total.errors += s.errors;
    total.skipped += s.skipped;
    total.duration_us += s.duration_us;
  }
  char time[32];
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" +
         Attribute("name", "redqueen") + Attribute("tests", std::to_string(total.tests)) +
         Attribute("failures", std::to_string(total.failures)) +
         Attribute("errors", std::to_string(total.errors)) +
         Attribute("skipped", std::to_string(total.skipped)) +
         Attribute("time", Seconds(total.duration_us, time)) + ">\n" + body +
         "</testsuites>\n";
}

}  // namespace redqueen::queen
