#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "queen/bench/ranks.h"
#include "queen/bench/stats.h"

namespace redqueen::queen::bench {
namespace {

using ::testing::ElementsAre;

/// `ratio` within a relative 1e-9 of `expected`.
void ExpectRatio(double ratio, double expected) {
  EXPECT_NEAR(ratio, expected, expected * 1e-9);
}

/// {2^first, ..., 2^last}: log ratios between them are whole multiples of ln 2.
std::vector<double> Powers(int first, int last) {
  std::vector<double> values;
  for (int i = first; i <= last; ++i) values.push_back(std::ldexp(1.0, i));
  return values;
}

TEST(BenchSummarize, OddCount) {
  // Sorted 1 2 3 4 5. Mean 15/5 = 3; squares 4+1+0+1+4 = 10, 10/4 = 2.5.
  // h = 4p: median h=2 -> 3, q1 h=1 -> 2, q3 h=3 -> 4.
  const Summary s = Summarize({5, 1, 3, 2, 4});
  EXPECT_EQ(s.rounds, 5u);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.5));
  EXPECT_DOUBLE_EQ(s.q1, 2);
  EXPECT_DOUBLE_EQ(s.q3, 4);
  EXPECT_DOUBLE_EQ(s.iqr, 2);
}

TEST(BenchSummarize, EvenCountInterpolates) {
  // Sorted 10 20 30 40. Mean 25; squares 225+25+25+225 = 500, 500/3.
  // h = 3p: median h=1.5 -> 20 + .5*10 = 25; q1 h=.75 -> 10 + .75*10 = 17.5;
  // q3 h=2.25 -> 30 + .25*10 = 32.5 (R type 6 would give 12.5 and 37.5).
  const Summary s = Summarize({40, 10, 30, 20});
  EXPECT_EQ(s.rounds, 4u);
  EXPECT_DOUBLE_EQ(s.mean, 25);
  EXPECT_DOUBLE_EQ(s.median, 25);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(500.0 / 3));
  EXPECT_DOUBLE_EQ(s.q1, 17.5);
  EXPECT_DOUBLE_EQ(s.q3, 32.5);
  EXPECT_DOUBLE_EQ(s.iqr, 15);
}

TEST(BenchSummarize, OneValueAndNone) {
  const Summary one = Summarize({7});
  EXPECT_EQ(one.rounds, 1u);
  EXPECT_EQ(one.min, 7);
  EXPECT_EQ(one.max, 7);
  EXPECT_EQ(one.median, 7);
  EXPECT_EQ(one.q1, 7);
  EXPECT_EQ(one.q3, 7);
  EXPECT_EQ(one.stddev, 0);
  EXPECT_EQ(one.iqr, 0);
  const Summary none = Summarize({});
  EXPECT_EQ(none.rounds, 0u);
  EXPECT_EQ(none.mean, 0);
  EXPECT_EQ(none.max, 0);
}

TEST(BenchRanks, MidRanksShareTies) {
  // 2 2 2 take ranks 2..4 (mean 3), 5 5 take 5..6 (5.5); ties 3^3-3 + 2^3-2.
  const Ranked ranked = MidRanks({5, 2, 1, 2, 5, 2});
  EXPECT_THAT(ranked.ranks, ElementsAre(5.5, 3, 1, 3, 5.5, 3));
  EXPECT_EQ(ranked.tie_sum, 30);
}

TEST(BenchRanks, NullDistributionsCountOrderings) {
  // U of 3 and 3: partitions of u into at most 3 parts of at most 3.
  EXPECT_THAT(MannWhitneyCounts(3, 3), ElementsAre(1, 1, 2, 3, 3, 3, 3, 2, 1, 1));
  // W+ of 3: subset sums of {1, 2, 3}; 3 is {3} or {1, 2}.
  EXPECT_THAT(SignedRankCounts(3), ElementsAre(1, 1, 1, 2, 1, 1, 1));
}

