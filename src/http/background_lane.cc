#include "http/background_lane.h"

#include <utility>

#include "core/thread_priority.h"

namespace kindred::http {

BackgroundLane::BackgroundLane(unsigned threads, int niceness) {
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this, niceness] { Run(niceness); });
}

BackgroundLane::~BackgroundLane() { Stop(); }

void BackgroundLane::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  posted_.notify_one();
}

void BackgroundLane::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  posted_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void BackgroundLane::Run(int niceness) {
  LowerThisThreadPriority(niceness);
  std::unique_lock lock(mutex_);
  while (true) {
    posted_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and nothing left to answer
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace kindred::http
