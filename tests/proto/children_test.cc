// A process's own children, as the orphan sweep after each pawn finds them.
#include "proto/children.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace redqueen::proto {
namespace {

bool Has(const std::vector<pid_t>& pids, pid_t pid) {
  return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

pid_t StartSleeper() {
  const pid_t pid = fork();
  if (pid == 0) {
    pause();
    _exit(0);
  }
  return pid;
}

/// Kills and reaps whatever the test started, also when an ASSERT ends it.
struct Reaper {
  ~Reaper() {
    for (pid_t pid : pids) {
      siginfo_t info{};
      // Only while it is still our child, not a pid reused since.
      if (pid <= 0 || waitid(P_PID, static_cast<id_t>(pid), &info,
                             WEXITED | WNOHANG | WNOWAIT) != 0) {
        continue;
      }
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  std::vector<pid_t> pids;
};

TEST(ChildrenTest, OwnChildrenHoldsTheLivingTheDeadNotYetReapedAndThoseOfOtherThreads) {
  Reaper reaper;
  const pid_t living = StartSleeper();
  const pid_t dead = StartSleeper();
  reaper.pids = {living, dead};
  ASSERT_GT(living, 0);
  ASSERT_GT(dead, 0);
  kill(dead, SIGKILL);
  siginfo_t info{};
  // Dead, and waited for without being reaped: a zombie.
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(dead), &info, WEXITED | WNOWAIT), 0);
  pid_t of_thread = -1;
  std::thread([&of_thread] { of_thread = StartSleeper(); }).join();
  reaper.pids.push_back(of_thread);
  ASSERT_GT(of_thread, 0);

  const std::vector<pid_t> children = OwnChildren();
  EXPECT_TRUE(Has(children, living));
  EXPECT_TRUE(Has(children, dead)) << "a zombie is still a child";
  EXPECT_TRUE(Has(children, of_thread)) << "forked by a thread that has ended";

  EXPECT_EQ(KillOrphans({living}), 2) << "all but the one kept";
  EXPECT_TRUE(Has(OwnChildren(), living));
  EXPECT_FALSE(Has(OwnChildren(), dead));
  EXPECT_FALSE(Has(OwnChildren(), of_thread));
  EXPECT_EQ(KillOrphans(), 1);
  EXPECT_TRUE(OwnChildren().empty());
}

}  // namespace
}  // namespace redqueen::proto
