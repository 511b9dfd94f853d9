#include "queen/config_command.h"

#include <cstdio>
#include <cstdlib>

namespace redqueen::queen {
namespace {

/// An option's value as `redqueen config` prints it, in TOML.
std::string ValueOf(const CLI::Option& option) {
  auto quote = [](const std::string& text) {
    char* end = nullptr;
    const bool number = !text.empty() && (std::strtod(text.c_str(), &end), *end == '\0');
    return number || text == "true" || text == "false" ? text : "\"" + text + "\"";
  };
  if (option.get_expected_max() == 0) {
    // A flag: its last value ("--gtest_print_time=false"), else its default.
    if (option.count() == 0) return option.get_default_str() == "true" ? "true" : "false";
    const std::string last = option.results().empty() ? "true" : option.results().back();
    return last == "false" || last == "0" || last == "off" || last == "no" ? "false"
                                                                           : "true";
  }
  const std::vector<std::string>& results = option.results();
  if (option.get_items_expected_max() > 1 ||
      option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll) {
    std::string list = "[";
    for (const std::string& item : results)
      list += (list.size() > 1 ? ", " : "") + quote(item);
    return list + "]";
  }
  return quote(results.empty() ? option.get_default_str() : results.back());
}

/// How the shards split the tests, as the run will decide it.
std::string PartitionInEffect(const RunOptions& options) {
  if (!options.partition.empty()) return "partition by " + options.partition;
  // A test runner's shard stands in for the binary's own.
  if (options.shard.from == ShardFrom::kTestRunner) {
    return "partition by count, as GoogleTest shards";
  }
  return "partition by time, or by hash without history";
}

}  // namespace

std::vector<Setting> Settings(const CLI::App& run, const std::set<std::string>& given,
                              const std::string& config, const std::string& jobs_source,
                              int jobs) {
  std::vector<Setting> settings;
  for (const CLI::Option* option : run.get_options()) {
    std::string name = option->get_single_name();
    if (name == "help" || name == "config") continue;
    Setting setting{name, ValueOf(*option), "default"};
    if (given.count(name)) {
      setting.source = "command line";
    } else if (option->count() > 0) {
      setting.source = config;
    }
    if (name == "jobs") {
      setting.value = std::to_string(jobs);
      if (!jobs_source.empty()) setting.source = jobs_source;
    }
    settings.push_back(std::move(setting));
  }
  return settings;
}

void PrintConfig(const RunOptions& options) {
  std::printf(
      "# The settings 'redqueen run' would use, and where each came from.\n[run]\n");
  for (const auto& setting : options.settings) {
    const std::string line = setting.name + " = " + setting.value;
    std::printf("%-40s # %s\n", line.c_str(), setting.source.c_str());
  }
  if (!options.shard.source.empty()) {
    std::printf("# shard %d of %d of each binary's selected tests, from %s; %s\n",
                options.shard.index + 1, options.shard.total,
                options.shard.source.c_str(), PartitionInEffect(options).c_str());
  }
}

}  // namespace redqueen::queen
