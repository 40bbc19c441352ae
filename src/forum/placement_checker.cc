#include "forum/placement_checker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/thread_priority.h"

namespace kindred::forum {
namespace {

// The weakest claim on the CPU a normal thread can make: under load it gets a sliver of a core
// (enough to keep going, unlike SCHED_IDLE, which could stall it while it holds the search
// index's locks), and all of whatever readers and writers leave idle.
constexpr int kNiceness = 19;

}  // namespace

PlacementChecker::PlacementChecker(Check check) : check_(std::move(check)), thread_([this] { Run(); }) {}

PlacementChecker::~PlacementChecker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

void PlacementChecker::Enqueue(store::PostRow reply) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= kMaxQueuedPlacementChecks) {
      queue_.pop_front();
      ++skipped_;
    }
    queue_.push_back(std::move(reply));
  }
  changed_.notify_all();
}

bool PlacementChecker::Pending(PostId post) const {
  if (running_ == post) return true;
  return std::any_of(queue_.begin(), queue_.end(), [post](const store::PostRow& reply) { return reply.id == post; });
}

std::size_t PlacementChecker::ChecksAhead(PostId post) const {
  if (running_ == post) return 0;
  const auto queued =
      std::find_if(queue_.begin(), queue_.end(), [post](const store::PostRow& reply) { return reply.id == post; });
  return static_cast<std::size_t>(queued - queue_.begin()) + (running_ ? 1 : 0);
}

void PlacementChecker::AwaitChecked(PostId post, std::chrono::milliseconds at_most) {
  std::unique_lock lock(mutex_);
  if (!Pending(post) || ChecksAhead(post) > kMostChecksAheadToAwait) return;
  changed_.wait_for(lock, at_most, [&] { return !Pending(post); });
}

void PlacementChecker::Run() {
  LowerThisThreadPriority(kNiceness);
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    if (skipped_ > 0) {
      spdlog::warn("skipped the misplaced-reply check of {} replies: they came faster than it runs", skipped_);
      skipped_ = 0;
    }
    store::PostRow reply = std::move(queue_.front());
    queue_.pop_front();
    running_ = reply.id;
    lock.unlock();
    check_(reply);
    lock.lock();
    running_.reset();
    changed_.notify_all();  // wakes AwaitChecked
  }
}

}  // namespace kindred::forum
