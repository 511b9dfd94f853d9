// The command loop every pawn runs (ServeCommands), over real pipes.
#include "pawn/channel.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "proto/frame.h"

namespace redqueen::pawn {
namespace {

/// A channel whose commands the test writes and whose events it reads.
class ChannelTest : public testing::Test {
 protected:
  ChannelTest() {
    EXPECT_EQ(pipe(commands_), 0);
    EXPECT_EQ(pipe(events_), 0);
  }
  ~ChannelTest() override {
    for (int fd : {commands_[0], commands_[1], events_[0], events_[1]}) {
      if (fd >= 0) close(fd);
    }
  }

  /// Writes the commands and closes the pipe: the loop ends at the last.
  void Command(const std::vector<proto::RookMessage>& messages) {
    std::string bytes;
    for (const proto::RookMessage& message : messages)
      proto::EncodeFrame(message, &bytes);
    ASSERT_EQ(write(commands_[1], bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
    close(commands_[1]);
    commands_[1] = -1;
  }

  /// Every event the pawn sent, once it closed its end.
  std::vector<proto::PawnMessage> Events() {
    close(events_[1]);
    events_[1] = -1;
    proto::FrameReader reader;
    char buffer[4096];
    for (ssize_t n; (n = read(events_[0], buffer, sizeof buffer)) > 0;)
      reader.Append(buffer, static_cast<size_t>(n));
    std::vector<proto::PawnMessage> events;
    proto::PawnMessage message;
    std::string error;
    while (reader.Next(&message, &error) == proto::FrameReader::Status::kMessage)
      events.push_back(message);
    return events;
  }

  int commands_[2] = {-1, -1};
  int events_[2] = {-1, -1};
};

proto::Serve ServeFor(const std::string& binary) {
  return proto::Serve{binary, {"--flag"}, {"A=1"}};
}

TEST_F(ChannelTest, ServeGoesToThePawnThatCanServeAnotherBinary) {
  Command({ServeFor("next_test"), proto::Shutdown{}});
  Channel channel(commands_[0], events_[1], 0);
  std::vector<proto::Serve> served;
  const int code = ServeCommands(
      &channel, [] { return proto::TestList{}; }, [](const std::vector<uint32_t>&) {},
      [&](const proto::Serve& next) {
        served.push_back(next);
        return true;
      });
  EXPECT_EQ(code, 0);
  ASSERT_EQ(served.size(), 1u);
  EXPECT_EQ(served[0], ServeFor("next_test"));
  const std::vector<proto::PawnMessage> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<proto::Bye>(events[0])) << "the Shutdown after it";
}

TEST_F(ChannelTest, AServeThatFailsEndsThePawnWithExitCode3) {
  Command({ServeFor("unlistable_test"), proto::Shutdown{}});
  Channel channel(commands_[0], events_[1], 0);
  const int code = ServeCommands(
      &channel, [] { return proto::TestList{}; }, [](const std::vector<uint32_t>&) {},
      [](const proto::Serve&) { return false; });
  EXPECT_EQ(code, 3);
  EXPECT_TRUE(Events().empty()) << "no Bye: the Shutdown after it is not read";
}

TEST_F(ChannelTest, APawnThatServesOneBinaryOnlyEndsOnServe) {
  Command({ServeFor("next_test"), proto::Shutdown{}});
  Channel channel(commands_[0], events_[1], 0);
  testing::internal::CaptureStderr();
  const int code = ServeCommands(
      &channel, [] { return proto::TestList{}; }, [](const std::vector<uint32_t>&) {});
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 3);
  EXPECT_NE(err.find("cannot serve another binary"), std::string::npos) << err;
}

}  // namespace
}  // namespace redqueen::pawn
