#include "queen/binary_run.h"

#include <algorithm>
#include <unordered_set>

#include "queen/report_text.h"

namespace redqueen::queen {
namespace {

bool WantsReports(const RunOptions& options) {
  return !options.junit_path.empty() || !options.json_path.empty() ||
         !options.junit_dir.empty() || !options.json_dir.empty();
}

/// The sinks of one binary, made for it; the store's first.
std::vector<rook::RunSink*> SinksOf(const RunOptions& options, const RunWiring& wiring,
                                    size_t i, BinaryRun& binary) {
  binary.store_sink = std::make_unique<StoreSink>(binary.identity, binary.target);
  std::vector<rook::RunSink*> sinks = {binary.store_sink.get(), wiring.terminal->Sink(i)};
  if (wiring.events) sinks.push_back(wiring.events->Sink(i));
  if (WantsReports(options)) {
    binary.report_sink = std::make_unique<ReportSink>(binary.identity, binary.target);
    sinks.push_back(binary.report_sink.get());
  }
  if (!options.runner_files.warnings.empty()) {
    binary.warnings_sink =
        std::make_unique<WarningsSink>(options.runner_files.warnings, LabelOf(binary));
    sinks.push_back(binary.warnings_sink.get());
  }
  return sinks;
}

/// --rerun-failed: the tests of `binary` that did not pass in its last
/// completed run, or every test when it has none (a run that never ended is
/// no baseline); one line says which.
void RestrictToNotPassed(bishop::Store& store, BinaryRun& binary, Terminal& terminal) {
  std::optional<bishop::LastFailures> last =
      store.NotPassedLastTime(binary.identity, binary.target);
  const std::string label = BinaryLabel(binary.identity, binary.target);
  if (!last) {
    terminal.Note("redqueen: --rerun-failed: no completed run of " + label +
                  " in the store: running every test");
    return;
  }
  const size_t count = last->names.size();
  terminal.Note("redqueen: --rerun-failed: " + std::to_string(count) +
                (count == 1 ? " test of " : " tests of ") + label +
                " did not pass in run " + std::to_string(last->run_id));
  binary.rook->RestrictTo(
      std::make_shared<const std::unordered_set<std::string>>(std::move(last->names)));
}

}  // namespace

bool ProbeBinaries(const RunOptions& options, std::vector<BinaryRun>* binaries,
                   std::string* error) {
  std::vector<Binary> probed;
  if (!ProbeAll(options, &probed, error)) return false;
  for (Binary& binary : PerTarget(options, std::move(probed))) {
    binaries->emplace_back();
    static_cast<Binary&>(binaries->back()) = std::move(binary);
  }
  return true;
}

std::vector<rook::Rook*> WireBinaries(const RunOptions& options,
                                      const rook::RookOptions& rook_options,
                                      const RunWiring& wiring,
                                      std::vector<BinaryRun>& binaries) {
  std::vector<rook::Rook*> rooks;
  // Binaries whose results are not all in: when none is left, only the
  // pawns' exits and the run's own row remain.
  auto running = std::make_shared<size_t>(binaries.size());
  for (size_t i = 0; i < binaries.size(); ++i) {
    BinaryRun& binary = binaries[i];
    knight::PawnSpec spec = SpecFor(options, binary, i, wiring.run_dir);
    if (!binary.resident) {
      binary.listing =
          PrepareKnownListing(&spec, wiring.run_dir + "/known-list-" + spec.label);
    }
    binary.factory = std::make_unique<knight::KnightFactory>(*wiring.io, std::move(spec));
    binary.sinks = std::make_unique<Sinks>(SinksOf(options, wiring, i, binary),
                                           wiring.on_sink_error);
    rook::RookOptions own = rook_options;
    own.shard = wiring.shard_plan->RuleFor(binary);
    own.whole_batches = !binary.resident;
    binary.rook = std::make_unique<rook::Rook>(std::move(own), binary.factory.get(),
                                               wiring.clock, binary.sinks.get());
    // Written while the pawns exit, rather than after.
    binary.rook->OnAllResultsIn([&binary, &store = *wiring.store, running,
                                 on_error = wiring.on_sink_error] {
      try {
        StoreSink& sink = *binary.store_sink;
        sink.ListedBy(ListedByAtEnd(binary.listing, binary.path, binary.rook->list_hash(),
                                    sink.remembered_hash(), sink.remembered_listing()));
        binary.store_sink->SaveSuite(binary.rook->list_hash(), binary.rook->history());
        store->Flush();
      } catch (const std::exception& e) {
        on_error(StoreFailure(e));
      }
      // The run's results go into the store's file, with its two syncs,
      // now rather than at the close, on the checkpointer's thread: while
      // the pawns exit and the run's row is written, so the close has only
      // that row to copy and sync. Once a run, not once a binary: each
      // checkpoint costs its syncs.
      if (--*running == 0) store->Checkpoint();
    });
    rooks.push_back(binary.rook.get());
  }
  return rooks;
}

bool LoadSuites(bishop::Store& store, std::vector<BinaryRun>& binaries, bool rerun_failed,
                ShardPlan& shard_plan, Terminal& terminal, std::string* error) {
  try {
    std::vector<std::optional<bishop::SuiteRecord>> suites;
    std::vector<BinaryPast> pasts;
    for (BinaryRun& binary : binaries) {
      suites.push_back(store.LoadSuite(binary.identity, binary.target));
      if (rerun_failed) RestrictToNotPassed(store, binary, terminal);
    }
    for (size_t i = 0; i < binaries.size(); ++i) {
      pasts.push_back({&binaries[i], suites[i] ? &suites[i]->past : nullptr});
    }
    shard_plan.Partition(pasts);
    for (size_t i = 0; i < binaries.size(); ++i) {
      if (!suites[i]) continue;
      HandOverList(binaries[i].listing, *suites[i]);
      binaries[i].store_sink->Remember(*suites[i]);
      binaries[i].rook->SetPast(std::move(suites[i]->past));
    }
  } catch (const std::exception& e) {
    *error = std::string(e.what()) + " (pass --db with another store)";
    return false;
  }
  return true;
}

std::string StartLine(const std::vector<BinaryRun>& binaries, const RunOptions& options) {
  const int jobs = options.jobs;
  const bool any_resident = std::any_of(binaries.begin(), binaries.end(),
                                        [](const BinaryRun& b) { return b.resident; });
  const bool any_exec = std::any_of(binaries.begin(), binaries.end(),
                                    [](const BinaryRun& b) { return !b.resident; });
  const std::string kinds = any_resident && any_exec ? " resident and exec"
                            : any_resident           ? " resident"
                                                     : " exec";
  const size_t distinct = binaries.size() / std::max<size_t>(options.targets.size(), 1);
  std::string what =
      distinct == 1 ? binaries[0].identity : std::to_string(distinct) + " binaries";
  if (!options.targets.empty()) {
    what += " for " + std::to_string(options.targets.size()) + " targets";
  }
  return "redqueen: running " + what + " on " + std::to_string(jobs) + kinds + " pawn" +
         (jobs == 1 ? "" : "s");
}

}  // namespace redqueen::queen
