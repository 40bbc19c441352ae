// LatestSeqCache: the change feed's latest position as this process last read it, so that the
// many requests that only ask "has anything changed?" (every cached page, every cached session)
// do not each open a read transaction for it.
//
// Why: on a visitor's cached topic page, reading the position was a fifth of the server's CPU
// (perf, issue 7): a SQLite read transaction costs lock calls whatever it reads. Correctness:
// a write in this process bumps the generation after its commit and before its writer is
// answered, and a value is kept only if no bump came while it was being read, so a request that
// starts after a write was acknowledged never gets a position from before it. A write by another
// process on the same file (`kindred demo --remove`, `kindred import` while serving) is seen
// once the kept value is older than `other_writers_lag`.
// Private to src/store/sqlite/.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "core/result.h"

namespace kindred::store::sqlite {

class LatestSeqCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = Clock::time_point (*)();

  explicit LatestSeqCache(Clock::duration other_writers_lag, Now now = &Clock::now)
      : lag_(other_writers_lag), now_(now) {}

  // The kept position, or `read()`'s (a Result<std::int64_t>) when there is none fit to serve.
  template <typename Read>
  Result<std::int64_t> Get(Read&& read) {
    const std::uint64_t generation = generation_.load(std::memory_order_acquire);
    const Clock::time_point asked_at = now_();
    {
      std::lock_guard lock(mutex_);
      if (kept_ && kept_generation_ == generation && asked_at < kept_until_) return kept_seq_;
    }
    Result<std::int64_t> fresh = read();
    if (!fresh.ok()) return fresh;
    std::lock_guard lock(mutex_);
    // A write committed while it was being read: it may or may not show, so it is not kept. Nor
    // is a slower read's older answer kept over a newer one (another process wrote between them).
    const bool older_than_kept = kept_ && kept_generation_ == generation && *fresh < kept_seq_;
    if (generation_.load(std::memory_order_acquire) == generation && !older_than_kept) {
      kept_ = true;
      kept_seq_ = *fresh;
      kept_generation_ = generation;
      kept_until_ = asked_at + lag_;
    }
    return fresh;
  }

  // Call after every commit in this process, before anyone is told the write succeeded.
  void WriteCommitted() { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  const Clock::duration lag_;
  const Now now_;
  std::atomic<std::uint64_t> generation_{0};
  std::mutex mutex_;
  bool kept_ = false;                    // GUARDED_BY(mutex_)
  std::int64_t kept_seq_ = 0;            // GUARDED_BY(mutex_)
  std::uint64_t kept_generation_ = 0;    // GUARDED_BY(mutex_)
  Clock::time_point kept_until_ = {};    // GUARDED_BY(mutex_)
};

}  // namespace kindred::store::sqlite
