#include "jobs/periodic_job.h"

#include <spdlog/spdlog.h>

namespace kindred::jobs {

PeriodicJob::PeriodicJob(std::string name, std::chrono::milliseconds interval, std::function<void()> task)
    : name_(std::move(name)), interval_(interval), task_(std::move(task)) {}

PeriodicJob::~PeriodicJob() { Stop(); }

void PeriodicJob::Start() { thread_ = std::thread([this] { Run(); }); }

void PeriodicJob::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicJob::Run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      task_();
    } catch (const std::exception& e) {
      // A job must never take the server down; the next run tries again.
      spdlog::error("job {} failed: {}", name_, e.what());
    }
    lock.lock();
  }
}

}  // namespace kindred::jobs
