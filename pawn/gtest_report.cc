#include "pawn/gtest_report.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace redqueen::pawn {
namespace {

/// The whole file; false when it cannot be read.
bool ReadWholeFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  *text = std::move(bytes).str();
  return true;
}

}  // namespace

proto::Failure ParseFailureText(const std::string& text) {
  proto::Failure failure;
  const size_t newline = text.find('\n');
  const std::string location = text.substr(0, newline);
  const size_t colon = location.rfind(':');
  if (colon != std::string::npos && colon + 1 < location.size() &&
      location.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    failure.file = location.substr(0, colon);
    failure.line = std::stoi(location.substr(colon + 1));
    failure.message = newline == std::string::npos ? "" : text.substr(newline + 1);
  } else {
    failure.message = text;
  }
  return failure;
}

bool ParseGtestListing(std::string_view text, std::vector<proto::TestInfo>* tests) {
  const nlohmann::json listing = nlohmann::json::parse(text, nullptr, false);
  if (listing.is_discarded() || !listing.contains("testsuites")) return false;
  for (const auto& suite : listing["testsuites"]) {
    const std::string suite_name = suite.value("name", "");
    for (const auto& test : suite.value("testsuite", nlohmann::json::array())) {
      tests->push_back(proto::TestInfo{suite_name + "." + test.value("name", ""),
                                       test.value("file", ""), test.value("line", 0),
                                       test.value("type_param", ""),
                                       test.value("value_param", "")});
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
  const nlohmann::json report = nlohmann::json::parse(text, nullptr, false);
  if (report.is_discarded() || !report.contains("testsuites")) return tests;
  for (const auto& suite : report["testsuites"]) {
    for (const auto& test : suite.value("testsuite", nlohmann::json::array())) {
      ReportedTest reported;
      reported.file = test.value("file", "");
      reported.line = test.value("line", 0);
      reported.skipped = test.value("result", "") == "SKIPPED";
      for (const auto& failure : test.value("failures", nlohmann::json::array())) {
        reported.failures.push_back(ParseFailureText(failure.value("failure", "")));
      }
      tests[test.value("classname", "") + "." + test.value("name", "")] =
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
