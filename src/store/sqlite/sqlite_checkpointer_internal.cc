#include "store/sqlite/sqlite_checkpointer_internal.h"

namespace kindred::store::sqlite {

WalCheckpointer::WalCheckpointer(sqlite3* writer, std::unique_ptr<Connection> own, int background_every_frames,
                                 int writer_checkpoint_frames)
    : writer_(writer),
      own_(std::move(own)),
      background_every_frames_(background_every_frames),
      writer_checkpoint_frames_(writer_checkpoint_frames),
      thread_([this] { Run(); }) {
  sqlite3_wal_hook(writer_, &WalCheckpointer::AfterCommit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, kBackgroundEveryFrames);  // SQLite's own hook again
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int WalCheckpointer::AfterCommit(void* self_pointer, sqlite3* writer, const char* schema, int frames) {
  auto& self = *static_cast<WalCheckpointer*>(self_pointer);
  if (frames >= self.writer_checkpoint_frames_) {
    // What SQLite's automatic checkpoint does. A failure (the worker holding the checkpoint
    // lock) leaves the log as it is until the next commit tries again.
    (void)sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (frames < self.frames_when_asked_) self.frames_when_asked_ = 0;  // the log started afresh
  if (frames - self.frames_when_asked_ >= self.background_every_frames_) {
    self.frames_when_asked_ = frames;
    {
      std::lock_guard lock(self.mutex_);
      self.wanted_ = true;
    }
    self.wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    // Passive: copies what no reader still needs and waits for no one. What it cannot copy yet
    // waits for the next turn, or for the writer's own checkpoint.
    (void)sqlite3_wal_checkpoint_v2(own_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace kindred::store::sqlite
