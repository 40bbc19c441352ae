// FeedCache: a value is served only at the feed position it was read at, and a request that read
// the feed earlier never throws away what a later one kept.
#include "core/feed_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace kindred {
namespace {

std::shared_ptr<const std::string> Text(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

TEST(FeedCacheTest, ServesAValueOnlyAtItsPosition) {
  FeedCache<std::string> cache(1 << 20, std::chrono::seconds(30));
  cache.Keep("t1", 7, Text("seven"), 5);
  ASSERT_NE(cache.Find("t1", 7), nullptr);
  EXPECT_EQ(*cache.Find("t1", 7), "seven");
  EXPECT_EQ(cache.Find("t1", 8), nullptr) << "the feed moved on";
  EXPECT_EQ(cache.bytes(), 0u) << "and the stale value is dropped";
}

TEST(FeedCacheTest, AnEarlierRequestLeavesALaterValueInPlace) {
  FeedCache<std::string> cache(1 << 20, std::chrono::seconds(30));
  cache.Keep("t1", 9, Text("nine"), 4);
  EXPECT_EQ(cache.Find("t1", 8), nullptr) << "not served to a request that read the feed before it";
  cache.Keep("t1", 8, Text("eight"), 5);
  ASSERT_NE(cache.Find("t1", 9), nullptr);
  EXPECT_EQ(*cache.Find("t1", 9), "nine");
}

}  // namespace
}  // namespace kindred
