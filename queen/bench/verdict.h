// The verdict of `redqueen bench compare` and `redqueen bench ab` on one
// benchmark: faster, slower, no change, or unstable when the measurement
// cannot decide. A change must be both significant (p below alpha) and
// larger than the threshold over its whole confidence interval, so that
// neither a tiny real change nor a large noisy one fails a gate.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "queen/bench/stats.h"

namespace redqueen::queen::bench {

enum class Verdict { kFaster, kSlower, kNoChange, kUnstable };

/// "faster", "slower", "no change", "unstable".
const char* VerdictName(Verdict verdict);

/// What a change must exceed to count.
struct Gate {
  double threshold = 0.05;  ///< Relative change: 0.05 is 5%.
  double alpha = 0.05;      ///< Significance in (0, 1); intervals are at 1 - alpha.
};

/// A verdict and what it was decided from.
struct Judgement {
  Verdict verdict = Verdict::kUnstable;
  Interval ratio;        ///< NEW/BASE.
  double p = 1;          ///< Two-sided, of "no difference".
  double threshold = 0;  ///< The one applied: the gate's, or the noise floor if higher.
  std::string why;       ///< One short phrase for the report.
};

/// With t = max(gate.threshold, noise_floor):
///  - slower when p < alpha and the whole interval lies above 1 + t;
///  - faster when p < alpha and the whole interval lies below 1 - t;
///  - no change when the whole interval lies within [1 - t, 1 + t];
///  - unstable otherwise: the interval crosses the threshold (or lies beyond
///    it without p agreeing), so the measurement cannot decide.
Judgement Judge(const Interval& ratio, double p, const Gate& gate,
                double noise_floor = 0);

/// How far an A/A interval reaches from 1: max(1 - low, high - 1). A
/// change smaller than what A against itself shows is not told from noise.
double NoiseFloor(const Interval& a_against_a);

/// The most samples a side CompareSamples judges: the fixture keeps every
/// round, up to some 200,000 of a fast benchmark, and the Hodges-Lehmann
/// interval looks at every pair of them.
inline constexpr size_t kMaxCompared = 1000;

/// `values` thinned to `most`, evenly spaced in the order measured (so
/// that a drift over the run stays in); all of them when there are fewer.
std::vector<double> Thinned(const std::vector<double>& values, size_t most);

/// `bench compare`: two runs' samples of one benchmark (positive times),
/// judged on RatioInterval at 1 - alpha and MannWhitneyP. Unstable, whatever
/// the data, with fewer than 3 samples on a side or too few for an interval
/// at 1 - alpha (EnoughForInterval). Each side is Thinned to kMaxCompared.
Judgement CompareSamples(const std::vector<double>& base,
                         const std::vector<double>& fresh, const Gate& gate);

/// `bench ab`: the ratios B/A of pairs measured back to back, judged on
/// PairedRatioInterval at 1 - alpha and WilcoxonSignedRankP. With at least 6
/// ratios of A against A from the same invocation, their NoiseFloor (of
/// PairedRatioInterval at 1 - alpha) may raise the threshold. Unstable,
/// whatever the data, with fewer than 6 pairs or too few for an interval at
/// 1 - alpha (EnoughForPairedInterval).
Judgement ComparePaired(const std::vector<double>& ratios,
                        const std::vector<double>& a_against_a, const Gate& gate);

}  // namespace redqueen::queen::bench
