#include "proto/children.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace redqueen::proto {
namespace {

/// The parent pid in /proc/PID/stat ("pid (comm) state ppid ..."); comm may
/// hold spaces and parentheses, so the fields start after the last ')'.
pid_t ParentOf(const char* pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char text[512];
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  const char* close_paren = std::strrchr(text, ')');
  if (!close_paren) return -1;
  char state = 0;
  int ppid = -1;
  if (std::sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2) return -1;
  return ppid;
}

/// The children of each of this process's threads, from
/// /proc/self/task/TID/children: a read per thread, where a look at every
/// process's stat costs a few hundred system calls on a busy machine, and
/// is made after every pawn's end. False where the kernel lacks the file
/// (CONFIG_PROC_CHILDREN).
bool ChildrenOfTasks(std::vector<pid_t>* children) {
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return false;
  bool read_all = true;
  while (const dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    const std::string path =
        std::string("/proc/self/task/") + entry->d_name + "/children";
    std::ifstream in(path);
    if (!in) {
      read_all = false;
      break;
    }
    for (pid_t pid = 0; in >> pid;) children->push_back(pid);
  }
  closedir(tasks);
  return read_all;
}

/// The same by a look at every process's parent.
std::vector<pid_t> ChildrenByParent() {
  std::vector<pid_t> children;
  const pid_t self = getpid();
  DIR* proc = opendir("/proc");
  if (!proc) return children;
  while (const dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    if (ParentOf(entry->d_name) == self) children.push_back(std::atoi(entry->d_name));
  }
  closedir(proc);
  return children;
}

}  // namespace

void BecomeSubreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1); }

std::vector<pid_t> OwnChildren() {
  std::vector<pid_t> children;
  if (ChildrenOfTasks(&children)) return children;
  return ChildrenByParent();
}

namespace {

bool HasEnvironmentEntry(pid_t pid, const std::string& entry) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  for (std::string line; std::getline(in, line, '\0');) {
    if (line == entry) return true;
  }
  return false;
}

}  // namespace

int KillOrphans(const std::set<pid_t>& keep, const std::string& tag) {
  int ended = 0;
  // Each one killed hands its own children to this process as it dies, so
  // look again until a look finds nobody. Bounded, against a fork bomb.
  for (int round = 0; round < 100; ++round) {
    std::vector<pid_t> orphans;
    for (pid_t pid : OwnChildren()) {
      if (!keep.count(pid) && (tag.empty() || HasEnvironmentEntry(pid, tag))) {
        orphans.push_back(pid);
      }
    }
    if (orphans.empty()) break;
    for (pid_t pid : orphans) kill(pid, SIGKILL);
    for (pid_t pid : orphans) {
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      ++ended;
    }
  }
  return ended;
}

}  // namespace redqueen::proto
