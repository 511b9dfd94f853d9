// The pawn's channel, both ways: commands written as frames, and events read
// without blocking the loop, decoded and delivered as OnMessage, until the
// channel ends or breaks the protocol.
#include <unistd.h>

#include <cerrno>

#include "knight/knight.h"

namespace redqueen::knight {

void Knight::Send(const proto::RookMessage& message) {
  if (command_fd_ < 0) return;
  std::string frame;
  proto::EncodeFrame(message, &frame);
  ++commands_sent_;
  // Before the pawn can read it: which of its tests it may start.
  if (const auto* run = std::get_if<proto::Run>(&message); run && scoreboard_) {
    proto::OfferBatch(*scoreboard_, commands_sent_, run->indexes.size());
  }
  // Commands are small and go only to a pawn that waits for one, so the pipe
  // never fills; a dead pawn shows up as EPIPE here and as OnExit soon after.
  size_t written = 0;
  while (written < frame.size()) {
    const ssize_t n = write(command_fd_, frame.data() + written, frame.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(command_fd_);
      command_fd_ = -1;
      return;
    }
    written += static_cast<size_t>(n);
  }
}

void Knight::ReadMore() {
  events_pipe_.async_read_some(
      boost::asio::buffer(read_buffer_),
      [this, alive = std::weak_ptr<const bool>(alive_)](
          const boost::system::error_code& ec, size_t size) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        if (ec) {
          OnChannelClosed();
        } else {
          OnBytes(size);
        }
      });
}

void Knight::OnBytes(size_t size) {
  if (Consume(size)) ReadMore();
}

bool Knight::Consume(size_t size) {
  if (killed_) return false;  // Nothing it said after its kill counts.
  reader_.Append(read_buffer_.data(), size);
  proto::PawnMessage message;
  std::string error;
  while (!killed_) {
    const auto status = reader_.Next(&message, &error);
    if (status == proto::FrameReader::Status::kNeedMore) {
      NoteUnfinishedFrame();
      return true;
    }
    if (status == proto::FrameReader::Status::kError) {
      FailProtocol(error);
      return false;
    }
    // The pawn has mapped the scoreboard before it says hello.
    if (std::holds_alternative<proto::Hello>(message)) RemoveScoreboardName();
    events_->OnMessage(slot_, std::move(message));
  }
  return false;
}

void Knight::NoteUnfinishedFrame() {
  if (reader_.buffered() == 0) {
    partial_frame_test_ = kNone;
  } else if (partial_frame_test_ == kNone) {
    partial_frame_test_ =
        scoreboard_ ? scoreboard_->running.load(std::memory_order_acquire) : -1;
  }
}

void Knight::FailProtocol(const std::string& error) {
  protocol_error_ = error;
  OnChannelClosed();
}

void Knight::DrainChannel() {
  // The pawn is reaped: what it wrote is in the pipe now, and a process that
  // inherited the pipe's write end (a forked grandchild) must not keep the
  // Knight waiting for an EOF.
  boost::system::error_code ec;
  events_pipe_.non_blocking(true, ec);
  for (;;) {
    const size_t size = events_pipe_.read_some(boost::asio::buffer(read_buffer_), ec);
    if (ec || size == 0 || killed_ || !Consume(size)) break;
  }
  events_pipe_.cancel(ec);
  OnChannelClosed();
}

}  // namespace redqueen::knight
