#include "jobs/periodic_job.h"

#include <gtest/gtest.h>

#include <atomic>

namespace kindred::jobs {
namespace {

TEST(PeriodicJobTest, RunsRepeatedlyUntilStopped) {
  std::atomic<int> runs{0};
  PeriodicJob job("count", std::chrono::milliseconds(5), [&] { ++runs; });
  job.Start();
  while (runs.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  job.Stop();
  int after_stop = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(runs.load(), after_stop);
}

TEST(PeriodicJobTest, AThrowingTaskDoesNotStopTheJob) {
  std::atomic<int> runs{0};
  PeriodicJob job("throws", std::chrono::milliseconds(5), [&] {
    ++runs;
    throw std::runtime_error("boom");
  });
  job.Start();
  while (runs.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  job.Stop();
  EXPECT_GE(runs.load(), 2);
}

TEST(PeriodicJobTest, StopsPromptlyEvenWithALongInterval) {
  PeriodicJob job("slow", std::chrono::hours(1), [] {});
  job.Start();
  auto started = std::chrono::steady_clock::now();
  job.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

}  // namespace
}  // namespace kindred::jobs
