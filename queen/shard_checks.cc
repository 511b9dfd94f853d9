// The checks of `redqueen merge` (CheckShards, shard_merge.h): whether the
// shards' runs add up to the whole suite, each test once.
#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "queen/report_text.h"
#include "queen/shard_merge.h"

namespace redqueen::queen {
namespace {

std::string KeyOf(const std::string& binary, const std::string& target,
                  const std::string& name) {
  return binary + '\n' + target + '\n' + name;
}

std::string LabelOf(const std::string& binary, const std::string& target,
                    const std::string& name) {
  return BinaryLabel(binary, target) + ": " + name;
}

/// "a", "a and b", "a, b and c".
std::string Joined(const std::vector<std::string>& items) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  }
  return text;
}

/// The first kNamedTests of `labels`, then "and N more".
std::string Named(const std::vector<std::string>& labels) {
  std::string text;
  const size_t shown = std::min(labels.size(), kNamedTests);
  for (size_t i = 0; i < shown; ++i) text += (i ? ", " : "") + labels[i];
  if (labels.size() > shown) {
    text += " and " + std::to_string(labels.size() - shown) + " more";
  }
  return text;
}

std::string Tests(size_t n) { return std::to_string(n) + (n == 1 ? " test" : " tests"); }

/// As people count shards: from 1.
std::string Number(const ShardRun& s) { return std::to_string(s.shard.index + 1); }

std::string Shards(const ShardRun& a, const ShardRun& b) {
  return "shards " + Number(a) + " and " + Number(b);
}

std::vector<std::string> EachRunAlone(const std::vector<ShardRun>& shards) {
  std::vector<std::string> problems;
  for (const ShardRun& s : shards) {
    const std::string run =
        "shard store '" + s.path + "': its newest run (" + std::to_string(s.row.id) + ")";
    if (s.row.summary.status == "running") {
      problems.push_back(run +
                         " has not finished (status running: still going, or its "
                         "redqueen was killed): merge once every shard's run has ended");
    } else if (s.shard.index == bishop::kMergedShards) {
      problems.push_back(run + " is a merge of " + std::to_string(s.shard.count) +
                         " shards, not a shard: pass the shards' own stores");
    } else if (s.shard.count <= 1) {
      problems.push_back(run +
                         " is not a CI shard's (it ran without --shard K/N): pass the "
                         "stores the shards' runs wrote");
    }
  }
  return problems;
}

/// The selected tests of `s`, as KeyOf, with their labels.
std::map<std::string, std::string> Selected(const ShardRun& s) {
  std::map<std::string, std::string> selected;
  for (const bishop::StoredTest& t : s.tests) {
    if (t.selected) {
      selected.emplace(KeyOf(t.binary, t.target, t.info.name),
                       LabelOf(t.binary, t.target, t.info.name));
    }
  }
  return selected;
}

/// The labels of the tests `a` has and `b` has not.
std::vector<std::string> OnlyIn(const std::map<std::string, std::string>& a,
                                const std::map<std::string, std::string>& b) {
  std::vector<std::string> labels;
  for (const auto& [key, label] : a) {
    if (!b.contains(key)) labels.push_back(label);
  }
  return labels;
}

std::vector<std::string> SameSelection(const std::vector<ShardRun>& shards) {
  const std::map<std::string, std::string> first = Selected(shards[0]);
  for (size_t i = 1; i < shards.size(); ++i) {
    const std::map<std::string, std::string> other = Selected(shards[i]);
    if (other == first) continue;
    const std::vector<std::string> only_first = OnlyIn(first, other);
    const std::vector<std::string> only_other = OnlyIn(other, first);
    auto side = [](const ShardRun& s, const std::vector<std::string>& labels) {
      return Tests(labels.size()) + " only in shard " + Number(s) +
             (labels.empty() ? "" : ": " + Named(labels));
    };
    return {Shards(shards[0], shards[i]) + " selected different tests (" +
            side(shards[0], only_first) + "; " + side(shards[i], only_other) +
            "): run every shard with the same binaries, targets and filter"};
  }
  return {};
}

