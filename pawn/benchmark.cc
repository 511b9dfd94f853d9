#include "pawn/benchmark.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>
#include <vector>

#include "pawn/bench_calibration.h"

namespace redqueen {

struct BenchState::Impl {
  BenchSite site;
  std::string name;  ///< Suite.Name.
  BenchSettings settings;
  bool measure = false;   ///< REDQUEEN_BENCH_OUT is set.
  bool measured = false;  ///< Measure was called.
  std::vector<BenchSample> samples;
  std::map<std::string, double> counters;  ///< Per call.
  std::map<std::string, double> quality;
};

BenchState::BenchState(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BenchState::~BenchState() = default;

void BenchState::Quality(const std::string& name, double value) {
  impl_->quality[name] = value;
}

void BenchState::Counter(const std::string& name, double per_call_value) {
  impl_->counters[name] = per_call_value;
}

void BenchState::MeasureRounds(const std::function<void(int64_t)>& run_round) {
  if (impl_->measured) {
    ADD_FAILURE_AT(impl_->site.file, impl_->site.line)
        << "REDQUEEN_BENCHMARK " << impl_->name
        << " called state.Measure twice: a benchmark times one piece of code, so "
           "call it once per body";
    return;
  }
  impl_->measured = true;
  BenchClock& clock = RealBenchClock();
  impl_->samples = impl_->measure ? MeasureBench(impl_->settings, clock, run_round)
                                  : MeasureOnce(clock, run_round);
}

namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(n);
  }
  return true;
}

// One write() on an O_APPEND file: the lines of processes that share the
// file do not interleave.
bool AppendLine(const std::string& path, const std::string& line, std::string* err) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && WriteAll(fd, line);
  int error = errno;
  if (fd >= 0 && close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (ok) return true;
  *err = "cannot append to REDQUEEN_BENCH_OUT=" + path + ": " + std::strerror(error);
  return false;
}

}  // namespace

/// The gtest test of one benchmark.
class RegisteredBenchmark : public testing::Test {
 public:
  RegisteredBenchmark(const BenchSite& site, BenchBody body) : site_(site), body_(body) {}

  void TestBody() override {
    const char* out = std::getenv("REDQUEEN_BENCH_OUT");
    // Empty is unset, as in `REDQUEEN_BENCH_OUT= ./codec_test`.
    const std::string out_path = out ? out : "";
    std::unique_ptr<BenchState::Impl> impl = NewState(!out_path.empty());
    if (!impl) return;
    BenchState state(std::move(impl));
    body_(state);
    Finish(*state.impl_, out_path);
  }

 private:
  /// Null, after a failure, when a setting is bad.
  std::unique_ptr<BenchState::Impl> NewState(bool measure) {
    auto impl = std::make_unique<BenchState::Impl>();
    impl->site = site_;
    impl->name = std::string(site_.suite) + "." + site_.name;
    impl->measure = measure;
    std::string err;
    const EnvLookup env = [](const char* name) { return std::getenv(name); };
    if (ReadBenchSettings(env, &impl->settings, &err)) return impl;
    ADD_FAILURE_AT(site_.file, site_.line) << err;
    return nullptr;
  }

  // A failed or skipped body has said why; its numbers are not worth a line.
  void Finish(BenchState::Impl& impl, const std::string& out_path) {
    if (HasFailure() || IsSkipped()) return;
    if (!impl.measured) {
      ADD_FAILURE_AT(site_.file, site_.line)
          << "REDQUEEN_BENCHMARK " << impl.name << " never called state.Measure";
      return;
    }
    if (!impl.measure) return;
    AddFigures(impl.counters, impl.quality, &impl.samples);
    const std::string line = BenchJsonLine(
        {impl.name, site_.compiler, site_.build_type, std::move(impl.samples)});
    std::string err;
    if (!AppendLine(out_path, line, &err)) ADD_FAILURE_AT(site_.file, site_.line) << err;
  }

  BenchSite site_;
  BenchBody body_;
};

bool RegisterBenchmark(const BenchSite& site, BenchBody body) {
  // Returned as testing::Test*, the fixture class TEST uses: a suite may hold
  // both tests and benchmarks.
  testing::RegisterTest(
      site.suite, site.name, nullptr, kBenchmarkParam, site.file, site.line,
      [site, body]() -> testing::Test* { return new RegisteredBenchmark(site, body); });
  return true;
}

}  // namespace redqueen
