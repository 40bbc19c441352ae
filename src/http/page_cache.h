// PageCache: finished pages as visitors see them (topic, home, category and search), kept so
// that a popular thread is rendered and compressed once rather than once per reader. Served only
// at the change feed's position the page was rendered at (see FeedCache); a short age limit keeps
// "5 minutes ago" and "People also asked" fresh.
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/feed_cache.h"
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

  std::size_t bytes() const { return pages_.bytes(); }

 private:
  FeedPosition feed_position_;
  FeedCache<Response> pages_;
};

}  // namespace kindred::http
