#include "queen/list_command.h"

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "proto/children.h"
#include "queen/binaries.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"
#include "queen/run_dir.h"
#include "queen/shard_plan.h"
#include "queen/tick.h"
#include "rook/board.h"
#include "rook/clock.h"
#include "rook/filter.h"

namespace redqueen::queen {
namespace {

namespace asio = boost::asio;

/// Keeps a binary's list and what its Rook selected.
class SelectionSink : public rook::RunSink {
 public:
  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected,
                     uint64_t /*list_hash*/) override {
    tests_ = tests;
    for (uint32_t index : selected) selected_.push_back(tests[index]);
  }
  void OnResult(const TestResult& /*result*/, const RunTotals& /*totals*/) override {}
  const std::vector<proto::TestInfo>& tests() const { return tests_; }
  const std::vector<proto::TestInfo>& selected() const { return selected_; }

 private:
  std::vector<proto::TestInfo> tests_;
  std::vector<proto::TestInfo> selected_;
};

/// gtest's PrintOnOneLine: newlines as "\n", cut after 250 characters.
std::string OnOneLine(const std::string& text) {
  std::string line;
  size_t length = 0;
  for (char c : text) {
    if (length >= 250) return line + "...";
    line += c == '\n' ? "\\n" : std::string(1, c);
    length += c == '\n' ? 2 : 1;
  }
  return line;
}

/// What `BINARY --gtest_list_tests` prints: every test the filter matches,
/// DISABLED_ or not and whatever the shard, under its suite, with its
/// parameters as comments.
void PrintAsGtest(const std::vector<proto::TestInfo>& tests, const std::string& filter) {
  const rook::TestFilter matches(filter);
  std::string suite;
  for (const proto::TestInfo& test : tests) {
    if (!matches.Matches(test.name)) continue;
    const size_t dot = test.name.find('.');
    const std::string own_suite = test.name.substr(0, dot);
    if (own_suite != suite) {
      suite = own_suite;
      std::printf("%s.", suite.c_str());
      if (!test.type_param.empty()) {
        std::printf("  # TypeParam = %s", OnOneLine(test.type_param).c_str());
      }
      std::printf("\n");
    }
    std::printf("  %s", test.name.substr(dot + 1).c_str());
    if (!test.value_param.empty()) {
      std::printf("  # GetParam() = %s", OnOneLine(test.value_param).c_str());
    }
    std::printf("\n");
  }
}

struct Listing {
  Binary binary;
  std::unique_ptr<knight::KnightFactory> factory;
  SelectionSink sink;
  std::unique_ptr<rook::Rook> rook;
};

void Print(const std::vector<std::unique_ptr<Listing>>& listings,
           const RunOptions& options) {
  if (options.gtest.list_tests) {
    for (const auto& listing : listings)
      PrintAsGtest(listing->sink.tests(), options.gtest_filter);
    return;
  }
  if (options.list_format == "json") {
    nlohmann::json binaries = nlohmann::json::array();
    for (const auto& listing : listings) {
      nlohmann::json tests = nlohmann::json::array();
      for (const proto::TestInfo& test : listing->sink.selected()) {
        tests.push_back({{"name", test.name}, {"file", test.file}, {"line", test.line}});
      }
      binaries.push_back(
          {{"binary", listing->binary.identity}, {"tests", std::move(tests)}});
    }
    std::printf("%s\n", nlohmann::json{{"binaries", std::move(binaries)}}
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
    return;
  }
  // One binary: its test names alone, as a shell loop or `wc -l` wants them.
  for (const auto& listing : listings) {
    const std::string prefix = listings.size() > 1 ? listing->binary.identity + ": " : "";
    for (const proto::TestInfo& test : listing->sink.selected()) {
      std::printf("%s%s\n", prefix.c_str(), test.name.c_str());
    }
  }
}

}  // namespace

int ListSession(const RunOptions& options) {
  asio::io_context io;
  std::vector<Binary> binaries;
  std::string error;
  if (!ProbeAll(options, &binaries, &error)) {
    PrintError(error);
    return kExitInfra;
  }
  proto::BecomeSubreaper();
  RunDir run_dir;
  if (run_dir.path().empty()) {
    PrintError("cannot create a temporary folder (is TMPDIR writable?)");
    return kExitInfra;
  }
  // One pawn lists each binary, one binary after another.
  RunOptions one = options;
  one.jobs = 1;
  rook::RookOptions rook_options =
      RookOptionsFor(one, binaries.size(), rook::PlanOptions{});
  rook_options.list_only = true;
  // A listing reads no store: a CI shard is split by its plan, or by hash
  // (or count).
  ShardPlan shard_plan(options);
  if (!options.plan_path.empty() && !shard_plan.ReadPlan(options.plan_path, &error)) {
    return ErrorExit(error, kExitUsage);
  }
  shard_plan.Partition({});
  const rook::SystemClock clock;
  std::vector<std::unique_ptr<Listing>> listings;
  std::vector<rook::Rook*> rooks;
  for (size_t i = 0; i < binaries.size(); ++i) {
    auto listing = std::make_unique<Listing>();
    listing->binary = binaries[i];
    listing->factory = std::make_unique<knight::KnightFactory>(
        io, SpecFor(one, listing->binary, i, run_dir.path()));
    rook::RookOptions own = rook_options;
    own.shard = shard_plan.RuleFor(listing->binary);
    listing->rook = std::make_unique<rook::Rook>(std::move(own), listing->factory.get(),
                                                 &clock, &listing->sink);
    rooks.push_back(listing->rook.get());
    listings.push_back(std::move(listing));
  }
  rook::Board board(1, rooks);
  asio::signal_set interrupts(io, SIGINT, SIGTERM, SIGHUP);
  bool interrupted = false;
  interrupts.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted = true;
    board.Interrupt();
  });
  // A listing that hangs meets its deadline on the tick, as in a run.
  asio::steady_timer tick(io);
  TickEvery(tick, [&board] { board.Tick(); });
  board.Start([&] {
    interrupts.cancel();
    tick.cancel();
    io.stop();
  });
  io.run();
  // What a binary's static initializers left behind ends with the listing.
  proto::KillOrphans();
  if (interrupted) return kExitInterrupted;
  for (const auto& listing : listings) {
    if (listing->rook->outcome() == rook::RookOutcome::kError) {
      PrintError(LabelOf(listing->binary) + ": " + listing->rook->error());
      return kExitInfra;
    }
  }
  Print(listings, options);
  return kExitPassed;
}

}  // namespace redqueen::queen
