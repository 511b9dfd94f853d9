// The terminal's tables of benchmarks: aligned columns of times, intervals
// and verdicts.
#pragma once

#include <string>
#include <vector>

#include "queen/bench/stats.h"

namespace redqueen::queen::bench {

/// Rows of cells, the first row the header, as aligned text: columns
/// left-aligned, two spaces apart, each padded to its widest cell that is
/// not the last of its row (a short row's message runs on).
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

/// 1234.5 ns as "1.23 µs": three significant digits in ns, µs, ms or s.
std::string FormatDuration(double ns);

/// A ratio's change as "+4.1%" ("-0.3%").
std::string FormatChange(double ratio);

/// "+4.1% [+2.0%, +6.3%]".
std::string FormatChangeInterval(const Interval& ratio);

/// The median of `values` with a distribution-free 95% interval from
/// order statistics (the binomial rule); the median alone for fewer than
/// six values, which cannot bound it at 95%.
Interval MedianInterval(std::vector<double> values);

/// "1.23 µs [1.22, 1.25]" from a median interval (ns).
std::string FormatTimeInterval(const Interval& ns);

}  // namespace redqueen::queen::bench
