// Tests of the JSON API: request decoding and its 400s, the error shape, the encoders, and every
// endpoint driven end to end through a real Forum on a SQLite store in a temporary directory.
#include "api/api.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/request_decoding.h"
#include "api/response_encoding.h"
#include "forum/limits.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace kindred::api {
namespace {

using nlohmann::json;

// ---- Decoding ----

TEST(JsonBodyTest, EmptyBodyIsMalformedJson) {
  auto body = JsonBody::Parse("");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().key, "malformed_json");
  EXPECT_EQ(body.error().message, "The request body is not valid JSON.");
}

TEST(JsonBodyTest, TextThatIsNotJsonIsMalformedJson) {
  for (const char* text : {"title=hello", "{\"title\": ", "{'a': 1}", "{\"a\":1} trailing"}) {
    auto body = JsonBody::Parse(text);
    ASSERT_FALSE(body.ok()) << text;
    EXPECT_EQ(body.error().key, "malformed_json") << text;
  }
}

TEST(JsonBodyTest, JsonThatIsNotAnObjectIsMalformedJson) {
  for (const char* text : {"[]", "\"body\"", "3", "null", "true"}) {
    auto body = JsonBody::Parse(text);
    ASSERT_FALSE(body.ok()) << text;
    EXPECT_EQ(body.error().key, "malformed_json") << text;
  }
}

TEST(JsonBodyTest, InvalidUtf8InAStringIsMalformedJson) {
  auto body = JsonBody::Parse("{\"body\": \"caf\xC3\"}");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().key, "malformed_json");
}

TEST(JsonBodyTest, MissingFieldIsNamed) {
  auto body = JsonBody::Parse(R"({"title": "hello"})");
  ASSERT_TRUE(body.ok());
  auto text = body->RequiredString("body");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().key, "missing_field");
  EXPECT_EQ(text.error().field, "body");
  EXPECT_EQ(text.error().code, ErrorCode::kInvalidInput);
}

TEST(JsonBodyTest, NullCountsAsAbsent) {
  auto body = JsonBody::Parse(R"({"body": null, "reply_to": null, "pinned": null})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->RequiredString("body").error().key, "missing_field");
  auto reply_to = body->OptionalId<PostTag>("reply_to");
  ASSERT_TRUE(reply_to.ok());
  EXPECT_FALSE(reply_to->has_value());
  auto pinned = body->OptionalBool("pinned");
  ASSERT_TRUE(pinned.ok());
  EXPECT_FALSE(pinned->has_value());
}

TEST(JsonBodyTest, WrongTypesAreNamed) {
  auto body = JsonBody::Parse(R"({"title": 5, "pinned": "yes", "body": ["a"]})");
  ASSERT_TRUE(body.ok());
  auto title = body->RequiredString("title");
  ASSERT_FALSE(title.ok());
  EXPECT_EQ(title.error().key, "wrong_type");
  EXPECT_EQ(title.error().field, "title");
  EXPECT_EQ(body->OptionalBool("pinned").error().field, "pinned");
  EXPECT_EQ(body->RequiredString("body").error().key, "wrong_type");
}

TEST(JsonBodyTest, IdsArePositiveWholeNumbers) {
  for (const char* text : {R"({"id": "3"})", R"({"id": 1.5})", R"({"id": 1.0})", R"({"id": 0})", R"({"id": -4})",
                           R"({"id": true})", R"({"id": 18446744073709551615})"}) {
    auto body = JsonBody::Parse(text);
    ASSERT_TRUE(body.ok()) << text;
    auto id = body->RequiredId<TopicTag>("id");
    ASSERT_FALSE(id.ok()) << text;
    EXPECT_EQ(id.error().key, "wrong_type") << text;
    EXPECT_EQ(id.error().field, "id") << text;
  }
  auto body = JsonBody::Parse(R"({"id": 9223372036854775807})");
  ASSERT_TRUE(body.ok());
  auto id = body->RequiredId<TopicTag>("id");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value, 9223372036854775807LL);
}

