#include "queen/bench/bench_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace redqueen::queen::bench {
namespace {

/// Display width: "µ" is two bytes and one column.
size_t Width(const std::string& cell) {
  size_t width = 0;
  for (unsigned char c : cell) width += (c & 0xC0) != 0x80;
  return width;
}

struct Unit {
  double ns;
  const char* name;
};

Unit UnitFor(double ns) {
  if (ns >= 1e9) return {1e9, "s"};
  if (ns >= 1e6) return {1e6, "ms"};
  if (ns >= 1e3) return {1e3, "µs"};
  return {1, "ns"};
}

std::string Significant(double value) {
  char text[32];
  std::snprintf(text, sizeof text,
                value >= 100  ? "%.0f"
                : value >= 10 ? "%.1f"
                              : "%.2f",
                value);
  return text;
}

}  // namespace

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    // A row's last cell pads nothing after it: an error message there
    // does not widen its column for every other row.
    for (size_t i = 0; i + 1 < row.size(); ++i)
      widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - Width(row[i]) + 2, ' ');
    }
    text += line + "\n";
  }
  return text;
}

std::string FormatDuration(double ns) {
  const Unit unit = UnitFor(ns);
  return Significant(ns / unit.ns) + " " + unit.name;
}

std::string FormatChange(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", (ratio - 1) * 100);
  return text;
}

std::string FormatChangeInterval(const Interval& ratio) {
  return FormatChange(ratio.estimate) + " [" + FormatChange(ratio.low) + ", " +
         FormatChange(ratio.high) + "]";
}

Interval MedianInterval(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n == 0) return {0, 0, 0};
  const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  // The largest k with P(Binomial(n, 1/2) < k) <= 2.5%: the k-th smallest
  // and k-th largest values bound the median at 95% or better. The terms
  // in logarithms: 2^-n underflows past a thousand samples.
  const double count = static_cast<double>(n);
  auto term = [count](size_t i) {
    const double x = static_cast<double>(i);
    return std::exp(std::lgamma(count + 1) - std::lgamma(x + 1) -
                    std::lgamma(count - x + 1) - count * std::log(2.0));
  };
  double cumulative = term(0);
  size_t k = 0;
  while (cumulative <= 0.025 && k < n / 2) cumulative += term(++k);
  if (k == 0) return {median, median, median};
  return {median, values[k - 1], values[n - k]};
}

std::string FormatTimeInterval(const Interval& ns) {
  const Unit unit = UnitFor(ns.estimate);
  if (ns.low == ns.high) return Significant(ns.estimate / unit.ns) + " " + unit.name;
  return Significant(ns.estimate / unit.ns) + " " + unit.name + " [" +
         Significant(ns.low / unit.ns) + ", " + Significant(ns.high / unit.ns) + "]";
}

}  // namespace redqueen::queen::bench
