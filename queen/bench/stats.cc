#include "queen/bench/stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

#include "queen/bench/ranks.h"

namespace redqueen::queen::bench {
namespace {

double Quantile(const std::vector<double>& sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const size_t below = static_cast<size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = h - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

void AssertPositive(const std::vector<double>& values) {
  for ([[maybe_unused]] double value : values) assert(value > 0);
}

std::vector<double> Logs(const std::vector<double>& values) {
  AssertPositive(values);
  std::vector<double> logs;
  logs.reserve(values.size());
  for (double value : values) logs.push_back(std::log(value));
  return logs;
}

/// The median and the k-th smallest and largest of sorted log shifts, as
/// ratios. k never passes the middle, so that low <= high.
Interval Exponentiated(const std::vector<double>& sorted, size_t k) {
  k = std::min(k, (sorted.size() + 1) / 2);
  return {std::exp(Quantile(sorted, 0.5)), std::exp(sorted[k - 1]),
          std::exp(sorted[sorted.size() - k])};
}

/// U counts the pairs in which fresh is the larger, ties counting half.
struct TwoSampleRanks {
  double u;
  double tie_sum;
  bool exact;
};

TwoSampleRanks RankTwoSamples(const std::vector<double>& base,
                              const std::vector<double>& fresh) {
  AssertPositive(base);
  AssertPositive(fresh);
  std::vector<double> all(base);
  all.insert(all.end(), fresh.begin(), fresh.end());
  const Ranked ranked = MidRanks(all);
  const auto fresh_ranks =
      ranked.ranks.begin() + static_cast<std::ptrdiff_t>(base.size());
  const double m = static_cast<double>(fresh.size());
  const double rank_sum = std::accumulate(fresh_ranks, ranked.ranks.end(), 0.0);
  return {rank_sum - m * (m + 1) / 2, ranked.tie_sum,
          all.size() <= kExactLimit && ranked.tie_sum == 0};
}

double MannWhitneySigma(size_t n, size_t m, double tie_sum) {
  const double total = static_cast<double>(n + m);
  const double pairs = static_cast<double>(n * m);
  // All values tied leave no variance; rounding must not make it negative.
  return std::sqrt(
      std::max(0.0, pairs / 12 * (total + 1 - tie_sum / (total * (total - 1)))));
}

/// W+ sums the ranks of |log ratio| whose log ratio is positive.
struct SignedRanks {
  double w_plus;
  double tie_sum;
  bool exact;
};

SignedRanks RankSigned(const std::vector<double>& logs) {
  std::vector<double> magnitudes;
  for (double log : logs) magnitudes.push_back(std::abs(log));
  const Ranked ranked = MidRanks(magnitudes);
  double w_plus = 0;
  for (size_t i = 0; i < logs.size(); ++i) {
    if (logs[i] > 0) w_plus += ranked.ranks[i];
  }
  return {w_plus, ranked.tie_sum, logs.size() <= kExactLimit && ranked.tie_sum == 0};
}

double SignedRankSigma(size_t count, double tie_sum) {
  const double n = static_cast<double>(count);
  return std::sqrt(std::max(0.0, n * (n + 1) * (2 * n + 1) / 24 - tie_sum / 48));
}

}  // namespace

Summary Summarize(std::vector<double> values) {
  Summary summary{};
  if (values.empty()) return summary;
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  summary.rounds = values.size();
  summary.min = values.front();
  summary.max = values.back();
  summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0;
  for (double value : values) squares += (value - summary.mean) * (value - summary.mean);
  summary.stddev = values.size() > 1 ? std::sqrt(squares / (n - 1)) : 0;
  summary.median = Quantile(values, 0.5);
  summary.q1 = Quantile(values, 0.25);
  summary.q3 = Quantile(values, 0.75);
  summary.iqr = summary.q3 - summary.q1;
  return summary;
}

Interval RatioInterval(const std::vector<double>& base, const std::vector<double>& fresh,
                       double confidence) {
  assert(confidence > 0 && confidence < 1);
  if (base.empty() || fresh.empty()) return {};
  const std::vector<double> base_logs = Logs(base);
  std::vector<double> shifts;
  shifts.reserve(base.size() * fresh.size());
  for (double fresh_log : Logs(fresh)) {
    for (double base_log : base_logs) shifts.push_back(fresh_log - base_log);
  }
  std::sort(shifts.begin(), shifts.end());
  const double tail = (1 - confidence) / 2;
  const TwoSampleRanks ranks = RankTwoSamples(base, fresh);
  const size_t k =
      ranks.exact
          ? ExactRank(MannWhitneyCounts(fresh.size(), base.size()), tail)
          : NormalRank(static_cast<double>(shifts.size()) / 2,
                       MannWhitneySigma(base.size(), fresh.size(), ranks.tie_sum), tail);
  return Exponentiated(shifts, k);
}

bool EnoughForInterval(size_t base_count, size_t fresh_count, double confidence) {
  if (base_count == 0 || fresh_count == 0) return false;
  double orderings = 1;  // C(n + m, n), built as prod (m + i) / i.
  for (size_t i = 1; i <= base_count; ++i) {
    orderings = orderings * static_cast<double>(fresh_count + i) / static_cast<double>(i);
  }
  return 2 / orderings <= (1 - confidence) * kTailSlack;
}

double MannWhitneyP(const std::vector<double>& base, const std::vector<double>& fresh) {
  if (base.empty() || fresh.empty()) return 1;
  const TwoSampleRanks ranks = RankTwoSamples(base, fresh);
  if (ranks.exact) {
    return ExactTwoSidedP(MannWhitneyCounts(fresh.size(), base.size()),
                          static_cast<size_t>(std::llround(ranks.u)));
  }
  return NormalTwoSidedP(ranks.u, static_cast<double>(base.size() * fresh.size()) / 2,
                         MannWhitneySigma(base.size(), fresh.size(), ranks.tie_sum));
}

Interval PairedRatioInterval(const std::vector<double>& ratios, double confidence) {
  assert(confidence > 0 && confidence < 1);
  if (ratios.empty()) return {};
  const std::vector<double> logs = Logs(ratios);
  std::vector<double> walsh;
  walsh.reserve(logs.size() * (logs.size() + 1) / 2);
  for (size_t i = 0; i < logs.size(); ++i) {
    for (size_t j = i; j < logs.size(); ++j) walsh.push_back((logs[i] + logs[j]) / 2);
  }
  std::sort(walsh.begin(), walsh.end());
  const double tail = (1 - confidence) / 2;
  const SignedRanks ranks = RankSigned(logs);
  const size_t k = ranks.exact
                       ? ExactRank(SignedRankCounts(logs.size()), tail)
                       : NormalRank(static_cast<double>(walsh.size()) / 2,
                                    SignedRankSigma(logs.size(), ranks.tie_sum), tail);
  return Exponentiated(walsh, k);
}

bool EnoughForPairedInterval(size_t count, double confidence) {
  if (count == 0) return false;
  const double miss =
      std::ldexp(1.0, 1 - static_cast<int>(std::min<size_t>(count, 2000)));
  return miss <= (1 - confidence) * kTailSlack;
}

double WilcoxonSignedRankP(const std::vector<double>& ratios) {
  std::vector<double> kept;
  for (double ratio : ratios) {
    if (ratio != 1) kept.push_back(ratio);
  }
  if (kept.empty()) return 1;
  const std::vector<double> logs = Logs(kept);
  const SignedRanks ranks = RankSigned(logs);
  const double n = static_cast<double>(logs.size());
  if (ranks.exact) {
    return ExactTwoSidedP(SignedRankCounts(logs.size()),
                          static_cast<size_t>(std::llround(ranks.w_plus)));
  }
  return NormalTwoSidedP(ranks.w_plus, n * (n + 1) / 4,
                         SignedRankSigma(logs.size(), ranks.tie_sum));
}

}  // namespace redqueen::queen::bench
