#include "queen/plan_file.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace redqueen::queen {
namespace {

// Ordered: people read the plan, its summary first.
using json = nlohmann::ordered_json;

constexpr const char* kFormat = "redqueen-plan-1";

std::string Hex(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

json BinaryEntry(const PlanFile& plan, const std::string& binary,
                 const std::string& target) {
  json entry = {{"binary", binary}, {"target", target}};
  if (const auto it = plan.list_hashes.find(binary + '\n' + target);
      it != plan.list_hashes.end()) {
    entry["list_hash"] = Hex(it->second);
  }
  entry["tests"] = json::array();
  return entry;
}

/// A duration in seconds as the file has it, back in microseconds.
uint64_t Micros(const json& seconds) {
  const double s = seconds.get<double>();
  if (!(s >= 0) || s > 1e9) throw std::out_of_range("a duration out of range");
  return static_cast<uint64_t>(std::llround(s * 1e6));
}

void ReadBinaries(const json& root, PlanFile* plan) {
  for (const json& binary : root.at("binaries")) {
    const std::string identity = binary.at("binary").get<std::string>();
    const std::string target = binary.at("target").get<std::string>();
    if (binary.contains("list_hash")) {
      plan->list_hashes[identity + '\n' + target] =
          std::stoull(binary.at("list_hash").get<std::string>(), nullptr, 16);
    }
    for (const json& test : binary.at("tests")) {
      const int64_t shard = test.at("shard").get<int64_t>();
      if (shard < 1 || shard > plan->shards) {
        throw std::out_of_range("test " + test.at("name").get<std::string>() +
                                " is planned for shard " + std::to_string(shard) +
                                " of " + std::to_string(plan->shards));
      }
      plan->tests.push_back({identity, target, test.at("name").get<std::string>(),
                             static_cast<uint32_t>(shard - 1),
                             Micros(test.at("estimate_s"))});
    }
  }
  for (const json& binary : root.value("without_history", json::array())) {
    plan->without_history.emplace_back(binary.at("binary").get<std::string>(),
                                       binary.at("target").get<std::string>());
  }
}

}  // namespace

std::string PlanJson(const PlanFile& plan) {
  json root = {{"format", kFormat},
               {"shards", plan.shards},
               {"partition", "time"},
               {"history_digest", plan.history_digest},
               {"imbalance", std::round(plan.imbalance * 1000) / 1000}};
  json expected = json::array();
  for (uint64_t us : plan.expected_us) expected.push_back(us / 1e6);
  root["expected_s"] = expected;
  if (!plan.jobs.empty()) root["jobs"] = plan.jobs;
  json binaries = json::array();
  for (const PlannedTest& test : plan.tests) {
    if (binaries.empty() || binaries.back()["binary"] != test.binary ||
        binaries.back()["target"] != test.target) {
      binaries.push_back(BinaryEntry(plan, test.binary, test.target));
    }
    binaries.back()["tests"].push_back({{"name", test.name},
                                        {"shard", test.shard + 1},
                                        {"estimate_s", test.estimate_us / 1e6}});
  }
  root["binaries"] = binaries;
  json without = json::array();
  for (const auto& [binary, target] : plan.without_history) {
    without.push_back({{"binary", binary}, {"target", target}});
  }
  root["without_history"] = without;
  return root.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

bool ParsePlan(const std::string& text, PlanFile* plan, std::string* error) {
  try {
    const json root = json::parse(text);
    if (!root.is_object() || root.value("format", "") != kFormat) {
      *error = "is not a plan of this redqueen (no \"format\": \"" +
               std::string(kFormat) + "\"); make it again with 'redqueen plan'";
      return false;
    }
    const int64_t shards = root.at("shards").get<int64_t>();
    if (shards < 1 || shards > 1'000'000) throw std::out_of_range("shards out of range");
    plan->shards = static_cast<uint32_t>(shards);
    plan->history_digest = root.at("history_digest").get<std::string>();
    plan->imbalance = root.value("imbalance", 1.0);
    for (const json& seconds : root.value("expected_s", json::array())) {
      plan->expected_us.push_back(Micros(seconds));
    }
    plan->jobs = root.value("jobs", std::vector<int>());
    ReadBinaries(root, plan);
  } catch (const std::exception& e) {
    *error = std::string("is not a plan redqueen can read (") + e.what() +
             "); make it again with 'redqueen plan'";
    return false;
  }
  return true;
}

}  // namespace redqueen::queen
