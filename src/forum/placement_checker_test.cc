#include "forum/placement_checker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace kindred::forum {
namespace {

using namespace std::chrono_literals;

store::PostRow ReplyWithId(std::int64_t id) {
  store::PostRow reply;
  reply.id = PostId(id);
  return reply;
}

TEST(PlacementCheckerTest, TheWritersPageWaitsForTheirReplysCheck) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> checked{false};
  PlacementChecker checker([&](const store::PostRow&) {
    released.wait();
    checked = true;
  });
  checker.Enqueue(ReplyWithId(7));
  auto waiting = std::async(std::launch::async, [&] { checker.AwaitChecked(PostId(7), 10s); });
  EXPECT_EQ(waiting.wait_for(50ms), std::future_status::timeout) << "returned before the check ran";
  release.set_value();
  waiting.get();
  EXPECT_TRUE(checked);
  // A reply that was never queued does not wait at all.
  auto start = std::chrono::steady_clock::now();
  checker.AwaitChecked(PostId(8), 10s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(PlacementCheckerTest, WaitingGivesUpAfterItsTime) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  PlacementChecker checker([&](const store::PostRow&) { released.wait(); });
  checker.Enqueue(ReplyWithId(1));
  auto start = std::chrono::steady_clock::now();
  checker.AwaitChecked(PostId(1), 30ms);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
  release.set_value();
}

// Behind a backlog the writer's page would wait its whole time for nothing: a reply with more
// than kMostChecksAheadToAwait checks before its own is not waited for.
TEST(PlacementCheckerTest, AReplyFarBackInTheQueueIsNotWaitedFor) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  PlacementChecker checker([&](const store::PostRow&) { released.wait(); });
  const auto last = static_cast<std::int64_t>(kMostChecksAheadToAwait) + 2;
  for (std::int64_t id = 1; id <= last; ++id) checker.Enqueue(ReplyWithId(id));
  // Reply 1 is running or about to; the last has kMostChecksAheadToAwait + 1 before it.
  auto far_back = std::async(std::launch::async, [&] { checker.AwaitChecked(PostId(last), 10s); });
  EXPECT_EQ(far_back.wait_for(2s), std::future_status::ready) << "waited behind a backlog";
  auto near_front = std::async(std::launch::async, [&] { checker.AwaitChecked(PostId(last - 1), 10s); });
  EXPECT_EQ(near_front.wait_for(50ms), std::future_status::timeout) << "did not wait for a reply near the front";
  release.set_value();
  near_front.get();
}

TEST(PlacementCheckerTest, AFloodSkipsTheOldestAndKeepsTheQueueBounded) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::mutex mutex;
  std::vector<std::int64_t> checked;
  {
    PlacementChecker checker([&](const store::PostRow& reply) {
      released.wait();
      std::lock_guard lock(mutex);
      checked.push_back(reply.id.value);
    });
    checker.Enqueue(ReplyWithId(1));  // held in its check (or still queued) while the flood comes
    const auto flood = static_cast<std::int64_t>(kMaxQueuedPlacementChecks) + 10;
    for (std::int64_t id = 2; id < 2 + flood; ++id) checker.Enqueue(ReplyWithId(id));
    release.set_value();
    // Far back in the queue, AwaitChecked does not wait: look until the newest has been checked.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    auto newest_checked = [&] {
      std::lock_guard lock(mutex);
      return !checked.empty() && checked.back() == 1 + flood;
    };
    while (!newest_checked() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  }
  std::lock_guard lock(mutex);
  ASSERT_FALSE(checked.empty());
  EXPECT_LE(checked.size(), kMaxQueuedPlacementChecks + 1);
  EXPECT_EQ(checked.back(), static_cast<std::int64_t>(kMaxQueuedPlacementChecks) + 11) << "the newest is kept";
}

}  // namespace
}  // namespace kindred::forum
