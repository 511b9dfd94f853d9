#include "queen/bench/discover.h"

#include <algorithm>
#include <chrono>

#include "pawn/child_process.h"
#include "pawn/test_list.h"
#include "queen/bench/google_benchmark.h"
#include "queen/probe.h"
#include "rook/filter.h"

namespace redqueen::queen::bench {
namespace {

/// A listing never takes this long; one that does is hung, not slow.
constexpr auto kListingTimeout = std::chrono::seconds(60);

/// Runs `binary args...` to its end; false with `*error` unless it exits 0.
bool Capture(const std::string& binary, const std::vector<std::string>& args,
             std::string* out, std::string* error) {
  pawn::ChildProcess child;
  child.KillAt(std::chrono::steady_clock::now() + kListingTimeout);
  if (!child.Start(binary, args, error)) return false;
  while (child.Read(out)) {
  }
  const int status = child.Wait();
  if (child.timed_out()) {
    *error = "'" + binary + " " + args.front() + "' did not end within 60 s";
    return false;
  }
  if (status != 0) {
    *error = "'" + binary + " " + args.front() + "' ended with " +
             pawn::DescribeWaitStatus(status) + ": " + FirstLines(*out, 2);
    return false;
  }
  return true;
}

bool FindGoogleBenchmarks(const std::string& binary, const rook::TestFilter& filter,
                          std::vector<BenchJob>* jobs, std::string* error) {
  std::string out;
  if (!Capture(binary, ListArgs(), &out, error)) return false;
  for (const std::string& name : ParseList(out)) {
    if (filter.Matches(name))
      jobs->push_back({binary, name, BenchKind::kGoogleBenchmark, ""});
  }
  return true;
}

bool FindFixtureBenchmarks(const std::string& binary, const rook::TestFilter& filter,
                           std::vector<BenchJob>* jobs, std::string* error) {
  std::string out;
  if (!Capture(binary, {"--gtest_list_tests"}, &out, error)) return false;
  std::vector<proto::TestInfo> tests;
  if (!pawn::ParseTestList(out, &tests, error)) {
    *error = "'" + binary + "' lists its tests in a way redqueen cannot read: " + *error;
    return false;
  }
  for (const proto::TestInfo& test : tests) {
    // gtest runs a DISABLED_ test only when told to: measuring it would
    // measure nothing.
    if (test.value_param == kFixtureMarker && filter.Matches(test.name) &&
        !rook::IsDisabled(test.name)) {
      jobs->push_back({binary, test.name, BenchKind::kFixture, ""});
    }
  }
  return true;
}

}  // namespace

std::string FirstLines(const std::string& text, int lines) {
  std::string first;
  size_t start = 0;
  for (int i = 0; i < lines && start < text.size(); ++i) {
    const size_t end = std::min(text.find('\n', start), text.size());
    first += (first.empty() ? "" : " ") + text.substr(start, end - start);
    start = end + 1;
  }
  return first.empty() ? "(it printed nothing)" : first;
}

bool FindBenchmarks(const std::string& binary, const std::string& filter,
                    std::vector<BenchJob>* jobs, std::string* error) {
  const rook::TestFilter matcher(filter);
  if (IsGoogleBenchmark(binary))
    return FindGoogleBenchmarks(binary, matcher, jobs, error);
  // ProbeBinary reads the file only: a binary that is neither kind is
  // refused before anything of it runs.
  if (ProbeBinary(binary, error) == BinaryKind::kUnusable) return false;
  return FindFixtureBenchmarks(binary, matcher, jobs, error);
}

}  // namespace redqueen::queen::bench
