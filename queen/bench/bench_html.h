// `redqueen bench report -o FILE`: the benchmark page, one self-contained
// HTML file (no network needed): each benchmark's median over the bench
// runs of one machine, with its 95% interval as a band, a point per run
// (hover for run, commit, time and interval).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "queen/bench/bench_report.h"

namespace redqueen::queen::bench {

/// One bench run as the page draws it: each benchmark's median with its
/// interval, its samples left behind (a run holds up to 10,000 a benchmark).
struct HistoryRun {
  int64_t id = 0;
  std::string commit;
  std::string started_at;
  Fingerprint machine;
  std::vector<std::pair<std::string, Interval>> medians;  ///< "BINARY: NAME".
};

/// The page of `runs` (oldest first, all of one machine).
std::string BenchHtml(const std::vector<HistoryRun>& runs);

/// The newest `limit` bench runs (kind "bench") of `store` on the machine
/// of its newest, oldest first.
std::vector<HistoryRun> HistoryRuns(bishop::Store& store, int limit);

}  // namespace redqueen::queen::bench