TEST(JsonBodyTest, UnknownFieldsAreIgnored) {
  auto body = JsonBody::Parse(R"({"body": "hi", "client": "kindred-cli 1.0"})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->RequiredString("body").value(), "hi");
}

TEST(PageFromQueryTest, DefaultsToOneAndClampsPastTheLimit) {
  EXPECT_EQ(PageFromQuery("").value(), 1);
  EXPECT_EQ(PageFromQuery("page=3").value(), 3);
  EXPECT_EQ(PageFromQuery("page=abc").value(), 1);
  EXPECT_EQ(PageFromQuery("page=-2").value(), 1);
  EXPECT_EQ(PageFromQuery("page=99999999999999").value(), forum::kMaxPage + 1);
  auto bad = PageFromQuery("page=%zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().key, "malformed_query");
}

// ---- Errors ----

json BodyOf(const http::Response& response) { return json::parse(response.body); }

TEST(ErrorJsonTest, RequestShapeErrorsAre400) {
  for (const char* key : {"malformed_json", "missing_field", "wrong_type", "malformed_query"}) {
    http::Response response = Api::ErrorJson(Error::Invalid("title", key, "x"));
    EXPECT_EQ(response.status, 400) << key;
  }
}

TEST(ErrorJsonTest, ValidationFailuresAre422WithTheField) {
  http::Response response =
      Api::ErrorJson(Error::Invalid("title", "title_too_short", "Please make the title a little longer."));
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(BodyOf(response),
            json::parse(R"({"error":{"code":"title_too_short","message":"Please make the title a little longer.",
                           "field":"title"}})"));
}

TEST(ErrorJsonTest, FieldIsLeftOutWhenEmpty) {
  http::Response response = Api::ErrorJson(Error::NotFound("topic_not_found", "We could not find that topic."));
  EXPECT_EQ(response.status, 404);
  EXPECT_FALSE(BodyOf(response)["error"].contains("field"));
}

TEST(ErrorJsonTest, StatusesFollowTheErrorCode) {
  EXPECT_EQ(Api::ErrorJson(Error::Unauthenticated("Please sign in.")).status, 401);
  EXPECT_EQ(Api::ErrorJson(Error::Forbidden("admins_only", "x")).status, 403);
  EXPECT_EQ(Api::ErrorJson(Error::Conflict("username_taken", "x", "username")).status, 409);
  EXPECT_EQ(Api::ErrorJson(Error::TooLarge("x")).status, 413);
  EXPECT_EQ(Api::ErrorJson(Error::Internal("x")).status, 500);
}

TEST(ErrorJsonTest, RateLimitedCarriesRetryAfter) {
  http::Response response = Api::ErrorJson(Error::RateLimited(7));
  EXPECT_EQ(response.status, 429);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Retry-After");
  EXPECT_EQ(response.headers[0].second, "7");
  EXPECT_EQ(BodyOf(response)["error"]["code"], "rate_limited");
}

// ---- Encoding ----

TEST(EncodeTest, TimesAreIso8601OrNull) {
  EXPECT_EQ(EncodeTime(UnixSeconds{0}), json(nullptr));
  EXPECT_EQ(EncodeTime(std::optional<UnixSeconds>()), json(nullptr));
  EXPECT_EQ(EncodeTime(UnixSeconds{1700000000}), json("2023-11-14T22:13:20Z"));
}

TEST(EncodeTest, DeletedPostNeverShowsItsText) {
  store::PostRow post;
  post.id = PostId(4);
  post.body_markdown = "still here";
  post.body_html = "<p>still here</p>";
  post.deleted_at = 1700000000;
  json encoded = EncodePost(post);
  EXPECT_EQ(encoded["body_markdown"], "");
  EXPECT_EQ(encoded["body_html"], "");
  EXPECT_EQ(encoded["deleted"], true);
}

TEST(EncodeTest, OwnReactionsOnlyWhenGiven) {
  store::PostRow post;
  post.id = PostId(4);
  post.reactions = {2, 0, 1};
  json anonymous = EncodePost(post);
  EXPECT_FALSE(anonymous.contains("own_reactions"));
  EXPECT_EQ(anonymous["reactions"], json::parse(R"({"helpful":2,"hug":0,"me_too":1})"));
  OwnReactions own{true, false, true};
  EXPECT_EQ(EncodePost(post, &own)["own_reactions"], json::parse(R"(["helpful","me_too"])"));
}

TEST(EncodeTest, InvalidUtf8IsReplacedNotThrown) {
  http::Response response = JsonResponse({{"text", std::string("caf\xC3")}});
  EXPECT_EQ(response.status, 200);
  EXPECT_NO_THROW(BodyOf(response));
}

// ---- End to end through a real Forum ----

class ApiFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.path() / "kindred.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    forum::RateLimits generous;
    generous.post_per_account = {1000, 1000};
    generous.post_per_address = {1000, 1000};
    generous.register_per_address = {1000, 1000};
    generous.login_per_account = {1000, 1000};
    generous.login_per_address = {1000, 1000};
    forum_ = std::make_unique<forum::Forum>(*store_, clock_, generous);
    // New members' limits off: the moderation tests (forum, e2e) cover them.
    forum_->SetModerationRules({1000, 0, {1000, 1000}, 3LL * 24 * 3600, 3}, {});
    api_ = std::make_unique<Api>(*forum_);
  }

  struct Answer {
    int status = 0;
    json body;
    http::Response response;
  };

  // Runs a handler as the route table does: errors become ErrorJson.
  Answer Call(Api::Handler handler, const forum::Viewer& viewer, std::string body = {},
              std::unordered_map<std::string, std::string> params = {}, std::string query = {}) {
    http::Request request;
    request.body = std::move(body);
    request.route_params = std::move(params);
    request.query = std::move(query);
    request.client_address = "127.0.0.1";
    auto result = ((*api_).*handler)(request, viewer);
    Answer answer;
    answer.response = result.ok() ? std::move(result).value() : Api::ErrorJson(result.error());
    answer.status = answer.response.status;
    if (!answer.response.body.empty()) answer.body = json::parse(answer.response.body);
    return answer;
  }

  forum::Viewer Visitor() {
    forum::Viewer viewer;
    viewer.client_address = "127.0.0.1";
    return viewer;
  }

  // Registers (unless `admin`, which is created directly) and signs in through the API.
  forum::Viewer SignIn(const std::string& username, bool admin = false) {
    const std::string password = "correct horse battery";
    if (admin) {
      EXPECT_TRUE(forum_->CreateAdmin(username, password).ok());
    } else {
      Answer created =
          Call(&Api::CreateUser, Visitor(),
               json{{"username", username}, {"password", password}, {"email", username + "@example.org"}}.dump());
      EXPECT_EQ(created.status, 201) << created.response.body;
    }
    Answer session = Call(&Api::CreateSession, Visitor(), json{{"username", username}, {"password", password}}.dump());
    EXPECT_EQ(session.status, 201) << session.response.body;
    return forum_->Authenticate(session.body["token"].get<std::string>(), "127.0.0.1");
  }

  std::int64_t MakeCategory(const forum::Viewer& admin) {
    Answer category = Call(&Api::CreateCategory, admin, R"({"name": "Grief and loss", "description": "Being heard."})");
    EXPECT_EQ(category.status, 201) << category.response.body;
    return category.body["category"]["id"].get<std::int64_t>();
  }

  ManualClock clock_{1700000000};
  testutil::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<forum::Forum> forum_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiFlowTest, RegisterAndSignInNeverExposeSecrets) {
  Answer created = Call(&Api::CreateUser, Visitor(),
                        R"({"username": "river", "password": "a long enough one", "email": "river@example.org"})");
  ASSERT_EQ(created.status, 201) << created.response.body;
  EXPECT_EQ(created.body["user"]["username"], "river");
  EXPECT_EQ(created.response.body.find("example.org"), std::string::npos);
  EXPECT_EQ(created.response.body.find("argon2"), std::string::npos);

  Answer session = Call(&Api::CreateSession, Visitor(), R"({"username": "river", "password": "a long enough one"})");
  ASSERT_EQ(session.status, 201) << session.response.body;
  EXPECT_FALSE(session.body["token"].get<std::string>().empty());
  EXPECT_EQ(session.body["user"]["role"], "member");
  EXPECT_EQ(session.response.body.find("argon2"), std::string::npos);

  Answer wrong = Call(&Api::CreateSession, Visitor(), R"({"username": "river", "password": "not the password"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body["error"]["code"], "wrong_credentials");

  Answer taken = Call(&Api::CreateUser, Visitor(), R"({"username": "River", "password": "a long enough one"})");
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.body["error"]["field"], "username");

  Answer short_password = Call(&Api::CreateUser, Visitor(), R"({"username": "brook", "password": "short"})");
  EXPECT_EQ(short_password.status, 422);
  EXPECT_EQ(short_password.body["error"]["field"], "password");

  Answer missing = Call(&Api::CreateUser, Visitor(), R"({"username": "brook"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body["error"]["code"], "missing_field");
  EXPECT_EQ(missing.body["error"]["field"], "password");
}

TEST_F(ApiFlowTest, SignOutEndsTheToken) {
  ASSERT_EQ(Call(&Api::CreateUser, Visitor(), R"({"username": "willow", "password": "quiet morning tea"})").status,
            201);
  Answer session = Call(&Api::CreateSession, Visitor(), R"({"username": "willow", "password": "quiet morning tea"})");
  ASSERT_EQ(session.status, 201);
  const std::string token = session.body["token"].get<std::string>();
  forum::Viewer member = forum_->Authenticate(token, "127.0.0.1");
  ASSERT_TRUE(member.signed_in());
  Answer out = Call(&Api::DeleteSession, member);
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.response.body.empty());
  EXPECT_FALSE(forum_->Authenticate(token, "127.0.0.1").signed_in());
  Answer again = Call(&Api::DeleteSession, Visitor());
  EXPECT_EQ(again.status, 401);
}

