#include <gtest/gtest.h>

#include "queen/bench/verdict.h"

namespace redqueen::queen::bench {
namespace {

/// Ten values around 100, 0.2 apart, none repeating: a spread of +-1.
std::vector<double> Tight(double offset = 0) {
  std::vector<double> values;
  for (int i = 0; i < 10; ++i) values.push_back(99.0 + offset + 0.2 * i);
  return values;
}

std::vector<double> Scaled(std::vector<double> values, double factor) {
  for (double& value : values) value *= factor;
  return values;
}

TEST(BenchVerdict, Names) {
  EXPECT_STREQ(VerdictName(Verdict::kFaster), "faster");
  EXPECT_STREQ(VerdictName(Verdict::kSlower), "slower");
  EXPECT_STREQ(VerdictName(Verdict::kNoChange), "no change");
  EXPECT_STREQ(VerdictName(Verdict::kUnstable), "unstable");
}

TEST(BenchJudge, SlowerNeedsTheWholeIntervalBeyondAndASmallP) {
  const Judgement slower = Judge({1.121, 1.083, 1.159}, 0.001, Gate{});
  EXPECT_EQ(slower.verdict, Verdict::kSlower);
  EXPECT_EQ(slower.why, "+12.1% [+8.3%, +15.9%], p=0.001, beyond the 5% threshold");
  EXPECT_EQ(slower.threshold, 0.05);
  const Judgement not_significant = Judge({1.121, 1.083, 1.159}, 0.2, Gate{});
  EXPECT_EQ(not_significant.verdict, Verdict::kUnstable);
  EXPECT_EQ(
      not_significant.why,
      "+12.1% [+8.3%, +15.9%] is beyond the 5% threshold but p=0.2 is not below 5%");
  EXPECT_EQ(Judge({1.06, 1.04, 1.08}, 0.001, Gate{}).verdict, Verdict::kUnstable);
}

TEST(BenchJudge, Faster) {
  const Judgement faster = Judge({0.8, 0.75, 0.85}, 0.0004, Gate{});
  EXPECT_EQ(faster.verdict, Verdict::kFaster);
  EXPECT_EQ(faster.why, "-20.0% [-25.0%, -15.0%], p<0.001, beyond the 5% threshold");
  EXPECT_EQ(Judge({0.8, 0.75, 0.96}, 0.0004, Gate{}).verdict, Verdict::kUnstable);
}

TEST(BenchJudge, NoChangeWithinAndUnstableAcross) {
  const Judgement same = Judge({1.01, 0.99, 1.03}, 0.5, Gate{});
  EXPECT_EQ(same.verdict, Verdict::kNoChange);
  EXPECT_EQ(same.why, "+1.0% [-1.0%, +3.0%], within the 5% threshold");
  const Judgement across = Judge({1.03, 0.97, 1.091}, 0.3, Gate{});
  EXPECT_EQ(across.verdict, Verdict::kUnstable);
  EXPECT_EQ(across.why, "the interval [-3.0%, +9.1%] crosses the 5% threshold");
  EXPECT_EQ(Judge({1.01, 0.99, 1.03}, 0.5, Gate{.threshold = 0.02}).verdict,
            Verdict::kUnstable);
}

TEST(BenchJudge, NoiseFloorRaisesTheThreshold) {
  const Interval ratio{1.08, 1.07, 1.09};
  EXPECT_EQ(Judge(ratio, 0.001, Gate{}, 0.03).verdict, Verdict::kSlower);
  // Within the noise floor but beyond the gate's threshold: the noise
  // cannot tell it from a regression, so never "no change".
  const Judgement noisy = Judge(ratio, 0.001, Gate{}, 0.125);
  EXPECT_EQ(noisy.verdict, Verdict::kUnstable);
  EXPECT_EQ(noisy.threshold, 0.125);
  EXPECT_EQ(
      noisy.why,
      "+8.0% [+7.0%, +9.0%] is within the 12.5% noise floor: too noisy to tell from "
      "the 5% threshold");
  // Within the gate's own threshold, a noise floor does not matter.
  EXPECT_EQ(Judge({1.01, 0.99, 1.03}, 0.5, Gate{}, 0.125).verdict, Verdict::kNoChange);
}

TEST(BenchNoiseFloor, FarthestReachFromOne) {
  EXPECT_DOUBLE_EQ(NoiseFloor({1, 0.9, 1.04}), 0.1);
  EXPECT_NEAR(NoiseFloor({1, 0.97, 1.12}), 0.12, 1e-12);
  EXPECT_NEAR(NoiseFloor({1.03, 1.02, 1.04}), 0.04, 1e-12);
}

TEST(BenchCompareSamples, ClearRegressionIsSlower) {
  const Judgement judgement = CompareSamples(Tight(), Scaled(Tight(), 1.2), Gate{});
  EXPECT_EQ(judgement.verdict, Verdict::kSlower) << judgement.why;
  EXPECT_NEAR(judgement.ratio.estimate, 1.2, 1e-9);
  EXPECT_DOUBLE_EQ(judgement.p, 2.0 / 184756);  // 2 / C(20, 10)
}

TEST(BenchCompareSamples, ClearSpeedupIsFaster) {
  const Judgement judgement = CompareSamples(Tight(), Scaled(Tight(), 0.8), Gate{});
  EXPECT_EQ(judgement.verdict, Verdict::kFaster) << judgement.why;
}

TEST(BenchCompareSamples, SameDistributionIsNoChange) {
  const Judgement judgement = CompareSamples(Tight(), Tight(0.1), Gate{});
  EXPECT_EQ(judgement.verdict, Verdict::kNoChange) << judgement.why;
  EXPECT_GT(judgement.p, 0.5);
}

TEST(BenchCompareSamples, NoiseWiderThanTheThresholdIsUnstable) {
  // +-30% around 100, the new run interleaved with the base.
  std::vector<double> base, fresh;
  for (int i = 0; i < 10; ++i) {
    base.push_back(70 + 6.6 * i);
    fresh.push_back(73 + 6.6 * i);
  }
  const Judgement judgement = CompareSamples(base, fresh, Gate{});
  EXPECT_EQ(judgement.verdict, Verdict::kUnstable) << judgement.why;
  EXPECT_LT(judgement.ratio.low, 0.95);
  EXPECT_GT(judgement.ratio.high, 1.05);
}

TEST(BenchCompareSamples, TooFewSamplesAreUnstable) {
  EXPECT_EQ(CompareSamples({100, 101}, Tight(), Gate{}).why,
            "only 2 samples of the base");
  EXPECT_EQ(CompareSamples(Tight(), {100}, Gate{}).why, "only 1 sample of the new run");
  // Tight enough for "no change" on min..max, but 3 and 3 cannot reach 95%.
  const Judgement three =
      CompareSamples({100, 100.1, 100.2}, {100.05, 100.15, 100.25}, Gate{});
  EXPECT_EQ(three.verdict, Verdict::kUnstable);
  EXPECT_EQ(three.why, "3 and 3 samples are too few for a 95% interval");
  EXPECT_EQ(
      CompareSamples({100, 100.1, 100.2}, {100.05, 100.15, 100.25}, Gate{.alpha = 0.1})
          .verdict,
      Verdict::kNoChange);
}

TEST(BenchComparePaired, TightRatiosBeyondTheThresholdAreSlower) {
  const Judgement judgement = ComparePaired(Scaled(Tight(), 1.08 / 100), {}, Gate{});
  EXPECT_EQ(judgement.verdict, Verdict::kSlower) << judgement.why;
  EXPECT_DOUBLE_EQ(judgement.p, 2.0 / 1024);  // Ten positive: 2 / 2^10.
}

TEST(BenchComparePaired, TightRatiosBelowTheThresholdAreFaster) {
  const Judgement judgement = ComparePaired(Scaled(Tight(), 0.9 / 100), {}, Gate{});
  EXPECT_EQ(judgement.verdict, Verdict::kFaster) << judgement.why;
}

TEST(BenchComparePaired, NoisyAAgainstARaisesTheThreshold) {
  const std::vector<double> ratios = Scaled(Tight(), 1.08 / 100);
  const std::vector<double> a_against_a = {0.8, 1.2, 0.85, 1.15, 0.9, 1.1, 0.95, 1.05};
  const Judgement judgement = ComparePaired(ratios, a_against_a, Gate{});
  // The A/A interval reaches about 15% from 1, beyond the ratios' +8.4%:
  // too noisy to call it slower, and not within the 5% to call it no change.
  EXPECT_EQ(judgement.verdict, Verdict::kUnstable) << judgement.why;
  EXPECT_GT(judgement.threshold, 0.09);
  // Fewer than six A/A ratios say nothing about the noise.
  const std::vector<double> few(a_against_a.begin(), a_against_a.begin() + 4);
  EXPECT_EQ(ComparePaired(ratios, few, Gate{}).verdict, Verdict::kSlower);
}

TEST(BenchComparePaired, TooFewPairsAreUnstable) {
  const std::vector<double> tight = Scaled(Tight(), 1.2 / 100);
  const std::vector<double> four(tight.begin(), tight.begin() + 4);
  EXPECT_EQ(ComparePaired(four, {}, Gate{}).why, "only 4 pairs");
  const std::vector<double> five(tight.begin(), tight.begin() + 5);
  EXPECT_EQ(ComparePaired(five, {}, Gate{}).why, "only 5 pairs");
  const std::vector<double> six(tight.begin(), tight.begin() + 6);
  EXPECT_EQ(ComparePaired(six, {}, Gate{}).verdict, Verdict::kSlower);
}

}  // namespace
}  // namespace redqueen::queen::bench
