// BackgroundLane: a few worker threads, at a lower CPU priority than the threads that serve
// pages, for requests that can take long.
//
// Why: a similar-questions lookup runs two rankings over every post, tens of milliseconds at a
// million posts (bench/run, issue 7), while a page takes well under one. On the server's own
// threads a burst of lookups (people typing questions) held every thread, and pages queued behind
// them for hundreds of milliseconds. Here the lookups queue among themselves, and when the cores
// are busy the scheduler gives them the smaller share.
//
// The queue is not bounded here: each connection has at most one request in flight, so the
// server's connection and request time limits bound it.
//
// Thread-safety: Post may be called from any thread; Stop from one, after which Post is ignored.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kindred::http {

// nice 10: against the serving threads (nice 0) a lane thread gets about a tenth of a busy core
// (the kernel's weights, 110 to 1024), and all of an idle one.
inline constexpr int kBackgroundNiceness = 10;

class BackgroundLane {
 public:
  BackgroundLane(unsigned threads, int niceness);
  ~BackgroundLane();  // Stop()
  BackgroundLane(const BackgroundLane&) = delete;
  BackgroundLane& operator=(const BackgroundLane&) = delete;

  void Post(std::function<void()> task);
  // Runs every task already posted, then joins the threads.
  void Stop();

 private:
  void Run(int niceness);

  std::mutex mutex_;
  std::condition_variable posted_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                    // GUARDED_BY(mutex_)
  std::vector<std::thread> threads_;
};

}  // namespace kindred::http
