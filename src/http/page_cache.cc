#include "http/page_cache.h"

namespace kindred::http {

PageCache::PageCache(FeedPosition feed_position, std::size_t max_bytes, std::chrono::seconds max_age)
    : feed_position_(std::move(feed_position)), max_bytes_(max_bytes), max_age_(max_age) {}

std::optional<Response> PageCache::Find(const std::string& key, std::int64_t position) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.position != position || std::chrono::steady_clock::now() - it->second.made > max_age_) {
    Evict(it);
    return std::nullopt;
  }
  least_recent_.splice(least_recent_.end(), least_recent_, it->second.in_order);
  return it->second.response;
}

void PageCache::Keep(const std::string& key, std::int64_t position, const Response& response) {
  std::size_t size = key.size() + response.body.size() + response.content_type.size();
  for (const auto& [name, value] : response.headers) size += name.size() + value.size();
  if (size > max_bytes_ / 8) return;  // one huge page must not push out everything else
  std::lock_guard lock(mutex_);
  if (auto old = entries_.find(key); old != entries_.end()) Evict(old);
  while (bytes_ + size > max_bytes_ && !least_recent_.empty()) Evict(entries_.find(least_recent_.front()));
  least_recent_.push_back(key);
  entries_.emplace(key, Entry{position, std::chrono::steady_clock::now(), response, size, std::prev(least_recent_.end())});
  bytes_ += size;
}

std::size_t PageCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

void PageCache::Evict(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.bytes;
  least_recent_.erase(it->second.in_order);
  entries_.erase(it);
}

}  // namespace kindred::http
