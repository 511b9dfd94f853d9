#include "queen/plan_command.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "bishop/store.h"
#include "queen/binaries.h"
#include "queen/exit_codes.h"
#include "queen/plan_file.h"
#include "queen/print_error.h"
#include "queen/shard_plan.h"

namespace redqueen::queen {
namespace {

/// What the store remembers of each binary, by binary.
struct Remembered {
  std::vector<Binary> binaries;
  std::vector<std::optional<bishop::SuiteRecord>> suites;

  std::vector<BinaryPast> Pasts() const {
    std::vector<BinaryPast> pasts;
    for (size_t i = 0; i < binaries.size(); ++i) {
      pasts.push_back({&binaries[i], suites[i] ? &suites[i]->past : nullptr});
    }
    return pasts;
  }
};

/// The binaries, probed, and their pasts. 0, or the exit code (printed).
int Remember(const RunOptions& options, Remembered* out) {
  std::string error;
  std::vector<Binary> probed;
  if (!ProbeAll(options, &probed, &error)) return ErrorExit(error, kExitInfra);
  out->binaries = PerTarget(options, std::move(probed));
  std::error_code ec;
  if (!std::filesystem::exists(options.db_path, ec)) {
    // A first pipeline has no history yet: every test goes by its hash.
    std::fprintf(stderr,
                 "redqueen: warning: no result store at '%s' to plan by: every test goes "
                 "by its hash (the merged store of this pipeline plans the next)\n",
                 options.db_path.c_str());
    out->suites.resize(out->binaries.size());
    return 0;
  }
  std::unique_ptr<bishop::Store> store =
      bishop::Store::OpenForReading(options.db_path, &error);
  if (!store) return ErrorExit(error, kExitInfra);
  for (const Binary& binary : out->binaries) {
    out->suites.push_back(store->LoadSuite(binary.identity, binary.target));
  }
  return 0;
}

PlanFile PlanOf(const Remembered& remembered, const TimeSplit& split, uint32_t shards) {
  PlanFile plan;
  plan.shards = shards;
  plan.history_digest = DigestText(split.digest);
  plan.imbalance = rook::Imbalance(split.plan.expected_us);
  plan.expected_us = split.plan.expected_us;
  for (size_t i = 0; i < split.tests.size(); ++i) {
    const rook::TimedTest& test = split.tests[i];
    plan.tests.push_back(
        {test.binary, test.target, test.name, split.plan.shard_of[i], test.estimate_us});
  }
  for (size_t i = 0; i < remembered.binaries.size(); ++i) {
    const Binary& binary = remembered.binaries[i];
    if (remembered.suites[i]) {
      plan.list_hashes[binary.identity + '\n' + binary.target] =
          remembered.suites[i]->past.list_hash;
    }
    if (!remembered.suites[i]) {
      plan.without_history.emplace_back(remembered.binaries[i].identity,
                                        remembered.binaries[i].target);
    }
  }
  return plan;
}

/// Each shard's pawns: --shard-jobs, or the -j given here for every one.
std::vector<int> JobsOf(const RunOptions& options, uint32_t shards) {
  if (!options.shard_jobs.empty()) return options.shard_jobs;
  return std::vector<int>(shards, std::max(options.jobs, 1));
}

/// Each shard's expected time on its pawns: its tests' time shared among them.
std::vector<uint64_t> ShardTimes(const TimeSplit& split, const std::vector<int>& jobs) {
  std::vector<uint64_t> times;
  for (size_t k = 0; k < split.plan.expected_us.size(); ++k) {
    times.push_back(split.plan.expected_us[k] / static_cast<uint64_t>(jobs.at(k)));
  }
  return times;
}

uint64_t Longest(const TimeSplit& split, const std::vector<int>& jobs) {
  const std::vector<uint64_t> times = ShardTimes(split, jobs);
  return *std::max_element(times.begin(), times.end());
}

std::vector<double> Weights(const std::vector<int>& jobs) {
  return std::vector<double>(jobs.begin(), jobs.end());
}

/// --target-time: the fewest shards (up to --max-shards) whose longest is
/// expected within the time; the most when none is.
uint32_t ShardsFor(const RunOptions& options, const Remembered& remembered) {
  const auto target = static_cast<uint64_t>(options.target_time.count());
  for (uint32_t n = 1; n < static_cast<uint32_t>(options.max_shards); ++n) {
    const TimeSplit split = SplitByTime(remembered.Pasts(), options.gtest_filter,
                                        options.also_run_disabled, n);
    if (Longest(split, JobsOf(options, n)) <= target) return n;
  }
  return static_cast<uint32_t>(options.max_shards);
}

/// GitHub Actions' `strategy.matrix` (an `include` of one `shard` each): a
/// key beside `include` would be one more dimension. N is on stderr.
std::string Matrix(uint32_t shards) {
  nlohmann::json include = nlohmann::json::array();
  for (uint32_t k = 1; k <= shards; ++k) {
    include.push_back({{"shard", std::to_string(k) + "/" + std::to_string(shards)}});
  }
  return nlohmann::json{{"include", include}}.dump() + "\n";
}

bool Write(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") return std::fputs(text.c_str(), stdout) >= 0;
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out.flush());
}

}  // namespace

int PlanSession(const RunOptions& options) {
  Remembered remembered;
  if (const int code = Remember(options, &remembered)) return code;
  const uint32_t shards = options.target_time.count() > 0
                              ? ShardsFor(options, remembered)
                              : static_cast<uint32_t>(options.shards);
  const std::vector<int> jobs = JobsOf(options, shards);
  const TimeSplit split = SplitByTime(remembered.Pasts(), options.gtest_filter,
                                      options.also_run_disabled, shards, Weights(jobs));
  PlanFile plan = PlanOf(remembered, split, shards);
  plan.imbalance = rook::Imbalance(ShardTimes(split, jobs));
  if (!options.shard_jobs.empty()) plan.jobs = jobs;
  std::fprintf(stderr,
               "redqueen: %u shard%s: %zu tests (%zu with history), the longest shard "
               "%.1fs on its "
               "pawns, imbalance %.2f%s\n",
               shards, shards == 1 ? "" : "s", split.tests.size(), split.timed,
               Longest(split, jobs) / 1e6, plan.imbalance,
               plan.without_history.empty()
                   ? ""
                   : (", " + std::to_string(plan.without_history.size()) +
                      " binaries without history go by hash")
                         .c_str());
  const auto target_us = static_cast<uint64_t>(options.target_time.count());
  if (target_us > 0 && Longest(split, jobs) > target_us) {
    std::fprintf(stderr,
                 "redqueen: warning: even %u shards take longer than --target-time\n",
                 shards);
  }
  const bool to_stdout = options.plan_output.empty() || options.plan_output == "-";
  if (options.target_time.count() > 0 && !to_stdout)
    std::fputs(Matrix(shards).c_str(), stdout);
  if (!Write(options.plan_output, PlanJson(plan))) {
    return ErrorExit("cannot write the plan to '" + options.plan_output + "'",
                     kExitInfra);
  }
  return kExitPassed;
}

}  // namespace redqueen::queen
