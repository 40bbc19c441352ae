#include "http/page_cache.h"

namespace kindred::http {

PageCache::PageCache(FeedPosition feed_position, std::size_t max_bytes, std::chrono::seconds max_age)
    : feed_position_(std::move(feed_position)), pages_(max_bytes, max_age) {}

std::optional<Response> PageCache::Find(const std::string& key, std::int64_t position) {
  std::shared_ptr<const Response> page = pages_.Find(key, position);
  if (!page) return std::nullopt;
  return *page;
}

void PageCache::Keep(const std::string& key, std::int64_t position, const Response& response) {
  std::size_t size = response.body.size() + response.content_type.size();
  for (const auto& [name, value] : response.headers) size += name.size() + value.size();
  pages_.Keep(key, position, std::make_shared<const Response>(response), size);
}

}  // namespace kindred::http
