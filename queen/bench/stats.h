// The statistics of `redqueen bench compare` (two independent runs) and
// `redqueen bench ab` (pairs measured back to back): summaries of a sample,
// and how much NEW/BASE differs from 1 with what confidence. Distribution
// free: benchmark times are skewed and have outliers, so the intervals come
// from ranks (Hodges–Lehmann with Mann–Whitney or Wilcoxon), not from means.
// Times are taken on a log scale, where a ratio is a shift.
#pragma once

#include <cstddef>
#include <vector>

namespace redqueen::queen::bench {

/// What the report shows of one benchmark's sample.
struct Summary {
  size_t rounds;
  double min, max, mean, median;
  double stddev;  ///< Sample standard deviation (divides by n - 1; 0 for one value).
  double q1, q3;  ///< Quartiles, see Summarize.
  double iqr;     ///< q3 - q1.
};

/// Quantiles interpolate linearly between the closest ranks: the p-quantile
/// of sorted x[0..n-1] is x[h] + (h - floor h)(x[h+1] - x[h]) at
/// h = (n - 1) p, as numpy's default and R's type 7. The median is the
/// 0.5-quantile. Empty input: every field 0.
Summary Summarize(std::vector<double> values);

/// A ratio NEW/BASE with its confidence interval; the default says "no
/// difference, and no data to say more".
struct Interval {
  double estimate = 1;
  double low = 1;
  double high = 1;
};

/// Two independent samples of positive times (ns; anything else is a
/// caller's bug and asserted). The estimate is the Hodges–Lehmann shift of
/// log(fresh) - log(base), the median of all n·m pairwise differences; the
/// interval runs from the k-th smallest to the k-th largest difference, k
/// from the null distribution of the Mann–Whitney U: exact when n + m <= 40
/// and no value repeats, else its normal approximation (tie-corrected). All
/// three are exponentiated back to ratios. `confidence` is in (0, 1).
///
/// Too few values for an interval at `confidence` (EnoughForInterval false,
/// e.g. 3 and 3 at 95%): the widest interval the data allow, from the
/// smallest to the largest pairwise ratio, whose confidence is lower than
/// asked; the verdict layer calls such a comparison unstable.
/// Either sample empty: the default Interval.
Interval RatioInterval(const std::vector<double>& base, const std::vector<double>& fresh,
                       double confidence);

/// Whether n and m values can bound a shift at `confidence` at all: the
/// widest interval misses with probability 2 / C(n + m, n), which must not
/// exceed 1 - confidence.
bool EnoughForInterval(size_t base_count, size_t fresh_count, double confidence);

/// Two-sided p-value of the Mann–Whitney U test that fresh and base come from
/// one distribution. Exact (the null distribution counted by dynamic
/// programming) when n + m <= 40 and no value repeats; otherwise the normal
/// approximation with the tie correction of the variance and a continuity
/// correction of 1/2. Either sample empty: 1.
double MannWhitneyP(const std::vector<double>& base, const std::vector<double>& fresh);

/// Paired samples: `ratios` are NEW/BASE of pairs measured back to back
/// (positive; asserted). The estimate is the one-sample Hodges–Lehmann
/// estimate of log(ratios), the median of the n(n+1)/2 Walsh averages
/// (l_i + l_j) / 2 for i <= j; the interval runs from the k-th smallest to
/// the k-th largest Walsh average, k from the Wilcoxon signed-rank
/// distribution of n values: exact when n <= 40 and no |log ratio| repeats,
/// else normal (tie-corrected); exponentiated back. Every ratio counts here,
/// ratios of exactly 1 too: they are part of the shift being estimated.
///
/// Too few ratios for an interval at `confidence` (EnoughForPairedInterval
/// false, e.g. n = 5 at 95%): the widest interval the data allow, from the
/// smallest to the largest ratio. Empty: the default Interval.
Interval PairedRatioInterval(const std::vector<double>& ratios, double confidence);

/// Whether n pairs can bound a ratio at `confidence` at all: the widest
/// interval misses with probability 2 / 2^n, at most 1 - confidence.
bool EnoughForPairedInterval(size_t count, double confidence);

/// Two-sided p-value of the Wilcoxon signed-rank test of log(ratios) against
/// 0. Ratios of exactly 1 are dropped first (Wilcoxon's own rule: a zero
/// difference has no sign). Exact for n <= 40 remaining ratios whose
/// |log ratio| never repeats, else the normal approximation with tie and
/// continuity corrections. No ratio left: 1.
double WilcoxonSignedRankP(const std::vector<double>& ratios);

}  // namespace redqueen::queen::bench
