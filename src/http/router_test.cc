#include "http/router.h"

#include <gtest/gtest.h>

namespace kindred::http {
namespace {

TEST(RouterTest, MatchesLiteralsAndCapturesParams) {
  Router<int> router;
  router.Add("GET", "/", 1);
  router.Add("GET", "/t/{id}", 2);
  router.Add("POST", "/t/{id}/reply", 3);
  router.Add("GET", std::string("/u/{name}"), 4);  // a temporary pattern must be copied

  auto home = router.Find("GET", "/");
  ASSERT_NE(home.target, nullptr);
  EXPECT_EQ(*home.target, 1);

  auto topic = router.Find("GET", "/t/42");
  ASSERT_NE(topic.target, nullptr);
  EXPECT_EQ(*topic.target, 2);
  EXPECT_EQ(topic.params.at("id"), "42");

  auto user = router.Find("GET", "/u/ann");
  ASSERT_NE(user.target, nullptr);
  EXPECT_EQ(user.params.at("name"), "ann");
}

TEST(RouterTest, TellsAWrongMethodFromAnUnknownPath) {
  Router<int> router;
  router.Add("POST", "/t/{id}/reply", 3);
  router.Add("DELETE", "/t/{id}/reply", 4);
  auto wrong_method = router.Find("GET", "/t/1/reply");
  EXPECT_EQ(wrong_method.target, nullptr);
  EXPECT_TRUE(wrong_method.path_known);
  EXPECT_EQ(wrong_method.allowed, (std::vector<std::string>{"POST", "DELETE"}));
  auto unknown = router.Find("GET", "/nothing/here");
  EXPECT_EQ(unknown.target, nullptr);
  EXPECT_FALSE(unknown.path_known);
}

TEST(RouterTest, DoesNotMatchExtraOrMissingSegments) {
  Router<int> router;
  router.Add("GET", "/t/{id}", 2);
  EXPECT_EQ(router.Find("GET", "/t").target, nullptr);
  EXPECT_EQ(router.Find("GET", "/t/1/2").target, nullptr);
  EXPECT_NE(router.Find("GET", "/t/1/").target, nullptr);  // a trailing slash is the same page
}

}  // namespace
}  // namespace kindred::http
