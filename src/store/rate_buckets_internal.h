// What both backends share of Store::TakeRateToken: how long a refused caller waits, and how
// often idle buckets are swept. Private to src/store/.
// Thread-safety: constants and a pure function.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace kindred::store {

// A full bucket carries no information, so buckets idle this long are deleted; an hour covers
// the slowest refill Kindred configures (the same rule as forum/rate_limiter.cc's memory).
inline constexpr double kIdleRateBucketSeconds = 3600;
// Sweep on one call in this many: often enough that a flood of keys stays small, rarely enough
// that the sweep's cost disappears among the calls.
inline constexpr std::uint64_t kRateSweepEvery = 256;

// Whole seconds until the bucket holding `tokens` (< 1) has one token again; at least 1.
inline int WaitForToken(double tokens, double per_second) {
  if (per_second <= 0) return 3600;
  return std::max(1, static_cast<int>(std::ceil((1.0 - tokens) / per_second)));
}

}  // namespace kindred::store
