// RateLimiter: token buckets keyed by a string ("login:user:ann", "post:addr:127.0.0.1").
// In memory, for one node; a cluster will keep them in the shared store.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace kindred::forum {

struct RateLimit {
  int burst = 1;            // requests allowed at once
  double per_second = 1.0;  // how fast the allowance refills
};

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}

  // Takes one token from `key`'s bucket. Returns 0 when allowed, otherwise the whole seconds
  // to wait before a token is back (and takes nothing).
  int Take(const std::string& key, const RateLimit& limit);

 private:
  struct Bucket {
    double tokens = 0;
    double updated_at = 0;
  };
  void ForgetIdleBuckets(double now);  // REQUIRES: mutex_ is held

  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mutex_)
  double last_sweep_ = 0;                            // GUARDED_BY(mutex_)
};

}  // namespace kindred::forum
