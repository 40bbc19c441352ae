#include "store/event_waiter.h"

namespace kindred::store {

class EventSignal::Waiter final : public EventWaiter {
 public:
  explicit Waiter(std::shared_ptr<State> state) : state_(std::move(state)) {
    std::lock_guard lock(state_->mutex);
    seen_ = state_->generation;
  }

  void Wait(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(state_->mutex);
    state_->changed.wait_for(lock, timeout, [this] { return woken_ || state_->generation != seen_; });
    seen_ = state_->generation;
    woken_ = false;
  }

  void Wake() override {
    {
      std::lock_guard lock(state_->mutex);
      woken_ = true;
    }
    // Every waiter of the signal wakes and rechecks; there are one or two per process.
    state_->changed.notify_all();
  }

 private:
  std::shared_ptr<State> state_;
  std::uint64_t seen_ = 0;  // GUARDED_BY(state_->mutex)
  bool woken_ = false;      // GUARDED_BY(state_->mutex)
};

void EventSignal::Notify() {
  {
    std::lock_guard lock(state_->mutex);
    ++state_->generation;
  }
  state_->changed.notify_all();
}

std::unique_ptr<EventWaiter> EventSignal::NewWaiter() const { return std::make_unique<Waiter>(state_); }

}  // namespace kindred::store
