// The parts of `redqueen bench` that decide without measuring: the CPU
// plan, the table's figures, ab's pairing, the fixture's lines, exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "queen/bench/ab.h"
#include "queen/bench/bench_table.h"
#include "queen/bench/comparison.h"
#include "queen/bench/cpus.h"
#include "queen/bench/measure.h"

namespace redqueen::queen::bench {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(BenchCpusTest, ParsesListsAndRanges) {
  std::vector<int> cpus;
  std::string error;
  ASSERT_TRUE(ParseCpuList("0,2-3", &cpus, &error)) << error;
  EXPECT_THAT(cpus, ElementsAre(0, 2, 3));
  ASSERT_TRUE(ParseCpuList("7", &cpus, &error));
  EXPECT_THAT(cpus, ElementsAre(7));
  for (const char* bad : {"", "a", "1-0", "1,1", "1,,2", "-1", "2-", "99999"}) {
    EXPECT_FALSE(ParseCpuList(bad, &cpus, &error)) << bad;
    EXPECT_THAT(error, HasSubstr("--cpus")) << bad;
  }
}

TEST(BenchCpusTest, BenchmarksOnTheQuietestCpuAndRedqueenOnAnother) {
  CpuPlan plan;
  std::string error;
  ASSERT_TRUE(PlanCpus({}, {0, 1}, 0, &plan, &error));
  EXPECT_THAT(plan.bench_cpus, ElementsAre(0));
  EXPECT_EQ(plan.queen_cpu, 1);
  ASSERT_TRUE(PlanCpus({}, {0, 1}, -1, &plan, &error));
  EXPECT_THAT(plan.bench_cpus, ElementsAre(1)) << "without interrupt counts: the last";
  EXPECT_EQ(plan.queen_cpu, 0);
  ASSERT_TRUE(PlanCpus({2, 3}, {0, 1, 2, 3}, 0, &plan, &error));
  EXPECT_THAT(plan.bench_cpus, ElementsAre(2, 3)) << "--cpus wins";
  EXPECT_EQ(plan.queen_cpu, 0);
  // Every CPU a benchmark's: redqueen has none of its own.
  ASSERT_TRUE(PlanCpus({0, 1}, {0, 1}, -1, &plan, &error));
  EXPECT_EQ(plan.queen_cpu, -1);
  ASSERT_TRUE(PlanCpus({}, {0}, 0, &plan, &error));
  EXPECT_THAT(plan.bench_cpus, ElementsAre(0));
  EXPECT_EQ(plan.queen_cpu, -1);
  EXPECT_FALSE(PlanCpus({5}, {0, 1}, -1, &plan, &error));
  EXPECT_THAT(error, HasSubstr("CPU 5"));
}

TEST(BenchCpusTest, TheQuietestCpuServedTheFewestInterrupts) {
  // As this 2-vCPU VM has it: CPU 1 takes more of the interrupts.
  const std::string text =
      "           CPU0       CPU1       \n"
      " 24:          2          0  IO-APIC   5-edge      ACPI:Ged\n"
      "LOC:    9000000    9500000   Local timer interrupts\n"
      "RES:    4000000    6000000   Rescheduling interrupts\n"
      "ERR:          0\n";
  const std::vector<uint64_t> counts = InterruptsPerCpu(text);
  EXPECT_THAT(counts, ElementsAre(13000002u, 15500000u));
  EXPECT_EQ(QuietestCpu({0, 1}, counts), 0);
  EXPECT_EQ(QuietestCpu({1}, counts), 1) << "only an allowed CPU";
  EXPECT_EQ(QuietestCpu({0, 1}, {5, 5}), 1) << "a tie: the last";
  EXPECT_EQ(QuietestCpu({0, 1, 2}, counts), 2) << "no count for CPU 2: the last";
  EXPECT_TRUE(InterruptsPerCpu("not the file\n").empty());
  // Columns are the online CPUs, named in the header.
  EXPECT_THAT(InterruptsPerCpu("  CPU0 CPU2\n 1: 7 3 x\n"), ElementsAre(7u, 0u, 3u));
}

std::vector<double> OneTo(int n) {
  std::vector<double> values;
  for (int i = n; i >= 1; --i) values.push_back(i);  // Unsorted on purpose.
  return values;
}

TEST(BenchTableTest, MedianIntervalByOrderStatistics) {
  // Five values cannot bound the median at 95% (2 * 2^-5 = 6.25% outside).
  Interval five = MedianInterval(OneTo(5));
  EXPECT_EQ(five.estimate, 3);
  EXPECT_EQ(five.low, 3);
  EXPECT_EQ(five.high, 3);
  // Six: min and max, 2 * 2^-6 = 3.1% outside.
  Interval six = MedianInterval(OneTo(6));
  EXPECT_EQ(six.estimate, 3.5);
  EXPECT_EQ(six.low, 1);
  EXPECT_EQ(six.high, 6);
  // 100: P(Bin(100, 1/2) <= 39) = 1.76% and <= 40 is 2.84%: the 40th and
  // 61st values, as the published tables give.
  Interval hundred = MedianInterval(OneTo(100));
  EXPECT_EQ(hundred.low, 40);
  EXPECT_EQ(hundred.high, 61);
  // Far past where 2^-n underflows (a fast fixture benchmark's rounds).
  Interval many = MedianInterval(OneTo(200000));
  EXPECT_LT(many.low, many.estimate);
  EXPECT_GT(many.high, many.estimate);
  EXPECT_NEAR(many.high - many.low, 2 * 1.96 * std::sqrt(200000.0) / 2, 3);
}

TEST(BenchTableTest, FormatsTimesAndChanges) {
  EXPECT_EQ(FormatDuration(0.27), "0.27 ns");
  EXPECT_EQ(FormatDuration(999), "999 ns");
  EXPECT_EQ(FormatDuration(1234.5), "1.23 µs");
  EXPECT_EQ(FormatDuration(38'400), "38.4 µs");
  EXPECT_EQ(FormatDuration(1.5e9), "1.50 s");
  EXPECT_EQ(FormatChange(1.041), "+4.1%");
  EXPECT_EQ(FormatChangeInterval({0.997, 0.99, 1.02}), "-0.3% [-1.0%, +2.0%]");
}

TEST(BenchTableTest, AShortRowsLastCellDoesNotWidenItsColumn) {
  EXPECT_EQ(FormatTable({{"name", "time", "µs"}, {"a", "1", "x"}, {"bb", "ERROR: long"}}),
            "name  time  µs\n"
            "a     1     x\n"
            "bb    ERROR: long\n");
}

BenchSample At(double ns, int cycle = 0) {
  BenchSample sample;
  sample.repetition = cycle;
  sample.iterations = 10;
  sample.real_ns = ns;
  sample.cpu_ns = ns / 2;
  return sample;
}

TEST(BenchAbTest, PairsEachNewToTheGeometricMeanOfItsTwoBases) {
  std::vector<double> ratios, a_against_a;
  // Cycle 0 runs A B A', cycle 1 A' B A: the A/A ratio is A over A' in both.
  PairedRatios({At(100), At(100)}, {At(110), At(121)}, {At(100), At(121)}, false, &ratios,
               &a_against_a);
  EXPECT_THAT(ratios, ElementsAre(testing::DoubleEq(1.1), testing::DoubleEq(1.1)));
  EXPECT_THAT(a_against_a,
              ElementsAre(testing::DoubleEq(1), testing::DoubleEq(100.0 / 121)));
  std::vector<double> cpu_ratios, cpu_a;
  PairedRatios({At(100)}, {At(300)}, {At(100)}, true, &cpu_ratios, &cpu_a);
  EXPECT_THAT(cpu_ratios, ElementsAre(testing::DoubleEq(3)));
}

TEST(BenchAbTest, AProcessIsOneSampleOfItsCycle) {
  BenchResult process;
  for (double ns : {30.0, 10.0, 20.0}) process.samples.push_back(At(ns));
  const BenchSample sample = CycleSample(process, 4);
  EXPECT_EQ(sample.repetition, 4);
  EXPECT_EQ(sample.real_ns, 20);
  EXPECT_EQ(sample.cpu_ns, 10);
  EXPECT_EQ(sample.iterations, 10);
}

TEST(BenchMeasureTest, ReadsTheFixturesLineOfItsBenchmark) {
  BenchResult result;
  result.name = "Codec.Encode";
  BuildInfo build;
  std::string error;
  const std::string text =
      R"({"format":"redqueen-bench-1","name":"Codec.Other","samples":[]})"
      "\n"
      R"({"format":"redqueen-bench-1","name":"Codec.Encode","compiler":"12.2.0",)"
      R"("build_type":"release","iterations":4,"samples":[{"iterations":4,"real_ns":2.5,)"
      R"("cpu_ns":2,"counters":{"bytes_per_second":1e9},"quality":{"ratio":null}},)"
      R"({"iterations":4,"real_ns":3,"cpu_ns":2.5,"counters":{},"quality":{"ratio":2}}]})"
      "\n";
  ASSERT_TRUE(ParseFixtureLines(text, &result, &build, &error)) << error;
  EXPECT_EQ(build.compiler, "12.2.0");
  EXPECT_EQ(build.build_type, "release");
  ASSERT_EQ(result.samples.size(), 2u);
  EXPECT_EQ(result.samples[1].repetition, 1);
  EXPECT_EQ(result.samples[0].real_ns, 2.5);
  EXPECT_EQ(result.samples[0].counters.at("bytes_per_second"), 1e9);
  // A figure the fixture could not write (not finite) is left out.
  EXPECT_TRUE(result.samples[0].quality.empty());
  EXPECT_EQ(result.samples[1].quality.at("ratio"), 2);

  BenchResult missing;
  missing.name = "Codec.Missing";
  EXPECT_FALSE(ParseFixtureLines(text, &missing, &build, &error));
  EXPECT_THAT(error, HasSubstr("no line for Codec.Missing"));
  EXPECT_FALSE(ParseFixtureLines(R"({"name":"Codec.Encode","samples":[{}]})", &result,
                                 &build, &error));
  EXPECT_THAT(error, HasSubstr("malformed"));
}

Comparison Row(Verdict verdict) {
  Comparison row;
  row.name = "BM";
  row.judgement.verdict = verdict;
  return row;
}

TEST(BenchComparisonTest, ExitCodesOfTheGate) {
  EXPECT_EQ(ExitCodeOf({Row(Verdict::kNoChange), Row(Verdict::kFaster)}, true), 0);
  EXPECT_EQ(ExitCodeOf({Row(Verdict::kNoChange), Row(Verdict::kSlower)}, false), 1);
  EXPECT_EQ(ExitCodeOf({Row(Verdict::kUnstable)}, true), 3);
  EXPECT_EQ(ExitCodeOf({Row(Verdict::kUnstable)}, false), 0);
  // A regression beats an unstable benchmark.
  EXPECT_EQ(ExitCodeOf({Row(Verdict::kUnstable), Row(Verdict::kSlower)}, true), 1);
  Comparison broken = Row(Verdict::kNoChange);
  broken.missing = "ERROR: exit code 1";
  broken.broken = true;
  EXPECT_EQ(ExitCodeOf({broken}, false), 1);
  Comparison base_failed = Row(Verdict::kNoChange);
  base_failed.missing = "ERROR (base): timed out";
  base_failed.undecided = true;
  EXPECT_EQ(ExitCodeOf({base_failed}, true), 3);
  EXPECT_EQ(ExitCodeOf({base_failed}, false), 0);
  Comparison only_new = Row(Verdict::kUnstable);
  only_new.missing = "only in the new";
  EXPECT_EQ(ExitCodeOf({only_new}, true), 0);
  EXPECT_EQ(VerdictCounts({Row(Verdict::kSlower), Row(Verdict::kNoChange), broken}),
            "1 slower, 1 broken, 1 no change");
}

}  // namespace
}  // namespace redqueen::queen::bench
