#include "pawn/bench_calibration.h"

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace redqueen {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kSlowCallNs = kNsPerSecond;
constexpr int64_t kMinRounds = 5;
// Growth stops here: only code the compiler removed is still faster than
// min_round/2 with a billion calls, and the cap keeps the products in range.
constexpr int64_t kMaxIterations = 1'000'000'000;
// Keeps every duration far inside int64 nanoseconds.
constexpr double kMaxSeconds = 1e6;

class RealClock final : public BenchClock {
 public:
  int64_t NowNs() override { return Read(CLOCK_MONOTONIC); }
  int64_t CpuNs() override { return Read(CLOCK_PROCESS_CPUTIME_ID); }

 private:
  static int64_t Read(clockid_t id) {
    timespec now;
    if (clock_gettime(id, &now) != 0) {
      std::perror("redqueen: clock_gettime");
      std::abort();
    }
    return static_cast<int64_t>(now.tv_sec) * kNsPerSecond + now.tv_nsec;
  }
};

bool ParseSeconds(const char* name, const char* text, bool zero_ok, double* value,
                  std::string* err) {
  char* end = nullptr;
  errno = 0;
  const double parsed = std::strtod(text, &end);
  const bool number = end != text && *end == '\0' && errno == 0 && std::isfinite(parsed);
  if (number && parsed <= kMaxSeconds && (zero_ok ? parsed >= 0 : parsed > 0)) {
    *value = parsed;
    return true;
  }
  *err = std::string(name) + "=\"" + text + "\" is not a number of seconds " +
         (zero_ok ? "from 0" : "above 0") + " to 1000000 (like 0.5): fix or unset it";
  return false;
}

int64_t ToNs(double seconds) { return std::llround(seconds * kNsPerSecond); }

struct Round {
  int64_t real_ns;
  int64_t cpu_ns;
};

Round TimeRound(BenchClock& clock, const RunRound& run_round, int64_t iterations) {
  const int64_t real_start = clock.NowNs();
  const int64_t cpu_start = clock.CpuNs();
  run_round(iterations);
  const int64_t cpu_end = clock.CpuNs();
  return {clock.NowNs() - real_start, cpu_end - cpu_start};
}

struct Plan {
  int64_t iterations;
  int64_t round_ns;  ///< Measured, or estimated after scaling.
};

// The first call is the round of one iteration: it is not run again.
Plan Calibrate(int64_t first_call_ns, int64_t min_round_ns, BenchClock& clock,
               const RunRound& run_round) {
  Plan plan{1, first_call_ns};
  while (plan.round_ns * 2 < min_round_ns && plan.iterations < kMaxIterations) {
    plan.iterations *= 10;
    plan.round_ns = TimeRound(clock, run_round, plan.iterations).real_ns;
  }
  if (plan.round_ns >= min_round_ns) return plan;
  // In doubles, exact for any realistic product: n * min_round overflows int64.
  const double round_ns = std::max<int64_t>(plan.round_ns, 1);
  const double scaled =
      std::ceil(static_cast<double>(plan.iterations) * min_round_ns / round_ns);
  const auto iterations = static_cast<int64_t>(std::min<double>(scaled, kMaxIterations));
  plan.round_ns = std::llround(round_ns * iterations / plan.iterations);
  plan.iterations = iterations;
  return plan;
}

int64_t KeptRounds(int64_t time_ns, int64_t round_ns, int64_t min_round_ns) {
  // Shorter than min_round only when capped: counted as min_round, the
  // number of rounds stays bounded.
  const int64_t round = std::max(round_ns, min_round_ns);
  return std::max(kMinRounds, (time_ns + round - 1) / round);
}

void WarmUp(int64_t warmup_ns, int64_t iterations, BenchClock& clock,
            const RunRound& run_round) {
  const int64_t start = clock.NowNs();
  while (clock.NowNs() - start < warmup_ns) run_round(iterations);
}

std::vector<BenchSample> KeepRounds(int64_t rounds, int64_t iterations, BenchClock& clock,
                                    const RunRound& run_round) {
  std::vector<BenchSample> samples(rounds);
  for (int64_t i = 0; i < rounds; ++i) {
    const Round round = TimeRound(clock, run_round, iterations);
    samples[i].repetition = static_cast<int>(i);
    samples[i].iterations = iterations;
    samples[i].real_ns = static_cast<double>(round.real_ns) / iterations;
    samples[i].cpu_ns = static_cast<double>(round.cpu_ns) / iterations;
  }
  return samples;
}

void AppendString(const std::string& text, std::string* out) {
  *out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      *out += escaped;
    } else {
      *out += c;
    }
  }
  *out += '"';
}

