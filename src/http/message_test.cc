#include "http/message.h"

#include <gtest/gtest.h>

namespace kindred::http {
namespace {

TEST(ParamsTest, DecodesFormsAndQueries) {
  auto params = Params::Parse("title=Is+it+normal%3F&body=caf%C3%A9%0Aline&empty=&flag");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->Get("title"), "Is it normal?");
  EXPECT_EQ(params->Get("body"), "caf\xC3\xA9\nline");
  EXPECT_TRUE(params->Has("empty"));
  EXPECT_TRUE(params->Has("flag"));
  EXPECT_EQ(params->Get("missing"), "");
}

TEST(ParamsTest, KeepsTheFirstOfRepeatedNames) {
  auto params = Params::Parse("a=1&a=2");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->Get("a"), "1");
}

TEST(ParamsTest, RejectsMalformedEscapesAndInvalidUtf8) {
  EXPECT_FALSE(Params::Parse("a=%zz").ok());
  EXPECT_FALSE(Params::Parse("a=%4").ok());
  auto invalid = Params::Parse("body=%FF%FE");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(invalid.error().field, "body");
}

TEST(ParamsTest, ReadsPositiveIntegersOnly) {
  auto params = Params::Parse("page=3&bad=x&neg=-2&zero=0");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->GetInt("page", 1), 3);
  EXPECT_EQ(params->GetInt("bad", 1), 1);
  EXPECT_EQ(params->GetInt("neg", 1), 1);
  EXPECT_EQ(params->GetInt("zero", 1), 1);
}

TEST(RequestTest, ReadsCookies) {
  Request request;
  request.headers.emplace_back("cookie", "a=1; kindred_session=abc; other=\"quoted\"");
  EXPECT_EQ(request.Cookie("kindred_session"), "abc");
  EXPECT_EQ(request.Cookie("other"), "quoted");
  EXPECT_EQ(request.Cookie("nope"), "");
}

TEST(RequestTest, ReadsIdParamsStrictly) {
  Request request;
  request.route_params = {{"id", "42"}, {"bad", "4x"}, {"neg", "-1"}};
  EXPECT_EQ(request.IdParam("id"), 42);
  EXPECT_EQ(request.IdParam("bad"), 0);
  EXPECT_EQ(request.IdParam("neg"), 0);
  EXPECT_EQ(request.IdParam("missing"), 0);
}

TEST(SessionCookieTest, IsHttpOnlyLaxAndSecureOverHttps) {
  std::string cookie = SessionCookie("tok", true, 60);
  EXPECT_NE(cookie.find("kindred_session=tok"), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_EQ(SessionCookie("tok", false, 60).find("Secure"), std::string::npos);
  EXPECT_NE(SessionCookie("", false, 60).find("Max-Age=0"), std::string::npos);
}

TEST(PreferredCountryTest, ChosenCookieThenBrowserLanguageRegion) {
  Request request;
  request.headers.emplace_back("accept-language", "en-GB,en;q=0.9");
  EXPECT_EQ(PreferredCountry(request), "GB");
  request.headers.emplace_back("cookie", "kindred_country=ie");
  EXPECT_EQ(PreferredCountry(request), "IE");
  Request plain;
  plain.headers.emplace_back("accept-language", "de");
  EXPECT_EQ(PreferredCountry(plain), "");
  Request odd;
  odd.headers.emplace_back("cookie", "kindred_country=<script>");
  EXPECT_EQ(PreferredCountry(odd), "");
}

TEST(StatusTest, MapsEveryErrorCode) {
  EXPECT_EQ(StatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(StatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(StatusFor(ErrorCode::kForbidden), 403);
  EXPECT_EQ(StatusFor(ErrorCode::kInvalidInput), 422);
  EXPECT_EQ(StatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(StatusFor(ErrorCode::kTooLarge), 413);
  EXPECT_EQ(StatusFor(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(StatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(StatusFor(ErrorCode::kInternal), 500);
}

}  // namespace
}  // namespace kindred::http
