#include "pawn/gtest_report.h"

#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace redqueen::pawn {
namespace {

using nlohmann::json;

/// The whole file; false when it cannot be read.
bool ReadWholeFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  *text = std::move(bytes).str();
  return true;
}

// A report or listing is what a binary wrote, perhaps a broken or hostile
// one: every field is looked at only after its type. json::value() would
// throw type_error on a field of another type, and a number too large for an
// int would be cast to one.

/// `object[key]` when `object` is an object that has it, else nullptr.
const json* Field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringField(const json& object, const char* key) {
  const json* field = Field(object, key);
  return field && field->is_string() ? field->get<std::string>() : std::string();
}

/// The array at `key`; an empty one when it is missing or something else.
const json& ArrayField(const json& object, const char* key) {
  static const json kEmpty = json::array();
  const json* field = Field(object, key);
  return field && field->is_array() ? *field : kEmpty;
}

/// A line number is an integer from 0 to INT32_MAX; anything else is 0
/// (unknown), as gtest itself says when it has none.
int32_t LineField(const json& object) {
  const json* field = Field(object, "line");
  if (!field) return 0;
  constexpr auto kMax = std::numeric_limits<int32_t>::max();
  if (field->is_number_unsigned()) {
    const auto line = field->get<uint64_t>();
    return line <= kMax ? static_cast<int32_t>(line) : 0;
  }
  if (field->is_number_integer()) {
    const auto line = field->get<int64_t>();
    return line >= 0 && line <= kMax ? static_cast<int32_t>(line) : 0;
  }
  return 0;
}

/// The suites of a report or listing; nullptr when `text` is not one.
const json* Suites(const json& document) {
  const json* suites = Field(document, "testsuites");
  return suites && suites->is_array() ? suites : nullptr;
}

}  // namespace

proto::Failure ParseFailureText(const std::string& text) {
  proto::Failure failure;
  const size_t newline = text.find('\n');
  const std::string location = text.substr(0, newline);
  // "file:line"; a line that is no int32 from 0 up ("weird:99999999999")
  // makes it no location, and the whole text stays the message.
  const size_t colon = location.rfind(':');
  int32_t line = -1;
  if (colon != std::string::npos) {
    const char* end = location.data() + location.size();
    const auto [stop, ec] = std::from_chars(location.data() + colon + 1, end, line);
    if (ec != std::errc() || stop != end) line = -1;
  }
  if (line >= 0) {
    failure.file = location.substr(0, colon);
    failure.line = line;
    failure.message = newline == std::string::npos ? "" : text.substr(newline + 1);
  } else {
    failure.message = text;
  }
  return failure;
}

std::vector<proto::Failure> FailuresInOutput(std::string_view output) {
  // gtest prints each failure as "LOCATION: Failure\nMESSAGE\n", a skip as
  // "LOCATION: Skipped\nMESSAGE\n".
  constexpr std::string_view kFailure = ": Failure";
  constexpr std::string_view kSkipped = ": Skipped";
  auto ends_with = [](std::string_view line, std::string_view end) {
    return line.size() >= end.size() && line.substr(line.size() - end.size()) == end;
  };
  std::vector<proto::Failure> failures;
  bool in_failure = false;
  std::string text;  // The failure being read: its location, its message.
  auto close = [&] {
    if (!in_failure) return;
    if (text.back() == '\n') text.pop_back();
    failures.push_back(ParseFailureText(text));
    in_failure = false;
  };
  for (size_t at = 0; at < output.size();) {
    const size_t newline = output.find('\n', at);
    const size_t next = newline == std::string_view::npos ? output.size() : newline + 1;
    const std::string_view line =
        output.substr(at, (newline == std::string_view::npos ? next : newline) - at);
    if (ends_with(line, kFailure) || ends_with(line, kSkipped)) {
      close();
      if (ends_with(line, kFailure)) {
        in_failure = true;
        text.assign(line.substr(0, line.size() - kFailure.size()));
        text += '\n';
      }
    } else if (in_failure) {
      text.append(output.substr(at, next - at));
    }
    at = next;
  }
  close();
  return failures;
}

bool ParseGtestListing(std::string_view text, std::vector<proto::TestInfo>* tests) {
  const json listing = json::parse(text, nullptr, false);
  const json* suites = Suites(listing);
  if (!suites) return false;
  for (const json& suite : *suites) {
    const std::string suite_name = StringField(suite, "name");
    for (const json& test : ArrayField(suite, "testsuite")) {
      tests->push_back(proto::TestInfo{suite_name + "." + StringField(test, "name"),
                                       StringField(test, "file"), LineField(test),
                                       StringField(test, "type_param"),
                                       StringField(test, "value_param")});
    }
  }
  return true;
}

bool ReadGtestListing(const std::string& path, std::vector<proto::TestInfo>* tests) {
  std::string text;
  return ReadWholeFile(path, &text) && ParseGtestListing(text, tests);
}

std::map<std::string, ReportedTest> ParseGtestReport(std::string_view text) {
  std::map<std::string, ReportedTest> tests;
  const json report = json::parse(text, nullptr, false);
  const json* suites = Suites(report);
  if (!suites) return tests;
  for (const json& suite : *suites) {
    for (const json& test : ArrayField(suite, "testsuite")) {
      ReportedTest reported;
      reported.file = StringField(test, "file");
      reported.line = LineField(test);
      reported.skipped = StringField(test, "result") == "SKIPPED";
      for (const json& failure : ArrayField(test, "failures")) {
        reported.failures.push_back(ParseFailureText(StringField(failure, "failure")));
      }
      tests[StringField(test, "classname") + "." + StringField(test, "name")] =
          std::move(reported);
    }
  }
  return tests;
}

std::map<std::string, ReportedTest> ReadGtestReport(const std::string& path) {
  std::string text;
  if (!ReadWholeFile(path, &text)) return {};
  return ParseGtestReport(text);
}

}  // namespace redqueen::pawn
