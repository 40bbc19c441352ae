// PageCache: finished pages as visitors see them (topic, home, category and search), kept so
// that a popular thread is rendered and compressed once rather than once per reader.
//
// Correctness comes from the change feed, not from timers: every entry records the feed's
// position (Store::LatestEventSeq) read before its page was rendered, and is served only while
// the feed is still there. Every change a visitor could see (a reply, an edit, a hidden or
// deleted post, an erased account, a renamed category) appends to the feed in the same
// transaction, so a page is never served after a write it does not show, even a write a moment
// ago on another node. A short age limit keeps "5 minutes ago" and "People also asked" fresh.
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/message.h"

namespace kindred::http {

class PageCache {
 public:
  // The feed's current position; nullopt when it cannot be read (then nothing is served or kept).
  using FeedPosition = std::function<std::optional<std::int64_t>()>;

  PageCache(FeedPosition feed_position, std::size_t max_bytes, std::chrono::seconds max_age);

  // The feed position to store a page under; read it before rendering the page.
  std::optional<std::int64_t> Position() const { return feed_position_(); }
  // The page for `key` if it was rendered at `position` (the current one) and is young enough.
  std::optional<Response> Find(const std::string& key, std::int64_t position);
  void Keep(const std::string& key, std::int64_t position, const Response& response);

  std::size_t bytes() const;

 private:
  struct Entry {
    std::int64_t position = 0;
    std::chrono::steady_clock::time_point made;
    Response response;
    std::size_t bytes = 0;
    std::list<std::string>::iterator in_order;  // place in least_recent_
  };
  void Evict(std::unordered_map<std::string, Entry>::iterator it);  // REQUIRES: mutex_ held

  FeedPosition feed_position_;
  const std::size_t max_bytes_;
  const std::chrono::seconds max_age_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
  std::list<std::string> least_recent_;             // GUARDED_BY(mutex_): front is the next to go
  std::size_t bytes_ = 0;                           // GUARDED_BY(mutex_)
};

}  // namespace kindred::http
