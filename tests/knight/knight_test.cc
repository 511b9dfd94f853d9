#include "knight/knight.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "knight/limits.h"

namespace redqueen::knight {
namespace {

struct NoEvents : WorkerEvents {
  void OnMessage(int, proto::PawnMessage) override {}
  void OnExit(int, const ExitInfo&) override {}
};

/// The highest descriptor this process has open.
int HighestFd() {
  int highest = 2;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  }
  return highest;
}

/// A factory of Knights over /bin/sleep, which never says hello: enough to
/// see what spawning does.
class KnightTest : public testing::Test {
 protected:
  KnightTest()
      : run_dir_(testing::TempDir() + "/knight_test_" + std::to_string(getpid())) {
    std::filesystem::create_directories(run_dir_);
    PawnSpec spec;
    spec.binary = "/bin/sleep";
    spec.args = {"5"};
    spec.run_dir = run_dir_;
    factory_ = std::make_unique<KnightFactory>(io_, spec);
  }
  ~KnightTest() override {
    factory_.reset();
    std::filesystem::remove_all(run_dir_);
  }

  boost::asio::io_context io_;
  const std::string run_dir_;
  std::unique_ptr<KnightFactory> factory_;
  NoEvents events_;
};

// Boost.Process 1.74 returns a child with pid -1, and no error, when its own
// pipe cannot be made: under every open-files limit, a spawn either starts a
// real process or says why it could not.
TEST_F(KnightTest, SpawnNeverTakesAFailedStartForAStartedPawn) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the sanitizers' runtime opens files of its own, and reports false "
                  "errors when it cannot; the release preset runs this test";
#endif
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  int failures = 0;
  const int highest = std::max(HighestFd(), 16);
  for (int room = 0; room < 24; ++room) {
    // Every descriptor below `highest` taken, and `room` free above it.
    rlimit tight = saved;
    tight.rlim_cur = static_cast<rlim_t>(highest + 1);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
    std::vector<int> fillers;
    for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
      fillers.push_back(fd);
    tight.rlim_cur += static_cast<rlim_t>(room);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
    std::string error;
    std::unique_ptr<Worker> worker = factory_->Start(0, &events_, &error);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
    for (int fd : fillers) close(fd);
    if (worker) {
      EXPECT_GT(worker->pid(), 0) << "started with " << room << " descriptors free";
    } else {
      ++failures;
      EXPECT_NE(error, "") << room;
    }
  }
  EXPECT_GT(failures, 0) << "no limit was tight enough to fail a spawn";
}

// Another user must not read a pawn's scoreboard or create it first.
TEST_F(KnightTest, ScoreboardsArePrivateWithNamesNobodyCanGuess) {
  std::string error;
  const auto first = factory_->Start(0, &events_, &error);
  const auto second = factory_->Start(0, &events_, &error);
  ASSERT_TRUE(first && second) << error;
  std::vector<std::string> names;
  const std::string prefix = "redqueen." + std::to_string(getpid()) + ".";
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    names.push_back(name);
    EXPECT_EQ(entry.status().permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << name;
    // The pid and slot tell nothing: 16 random hex digits end the name.
    EXPECT_EQ(name.size() - name.rfind('.') - 1, 16u) << name;
  }
  EXPECT_EQ(names.size(), 2u);
}

TEST(LimitsTest, RefusesMorePawnsThanTheProcessLimitHolds) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NPROC, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = 20;
  ASSERT_EQ(setrlimit(RLIMIT_NPROC, &tight), 0);
  std::string error;
  EXPECT_TRUE(FitsLimits(9, true, &error)) << error;
  EXPECT_FALSE(FitsLimits(10, true, &error)) << "an exec pawn is two processes";
  ASSERT_EQ(setrlimit(RLIMIT_NPROC, &saved), 0);
  EXPECT_NE(error.find("ulimit -u"), std::string::npos) << error;
}

TEST(LimitsTest, RefusesMorePawnsThanTheOpenFilesLimitHolds) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  std::string error;
  EXPECT_TRUE(FitsLimits(2, true, &error)) << error;
  EXPECT_FALSE(FitsLimits(100, false, &error));
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_NE(error.find("ulimit -n"), std::string::npos) << error;
  EXPECT_NE(error.find("64"), std::string::npos) << error;
}

}  // namespace
}  // namespace redqueen::knight
