// FeedCache: values computed from the store, kept while the store has not changed since.
//
// Correctness comes from the change feed, not from timers: every entry records the feed's
// position (Store::LatestEventSeq) read before its value was read, and is served only while the
// feed is still there. Every change a reader could see appends to the feed in the same
// transaction, so a value is never served after a write it does not show, even a write a moment
// ago on another node. An age limit bounds what the feed does not describe (the clock): past it,
// the first caller makes the value again while the others are still served the kept one, up to
// twice the age. The feed has not moved, so only what it does not describe can be out of date
// (relative times, and lists from the search index, which follows the feed a moment behind), and
// a popular page costs one rendering when it ages instead of one per request arriving meanwhile.
// Values are shared, immutable once kept: a hit costs a lookup and a reference count, and the
// copy a caller may need is made outside the lock.
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

namespace kindred {

template <typename Value>
class FeedCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = Clock::time_point (*)();

  FeedCache(std::size_t max_bytes, std::chrono::seconds max_age, Now now = &Clock::now)
      : max_bytes_(max_bytes), max_age_(max_age), now_(now) {}

  // The value for `key` if it was read at `position` (the current one) and is young enough, or
  // aged while another caller is making it again. nullptr tells the caller to make it and Keep it.
  // An entry from a later position stays: a slow request that read the feed earlier must not
  // throw away what a newer one kept.
  std::shared_ptr<const Value> Find(const std::string& key, std::int64_t position) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    Entry& entry = it->second;
    if (entry.position > position) return nullptr;
    const Clock::time_point now = now_();
    if (entry.position < position || now - entry.made > 2 * max_age_) {
      Evict(it);
      return nullptr;
    }
    if (now - entry.made > max_age_) {
      // One caller at a time makes it again; should that caller fail, the next takes over later.
      const bool being_made = entry.remaking_since && now - *entry.remaking_since < kRemakeWait;
      if (!being_made) {
        entry.remaking_since = now;
        return nullptr;
      }
    }
    least_recent_.splice(least_recent_.end(), least_recent_, entry.in_order);
    return entry.value;
  }

  // The value for `key` if it was read at `position` and is still young, or nullptr; unlike Find
  // it never asks the caller to make an aged value again, so a caller that only looks (and hands
  // a miss to someone who will make it) does not claim the remaking for itself.
  std::shared_ptr<const Value> FindFresh(const std::string& key, std::int64_t position) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    const Entry& entry = it->second;
    if (entry.position != position || now_() - entry.made > max_age_) return nullptr;
    least_recent_.splice(least_recent_.end(), least_recent_, entry.in_order);
    return entry.value;
  }

  // `bytes` is what the value holds, roughly; the entry around it is counted here. One over an
  // eighth of the budget is not kept, so that it cannot push out everything else.
  void Keep(const std::string& key, std::int64_t position, std::shared_ptr<const Value> value, std::size_t bytes) {
    bytes += 2 * key.size() + kEntryBytes;
    if (bytes > max_bytes_ / 8 || !value) return;
    std::lock_guard lock(mutex_);
    if (auto old = entries_.find(key); old != entries_.end()) {
      if (old->second.position > position) return;  // a newer request kept a newer value
      Evict(old);
    }
    while (bytes_ + bytes > max_bytes_ && !least_recent_.empty()) Evict(entries_.find(least_recent_.front()));
    least_recent_.push_back(key);
    entries_.emplace(key, Entry{position, now_(), std::move(value), bytes, std::prev(least_recent_.end()), {}});
    bytes_ += bytes;
  }

  // The value kept for `key` at `position`, or else the one `make()` reads, kept at `position` when
  // it was read. `make` returns a Result<std::shared_ptr<const Value>> (core/result.h), read after
  // `position` was; `bytes_of(value)` says roughly what a value holds. Without a position (the feed
  // could not be read) nothing is found or kept.
  template <typename Make, typename BytesOf>
  std::invoke_result_t<Make> FindOrMake(const std::string& key, std::optional<std::int64_t> position, Make&& make,
                                        BytesOf&& bytes_of) {
    if (position) {
      if (auto known = Find(key, *position)) return known;
    }
    std::invoke_result_t<Make> made = make();
    if (made.ok() && position) Keep(key, *position, *made, bytes_of(**made));
    return made;
  }

  std::size_t bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
  }

 private:
  struct Entry {
    std::int64_t position = 0;
    Clock::time_point made = {};
    std::shared_ptr<const Value> value = {};
    std::size_t bytes = 0;
    std::list<std::string>::iterator in_order = {};  // place in least_recent_
    std::optional<Clock::time_point> remaking_since = {};  // when a caller was told to make it again
  };
  // How long the caller making an aged value again has before another caller is asked to.
  static constexpr std::chrono::seconds kRemakeWait{5};
  // What an entry costs besides its value and its key (held twice: by the map and by the order
  // list): the map's and the list's nodes, the shared value's control block, an Entry. Roughly,
  // on 64-bit libstdc++; without it, many small values would hold several times the budget.
  static constexpr std::size_t kEntryBytes = 192;
  void Evict(typename std::unordered_map<std::string, Entry>::iterator it) {  // REQUIRES: mutex_ held
    bytes_ -= it->second.bytes;
    least_recent_.erase(it->second.in_order);
    entries_.erase(it);
  }

  const std::size_t max_bytes_;
  const std::chrono::seconds max_age_;
  const Now now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
  std::list<std::string> least_recent_;             // GUARDED_BY(mutex_): front is the next to go
  std::size_t bytes_ = 0;                           // GUARDED_BY(mutex_)
};

}  // namespace kindred
