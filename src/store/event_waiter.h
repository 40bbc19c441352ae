// EventWaiter: lets a follower of the change feed (Store::ReadEvents) sleep until the feed may
// have grown, instead of reading it in a tight loop. Each backend makes its own
// (Store::OpenEventWaiter): SQLite's wakes when this process commits a write, PostgreSQL's when
// any node's write commits (LISTEN/NOTIFY). Either way the feed stays the source of truth: a
// waiter only says "look now", and a follower also looks after every timeout, so a wake-up lost
// (a write by another process on SQLite, a dropped PostgreSQL connection) costs one timeout of
// delay, never an event.
//
// EventSignal is the in-process half, shared by a backend and the waiters it makes.
// Thread-safety: EventWaiter::Wait from one thread at a time, Wake from any thread;
// EventSignal from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace kindred::store {

class EventWaiter {
 public:
  virtual ~EventWaiter() = default;

  // Returns when the feed may have grown since the previous Wait returned, when Wake was called
  // (since then), or after `timeout`, whichever comes first. May return early for no reason: the
  // caller reads the feed to know what, if anything, is new.
  virtual void Wait(std::chrono::milliseconds timeout) = 0;

  // Makes the current or next Wait return at once: for a follower with work of its own to do
  // (a new subscriber), or one that is stopping.
  virtual void Wake() = 0;
};

// A generation counter a backend bumps after each committed write; every waiter it made wakes.
// A write that appended no event wakes its waiters for nothing: one empty read of the feed,
// cheaper than telling the two apart in every write path.
class EventSignal {
 public:
  EventSignal() : state_(std::make_shared<State>()) {}

  void Notify();
  std::unique_ptr<EventWaiter> NewWaiter() const;

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::uint64_t generation = 0;  // GUARDED_BY(mutex)
  };
  class Waiter;

  std::shared_ptr<State> state_;  // shared with the waiters, which may outlive the store
};

}  // namespace kindred::store