TEST_F(ApiFlowTest, OnlyAdminsCreateCategories) {
  forum::Viewer member = SignIn("willow");
  Answer refused = Call(&Api::CreateCategory, member, R"({"name": "Anything", "description": ""})");
  EXPECT_EQ(refused.status, 403);

  forum::Viewer admin = SignIn("keeper", /*admin=*/true);
  MakeCategory(admin);
  Answer list = Call(&Api::ListCategories, Visitor());
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["categories"].size(), 1u);
  const json& category = list.body["categories"][0];
  EXPECT_EQ(category["name"], "Grief and loss");
  EXPECT_EQ(category["slug"], "grief-and-loss");
  EXPECT_EQ(category["topic_count"], 0);
}

TEST_F(ApiFlowTest, AskReadReplyReactEditDelete) {
  forum::Viewer admin = SignIn("keeper", /*admin=*/true);
  std::int64_t category_id = MakeCategory(admin);
  forum::Viewer asker = SignIn("willow");
  forum::Viewer peer = SignIn("river");

  // Ask.
  Answer asked = Call(&Api::CreateTopic, asker,
                      json{{"category_id", category_id},
                           {"title", "How do you sleep after a loss?"},
                           {"body", "It has been **three weeks**."}}
                          .dump());
  ASSERT_EQ(asked.status, 201) << asked.response.body;
  std::int64_t topic_id = asked.body["topic"]["id"].get<std::int64_t>();
  std::string topic_key = std::to_string(topic_id);
  EXPECT_EQ(asked.body["topic"]["url"], "/t/" + topic_key);
  EXPECT_EQ(asked.body["topic"]["category"]["slug"], "grief-and-loss");
  EXPECT_EQ(asked.body["topic"]["author"]["username"], "willow");
  EXPECT_EQ(asked.body["post"]["number"], 1);
  EXPECT_EQ(asked.body["post"]["author"]["username"], "willow");
  EXPECT_EQ(asked.body["post"]["own_reactions"], json::array());
  EXPECT_EQ(asked.body["post"]["body_html"], "<p>It has been <strong>three weeks</strong>.</p>\n");

  Answer too_short =
      Call(&Api::CreateTopic, asker, json{{"category_id", category_id}, {"title", "Help"}, {"body", "x"}}.dump());
  EXPECT_EQ(too_short.status, 422);
  EXPECT_EQ(too_short.body["error"]["field"], "title");
  Answer wrong_type =
      Call(&Api::CreateTopic, asker,
           json{{"category_id", std::to_string(category_id)}, {"title", "A fine title"}, {"body", "x"}}.dump());
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.body["error"]["code"], "wrong_type");
  EXPECT_EQ(wrong_type.body["error"]["field"], "category_id");
  Answer visitor_asks = Call(&Api::CreateTopic, Visitor(),
                             json{{"category_id", category_id}, {"title", "A fine title"}, {"body", "x"}}.dump());
  EXPECT_EQ(visitor_asks.status, 401);

  // Reply and react.
  std::int64_t question_id = asked.body["post"]["id"].get<std::int64_t>();
  Answer replied =
      Call(&Api::CreatePost, peer, json{{"body", "Same here. A walk helps."}, {"reply_to", question_id}}.dump(),
           {{"id", topic_key}});
  ASSERT_EQ(replied.status, 201) << replied.response.body;
  EXPECT_EQ(replied.body["post"]["reply_to"], question_id);
  EXPECT_EQ(replied.body["post"]["number"], 2);
  std::string reply_key = std::to_string(replied.body["post"]["id"].get<std::int64_t>());

  Answer hug = Call(&Api::AddReaction, asker, R"({"kind": "hug"})", {{"id", reply_key}});
  ASSERT_EQ(hug.status, 201) << hug.response.body;
  EXPECT_EQ(hug.body["post"]["reactions"]["hug"], 1);
  EXPECT_EQ(hug.body["post"]["own_reactions"], json::parse(R"(["hug"])"));
  Answer unknown_kind = Call(&Api::AddReaction, asker, R"({"kind": "love"})", {{"id", reply_key}});
  EXPECT_EQ(unknown_kind.status, 422);
  EXPECT_EQ(unknown_kind.body["error"]["field"], "kind");

  // Read, as a visitor and as the asker.
  Answer as_visitor = Call(&Api::ShowTopic, Visitor(), {}, {{"id", topic_key}});
  ASSERT_EQ(as_visitor.status, 200) << as_visitor.response.body;
  EXPECT_EQ(as_visitor.body["topic"]["reply_count"], 1);
  EXPECT_EQ(as_visitor.body["topic"]["category"]["slug"], "grief-and-loss");
  EXPECT_EQ(as_visitor.body["topic"]["author"]["username"], "willow");
  EXPECT_EQ(as_visitor.body["page"], 1);
  EXPECT_EQ(as_visitor.body["pages"], 1);
  ASSERT_EQ(as_visitor.body["posts"].size(), 2u);
  EXPECT_FALSE(as_visitor.body["posts"][1].contains("own_reactions"));
  Answer as_asker = Call(&Api::ShowTopic, asker, {}, {{"id", topic_key}});
  EXPECT_EQ(as_asker.body["posts"][1]["own_reactions"], json::parse(R"(["hug"])"));
  EXPECT_EQ(as_asker.body["posts"][0]["own_reactions"], json::array());

  Answer unhug = Call(&Api::RemoveReaction, asker, {}, {{"id", reply_key}, {"kind", "hug"}});
  ASSERT_EQ(unhug.status, 200) << unhug.response.body;
  EXPECT_EQ(unhug.body["post"]["reactions"]["hug"], 0);
  EXPECT_EQ(Call(&Api::RemoveReaction, asker, {}, {{"id", reply_key}, {"kind", "love"}}).status, 404);

  // Lists.
  Answer latest = Call(&Api::LatestTopics, Visitor());
  ASSERT_EQ(latest.status, 200);
  ASSERT_EQ(latest.body["topics"].size(), 1u);
  EXPECT_EQ(latest.body["topics"][0]["title"], "How do you sleep after a loss?");
  Answer in_category = Call(&Api::CategoryTopics, Visitor(), {}, {{"slug", "grief-and-loss"}}, "page=1");
  EXPECT_EQ(in_category.body["topics"].size(), 1u);
  EXPECT_EQ(Call(&Api::CategoryTopics, Visitor(), {}, {{"slug", "nowhere"}}).status, 404);
  EXPECT_EQ(Call(&Api::LatestTopics, Visitor(), {}, {}, "page=9").status, 404);

  // Edit, with history.
  Answer not_theirs = Call(&Api::EditPost, asker, R"({"body": "changed"})", {{"id", reply_key}});
  EXPECT_EQ(not_theirs.status, 403);
  clock_.Advance(60);
  Answer edited = Call(&Api::EditPost, peer, R"({"body": "Same here. A short walk helps."})", {{"id", reply_key}});
  ASSERT_EQ(edited.status, 200) << edited.response.body;
  EXPECT_FALSE(edited.body["post"]["edited_at"].is_null());
  EXPECT_EQ(Call(&Api::ListRevisions, asker, {}, {{"id", reply_key}}).status, 403) << "earlier versions are the writer's";
  EXPECT_EQ(Call(&Api::ListRevisions, Visitor(), {}, {{"id", reply_key}}).status, 401);
  Answer revisions = Call(&Api::ListRevisions, peer, {}, {{"id", reply_key}});
  ASSERT_EQ(revisions.status, 200) << revisions.response.body;
  ASSERT_EQ(revisions.body["revisions"].size(), 2u);
  EXPECT_EQ(revisions.body["revisions"][0]["revision"], 1);
  EXPECT_EQ(revisions.body["revisions"][0]["body_markdown"], "Same here. A walk helps.");
  EXPECT_EQ(revisions.body["revisions"][1]["body_markdown"], "Same here. A short walk helps.");

  // Profile.
  Answer profile = Call(&Api::ShowUser, Visitor(), {}, {{"name", "river"}});
  ASSERT_EQ(profile.status, 200) << profile.response.body;
  EXPECT_EQ(profile.body["user"]["post_count"], 1);
  EXPECT_EQ(profile.body["posts"][0]["topic"]["id"], topic_id);
  EXPECT_EQ(profile.response.body.find("example.org"), std::string::npos);
  EXPECT_EQ(Call(&Api::ShowUser, Visitor(), {}, {{"name", "nobody"}}).status, 404);

  // Delete: the place stays, the text goes.
  Answer deleted = Call(&Api::DeletePost, peer, {}, {{"id", reply_key}});
  EXPECT_EQ(deleted.status, 204);
  Answer gone = Call(&Api::ShowPost, Visitor(), {}, {{"id", reply_key}});
  ASSERT_EQ(gone.status, 200);
  EXPECT_EQ(gone.body["post"]["deleted"], true);
  EXPECT_EQ(gone.body["post"]["body_markdown"], "");
  EXPECT_EQ(gone.body["post"]["body_html"], "");
}