TEST(BenchMannWhitney, ExactForSmallSamples) {
  // Fully separated 3 and 3: U = 9, P(U >= 9) = 1/20, two-sided 2/20.
  EXPECT_DOUBLE_EQ(MannWhitneyP({1, 2, 3}, {4, 5, 6}), 0.1);
  EXPECT_DOUBLE_EQ(MannWhitneyP({4, 5, 6}, {1, 2, 3}), 0.1);
  // 5 and 5: 2 / C(10, 5) = 2/252.
  EXPECT_DOUBLE_EQ(MannWhitneyP({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 2.0 / 252);
  // Interleaved: U = 1 + 2 + 3 = 6; P(U >= 6) = (3+2+1+1)/20, two-sided 14/20.
  EXPECT_DOUBLE_EQ(MannWhitneyP({1, 3, 5}, {2, 4, 6}), 0.7);
}

TEST(BenchMannWhitney, NormalBeyondTheExactLimit) {
  // 21 and 21 (n + m = 42 > 40): base 1..21, fresh 5.5..25.5. Fresh j + .5
  // beats min(j, 21) base values: U = (5+...+21) + 4*21 = 221 + 84 = 305.
  // Mean 441/2 = 220.5; sigma = sqrt(441*43/12) = 39.75236;
  // z = (305 - 220.5 - .5) / 39.75236 = 2.11308; p = erfc(z/sqrt 2) = 0.0345937.
  std::vector<double> base, fresh;
  for (int i = 1; i <= 21; ++i) base.push_back(i);
  for (int j = 5; j <= 25; ++j) fresh.push_back(j + 0.5);
  EXPECT_NEAR(MannWhitneyP(base, fresh), 0.0345937, 1e-6);
}

TEST(BenchMannWhitney, TiesUseTheCorrectedNormal) {
  // Base 1 2 2 3, fresh 2 3 4 5. Fresh 2 beats 1, ties 2 2: 1 + 2/2 = 2;
  // 3: 3 + 1/2; 4: 4; 5: 4. U = 13.5, mean 8. Ties: 2 x3, 3 x2: 24 + 6 = 30.
  // var = 16/12 * (9 - 30/56) = 11.285714, sigma 3.359422;
  // z = (5.5 - .5) / 3.359422 = 1.488351; p = 0.136658.
  EXPECT_NEAR(MannWhitneyP({1, 2, 2, 3}, {2, 3, 4, 5}), 0.136658, 1e-6);
  EXPECT_EQ(MannWhitneyP({4, 4, 4}, {4, 4, 4}), 1);
  EXPECT_EQ(MannWhitneyP({}, {1, 2}), 1);
}

TEST(BenchRatioInterval, HodgesLehmannOfAScaledCopyIsTheScale) {
  const std::vector<double> base = {97, 99.5, 100, 101.3, 102.8, 98.2, 100.7};
  std::vector<double> fresh;
  for (double value : base) fresh.push_back(value * 1.10);
  const Interval ratio = RatioInterval(base, fresh, 0.95);
  EXPECT_NEAR(ratio.estimate, 1.10, 1e-9);
  EXPECT_LT(ratio.low, 1.10);
  EXPECT_GT(ratio.high, 1.10);
}

TEST(BenchRatioInterval, ExactRanksOfFiveAndFive) {
  // Ratios 2^(5 + j - i), i, j in 0..4: exponent e = 1..9 occurs
  // 5 - |e - 5| times (1 2 2 3 3 3 4 4 4 4 5 ...). Median e = 5 -> 32.
  // U counts of 5 and 5 for u = 0..5: 1 1 2 3 5 7 (of 252). At 95% (tail
  // .025) P(U <= 2) = 4/252 fits, 7/252 not: k = 3, e = 2..8 -> [4, 256].
  // At 90% (tail .05) P(U <= 4) = 12/252 fits, 19/252 not: k = 5, e = 3..7.
  const std::vector<double> base = Powers(0, 4), fresh = Powers(5, 9);
  const Interval at95 = RatioInterval(base, fresh, 0.95);
  ExpectRatio(at95.estimate, 32);
  ExpectRatio(at95.low, 4);
  ExpectRatio(at95.high, 256);
  const Interval at90 = RatioInterval(base, fresh, 0.90);
  ExpectRatio(at90.low, 8);
  ExpectRatio(at90.high, 128);
}

TEST(BenchRatioInterval, NormalRanksBeyondTheExactLimit) {
  // 21 and 21: exponents 21 + j - i, e = 1..41 occurring 21 - |e - 21| times,
  // so e <= 21 ends at rank e(e+1)/2. k = floor(441/2 - 1.959964 * 39.75236
  // + .5) = floor(143.09) = 143: past rank 136 (e = 16), within 153 (e = 17).
  const Interval ratio = RatioInterval(Powers(0, 20), Powers(21, 41), 0.95);
  ExpectRatio(ratio.estimate, std::ldexp(1.0, 21));
  ExpectRatio(ratio.low, std::ldexp(1.0, 17));
  ExpectRatio(ratio.high, std::ldexp(1.0, 25));
}

TEST(BenchRatioInterval, TooFewForTheConfidenceGivesTheWidest) {
  // 3 and 3 at 95%: P(U = 0) = 1/20 > .025, so min..max of the ratios
  // 8/4 .. 32/1; their median is 8 (2 4 4 8 8 8 16 16 32).
  const Interval ratio = RatioInterval({1, 2, 4}, {8, 16, 32}, 0.95);
  ExpectRatio(ratio.estimate, 8);
  ExpectRatio(ratio.low, 2);
  ExpectRatio(ratio.high, 32);
  EXPECT_FALSE(EnoughForInterval(3, 3, 0.95));  // 2/20 > .05
  EXPECT_TRUE(EnoughForInterval(3, 3, 0.90));   // 2/20 = .10
  EXPECT_FALSE(EnoughForInterval(3, 4, 0.95));  // 2/35
  EXPECT_TRUE(EnoughForInterval(3, 5, 0.95));   // 2/56
  EXPECT_FALSE(EnoughForInterval(0, 50, 0.5));
  const Interval none = RatioInterval({}, {1}, 0.95);
  EXPECT_EQ(none.estimate, 1);
  EXPECT_EQ(none.low, 1);
  EXPECT_EQ(none.high, 1);
}

TEST(BenchWilcoxon, ExactForSmallSamples) {
  // Six positive: W+ = 21, P(W+ >= 21) = 1/64, two-sided 2/64.
  EXPECT_DOUBLE_EQ(WilcoxonSignedRankP({1.1, 1.2, 1.3, 1.4, 1.5, 1.6}), 2.0 / 64);
  // Ranks 1 2 -3 4 5: W+ = 12; P(W+ >= 12) = P(W+ <= 3) = |{}, 1, 2, 3, 12| / 32.
  const std::vector<double> mixed = {1.01, 1.02, 1 / 1.03, 1.04, 1.05};
  EXPECT_DOUBLE_EQ(WilcoxonSignedRankP(mixed), 10.0 / 32);
  // Ratios of exactly 1 are dropped, not ranked.
  std::vector<double> with_ones = mixed;
  with_ones.insert(with_ones.end(), {1.0, 1.0});
  EXPECT_DOUBLE_EQ(WilcoxonSignedRankP(with_ones), 10.0 / 32);
  EXPECT_EQ(WilcoxonSignedRankP({1, 1, 1}), 1);
}

TEST(BenchWilcoxon, TiesUseTheCorrectedNormal) {
  // |log|: 1.2 x3 (ranks 1-3, mid 2), 0.8 (rank 4, negative), 1.5 x2 (5.5).
  // W+ = 3*2 + 2*5.5 = 17, mean 6*7/4 = 10.5; var = 6*7*13/24 - (24 + 6)/48
  // = 22.125; z = (17 - 10.5 - .5) / 4.703722 = 1.275586; p = 0.202102.
  EXPECT_NEAR(WilcoxonSignedRankP({1.5, 1.5, 0.8, 1.2, 1.2, 1.2}), 0.202102, 1e-6);
}

TEST(BenchWilcoxon, NormalBeyondTheExactLimit) {
  // 48 ratios, |log| ranked by i: i = 1..27 negative, 28..48 positive.
  // W+ = 28+...+48 = 798; mean 48*49/4 = 588; var 48*49*97/24 = 9506,
  // sigma 97.49872; z = (798 - 588 - .5) / 97.49872 = 2.148746; p = 0.0316545.
  std::vector<double> ratios;
  for (int i = 1; i <= 48; ++i) {
    const double up = 1 + i / 100.0;
    ratios.push_back(i <= 27 ? 1 / up : up);
  }
  EXPECT_NEAR(WilcoxonSignedRankP(ratios), 0.0316545, 1e-6);
}

TEST(BenchPairedRatioInterval, ExactRanksOfEight) {
  // log2 ratios 1..8; Walsh averages (i + j)/2 sorted: 1 1.5 2 2 ... and
  // symmetric about 4.5, the median. W+ counts of 8 for w = 0..4: 1 1 1 2 2
  // (of 256): P(W <= 3) = 5/256 <= .025 < 7/256, so k = 4: 2 and 7.
  const Interval ratio = PairedRatioInterval(Powers(1, 8), 0.95);
  ExpectRatio(ratio.estimate, std::pow(2.0, 4.5));
  ExpectRatio(ratio.low, 4);
  ExpectRatio(ratio.high, 128);
}

TEST(BenchPairedRatioInterval, NormalRanksBeyondTheExactLimit) {
  // log2 ratios 1..48: 1176 Walsh averages, s = i + j <= 49 occurring
  // floor(s/2) times, so s = 2t ends at rank t^2 and s = 2t+1 at t(t+1).
  // k = floor(1176/2 - 1.959964 * 97.49872 + .5) = floor(397.41) = 397:
  // past rank 380 (s = 39), within 400 (s = 40): 2^20, and 2^(49 - 20).
  const Interval ratio = PairedRatioInterval(Powers(1, 48), 0.95);
  ExpectRatio(ratio.estimate, std::pow(2.0, 24.5));
  ExpectRatio(ratio.low, std::ldexp(1.0, 20));
  ExpectRatio(ratio.high, std::ldexp(1.0, 29));
}

TEST(BenchPairedRatioInterval, TooFewForTheConfidenceGivesTheWidest) {
  // Five pairs at 95%: P(W+ = 0) = 1/32 > .025, so min..max of the ratios.
  const Interval ratio = PairedRatioInterval({1.1, 1.3, 0.9, 1.2, 1.05}, 0.95);
  ExpectRatio(ratio.low, 0.9);
  ExpectRatio(ratio.high, 1.3);
  EXPECT_FALSE(EnoughForPairedInterval(5, 0.95));   // 2/32 > .05
  EXPECT_TRUE(EnoughForPairedInterval(6, 0.95));    // 2/64
  EXPECT_TRUE(EnoughForPairedInterval(5, 0.9375));  // 2/32 exactly
  EXPECT_FALSE(EnoughForPairedInterval(0, 0.5));
  const Interval two = PairedRatioInterval({1.2, 1.0}, 0.95);
  ExpectRatio(two.low, 1.0);
  ExpectRatio(two.high, 1.2);
}

}  // namespace
}  // namespace redqueen::queen::bench
