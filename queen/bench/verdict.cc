#include "queen/bench/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace redqueen::queen::bench {
namespace {

constexpr size_t kMinSamples = 3;  // A side of `bench compare`.
constexpr size_t kMinPairs = 6;    // Of `bench ab`, and of its A/A ratios: 2/2^6 < 5%.

/// 0.05 -> "5%", 0.073 -> "7.3%".
std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", fraction * 100);
  std::string percent = text;
  if (percent.ends_with(".0")) percent.resize(percent.size() - 2);
  return percent + "%";
}

/// 1.121 -> "+12.1%", 0.97 -> "-3.0%".
std::string Change(double ratio) {
  double percent = (ratio - 1) * 100;
  if (std::abs(percent) < 0.05) percent = 0;  // Not "-0.0%".
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", percent);
  return text;
}

std::string Bracket(const Interval& ratio) {
  return "[" + Change(ratio.low) + ", " + Change(ratio.high) + "]";
}

std::string PText(double p) {
  if (p < 0.001) return "p<0.001";
  char text[32];
  std::snprintf(text, sizeof text, "p=%.3g", p);
  return text;
}

std::string Limit(double threshold, bool from_noise) {
  return "the " + Percent(threshold) + (from_noise ? " noise floor" : " threshold");
}

std::string Count(size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

/// Why two samples cannot be judged, or "" when they can.
std::string TooFewSamples(size_t base, size_t fresh, double alpha) {
  if (base < kMinSamples) return "only " + Count(base, "sample") + " of the base";
  if (fresh < kMinSamples) return "only " + Count(fresh, "sample") + " of the new run";
  if (!EnoughForInterval(base, fresh, 1 - alpha)) {
    return std::to_string(base) + " and " + std::to_string(fresh) +
           " samples are too few for a " + Percent(1 - alpha) + " interval";
  }
  return "";
}

std::string TooFewPairs(size_t pairs, double alpha) {
  if (pairs < kMinPairs) return "only " + Count(pairs, "pair");
  if (!EnoughForPairedInterval(pairs, 1 - alpha)) {
    return Count(pairs, "pair") + " are too few for a " + Percent(1 - alpha) +
           " interval";
  }
  return "";
}

Judgement Undecided(Judgement judgement, std::string why) {
  if (!why.empty()) {
    judgement.verdict = Verdict::kUnstable;
    judgement.why = std::move(why);
  }
  return judgement;
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kFaster:
      return "faster";
    case Verdict::kSlower:
      return "slower";
    case Verdict::kNoChange:
      return "no change";
    case Verdict::kUnstable:
      return "unstable";
  }
  return "unstable";
}

Judgement Judge(const Interval& ratio, double p, const Gate& gate, double noise_floor) {
  const double t = std::max(gate.threshold, noise_floor);
  const std::string limit = Limit(t, noise_floor > gate.threshold);
  const std::string effect = Change(ratio.estimate) + " " + Bracket(ratio);
  Judgement judgement{Verdict::kUnstable, ratio, p, t, ""};
  const bool above = ratio.low > 1 + t;
  const bool below = ratio.high < 1 - t;
  if ((above || below) && p < gate.alpha) {
    judgement.verdict = above ? Verdict::kSlower : Verdict::kFaster;
    judgement.why = effect + ", " + PText(p) + ", beyond " + limit;
  } else if (above || below) {
    judgement.why = effect + " is beyond " + limit + " but " + PText(p) +
                    " is not below " + Percent(gate.alpha);
  } else if (ratio.low >= 1 - gate.threshold && ratio.high <= 1 + gate.threshold) {
    // Within the gate's own threshold: a noise floor above it can only
    // make a change harder to call, never a regression "no change".
    judgement.verdict = Verdict::kNoChange;
    judgement.why = effect + ", within " + Limit(gate.threshold, false);
  } else if (ratio.low >= 1 - t && ratio.high <= 1 + t) {
    judgement.why = effect + " is within " + limit + ": too noisy to tell from " +
                    Limit(gate.threshold, false);
  } else {
    judgement.why = "the interval " + Bracket(ratio) + " crosses " + limit;
  }
  return judgement;
}

double NoiseFloor(const Interval& a_against_a) {
  return std::max(1 - a_against_a.low, a_against_a.high - 1);
}

std::vector<double> Thinned(const std::vector<double>& values, size_t most) {
  if (values.size() <= most) return values;
  std::vector<double> kept;
  kept.reserve(most);
  for (size_t i = 0; i < most; ++i) kept.push_back(values[i * values.size() / most]);
  return kept;
}

Judgement CompareSamples(const std::vector<double>& all_base,
                         const std::vector<double>& all_fresh, const Gate& gate) {
  const std::vector<double> base = Thinned(all_base, kMaxCompared);
  const std::vector<double> fresh = Thinned(all_fresh, kMaxCompared);
  const Interval ratio = RatioInterval(base, fresh, 1 - gate.alpha);
  return Undecided(Judge(ratio, MannWhitneyP(base, fresh), gate),
                   TooFewSamples(base.size(), fresh.size(), gate.alpha));
}

Judgement ComparePaired(const std::vector<double>& ratios,
                        const std::vector<double>& a_against_a, const Gate& gate) {
  const double confidence = 1 - gate.alpha;
  const double noise_floor =
      a_against_a.size() >= kMinPairs
          ? NoiseFloor(PairedRatioInterval(a_against_a, confidence))
          : 0;
  const Interval ratio = PairedRatioInterval(ratios, confidence);
  return Undecided(Judge(ratio, WilcoxonSignedRankP(ratios), gate, noise_floor),
                   TooFewPairs(ratios.size(), gate.alpha));
}

}  // namespace redqueen::queen::bench
