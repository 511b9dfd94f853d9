// Checkpoints on a thread of their own. A checkpoint copies the WAL into the
// store's file and syncs both: some 2 ms for a run's 10,000 results, which
// on the Queen's thread its last results, its close and its exit waited
// for. On this thread they overlap the run: a checkpoint starts whenever
// the WAL has grown by kFramesPerCheckpoint pages and when the Queen asks
// (every result in), so the close has only the run's last pages to copy.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace redqueen::bishop {

/// Pages (4 KiB) the WAL grows by between checkpoints: a run of 10,000
/// trivial tests writes about 150. SQLite's own checkpoints, on the
/// committing thread, come every 1,000.
inline constexpr int kFramesPerCheckpoint = 64;

class Checkpointer {
 public:
  /// `path`: the store's file, which this thread opens a connection of its
  /// own to (at its first checkpoint).
  explicit Checkpointer(std::string path) : path_(std::move(path)) {}
  /// Waits for a checkpoint under way, then closes the thread's connection:
  /// the store's own connection is then the last, whose close copies the
  /// rest and removes the WAL.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  /// A passive checkpoint soon (what is committed by then is copied; it
  /// waits for no reader or writer). Requests while one waits are one.
  void Request();
  /// The store committed and its WAL holds `frames` pages: a checkpoint
  /// when it grew by kFramesPerCheckpoint since the last one asked for.
  /// Called on the store's thread only.
  void Committed(int frames);
  /// Blocks until no checkpoint is asked for or under way.
  void WaitUntilIdle();

 private:
  void StartThread();
  void Loop();

  const std::string path_;
  /// The WAL's size at the last request, on the store's thread.
  int requested_at_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool requested_ = false;
  bool busy_ = false;
  bool stopping_ = false;
  /// Started at the first request: a command that never asks has no thread.
  std::thread thread_;
};

}  // namespace redqueen::bishop
