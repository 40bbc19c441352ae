#include "web/fragment_cache.h"

namespace kindred::web::internal {
namespace {

std::size_t EntryBytes(const std::string& key, const std::string& html) { return key.size() + html.size(); }

}  // namespace

std::shared_ptr<const std::string> FragmentCache::Find(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = current_.find(key); it != current_.end()) return it->second;
  auto it = previous_.find(key);
  if (it == previous_.end()) return nullptr;
  std::shared_ptr<const std::string> html = it->second;
  previous_bytes_ -= EntryBytes(it->first, *html);
  previous_.erase(it);
  InsertLocked(key, html);
  return html;
}

void FragmentCache::Put(std::string key, std::shared_ptr<const std::string> html) {
  if (!html || EntryBytes(key, *html) > max_bytes_ / 10) return;
  std::lock_guard lock(mutex_);
  InsertLocked(std::move(key), std::move(html));
}

void FragmentCache::InsertLocked(std::string key, std::shared_ptr<const std::string> html) {
  const std::size_t bytes = EntryBytes(key, *html);
  auto [it, inserted] = current_.try_emplace(std::move(key), html);
  if (!inserted) return;  // another thread rendered the same fragment meanwhile
  current_bytes_ += bytes;
  if (current_bytes_ >= max_bytes_ / 2) {
    previous_ = std::move(current_);
    previous_bytes_ = current_bytes_;
    current_ = {};
    current_bytes_ = 0;
  }
}

std::size_t FragmentCache::bytes() const {
  std::lock_guard lock(mutex_);
  return current_bytes_ + previous_bytes_;
}

}  // namespace kindred::web::internal
