// FeedCache: a value is served only at the feed position it was read at, a request that read the
// feed earlier never throws away what a later one kept, and an aged value is made again once.
#include "core/feed_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

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

TEST(FeedCacheTest, FindOrMakeKeepsWhatWasReadAndNeitherAFailureNorAValueWithoutAPosition) {
  FeedCache<std::string> cache(1 << 20, std::chrono::seconds(30));
  int reads = 0;
  auto read = [&]() -> Result<std::shared_ptr<const std::string>> {
    ++reads;
    return Text("read " + std::to_string(reads));
  };
  auto size = [](const std::string& text) { return text.size(); };
  EXPECT_EQ(**cache.FindOrMake("k", 3, read, size), "read 1");
  EXPECT_EQ(**cache.FindOrMake("k", 3, read, size), "read 1") << "kept at its position";
  EXPECT_EQ(**cache.FindOrMake("k", 4, read, size), "read 2") << "read again once the feed moves";
  EXPECT_EQ(**cache.FindOrMake("n", std::nullopt, read, size), "read 3");
  EXPECT_EQ(**cache.FindOrMake("n", std::nullopt, read, size), "read 4") << "no position, nothing kept";

  auto failing = []() -> Result<std::shared_ptr<const std::string>> { return Error::Internal("no store"); };
  EXPECT_FALSE(cache.FindOrMake("f", 4, failing, size).ok());
  EXPECT_EQ(cache.Find("f", 4), nullptr) << "a failure is not kept";
}

// A clock the tests move by hand.
std::chrono::steady_clock::time_point test_now{};
std::chrono::steady_clock::time_point TestNow() { return test_now; }

TEST(FeedCacheTest, AnAgedValueIsMadeAgainByOneCallerWhileTheOthersAreServedIt) {
  test_now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  FeedCache<std::string> cache(1 << 20, std::chrono::seconds(30), &TestNow);
  cache.Keep("home", 7, Text("at 7"), 4);
  test_now += std::chrono::seconds(31);
  EXPECT_EQ(cache.Find("home", 7), nullptr) << "the first caller after the age limit makes it again";
  ASSERT_NE(cache.Find("home", 7), nullptr) << "the others meanwhile get the kept value";
  EXPECT_EQ(*cache.Find("home", 7), "at 7");
  test_now += std::chrono::seconds(6);
  EXPECT_EQ(cache.Find("home", 7), nullptr) << "a caller that never kept its value is replaced";
  cache.Keep("home", 7, Text("again"), 5);
  ASSERT_NE(cache.Find("home", 7), nullptr);
  EXPECT_EQ(*cache.Find("home", 7), "again");

  test_now += std::chrono::seconds(31);
  EXPECT_EQ(cache.Find("home", 8), nullptr) << "a moved feed is never served an aged value";
  cache.Keep("old", 8, Text("old"), 3);
  test_now += std::chrono::seconds(61);
  EXPECT_EQ(cache.Find("old", 8), nullptr);
  EXPECT_EQ(cache.Find("old", 8), nullptr) << "past twice the age limit nobody is served it";
}

TEST(FeedCacheTest, FindFreshServesOnlyAYoungValueAtItsPositionAndLeavesTheRemakingToFind) {
  test_now = std::chrono::steady_clock::time_point{} + std::chrono::hours(2);
  FeedCache<std::string> cache(1 << 20, std::chrono::seconds(30), &TestNow);
  cache.Keep("q", 7, Text("at 7"), 4);
  ASSERT_NE(cache.FindFresh("q", 7), nullptr);
  EXPECT_EQ(*cache.FindFresh("q", 7), "at 7");
  EXPECT_EQ(cache.FindFresh("q", 8), nullptr) << "the feed moved on";
  EXPECT_EQ(cache.FindFresh("q", 6), nullptr) << "read before the feed reached it";
  EXPECT_EQ(cache.FindFresh("other", 7), nullptr);

  test_now += std::chrono::seconds(31);
  EXPECT_EQ(cache.FindFresh("q", 7), nullptr) << "aged";
  EXPECT_EQ(cache.FindFresh("q", 7), nullptr) << "and looking did not claim the remaking";
  EXPECT_EQ(cache.Find("q", 7), nullptr) << "so the caller that ranks is the one asked to make it again";
  ASSERT_NE(cache.Find("q", 7), nullptr) << "while the others are served the kept value";
}

}  // namespace
}  // namespace kindred
