// The visitors' page cache: served only at the feed position it was rendered at, within its age,
// and within its size.
#include "http/page_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace kindred::http {
namespace {

Response Page(std::string body) { return Response::Html(std::move(body)); }

TEST(PageCacheTest, ServesAPageOnlyWhileTheFeedHasNotMoved) {
  std::int64_t feed = 7;
  PageCache cache([&feed] { return std::optional<std::int64_t>(feed); }, 1 << 20, std::chrono::seconds(30));
  EXPECT_FALSE(cache.Find("/t/1", 7).has_value());
  cache.Keep("/t/1", 7, Page("seven"));
  auto hit = cache.Find("/t/1", *cache.Position());
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->body, "seven");
  feed = 8;  // a reply was written
  EXPECT_FALSE(cache.Find("/t/1", *cache.Position()).has_value());
  EXPECT_EQ(cache.bytes(), 0u) << "a stale page is dropped, not kept";
}

TEST(PageCacheTest, AgedPagesAreNotServed) {
  PageCache cache([] { return std::optional<std::int64_t>(1); }, 1 << 20, std::chrono::seconds(0));
  cache.Keep("/", 1, Page("home"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(cache.Find("/", 1).has_value());
}

TEST(PageCacheTest, TheLeastRecentlyReadGoFirstWhenFull) {
  // Room for eight of these pages, each with its entry's bookkeeping, and not nine.
  PageCache cache([] { return std::optional<std::int64_t>(1); }, 10 * 1000, std::chrono::seconds(30));
  const std::string body(900, 'x');
  for (int i = 0; i < 8; ++i) cache.Keep("/t/" + std::to_string(i), 1, Page(body));
  ASSERT_TRUE(cache.Find("/t/0", 1).has_value());  // read again: now the most recent
  cache.Keep("/t/8", 1, Page(body));
  EXPECT_TRUE(cache.Find("/t/0", 1).has_value());
  EXPECT_FALSE(cache.Find("/t/1", 1).has_value());
  EXPECT_LE(cache.bytes(), 10u * 1000);
  cache.Keep("/huge", 1, Page(std::string(2000, 'y')));  // over an eighth of the cache
  EXPECT_FALSE(cache.Find("/huge", 1).has_value());
}

}  // namespace
}  // namespace kindred::http
