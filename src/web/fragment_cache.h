// A bounded cache of rendered HTML fragments (one post as the topic page shows it), keyed by
// everything the fragment was rendered from. A key that holds all of a fragment's inputs needs no
// invalidation: an edit, a reaction or another reader's rights make another key, and the old
// entry ages out. Rendering a post through the templates is most of a signed-in topic page's cost;
// with this, a page renders only the posts that changed since anyone last saw them.
//
// Eviction is by generation, a cheap stand-in for LRU: entries go into the current generation;
// when it holds half the byte budget it becomes the previous one (the older previous one is
// dropped), and a hit in the previous generation moves the entry forward. So what was used in
// the last half-budget's worth of renders stays, and memory never exceeds the budget.
// Thread-safety: every method may be called from any thread (one mutex; lookups are short).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kindred::web::internal {

class FragmentCache {
 public:
  explicit FragmentCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The fragment rendered for exactly `key`, or null.
  std::shared_ptr<const std::string> Find(const std::string& key);
  // Remembers `html` for `key`; a fragment larger than a tenth of the budget is not kept.
  void Put(std::string key, std::shared_ptr<const std::string> html);

  std::size_t bytes() const;

 private:
  using Generation = std::unordered_map<std::string, std::shared_ptr<const std::string>>;
  void InsertLocked(std::string key, std::shared_ptr<const std::string> html);  // REQUIRES: mutex_

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  Generation current_;             // GUARDED_BY(mutex_)
  Generation previous_;            // GUARDED_BY(mutex_)
  std::size_t current_bytes_ = 0;  // GUARDED_BY(mutex_): keys and fragments
  std::size_t previous_bytes_ = 0;
};

}  // namespace kindred::web::internal
