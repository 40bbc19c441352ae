#include "web/fragment_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace kindred::web::internal {
namespace {

std::shared_ptr<const std::string> Html(std::size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

TEST(FragmentCacheTest, FindsExactlyTheKeyItWasGiven) {
  FragmentCache cache(10'000);
  cache.Put("post 1 v1", Html(10, 'a'));
  ASSERT_NE(cache.Find("post 1 v1"), nullptr);
  EXPECT_EQ(*cache.Find("post 1 v1"), std::string(10, 'a'));
  EXPECT_EQ(cache.Find("post 1 v2"), nullptr);
  EXPECT_EQ(cache.Find("post 1 v"), nullptr);
}

TEST(FragmentCacheTest, StaysWithinItsBudgetAndKeepsWhatIsStillRead) {
  constexpr std::size_t kBudget = 10'000;
  FragmentCache cache(kBudget);
  cache.Put("kept", Html(100));
  for (int i = 0; i < 1'000; ++i) {
    cache.Put("churn " + std::to_string(i), Html(100));
    ASSERT_LE(cache.bytes(), kBudget);
    // Read now and then, as a popular post is: it moves forward each time its generation ages.
    if (i % 20 == 0) {
      ASSERT_NE(cache.Find("kept"), nullptr) << "after " << i;
    }
  }
  EXPECT_EQ(cache.Find("churn 0"), nullptr) << "an entry nobody read again ages out";
  EXPECT_NE(cache.Find("churn 999"), nullptr);
}

TEST(FragmentCacheTest, DoesNotKeepAFragmentTooLargeForItsShare) {
  FragmentCache cache(10'000);
  cache.Put("huge", Html(2'000));
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace kindred::web::internal
