// The rank statistics under stats.h: the null distributions of the
// Mann–Whitney U and the Wilcoxon signed-rank W+, counted exactly for small
// samples, and the normal approximation that replaces them otherwise. Kept
// apart from stats.h so that the counting can be tested on its own numbers.
#pragma once

#include <cstddef>
#include <vector>

namespace redqueen::queen::bench {

/// Up to this many values (n + m for U, n for W+) without ties, p-values and
/// interval ranks come from the exact distribution: its counts stay exact in
/// a double (C(40, 20) and 2^40 are far below 2^53) and cheap to build.
inline constexpr size_t kExactLimit = 40;

/// Tails are compared with this relative slack: a confidence such as 0.90
/// arrives as a tail of 0.04999..., and a tail of exactly 1/20 must still
/// count as within it.
inline constexpr double kTailSlack = 1 + 1e-9;

/// Mid-ranks (1-based, tied values share the mean of their ranks), aligned
/// with the values given, and the tie term sum(t^3 - t) over groups of t
/// equal values, which both normal approximations subtract.
struct Ranked {
  std::vector<double> ranks;
  double tie_sum = 0;
};
Ranked MidRanks(const std::vector<double>& values);

/// Element u: how many of the C(n + m, n) orderings of n and m distinct
/// values have U = u, U being the number of pairs in which the first
/// sample's value is the larger.
std::vector<double> MannWhitneyCounts(size_t n, size_t m);

/// Element w: how many of the 2^n sign patterns of the ranks 1..n have their
/// positive ranks sum to w.
std::vector<double> SignedRankCounts(size_t n);

/// Two-sided p of an integer `statistic` under `counts`: twice the smaller
/// tail, the tails both including the statistic itself; at most 1.
double ExactTwoSidedP(const std::vector<double>& counts, size_t statistic);

/// The 1-based rank k such that the k-th smallest and k-th largest of the
/// pairwise differences (or Walsh averages) bound an interval whose tails
/// each hold at most `tail`: one more than the largest u with
/// P(S <= u) <= tail. At least 1, the widest interval there is, when even
/// P(S = 0) exceeds `tail`.
size_t ExactRank(const std::vector<double>& counts, double tail);

/// The same rank from a normal approximation of a statistic with `mean`
/// and `sigma` (continuity-corrected); at least 1.
size_t NormalRank(double mean, double sigma, double tail);

/// Two-sided p of `statistic` against a normal of `mean` and `sigma`, with
/// the continuity correction of 1/2; 1 when sigma is 0 (all values tied).
double NormalTwoSidedP(double statistic, double mean, double sigma);

/// The z with P(Z > z) = tail for a standard normal Z; tail in (0, 1).
double NormalUpperQuantile(double tail);

}  // namespace redqueen::queen::bench
