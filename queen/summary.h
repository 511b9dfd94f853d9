// The run summary: the same fields in every mode, for the terminal and store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bishop/store.h"
#include "proto/result.h"
#include "rook/clock.h"

namespace redqueen::queen {

/// The run's totals (the Rooks' RunTotals added up), status and times; the
/// store keeps all of it but the start, which its run row has from the first.
struct RunSummary : bishop::RunSummaryRecord {
  std::string started_at;
};

/// "2026-11-22T02:11:25.123Z".
std::string Iso8601(rook::Clock::TimePoint time);

/// Sets the times, and `status` to passed or failed from the counts (the
/// caller decides it for interrupted and errored runs).
void Conclude(rook::Clock::TimePoint started, rook::Clock::TimePoint completed,
              RunSummary* summary);

/// Adds a binary's totals to `total`, passed or failed by the new counts.
void Accumulate(const RunTotals& part, RunSummary* total);

/// The summary block printed at the end of a run, one "key: value" a line.
std::string FormatSummary(const RunSummary& summary);

}  // namespace redqueen::queen
