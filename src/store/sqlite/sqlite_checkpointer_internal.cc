#include "store/sqlite/sqlite_checkpointer_internal.h"

#include <cstdint>
#include <string>

namespace kindred::store::sqlite {
namespace {

std::int64_t PageSize(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  std::int64_t bytes = 4096;  // SQLite's default, should the question fail
  if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    bytes = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  return bytes;
}

}  // namespace

WalCheckpointer::WalCheckpointer(sqlite3* writer, std::unique_ptr<Connection> own, int background_every_frames,
                                 int writer_checkpoint_frames)
    : writer_(writer),
      own_(std::move(own)),
      background_every_frames_(background_every_frames),
      writer_checkpoint_frames_(writer_checkpoint_frames),
      thread_([this] { Run(); }) {
  const std::string size_limit =
      "PRAGMA journal_size_limit = " + std::to_string(writer_checkpoint_frames_ * PageSize(writer_));
  (void)sqlite3_exec(writer_, size_limit.c_str(), nullptr, nullptr, nullptr);  // a larger file is no harm
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
  // A log started afresh holds fewer pages than at the last turn.
  if (frames < self.frames_when_asked_) self.frames_when_asked_ = 0;
  if (frames < self.frames_when_tried_) self.frames_when_tried_ = kNeverTried;
  if (frames >= self.writer_checkpoint_frames_ && frames - self.frames_when_tried_ >= self.background_every_frames_) {
    self.frames_when_tried_ = frames;
    // What SQLite's automatic checkpoint does, unless a background one is running: the writer
    // never waits for it, and tries again a turn later.
    std::unique_lock running(self.checkpointing_, std::try_to_lock);
    if (running.owns_lock()) {
      (void)sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      return SQLITE_OK;
    }
  }
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
    {
      // Passive: copies what no reader still needs and waits for no one. What it cannot copy
      // yet waits for the next turn, or for the writer's own checkpoint.
      std::lock_guard running(checkpointing_);
      (void)sqlite3_wal_checkpoint_v2(own_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    lock.lock();
  }
}

}  // namespace kindred::store::sqlite
