// BackgroundLane: worker threads, at a CPU priority of their own, that answer the requests which
// would otherwise hold the server's threads for long (http::Lane says which).
//
// Why: a similar-questions lookup runs two rankings over every post, tens of milliseconds at a
// million posts, and a reply waits milliseconds for its fsync, while a page takes well under one.
// On the server's own threads a burst of either held every thread, and pages queued behind them
// for hundreds of milliseconds (bench/run, issue 7). Here they queue among themselves.
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
