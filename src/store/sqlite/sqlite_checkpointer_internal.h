// WalCheckpointer: copies committed pages from the write-ahead log back into the database file on
// a thread and a connection of its own, so that the one writer does not do it inside a commit.
// Private to src/store/sqlite/.
//
// Why: SQLite's automatic checkpoint runs in the COMMIT that takes the log past 1,000 pages, and
// the writer's next batch waits for it. On the 1M-post bench store, replies to topics all over
// the file dirty about ten pages each, so at 1,000 replies a second the writer checkpointed about
// ten times a second for 20-40 ms each, a quarter of its time (measured, issue 7). A passive
// checkpoint from another connection runs beside the writer and the readers and blocks neither.
//
// The log is only started afresh when a writer finds every page of it copied back, which a
// checkpoint running beside a busy writer rarely leaves. So once the log holds
// `writer_checkpoint_frames` pages, the writer checkpoints in its commit as SQLite would (once
// per `background_every_frames` new pages, and only while no background checkpoint runs); most
// of the log is copied back by then, and the next write starts the log from its beginning. While
// a long read holds the log (a backup, say) no checkpoint can finish and the log grows past that;
// once it is started afresh, its file is cut back to that size (journal_size_limit).
//
// SQLite runs one checkpoint at a time and answers any other at once with SQLITE_BUSY, its busy
// handler unused: a checkpoint that must not be missed (the one scrubbing deleted text from the
// log) runs through Exclusively.
//
// Thread-safety: constructed and destroyed by the store's owner while nothing writes; the hook
// runs on the writer's thread under the store's writer lock; Exclusively from any thread.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/sqlite_connection_internal.h"

namespace kindred::store::sqlite {

class WalCheckpointer {
 public:
  // SQLite's own automatic checkpoint size.
  static constexpr int kBackgroundEveryFrames = 1000;
  // About 40 MB of log with 4 KB pages.
  static constexpr int kWriterCheckpointFrames = 10000;

  // Takes over `writer`'s WAL hook, which replaces its automatic checkpoints; `writer` must
  // outlive this object. `own` is a second read-write connection on the same file, for the
  // worker thread alone.
  WalCheckpointer(sqlite3* writer, std::unique_ptr<Connection> own,
                  int background_every_frames = kBackgroundEveryFrames,
                  int writer_checkpoint_frames = kWriterCheckpointFrames);
  ~WalCheckpointer();  // gives the writer SQLite's own checkpoints back, then joins the worker
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Runs `checkpoint` once no background checkpoint is running, and none starts meanwhile.
  template <typename Checkpoint>
  void Exclusively(Checkpoint&& checkpoint) {
    std::lock_guard lock(checkpointing_);
    checkpoint();
  }

 private:
  static int AfterCommit(void* self, sqlite3* writer, const char* schema, int frames);
  void Run();

  sqlite3* writer_;
  std::unique_ptr<Connection> own_;
  const int background_every_frames_;
  const int writer_checkpoint_frames_;
  // The log's size when the worker was last asked, and when the writer last tried itself; the
  // writer's thread only.
  static constexpr std::int64_t kNeverTried = -(std::int64_t{1} << 40);
  std::int64_t frames_when_asked_ = 0;
  std::int64_t frames_when_tried_ = kNeverTried;
  std::mutex checkpointing_;  // held by whichever of this object's checkpoints runs
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;    // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;     // last: started once the rest is set
};

}  // namespace kindred::store::sqlite
