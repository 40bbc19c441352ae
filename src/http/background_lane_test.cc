// The background lane: every posted task runs, on threads at the lane's lower priority, and
// stopping answers what is already queued rather than dropping it.
#include "http/background_lane.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <latch>

namespace kindred::http {
namespace {

constexpr int kNiceness = 10;

TEST(BackgroundLaneTest, RunsTasksAtTheLanesLowerPriority) {
  BackgroundLane lane(2, kNiceness);
  std::promise<int> niceness;
  lane.Post([&] { niceness.set_value(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()))); });
  EXPECT_EQ(niceness.get_future().get(), kNiceness);
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), 0) << "the posting thread keeps its priority";
}

TEST(BackgroundLaneTest, TasksRunSideBySideOnEveryThread) {
  BackgroundLane lane(2, kNiceness);
  // Each task waits for the other: this finishes only when both run at once.
  std::latch both_running(2);
  std::promise<void> first, second;
  lane.Post([&] { both_running.arrive_and_wait(); first.set_value(); });
  lane.Post([&] { both_running.arrive_and_wait(); second.set_value(); });
  first.get_future().get();
  second.get_future().get();
}

TEST(BackgroundLaneTest, StopAnswersWhatIsQueuedThenIgnoresNewTasks) {
  std::atomic<int> ran{0};
  BackgroundLane lane(1, kNiceness);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  lane.Post([&, released] { released.wait(); ++ran; });
  for (int i = 0; i < 10; ++i) lane.Post([&] { ++ran; });
  release.set_value();
  lane.Stop();
  EXPECT_EQ(ran.load(), 11);
  lane.Post([&] { ++ran; });
  EXPECT_EQ(ran.load(), 11);
}

}  // namespace
}  // namespace kindred::http
