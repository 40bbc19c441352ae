// PeriodicJob: runs one task on its own thread every `interval` until stopped, e.g. raising
// "waiting for a reply". A task that fails is logged by the task itself and tried again next time.
// Thread-safety: Start and Stop from one owner thread; the task runs on the job's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kindred::jobs {

class PeriodicJob {
 public:
  PeriodicJob(std::string name, std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicJob();  // stops and joins
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void Start();
  void Stop();

 private:
  void Run();

  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace kindred::jobs
