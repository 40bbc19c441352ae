#include "forum/rate_limiter.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>

namespace kindred::forum {

// A full bucket carries no information, so buckets idle for this long are dropped; this bounds
// memory under a flood of distinct keys. An hour covers the slowest refill we configure.
static constexpr double kIdleBucketSeconds = 3600;

int RateLimiter::Take(const std::string& key, const RateLimit& limit) {
  const double now = static_cast<double>(clock_.Now());
  if (shared_ != nullptr) {
    // A database that cannot answer lets the request through: the write it guards needs the same
    // database and will say plainly that it is unavailable.
    auto wait = shared_->TakeRateToken(HashedKey(key, now), limit.burst, limit.per_second, now);
    return wait.ok() ? *wait : 0;
  }
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ > 60) ForgetIdleBuckets(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{static_cast<double>(limit.burst), now});
  Bucket& bucket = it->second;
  bucket.tokens = std::min<double>(limit.burst, bucket.tokens + (now - bucket.updated_at) * limit.per_second);
  bucket.updated_at = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / limit.per_second)));
}

std::string RateLimiter::HashedKey(const std::string& key, double now) const {
  constexpr double kSecondsPerDay = 86400;
  const std::string day_key = secret_ + ":" + std::to_string(static_cast<long long>(now / kSecondsPerDay));
  unsigned char day_hash[crypto_generichash_KEYBYTES];
  crypto_generichash(day_hash, sizeof day_hash, reinterpret_cast<const unsigned char*>(day_key.data()), day_key.size(),
                     nullptr, 0);
  unsigned char hash[16];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(key.data()), key.size(), day_hash,
                     sizeof day_hash);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

Result<void> RateLimiter::ForgetIdle() {
  const double now = static_cast<double>(clock_.Now());
  {
    std::lock_guard lock(mutex_);
    ForgetIdleBuckets(now);
  }
  if (shared_ != nullptr) return shared_->ForgetIdleRateBuckets(now);
  return Ok();
}

void RateLimiter::ForgetIdleBuckets(double now) {
  last_sweep_ = now;
  std::erase_if(buckets_, [now](const auto& entry) { return now - entry.second.updated_at > kIdleBucketSeconds; });
}

}  // namespace kindred::forum