void AppendNumber(double value, std::string* out) {
  if (!std::isfinite(value)) {
    *out += "null";
    return;
  }
  char text[32];
  *out += std::string_view(text, std::to_chars(text, text + sizeof text, value).ptr);
}

void AppendFigures(const std::map<std::string, double>& figures, std::string* out) {
  *out += '{';
  for (const auto& [name, value] : figures) {
    if (out->back() != '{') *out += ',';
    AppendString(name, out);
    *out += ':';
    AppendNumber(value, out);
  }
  *out += '}';
}

void AppendSample(const BenchSample& sample, std::string* out) {
  *out += "{\"iterations\":" + std::to_string(sample.iterations) + ",\"real_ns\":";
  AppendNumber(sample.real_ns, out);
  *out += ",\"cpu_ns\":";
  AppendNumber(sample.cpu_ns, out);
  *out += ",\"counters\":";
  AppendFigures(sample.counters, out);
  *out += ",\"quality\":";
  AppendFigures(sample.quality, out);
  *out += '}';
}

}  // namespace

BenchClock& RealBenchClock() {
  static RealClock clock;
  return clock;
}

bool ReadBenchSettings(const EnvLookup& env, BenchSettings* settings, std::string* err) {
  struct Variable {
    const char* name;
    double BenchSettings::*field;
    bool zero_ok;
  };
  for (const Variable& variable :
       {Variable{"REDQUEEN_BENCH_TIME", &BenchSettings::time_s, true},
        Variable{"REDQUEEN_BENCH_MIN_ROUND", &BenchSettings::min_round_s, false},
        Variable{"REDQUEEN_BENCH_WARMUP", &BenchSettings::warmup_s, true}}) {
    const char* text = env(variable.name);
    if (text && !ParseSeconds(variable.name, text, variable.zero_ok,
                              &(settings->*variable.field), err)) {
      return false;
    }
  }
  return true;
}

std::vector<BenchSample> MeasureBench(const BenchSettings& settings, BenchClock& clock,
                                      const RunRound& run_round) {
  const int64_t first_call_ns = TimeRound(clock, run_round, 1).real_ns;
  if (first_call_ns >= kSlowCallNs) return KeepRounds(kMinRounds, 1, clock, run_round);
  // At most kMaxRounds samples: past that, rounds grow instead of adding
  // up (a 1 µs call would give 200,000 of 5 µs to store and judge).
  const int64_t min_round_ns =
      std::max(ToNs(settings.min_round_s), ToNs(settings.time_s) / kMaxRounds);
  const Plan plan = Calibrate(first_call_ns, min_round_ns, clock, run_round);
  const int64_t rounds = KeptRounds(ToNs(settings.time_s), plan.round_ns, min_round_ns);
  WarmUp(ToNs(settings.warmup_s), plan.iterations, clock, run_round);
  return KeepRounds(rounds, plan.iterations, clock, run_round);
}

std::vector<BenchSample> MeasureOnce(BenchClock& clock, const RunRound& run_round) {
  return KeepRounds(1, 1, clock, run_round);
}

void AddFigures(const std::map<std::string, double>& per_call,
                const std::map<std::string, double>& quality,
                std::vector<BenchSample>* samples) {
  for (BenchSample& sample : *samples) {
    for (const auto& [name, value] : per_call) {
      sample.counters[name + "_per_second"] = value * kNsPerSecond / sample.real_ns;
    }
    sample.quality.insert(quality.begin(), quality.end());
  }
}

std::string BenchJsonLine(const BenchLine& line) {
  std::string out = "{\"format\":\"redqueen-bench-1\",\"name\":";
  AppendString(line.name, &out);
  out += ",\"compiler\":";
  AppendString(line.compiler, &out);
  out += ",\"build_type\":";
  AppendString(line.build_type, &out);
  const int64_t iterations = line.samples.empty() ? 0 : line.samples.front().iterations;
  out += ",\"iterations\":" + std::to_string(iterations) + ",\"samples\":[";
  for (const BenchSample& sample : line.samples) {
    if (out.back() != '[') out += ',';
    AppendSample(sample, &out);
  }
  return out + "]}\n";
}

}  // namespace redqueen
