#include "bishop/checkpointer.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>

namespace redqueen::bishop {

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::Request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
    if (!thread_.joinable()) StartThread();
  }
  changed_.notify_all();
}

void Checkpointer::StartThread() {
  // It takes no signal (it inherits this mask): SIGCHLD and Ctrl-C stay the
  // event loop's, on the thread that waits for them.
  sigset_t all;
  sigset_t before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  thread_ = std::thread([this] { Loop(); });
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

void Checkpointer::Committed(int frames) {
  // Frames count from the WAL's start, where the first commit after a
  // complete checkpoint begins again.
  if (frames < requested_at_) requested_at_ = 0;
  if (frames - requested_at_ < kFramesPerCheckpoint) return;
  requested_at_ = frames;
  Request();
}

void Checkpointer::WaitUntilIdle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !requested_ && !busy_; });
}

void Checkpointer::Loop() {
  sqlite3* db = nullptr;
  // Its own connection: one connection is never used by two threads.
  // One that cannot open (the store's folder gone) leaves the checkpoints
  // to the store's close, as without this thread.
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    db = nullptr;
  } else if (sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr) !=
             SQLITE_OK) {
    // A connection finds the WAL at its first read; until then its
    // checkpoints do nothing.
    sqlite3_close(db);
    db = nullptr;
  }
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) break;
    requested_ = false;
    busy_ = true;
    lock.unlock();
    // Best effort: busy (another redqueen checkpointing) leaves it to the
    // next request or the close.
    if (db) {
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
  requested_ = false;
  changed_.notify_all();
  lock.unlock();
  sqlite3_close(db);
}

}  // namespace redqueen::bishop
