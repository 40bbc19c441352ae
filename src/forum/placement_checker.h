// PlacementChecker: runs the misplaced-reply check (does this reply read as belonging to another
// conversation?) after the reply has been saved and answered, on one background thread, instead
// of inside the reply's request.
//
// Why: the check queries the search index for candidate topics and costs tens of milliseconds of
// CPU per reply (perf on bench/run's write scenario, issue 7), several times everything else a
// reply does; inside the request it held a 2-core node to about 100 replies/s. Its answer is a
// hint (a note offering the writer a move, an item for moderators), so it may come a moment after
// the reply. The one place that shows it at once is the writer's own page after posting: the
// request that saved the reply waits for the check (AwaitChecked) before sending them there, so a
// person replying still meets the note as before.
//
// Under a flood of replies the checks queue; past kMaxQueuedPlacementChecks the oldest waiting
// one is skipped (and counted in the log), so memory stays bounded and the replies themselves
// are never slowed. The thread runs at the lowest CPU priority (nice 19), so readers and
// writers come first when the cores are busy.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/ids.h"
#include "store/rows.h"

namespace kindred::forum {

// Checks waiting at most. A check takes ~10-50 ms, so this is seconds of backlog on a busy node;
// a reply's row is a few kilobytes, so the queue stays under a few megabytes.
inline constexpr std::size_t kMaxQueuedPlacementChecks = 256;

// Checks before a reply's own beyond which waiting for it is not worth a thread.
inline constexpr std::size_t kMostChecksAheadToAwait = 2;

class PlacementChecker {
 public:
  using Check = std::function<void(const store::PostRow& reply)>;

  // Starts the thread; `check` runs on it, one reply at a time, and must not throw.
  explicit PlacementChecker(Check check);
  // Finishes the check in progress, skips those still waiting, and joins the thread.
  ~PlacementChecker();
  PlacementChecker(const PlacementChecker&) = delete;
  PlacementChecker& operator=(const PlacementChecker&) = delete;

  // Queues `reply` for checking and returns at once.
  void Enqueue(store::PostRow reply);

  // Returns once `post` is neither waiting nor being checked (at once if it never was), or after
  // `at_most`, whichever comes first; and at once when more than kMostChecksAheadToAwait checks
  // are before it, which would hardly all run within the wait. So a backlog of checks never has a
  // thread wait for nothing, and at most that many threads (plus one) wait at a time.
  void AwaitChecked(PostId post, std::chrono::milliseconds at_most);

 private:
  void Run();
  bool Pending(PostId post) const;  // REQUIRES: mutex_ is held
  // How many checks run or wait before `post`'s; REQUIRES: mutex_ is held and `post` is pending.
  std::size_t ChecksAhead(PostId post) const;

  Check check_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<store::PostRow> queue_;  // GUARDED_BY(mutex_)
  std::optional<PostId> running_;     // GUARDED_BY(mutex_): the reply being checked now
  std::uint64_t skipped_ = 0;         // GUARDED_BY(mutex_): since the last log line about it
  bool stopping_ = false;             // GUARDED_BY(mutex_)
  std::thread thread_;                // last: starts once everything above exists
};

}  // namespace kindred::forum
