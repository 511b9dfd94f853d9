// The run's report files (--junit, --json, and --gtest_output's, one per
// binary in a folder), made from what the run holds rather than the store,
// which may have failed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bishop/store.h"
#include "queen/options.h"
#include "queen/report_sink.h"
#include "queen/summary.h"

namespace redqueen::queen {

/// One binary's (and target's) share of the reports.
struct ReportPart {
  std::string path;  ///< The binary as given: names its file in a folder.
  const ReportSink* sink = nullptr;
  RunTotals counts;  ///< Its own (its Rook's).
};

/// A report file that cannot be written is found before any test runs; the
/// folders of --gtest_output are made, as gtest makes them. False with
/// `*error`.
bool CheckReportPaths(const RunOptions& options, std::string* error);

/// Writes every report asked for: a file of the whole run, or one per
/// binary in a folder (a binary's targets share its file). False (error
/// printed) when one cannot be written.
bool WriteReports(const RunOptions& options, const std::vector<ReportPart>& parts,
                  int64_t run_id, const bishop::RunRecord& run_record,
                  const RunSummary& summary);

}  // namespace redqueen::queen
