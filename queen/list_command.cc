#include "queen/list_command.h"

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "queen/binaries.h"
#include "queen/exit_codes.h"
#include "queen/print_error.h"
#include "queen/run_dir.h"
#include "rook/board.h"
#include "rook/clock.h"

namespace redqueen::queen {
namespace {

namespace asio = boost::asio;

/// Keeps what a binary's Rook selected.
class SelectionSink : public rook::RunSink {
 public:
  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected) override {
    for (uint32_t index : selected) selected_.push_back(tests[index]);
  }
  void OnResult(const rook::TestResult& /*result*/) override {}
  const std::vector<proto::TestInfo>& selected() const { return selected_; }

 private:
  std::vector<proto::TestInfo> selected_;
};

struct Listing {
  Binary binary;
  std::unique_ptr<knight::KnightFactory> factory;
  SelectionSink sink;
  std::unique_ptr<rook::Rook> rook;
};

void Print(const std::vector<std::unique_ptr<Listing>>& listings, const std::string& format) {
  if (format == "json") {
    nlohmann::json binaries = nlohmann::json::array();
    for (const auto& listing : listings) {
      nlohmann::json tests = nlohmann::json::array();
      for (const proto::TestInfo& test : listing->sink.selected()) {
        tests.push_back({{"name", test.name}, {"file", test.file}, {"line", test.line}});
      }
      binaries.push_back({{"binary", listing->binary.identity}, {"tests", std::move(tests)}});
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
  RunDir run_dir;
  if (run_dir.path().empty()) {
    PrintError("cannot create a temporary folder (is TMPDIR writable?)");
    return kExitInfra;
  }
  // One pawn lists each binary, one binary after another.
  RunOptions one = options;
  one.jobs = 1;
  rook::RookOptions rook_options = RookOptionsFor(one, binaries.size(), rook::PlanOptions{});
  rook_options.list_only = true;
  const rook::SystemClock clock;
  std::vector<std::unique_ptr<Listing>> listings;
  std::vector<rook::Rook*> rooks;
  for (size_t i = 0; i < binaries.size(); ++i) {
    auto listing = std::make_unique<Listing>();
    listing->binary = binaries[i];
    listing->factory = std::make_unique<knight::KnightFactory>(
        io, SpecFor(one, listing->binary, i, run_dir.path()));
    listing->rook = std::make_unique<rook::Rook>(rook_options, listing->factory.get(), &clock,
                                                 &listing->sink);
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
  // The deadlines of a listing that hangs are checked on a tick, as in a run.
  asio::steady_timer tick(io);
  std::function<void()> arm = [&] {
    tick.expires_after(std::chrono::milliseconds(100));
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      board.Tick();
      arm();
    });
  };
  arm();
  board.Start([&] {
    interrupts.cancel();
    tick.cancel();
    io.stop();
  });
  io.run();
  if (interrupted) return kExitInterrupted;
  for (const auto& listing : listings) {
    if (listing->rook->outcome() == rook::RookOutcome::kError) {
      PrintError(LabelOf(listing->binary) + ": " + listing->rook->error());
      return kExitInfra;
    }
  }
  Print(listings, options.list_format);
  return kExitPassed;
}

}  // namespace redqueen::queen
