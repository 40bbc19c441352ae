// RateLimiter: token buckets keyed by a string ("login:user:ann", "post:addr:127.0.0.1").
// In memory for one node; on a cluster (ShareThrough) in the shared store, so that a limit holds
// across every node rather than once per node.
// Thread-safety: all methods may be called from any thread; ShareThrough before serving.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "store/store.h"

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

  // From now on the buckets live in `store` (Store::TakeRateToken), shared by every node that
  // uses the same database. Keys name addresses and accounts, so what the store keeps is a keyed
  // hash of each key, the key being `secret` (the same on every node) with the day mixed in: no
  // address is ever written down, and yesterday's hashes cannot be linked to today's.
  // `store` must outlive this limiter.
  // Forgets every bucket idle for an hour, in memory and in the shared store: Take sweeps only as
  // requests come, so a timer calls this to keep the promise that addresses are forgotten.
  Result<void> ForgetIdle();

  void ShareThrough(store::Store& store, std::string secret) {
    shared_ = &store;
    secret_ = std::move(secret);
  }

 private:
  struct Bucket {
    double tokens = 0;
    double updated_at = 0;
  };
  void ForgetIdleBuckets(double now);  // REQUIRES: mutex_ is held
  std::string HashedKey(const std::string& key, double now) const;

  const Clock& clock_;
  store::Store* shared_ = nullptr;
  std::string secret_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mutex_)
  double last_sweep_ = 0;                            // GUARDED_BY(mutex_)
};

}  // namespace kindred::forum