std::vector<std::string> EveryIndexOnce(const std::vector<ShardRun>& shards) {
  std::vector<std::string> problems;
  const int count = shards[0].shard.count;
  const std::string of = " of " + std::to_string(count);
  std::map<int, const ShardRun*> by_index;
  for (const ShardRun& s : shards) {
    const auto [it, added] = by_index.emplace(s.shard.index, &s);
    if (!added) {
      problems.push_back("shard stores '" + it->second->path + "' and '" + s.path +
                         "' are both shard " + Number(s) + of +
                         ": pass each shard's store once");
    }
  }
  std::vector<std::string> missing;
  for (int index = 0; index < count; ++index) {
    if (!by_index.contains(index)) missing.push_back(std::to_string(index + 1));
  }
  if (!missing.empty()) {
    problems.push_back((missing.size() == 1 ? "shard " : "shards ") + Joined(missing) +
                       of + (missing.size() == 1 ? " is" : " are") +
                       " missing: pass every shard's store, one from each machine");
  }
  return problems;
}

std::vector<std::string> RunsTogether(const std::vector<ShardRun>& shards) {
  const ShardRun& first = shards[0];
  for (const ShardRun& s : shards) {
    if (s.shard.count != first.shard.count) {
      auto which = [](const ShardRun& r) {
        return "'" + r.path + "' is shard " + Number(r) + " of " +
               std::to_string(r.shard.count);
      };
      return {"the shard stores come from different splits (" + which(first) + ", " +
              which(s) + "): merge the stores of one pipeline's shards"};
    }
  }
  auto first_different = [&](std::string bishop::ShardRecord::*field) -> const ShardRun* {
    for (const ShardRun& s : shards) {
      if (s.shard.*field != first.shard.*field) return &s;
    }
    return nullptr;
  };
  std::vector<std::string> problems;
  if (const ShardRun* s = first_different(&bishop::ShardRecord::partition)) {
    problems.push_back(Shards(first, *s) + " split by different partitions (" +
                       first.shard.partition + " and " + s->shard.partition +
                       "): give every machine the same --partition");
  }
  if (const ShardRun* s = first_different(&bishop::ShardRecord::history_digest)) {
    problems.push_back(Shards(first, *s) + " split by different histories (digests " +
                       first.shard.history_digest + " and " + s->shard.history_digest +
                       "): give every machine the same store");
  }
  for (std::string& problem : EveryIndexOnce(shards)) problems.push_back(problem);
  if (problems.empty()) return SameSelection(shards);
  return problems;
}

/// Each selected test's final executions, per repetition, in one shard.
std::vector<std::string> EachTestOnce(const std::vector<ShardRun>& shards) {
  std::unordered_map<std::string, int> shard_of;  // KeyOf + '\n' + repetition.
  std::unordered_set<std::string> ran;            // KeyOf.
  std::set<std::string> twice;                    // KeyOf of those in two shards.
  std::vector<std::string> twice_labels;
  for (const ShardRun& s : shards) {
    for (const bishop::RunExecution& e : s.executions) {
      if (!e.final) continue;
      const std::string key = KeyOf(e.binary, e.target, e.name);
      ran.insert(key);
      const auto [it, added] =
          shard_of.emplace(key + '\n' + std::to_string(e.repetition), s.shard.index);
      if (added || it->second == s.shard.index || !twice.insert(key).second) continue;
      twice_labels.push_back(LabelOf(e.binary, e.target, e.name) + " (shards " +
                             std::to_string(it->second + 1) + " and " + Number(s) + ")");
    }
  }
  std::vector<std::string> never;
  for (const bishop::StoredTest& t : shards[0].tests) {
    if (t.selected && !ran.contains(KeyOf(t.binary, t.target, t.info.name))) {
      never.push_back(LabelOf(t.binary, t.target, t.info.name));
    }
  }
  std::vector<std::string> problems;
  const std::string fix =
      ": the shards did not split alike; run them again, every machine from the same "
      "store";
  if (!never.empty()) {
    problems.push_back(Tests(never.size()) + (never.size() == 1 ? " was" : " were") +
                       " selected and ran in no shard (" + Named(never) + ")" + fix);
  }
  if (!twice_labels.empty()) {
    problems.push_back(Tests(twice_labels.size()) + " ran in more than one shard (" +
                       Named(twice_labels) + ")" + fix);
  }
  return problems;
}

}  // namespace

std::vector<std::string> CheckShards(const std::vector<ShardRun>& shards) {
  if (shards.empty()) return {"no shard store given: pass every shard's store"};
  std::vector<std::string> problems = EachRunAlone(shards);
  if (problems.empty()) problems = RunsTogether(shards);
  if (problems.empty()) problems = EachTestOnce(shards);
  return problems;
}

}  // namespace redqueen::queen