TEST_F(ApiFlowTest, ModeratorsPinAndClose) {
  forum::Viewer admin = SignIn("keeper", /*admin=*/true);
  std::int64_t category_id = MakeCategory(admin);
  forum::Viewer member = SignIn("willow");
  Answer asked =
      Call(&Api::CreateTopic, member,
           json{{"category_id", category_id}, {"title", "Is it normal to feel numb?"}, {"body", "..."}}.dump());
  ASSERT_EQ(asked.status, 201);
  std::string topic_key = std::to_string(asked.body["topic"]["id"].get<std::int64_t>());

  EXPECT_EQ(Call(&Api::ModerateTopic, member, R"({"pinned": true})", {{"id", topic_key}}).status, 403);
  Answer bad = Call(&Api::ModerateTopic, admin, R"({"pinned": "yes"})", {{"id", topic_key}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["error"]["field"], "pinned");
  Answer moderated = Call(&Api::ModerateTopic, admin, R"({"pinned": true, "closed": true})", {{"id", topic_key}});
  ASSERT_EQ(moderated.status, 200) << moderated.response.body;
  EXPECT_EQ(moderated.body["topic"]["pinned"], true);
  EXPECT_EQ(moderated.body["topic"]["closed"], true);

  Answer late = Call(&Api::CreatePost, member, R"({"body": "one more thing"})", {{"id", topic_key}});
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.body["error"]["code"], "topic_closed");
}

TEST_F(ApiFlowTest, PathIdsThatAreNotNumbersAreNotFound) {
  for (const char* id : {"abc", "0", "-1", "1.5", ""}) {
    EXPECT_EQ(Call(&Api::ShowTopic, Visitor(), {}, {{"id", id}}).status, 404) << id;
    EXPECT_EQ(Call(&Api::ShowPost, Visitor(), {}, {{"id", id}}).status, 404) << id;
  }
  EXPECT_EQ(Call(&Api::ShowTopic, Visitor(), {}, {{"id", "999"}}).status, 404);
}

TEST_F(ApiFlowTest, MalformedBodiesAre400BeforeAnythingElse) {
  forum::Viewer member = SignIn("willow");
  for (Api::Handler handler : {&Api::CreateUser, &Api::CreateSession, &Api::CreateCategory, &Api::CreateTopic}) {
    Answer answer = Call(handler, member, "not json");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.body["error"]["code"], "malformed_json");
  }
}

}  // namespace
}  // namespace kindred::api
