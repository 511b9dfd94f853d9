#include "pawn/bench_calibration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace redqueen {
namespace {

using testing::Each;
using testing::ElementsAre;
using testing::HasSubstr;

/// Time passes only when the fake code runs (and, if asked, on each read of
/// the wall clock); the CPU is busy half the time.
struct FakeClock : BenchClock {
  int64_t NowNs() override { return now += read_ns; }
  int64_t CpuNs() override { return cpu; }
  int64_t now = 0;
  int64_t cpu = 0;
  int64_t read_ns = 0;
};

/// Code whose every call costs `cost_ns`; remembers the iterations of each
/// round it was run for.
struct FakeCode {
  explicit FakeCode(int64_t cost_ns) : cost_ns(cost_ns) {}
  RunRound Runner() {
    return [this](int64_t iterations) {
      rounds.push_back(iterations);
      clock.now += iterations * cost_ns;
      clock.cpu += iterations * cost_ns / 2;
    };
  }
  std::vector<BenchSample> Measure(const BenchSettings& settings = {}) {
    return MeasureBench(settings, clock, Runner());
  }
  /// How many rounds after the first `skip` had `iterations` each.
  int64_t RoundsOf(int64_t iterations, size_t skip) const {
    return std::count(rounds.begin() + skip, rounds.end(), iterations);
  }
  FakeClock clock;
  int64_t cost_ns;
  std::vector<int64_t> rounds;
};

std::vector<int64_t> IterationsOf(const std::vector<BenchSample>& samples) {
  std::vector<int64_t> iterations;
  for (const BenchSample& sample : samples) iterations.push_back(sample.iterations);
  return iterations;
}

TEST(BenchCalibrationTest, OneMicrosecondCall) {
  // With --bench-time 0.05 s the round cap (0.05 s / 10000 = 5 µs) equals
  // min_round: RedQueen's rule alone. First call 1 µs: under 1 s. As a
  // round of n = 1 it is under 2.5 µs (half of min_round 5 µs): n = 10, a
  // round of 10 µs >= 2.5 µs stops the growth; 10 µs >= 5 µs needs no
  // scaling. Warm-up: 0.1 s / 10 µs = 10000 rounds; kept: max(5, ceil(0.05 s
  // / 10 µs)) = 5000 rounds of 10.
  FakeCode code(1000);
  const std::vector<BenchSample> samples = code.Measure({0.05, 5e-6, 0.1});
  ASSERT_EQ(code.rounds.size(), 2u + 10000 + 5000);
  EXPECT_EQ(code.rounds[0], 1);
  EXPECT_EQ(code.rounds[1], 10);
  EXPECT_EQ(code.RoundsOf(10, 2), 15000);
  ASSERT_EQ(samples.size(), 5000u);
  EXPECT_THAT(IterationsOf(samples), Each(10));
  EXPECT_EQ(samples[0].real_ns, 1000);
  EXPECT_EQ(samples[0].cpu_ns, 500);
  EXPECT_EQ(samples.back().repetition, 4999);
}

TEST(BenchCalibrationTest, ManyShortRoundsGrowInsteadPastTheCap) {
  // The default 1 s of 1 µs calls would keep 100000 rounds of 10 µs: the
  // cap of 10000 rounds raises min_round to 1 s / 10000 = 100 µs. n = 1, 10
  // are under 50 µs; n = 100 takes 100 µs: no scaling. Warm-up 0.1 s / 100
  // µs = 1000 rounds; kept: 1 s / 100 µs = 10000.
  FakeCode code(1000);
  const std::vector<BenchSample> samples = code.Measure();
  EXPECT_THAT(std::vector<int64_t>(code.rounds.begin(), code.rounds.begin() + 3),
              ElementsAre(1, 10, 100));
  EXPECT_EQ(code.RoundsOf(100, 3), 1000 + 10000);
  ASSERT_EQ(samples.size(), static_cast<size_t>(kMaxRounds));
  EXPECT_THAT(IterationsOf(samples), Each(100));
}

TEST(BenchCalibrationTest, OneMillisecondCall) {
  // First call 1 ms: under 1 s, >= 2.5 µs and >= 5 µs: n stays 1. Warm-up:
  // 0.1 s / 1 ms = 100 rounds; kept: max(5, ceil(1 s / 1 ms)) = 1000.
  FakeCode code(1'000'000);
  const std::vector<BenchSample> samples = code.Measure();
  EXPECT_EQ(code.rounds.size(), 1u + 100 + 1000);
  EXPECT_EQ(code.RoundsOf(1, 0), 1101);
  ASSERT_EQ(samples.size(), 1000u);
  EXPECT_THAT(IterationsOf(samples), Each(1));
  EXPECT_EQ(samples[0].real_ns, 1e6);
}

TEST(BenchCalibrationTest, TwoSecondCall) {
  // First call 2 s >= 1 s: five kept rounds of one call, no warm-up.
  FakeCode code(2'000'000'000);
  const std::vector<BenchSample> samples = code.Measure();
  EXPECT_THAT(code.rounds, ElementsAre(1, 1, 1, 1, 1, 1));
  ASSERT_EQ(samples.size(), 5u);
  EXPECT_THAT(IterationsOf(samples), Each(1));
  EXPECT_EQ(samples[4].real_ns, 2e9);
  EXPECT_EQ(samples[4].cpu_ns, 1e9);
}

TEST(BenchCalibrationTest, ScalesARoundUpToMinRound) {
  // 300 ns: n = 1 is under 2.5 µs, n = 10 takes 3 µs: stop growing. 3 µs is
  // under 5 µs: n = ceil(10 * 5 µs / 3 µs) = ceil(16.7) = 17, a round of
  // 17 * 300 ns = 5.1 µs. Warm-up: ceil(0.1 s / 5.1 µs) = 19608 rounds; kept:
  // ceil(0.05 s / 5.1 µs) = ceil(9803.9) = 9804 (0.05 s: the cap of 10000
  // rounds stays at 5 µs).
  FakeCode code(300);
  const std::vector<BenchSample> samples = code.Measure({0.05, 5e-6, 0.1});
  EXPECT_EQ(code.rounds[1], 10);
  EXPECT_EQ(code.RoundsOf(17, 2), 19608 + 9804);
  ASSERT_EQ(samples.size(), 9804u);
  EXPECT_THAT(IterationsOf(samples), Each(17));
}

TEST(BenchCalibrationTest, HonoursItsSettings) {
  // min_round 1 ms: 1 µs, 10 µs, 100 µs are under 0.5 ms; 1000 calls take
  // 1 ms: no scaling. No warm-up; kept: ceil(50 ms / 1 ms) = 50.
  FakeCode code(1000);
  const std::vector<BenchSample> samples = code.Measure({0.05, 1e-3, 0});
  EXPECT_THAT(std::vector<int64_t>(code.rounds.begin(), code.rounds.begin() + 4),
              ElementsAre(1, 10, 100, 1000));
  EXPECT_EQ(code.rounds.size(), 4u + 50);
  EXPECT_EQ(samples.size(), 50u);
}

TEST(BenchCalibrationTest, KeepsAtLeastFiveRounds) {
  FakeCode code(1'000'000);
  EXPECT_EQ(code.Measure({0, 5e-6, 0}).size(), 5u);
}

TEST(BenchCalibrationTest, CodeTheCompilerRemovedStopsGrowing) {
  // Each round takes the 100 ns of reading the clock, whatever n: n grows to
  // its cap of 1e9 and stays there; a round counts as min_round (raised to
  // 1 s / 10000 = 100 µs by the round cap), so the kept rounds are 10000.
  FakeCode code(0);
  code.clock.read_ns = 100;
  const std::vector<BenchSample> samples = code.Measure({1, 5e-6, 0});
  EXPECT_EQ(code.rounds[9], 1'000'000'000);
  ASSERT_EQ(samples.size(), 10000u);
  EXPECT_THAT(IterationsOf(samples), Each(1'000'000'000));
}

TEST(BenchCalibrationTest, MeasureOnceCallsOnce) {
  FakeCode code(1000);
  const std::vector<BenchSample> samples = MeasureOnce(code.clock, code.Runner());
  EXPECT_THAT(code.rounds, ElementsAre(1));
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].real_ns, 1000);
}

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    const auto found = values.find(name);
    return found == values.end() ? nullptr : found->second.c_str();
  };
}

TEST(BenchSettingsTest, DefaultsWithoutVariables) {
  BenchSettings settings;
  std::string err;
  ASSERT_TRUE(ReadBenchSettings(FakeEnv({}), &settings, &err)) << err;
  EXPECT_EQ(settings.time_s, 1);
  EXPECT_EQ(settings.min_round_s, 5e-6);
  EXPECT_EQ(settings.warmup_s, 0.1);
}

TEST(BenchSettingsTest, ReadsDecimalSeconds) {
  BenchSettings settings;
  std::string err;
  ASSERT_TRUE(ReadBenchSettings(FakeEnv({{"REDQUEEN_BENCH_TIME", "0.05"},
                                         {"REDQUEEN_BENCH_MIN_ROUND", "1e-3"},
                                         {"REDQUEEN_BENCH_WARMUP", "0"}}),
                                &settings, &err))
      << err;
  EXPECT_EQ(settings.time_s, 0.05);
  EXPECT_EQ(settings.min_round_s, 1e-3);
  EXPECT_EQ(settings.warmup_s, 0);
}

TEST(BenchSettingsTest, BadValueNamesTheVariable) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"REDQUEEN_BENCH_TIME", "abc"},     {"REDQUEEN_BENCH_TIME", ""},
      {"REDQUEEN_BENCH_TIME", "1s"},      {"REDQUEEN_BENCH_TIME", "-1"},
      {"REDQUEEN_BENCH_TIME", "nan"},     {"REDQUEEN_BENCH_WARMUP", "inf"},
      {"REDQUEEN_BENCH_WARMUP", "1e7"},   {"REDQUEEN_BENCH_MIN_ROUND", "0"},
      {"REDQUEEN_BENCH_MIN_ROUND", "-0"}, {"REDQUEEN_BENCH_MIN_ROUND", "1e-400"}};
  for (const auto& [name, value] : bad) {
    BenchSettings settings;
    std::string err;
    EXPECT_FALSE(ReadBenchSettings(FakeEnv({{name, value}}), &settings, &err))
        << name << "=" << value;
    EXPECT_THAT(err, HasSubstr(name + "=\"" + value + "\" is not a number of seconds"));
  }
}

