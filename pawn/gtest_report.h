// Reading gtest's JSON report (--gtest_output=json:FILE), for the exec pawn.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proto/messages.h"

namespace redqueen::pawn {

/// What the JSON report says of one test that ran.
struct ReportedTest {
  std::string file;
  int line = 0;
  bool skipped = false;
  std::vector<proto::Failure> failures;
};

/// Tests by full name ("Suite.Test"). Empty when the file is missing or not
/// a report (a child that crashed writes none).
std::map<std::string, ReportedTest> ReadGtestReport(const std::string& path);
/// The same, from the report's text (what ReadGtestReport read).
std::map<std::string, ReportedTest> ParseGtestReport(std::string_view text);

/// Reads the listing `--gtest_list_tests --gtest_output=json:FILE` writes
/// (with file, line and parameters). False when the file is missing or not
/// such a listing (gtest before 1.10 writes none).
bool ReadGtestListing(const std::string& path, std::vector<proto::TestInfo>* tests);
/// The same, from the listing's text.
bool ParseGtestListing(std::string_view text, std::vector<proto::TestInfo>* tests);

/// Splits gtest's "path:line\nmessage" failure text.
proto::Failure ParseFailureText(const std::string& text);

/// The failures gtest printed in a test's output, each "path:line: Failure"
/// and its message on the lines after, as the report would have them. What
/// the test printed after a failure, up to the next failure or skip, is
/// read as part of that failure's message: the report is exact, this is
/// for a child that wrote none.
std::vector<proto::Failure> FailuresInOutput(std::string_view output);

}  // namespace redqueen::pawn
