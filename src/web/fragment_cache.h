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

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kindred::web::internal {

// A fragment's key: what kind of fragment it is, then every input it is rendered from, each
// length-prefixed or terminated so that no two lists of inputs make the same key.
class FragmentKey {
 public:
  FragmentKey(std::string_view kind, std::size_t expected_bytes) {
    key_.reserve(kind.size() + expected_bytes + 1);
    key_.append(kind).append(1, '\n');
  }
  FragmentKey& Number(std::int64_t n) {
    // to_chars into a buffer rather than std::to_string: keys are made for every post on every
    // signed-in page, and the temporaries showed in the profile.
    char buffer[24];  // an int64 in decimal is at most 20 characters
    auto [last, ignored] = std::to_chars(std::begin(buffer), std::end(buffer), n);
    key_.append(buffer, last).append(1, ';');
    return *this;
  }
  FragmentKey& Text(std::string_view text) {
    Number(static_cast<std::int64_t>(text.size()));
    key_.append(text);
    return *this;
  }
  std::string Take() && { return std::move(key_); }

 private:
  std::string key_;
};

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
