// One binary's part of a run: its pawns' factory, its sinks and its Rook,
// wired to the run's store, terminal and event log, and what the store
// remembers of it (its past, and with --rerun-failed what did not pass).
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bishop/store.h"
#include "knight/knight.h"
#include "queen/binaries.h"
#include "queen/events.h"
#include "queen/known_listing.h"
#include "queen/options.h"
#include "queen/report_sink.h"
#include "queen/runner_files.h"
#include "queen/shard_plan.h"
#include "queen/sinks.h"
#include "queen/store_sink.h"
#include "queen/terminal.h"
#include "rook/rook.h"

namespace redqueen::queen {

struct BinaryRun : Binary {
  std::unique_ptr<knight::KnightFactory> factory;
  /// Exec binaries: whether their pawns may take the list the store
  /// remembers, and where they find it.
  KnownListing listing;
  std::unique_ptr<StoreSink> store_sink;
  /// Only with --junit or --json.
  std::unique_ptr<ReportSink> report_sink;
  /// Only with TEST_WARNINGS_OUTPUT_FILE.
  std::unique_ptr<WarningsSink> warnings_sink;
  std::unique_ptr<Sinks> sinks;
  std::unique_ptr<rook::Rook> rook;
};

/// What every binary's Rook reports to, and what it runs on.
struct RunWiring {
  boost::asio::io_context* io;
  /// Where the run's store will be: it is opened, and the run's row made,
  /// after the sinks, before any event reaches them (StoreSink::Begin).
  const std::unique_ptr<bishop::Store>* store;
  Terminal* terminal;
  EventLog* events;  ///< Null without --events.
  const rook::Clock* clock;
  std::string run_dir;
  /// Which tests of each binary this shard runs.
  const ShardPlan* shard_plan;
  /// A sink or the store failed: the run stops with this error.
  std::function<void(std::string)> on_sink_error;
};

/// The binaries of the run, probed, one per --target. False with `*error`
/// when one cannot run as asked.
bool ProbeBinaries(const RunOptions& options, std::vector<BinaryRun>* binaries,
                   std::string* error);

/// Gives each binary its factory, its sinks and its Rook; returns the Rooks.
std::vector<rook::Rook*> WireBinaries(const RunOptions& options,
                                      const rook::RookOptions& rook_options,
                                      const RunWiring& wiring,
                                      std::vector<BinaryRun>& binaries);

/// Gives each Rook (and store sink) what the store remembers of its binary
/// (and, for --rerun-failed, what did not pass last time), the shard plan
/// every binary's past, and an exec binary's pawns the remembered list
/// when it is still the binary's (known_listing.h). Called once the pawns are starting,
/// so the reading overlaps their start-up, and before any pawn is heard. False with
/// `*error` when the store cannot be read.
bool LoadSuites(bishop::Store& store, std::vector<BinaryRun>& binaries, bool rerun_failed,
                ShardPlan& shard_plan, Terminal& terminal, std::string* error);

/// The first line of the run: what runs on how many pawns of which kind.
std::string StartLine(const std::vector<BinaryRun>& binaries, const RunOptions& options);

}  // namespace redqueen::queen
