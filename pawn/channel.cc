#include "pawn/channel.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "proto/overloaded.h"

namespace redqueen::pawn {

Channel::Channel(int command_fd, int event_fd, uint32_t token)
    : command_fd_(command_fd), event_fd_(event_fd), token_(token) {}

bool Channel::Receive(proto::RookMessage* message) {
  std::string error;
  for (;;) {
    switch (reader_.Next(message, &error)) {
      case proto::FrameReader::Status::kMessage:
        return true;
      case proto::FrameReader::Status::kError:
        std::fprintf(stderr, "redqueen pawn: %s\n", error.c_str());
        return false;
      case proto::FrameReader::Status::kNeedMore:
        break;
    }
    char buffer[64 * 1024];
    const ssize_t n = read(command_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    reader_.Append(buffer, static_cast<size_t>(n));
  }
}

void Channel::Send(const proto::PawnMessage& message) {
  Queue(message);
  Flush();
}

void Channel::Queue(const proto::PawnMessage& message) {
  proto::EncodeFrame(message, &out_, token_);
}

void Channel::Flush() {
  size_t written = 0;
  while (written < out_.size()) {
    const ssize_t n = write(event_fd_, out_.data() + written, out_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::perror("redqueen pawn: writing to the rook");
      _exit(3);
    }
    written += static_cast<size_t>(n);
  }
  out_.clear();
}

int ServeCommands(Channel* channel, const std::function<proto::TestList()>& list,
                  const std::function<void(const std::vector<uint32_t>&)>& run,
                  const std::function<bool(const proto::Serve&)>& serve) {
  proto::RookMessage message;
  proto::Scoreboard* board = channel->scoreboard();
  int exit_code = 0;
  // Everything owed went out before this: a pawn that waits owes nothing.
  auto enter = [board](proto::Phase phase) {
    if (board) board->Enter(phase, proto::Scoreboard::kIdle, proto::SteadyNanos());
  };
  // Each command, and whether to read another after it.
  const proto::Overloaded handle{
      [&](const proto::ListTests&) {
        channel->Send(list());
        return true;
      },
      [&](const proto::Run& batch) {
        // Tests (and an exec pawn's children) read it from the environment.
        setenv("REDQUEEN_ATTEMPT", std::to_string(batch.attempt).c_str(), 1);
        channel->set_report_starts(batch.report_starts);
        run(batch.indexes);
        return true;
      },
      [&](const proto::Shutdown&) {
        channel->Send(proto::Bye{});
        enter(proto::Phase::kExiting);
        return false;
      },
      [&](const proto::Serve& next) {
        if (serve) {
          if (serve(next)) return true;
        } else {
          std::fprintf(stderr,
                       "redqueen: error: this pawn cannot serve another binary\n");
        }
        exit_code = 3;
        return false;
      },
  };
  for (enter(proto::Phase::kWaiting); channel->Receive(&message);
       enter(proto::Phase::kWaiting)) {
    if (board) {
      // Working on it from here: a pawn that waits has read every command.
      board->commands_read.fetch_add(1, std::memory_order_relaxed);
      board->Enter(proto::Phase::kStarting, proto::Scoreboard::kIdle,
                   proto::SteadyNanos());
    }
    if (!std::visit(handle, message)) return exit_code;
  }
  return 0;
}

}  // namespace redqueen::pawn
