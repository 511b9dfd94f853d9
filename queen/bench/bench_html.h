// `redqueen bench report -o FILE`: the benchmark page, one self-contained
// HTML file (no network needed): each benchmark's median over the bench
// runs of one machine, with its 95% interval as a band, a point per run
// (hover for run, commit, time and interval).
#pragma once

#include <string>
#include <vector>

#include "queen/bench/bench_report.h"

namespace redqueen::queen::bench {

/// The page of `runs` (oldest first, all of one machine).
std::string BenchHtml(const std::vector<SavedRun>& runs);

/// The newest `limit` bench runs (kind "bench") of `store` on the machine
/// of its newest, oldest first.
std::vector<SavedRun> HistoryRuns(bishop::Store& store, int limit);

}  // namespace redqueen::queen::bench