BenchSample Sample(int repetition, double real_ns) {
  BenchSample sample;
  sample.repetition = repetition;
  sample.iterations = 10;
  sample.real_ns = real_ns;
  sample.cpu_ns = real_ns / 2;
  return sample;
}

TEST(BenchJsonLineTest, WritesTheRedqueenBench1Line) {
  std::vector<BenchSample> samples = {Sample(0, 1000), Sample(1, 2048)};
  AddFigures({{"bytes", 4096}}, {{"ratio", 2.5}}, &samples);
  EXPECT_EQ(BenchJsonLine({"Codec.EncodeSmall", "12.2.0", "release", samples}),
            "{\"format\":\"redqueen-bench-1\",\"name\":\"Codec.EncodeSmall\","
            "\"compiler\":\"12.2.0\",\"build_type\":\"release\",\"iterations\":10,"
            "\"samples\":[{\"iterations\":10,\"real_ns\":1000,\"cpu_ns\":500,"
            "\"counters\":{\"bytes_per_second\":4.096e+09},\"quality\":{\"ratio\":2.5}},"
            "{\"iterations\":10,\"real_ns\":2048,\"cpu_ns\":1024,"
            "\"counters\":{\"bytes_per_second\":2e+09},\"quality\":{\"ratio\":2.5}}]}\n");
}

TEST(BenchJsonLineTest, IsValidJsonWhateverTheText) {
  std::vector<BenchSample> samples = {Sample(0, 0.1 + 0.2)};
  samples[0].quality = {{"nan", std::nan("")},
                        {"inf", std::numeric_limits<double>::infinity()}};
  const std::string line =
      BenchJsonLine({"Odd.\"quoted\\name\"\n", "gcc \t1", "debug", samples});
  ASSERT_EQ(line.back(), '\n');
  const nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_EQ(json["name"], "Odd.\"quoted\\name\"\n");
  EXPECT_EQ(json["compiler"], "gcc \t1");
  EXPECT_EQ(json["samples"][0]["real_ns"].get<double>(), 0.1 + 0.2);
  EXPECT_TRUE(json["samples"][0]["quality"]["nan"].is_null());
  EXPECT_TRUE(json["samples"][0]["quality"]["inf"].is_null());
}

TEST(BenchJsonLineTest, NoSamplesHaveNoIterations) {
  const nlohmann::json json = nlohmann::json::parse(BenchJsonLine({"A.B", "", "", {}}));
  EXPECT_EQ(json["iterations"], 0);
  EXPECT_TRUE(json["samples"].empty());
}

}  // namespace
}  // namespace redqueen
