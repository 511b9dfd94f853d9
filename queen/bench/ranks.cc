#include "queen/bench/ranks.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace redqueen::queen::bench {
namespace {

double UpperTail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

}  // namespace

Ranked MidRanks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return values[a] < values[b]; });
  Ranked ranked;
  ranked.ranks.resize(values.size());
  for (size_t first = 0; first < order.size();) {
    size_t last = first;
    while (last + 1 < order.size() && values[order[last + 1]] == values[order[first]]) {
      ++last;
    }
    const double rank = (static_cast<double>(first + last) + 2) / 2;
    for (size_t i = first; i <= last; ++i) ranked.ranks[order[i]] = rank;
    const double t = static_cast<double>(last - first + 1);
    ranked.tie_sum += t * t * t - t;
    first = last + 1;
  }
  return ranked;
}

std::vector<double> MannWhitneyCounts(size_t n, size_t m) {
  // row[b] holds the counts for a values of the first sample and b of the
  // second, a growing by one per pass. The largest of a + b values is
  // either the first sample's, beating all b (U grows by b), or not.
  std::vector<std::vector<double>> row(m + 1, std::vector<double>{1});
  for (size_t a = 1; a <= n; ++a) {
    for (size_t b = 1; b <= m; ++b) {
      std::vector<double> next(a * b + 1, 0);
      const std::vector<double>& largest_first = row[b];       // (a - 1, b)
      const std::vector<double>& largest_second = row[b - 1];  // (a, b - 1)
      for (size_t u = 0; u < largest_first.size(); ++u) next[u + b] += largest_first[u];
      for (size_t u = 0; u < largest_second.size(); ++u) next[u] += largest_second[u];
      row[b] = std::move(next);
    }
  }
  return row[m];
}

std::vector<double> SignedRankCounts(size_t n) {
  std::vector<double> counts{1};
  for (size_t rank = 1; rank <= n; ++rank) {
    counts.resize(counts.size() + rank, 0);
    for (size_t w = counts.size() - 1; w >= rank; --w) counts[w] += counts[w - rank];
  }
  return counts;
}

double ExactTwoSidedP(const std::vector<double>& counts, size_t statistic) {
  assert(statistic < counts.size());
  const auto at = counts.begin() + static_cast<std::ptrdiff_t>(statistic);
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  const double lower = std::accumulate(counts.begin(), at + 1, 0.0);
  const double upper = std::accumulate(at, counts.end(), 0.0);
  return std::min(1.0, 2 * std::min(lower, upper) / total);
}

size_t ExactRank(const std::vector<double>& counts, double tail) {
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  const double allowed = tail * total * kTailSlack;
  size_t within = 0;
  double cumulative = 0;
  for (double count : counts) {
    cumulative += count;
    if (cumulative > allowed) break;
    ++within;
  }
  return std::max<size_t>(within, 1);
}

size_t NormalRank(double mean, double sigma, double tail) {
  // P(S <= k - 1) ~ Phi((k - 1/2 - mean) / sigma) <= tail.
  const double k = std::floor(mean - NormalUpperQuantile(tail) * sigma + 0.5);
  return k < 1 ? 1 : static_cast<size_t>(k);
}

double NormalTwoSidedP(double statistic, double mean, double sigma) {
  if (sigma <= 0) return 1;
  const double distance = std::max(0.0, std::abs(statistic - mean) - 0.5);
  return std::min(1.0, 2 * UpperTail(distance / sigma));
}

double NormalUpperQuantile(double tail) {
  assert(tail > 0 && tail < 1);
  // Bisection: slower than a rational approximation, but plainly right, and
  // called once per interval.
  double low = -40, high = 40;
  for (int i = 0; i < 200 && high - low > 1e-15; ++i) {
    const double mid = (low + high) / 2;
    (UpperTail(mid) > tail ? low : high) = mid;
  }
  return (low + high) / 2;
}

}  // namespace redqueen::queen::bench
