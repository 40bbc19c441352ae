// The one source of "now" for the domain, so tests can move time instead of sleeping.
// Thread-safety: every Clock here is safe to call from many threads.
#pragma once

#include <atomic>
#include <cstdint>

namespace kindred {

// Seconds since the Unix epoch, UTC. Whole seconds are enough for a forum and keep
// the stores' integer columns simple.
using UnixSeconds = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override;
};

// A clock that only moves when told to: for tests and for importing old threads.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixSeconds start) : now_(start) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Advance(UnixSeconds seconds) { now_ += seconds; }
  void Set(UnixSeconds at) { now_ = at; }

 private:
  std::atomic<UnixSeconds> now_;
};

}  // namespace kindred
