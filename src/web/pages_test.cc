// Tests of the HTML pages without a server: templates, escaping, forms that keep what was typed,
// redirects, static files, and the page-weight budget. A real Forum on a SQLite store in a
// temporary directory stands behind the pages.
#include "web/pages.h"

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "forum/limits.h"
#include "forum/passwords.h"
#include "search/xapian/xapian_index.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"
#include "core/time_format.h"
#include "web/pages_internal.h"
#include "web/static_files.h"
#include "web/template_set.h"

namespace kindred::web {
namespace {

// The issue's budget for a topic page with 20 replies: HTML + CSS + JS, uncompressed.
constexpr std::size_t kTopicPageBudgetBytes = 60 * 1024;

int CountOf(const std::string& text, const std::string& needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

std::string HeaderOf(const http::Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

// ---- Without a forum ----

TEST(TemplateSetTest, EveryTemplateParses) {
  internal::TemplateSet templates;
  EXPECT_TRUE(templates.errors().empty()) << templates.errors().front();
  for (const char* name :
       {"layout",           "home",         "category",      "topic",       "topic_list", "pager",     "login",
        "register",         "new_topic",    "reply",         "edit",        "delete",     "revisions", "profile",
        "admin_categories", "error",        "support_panel", "help",        "guidelines", "worry",     "notices",
        "account",          "review_queue", "modlog",        "admin_safety", "blocked_note", "expired_form"}) {
    EXPECT_TRUE(templates.Has(name)) << name;
  }
}

// The page joined from the halves around {{{content}}} is the page the engine would make with
// the content passed in as data.
TEST(TemplateSetTest, HalvesAroundTheSlotMakeTheWholePage) {
  internal::TemplateSet templates;
  EXPECT_TRUE(templates.HasSlot("layout"));
  EXPECT_TRUE(templates.HasSlot("topic"));
  EXPECT_FALSE(templates.HasSlot("home"));
  internal::Data data;
  data.set("title", "Sleep <again> & again");
  data.set("page_title", "Sleep <again> & again");
  const std::string content = "<article>the posts</article>";
  data.set("content", content);
  for (const char* name : {"layout", "topic"}) {
    auto whole = templates.Render(name, data);
    auto halves = templates.RenderHalves(name, data);
    ASSERT_TRUE(whole.ok() && halves.ok()) << name;
    EXPECT_EQ(halves->first + content + halves->second, *whole) << name;
    EXPECT_NE(halves->first.find("Sleep &lt;again&gt; &amp; again"), std::string::npos) << name;
  }
  EXPECT_FALSE(templates.RenderHalves("home", data).ok());
}

TEST(TemplateSetTest, RenderEscapesByDefault) {
  internal::TemplateSet templates;
  internal::Data data;
  data.set("heading", "<img src=x onerror=alert(1)> & \"quotes\"");
  auto html = templates.Render("error", data);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"), std::string::npos) << *html;
  EXPECT_EQ(html->find("<img"), std::string::npos);
}

TEST(TemplateSetTest, RendersConcurrentlyFromManyThreads) {
  internal::TemplateSet templates;
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        internal::Data data;
        data.set("heading", "thread " + std::to_string(t) + " run " + std::to_string(i));
        auto html = templates.Render("error", data);
        if (!html.ok() ||
            html->find("thread " + std::to_string(t) + " run " + std::to_string(i)) == std::string::npos) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
}

TEST(StaticFilesTest, ContentTypesByExtension) {
  EXPECT_EQ(internal::ContentTypeFor("kindred.css"), "text/css; charset=utf-8");
  EXPECT_EQ(internal::ContentTypeFor("kindred.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(internal::ContentTypeFor("icon.svg"), "image/svg+xml");
  EXPECT_EQ(internal::ContentTypeFor("unknown.bin"), "application/octet-stream");
}

TEST(StaticFilesTest, UrlsCarryAContentHash) {
  internal::StaticFiles files;
  ASSERT_NE(files.Find("kindred.css"), nullptr);
  EXPECT_EQ(files.Url("kindred.css"), "/static/kindred.css?v=" + files.Find("kindred.css")->version);
  EXPECT_EQ(files.Find("kindred.css")->version.size(), 12u);
  EXPECT_NE(files.Find("kindred.css")->version, files.Find("kindred.js")->version);
  EXPECT_EQ(files.Find("../pages.cc"), nullptr);
}

TEST(PageHelpersTest, OnlyLocalPathsAreSafeToReturnTo) {
  EXPECT_TRUE(IsLocalPath("/"));
  EXPECT_TRUE(IsLocalPath("/t/5?page=2#p3"));
  EXPECT_FALSE(IsLocalPath(""));
  EXPECT_FALSE(IsLocalPath("//evil.example/"));
  EXPECT_FALSE(IsLocalPath("/\\evil.example/"));
  EXPECT_FALSE(IsLocalPath("https://evil.example/"));
  EXPECT_FALSE(IsLocalPath("/t/5\r\nSet-Cookie: x=1"));
}

TEST(PageHelpersTest, ExcerptCutsAtAWordAndKeepsUtf8Whole) {
  EXPECT_EQ(Excerpt("short text", 50), "short text");
  EXPECT_EQ(Excerpt("  line one\n\nline two  ", 50), "line one line two");
  EXPECT_EQ(Excerpt("one two three four five six", 15), "one two three…");
  std::string hearts;
  for (int i = 0; i < 10; ++i) hearts += "\xE2\x9D\xA4";  // U+2764, three bytes each
  std::string cut = Excerpt(hearts, 4);
  EXPECT_EQ(cut, hearts.substr(0, 12) + "…");
}

TEST(PageHelpersTest, PlainTextOfRenderedMarkdown) {
  EXPECT_EQ(Excerpt(PlainTextOfHtml("<p>Being <strong>gentle</strong> &amp; <em>kind</em>.</p>\n<ul>\n<li>one</li>\n"
                                    "<li>two</li>\n</ul>\n<p>A &lt;tag&gt; &quot;quoted&quot;</p>"),
                    100),
            "Being gentle & kind. one two A <tag> \"quoted\"");
}

TEST(PageHelpersTest, DatesAndDurationsInWords) {
  EXPECT_EQ(HumanDate("2026-11-01"), "1 Nov 2026");
  EXPECT_EQ(HumanDate("2026-13-01"), "2026-13-01");
  EXPECT_EQ(HumanDate("soon"), "soon");
  EXPECT_EQ(FormatDuration(30), "30 seconds");
  EXPECT_EQ(FormatDuration(12 * 60 + 5), "12 minutes");
  EXPECT_EQ(FormatDuration(3600), "1 hour");
  EXPECT_EQ(FormatDuration(2 * 3600 - 1), "1 hour 59 minutes");
  EXPECT_EQ(FormatDuration(3 * 86400), "3 days");
}

TEST(PageHelpersTest, PagerLinksOnlyWhereThereIsAPage) {
  auto one = PagerData("/c/x", {1, 1});
  EXPECT_EQ(one.get("multiple"), nullptr);
  auto middle = PagerData("/c/x", {2, 3});
  ASSERT_NE(middle.get("prev_url"), nullptr);
  EXPECT_EQ(middle.get("prev_url")->string_value(), "/c/x");
  EXPECT_EQ(middle.get("next_url")->string_value(), "/c/x?page=3");
  auto last = PagerData("/c/x", {3, 3});
  EXPECT_EQ(last.get("next_url"), nullptr);
}

// ---- Pages over a real forum ----

// The pages' tests are about what is shown, not about reading posts: a stand-in detector with a
// fixed answer keeps them apart from the real one's tuning (src/safety has its own tests).
class StubDetector : public safety::Detector {
 public:
  safety::Assessment Assess(std::string_view text) const override {
    safety::Assessment assessment;
    if (text.find("saving my pills") != std::string_view::npos) {
      assessment.level = safety::Level::kCrisis;
      assessment.cues = {{"method", "pills", true}, {"time", "tonight", true}};
    } else if (text.find("a burden") != std::string_view::npos) {
      assessment.level = safety::Level::kConcern;
      assessment.cues = {{"burden", "a burden", true}};
    }
    return assessment;
  }
};

class PagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(forum::InitCrypto()); }

  void SetUp() override {
    auto opened = store::OpenSqliteStore(dir_.path() / "kindred.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    forum_ = std::make_unique<forum::Forum>(*store_, clock_, limits_, forum::SafetyOptions{}, detector_);
    // New members' limits off: the moderation tests (forum, e2e) cover them.
    forum_->SetModerationRules({1000, 0, {1000, 1000}, 3LL * 24 * 3600, 3}, {});
    pages_ = std::make_unique<Pages>(*forum_, SiteOptions{});
    ASSERT_TRUE(forum_->CreateAdmin("admin", "admin password 1").ok());
    admin_ = SignIn("admin", "admin password 1");
    auto category = forum_->CreateCategory(admin_, {"Therapy", "Talking therapies & <counselling>"});
    ASSERT_TRUE(category.ok()) << category.error().message;
    category_ = category->id;
  }

  forum::Viewer Visitor() const {
    forum::Viewer viewer;
    viewer.client_address = "127.0.0.1";
    viewer.csrf_token = "visitor-token";
    return viewer;
  }

  forum::Viewer SignIn(const std::string& name, const std::string& password) {
    auto signed_in = forum_->LogIn(Visitor(), name, password);
    EXPECT_TRUE(signed_in.ok());
    forum::Viewer viewer = forum_->Authenticate(signed_in->token, "127.0.0.1");
    return viewer;
  }

  forum::Viewer Member(const std::string& name) {
    EXPECT_TRUE(forum_->Register(Visitor(), {name, "a long enough password", ""}).ok());
    return SignIn(name, "a long enough password");
  }

  static http::Request Get(std::string path, std::string query = "",
                           std::unordered_map<std::string, std::string> params = {}) {
    http::Request request;
    request.method = "GET";
    request.path = std::move(path);
    request.query = std::move(query);
    request.route_params = std::move(params);
    request.client_address = "127.0.0.1";
    return request;
  }

  static http::Request Post(std::string path, std::string body,
                            std::unordered_map<std::string, std::string> params = {}) {
    http::Request request = Get(std::move(path), "", std::move(params));
    request.method = "POST";
    request.body = std::move(body);
    return request;
  }

  TopicId Ask(const forum::Viewer& viewer, const std::string& title, const std::string& body) {
    auto asked = forum_->Ask(viewer, {category_, title, body});
    EXPECT_TRUE(asked.ok()) << (asked.ok() ? "" : asked.error().message);
    return asked->first.id;
  }

  // Checks the page rules that hold for every page: CSP-safe markup, landmarks, one h1, and a
  // CSRF field in every form.
  static void ExpectWellFormedPage(const std::string& html) {
    EXPECT_EQ(html.rfind("<!doctype html>\n<html lang=\"en\">", 0), 0u);
    EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
    EXPECT_EQ(CountOf(html, "<h1"), 1) << html;
    for (const char* landmark : {"<header class=\"site\"", "<nav aria-label=\"Main\"", "<main id=\"main\"",
                                 "<footer class=\"site\"", "class=\"skip\" href=\"#main\""}) {
      EXPECT_NE(html.find(landmark), std::string::npos) << landmark;
    }
    EXPECT_EQ(html.find(" style="), std::string::npos) << "inline style breaks the CSP";
    EXPECT_EQ(CountOf(html, "<script"), 1);  // the one deferred, same-origin script
    EXPECT_NE(html.find("<script src=\"/static/kindred.js?v="), std::string::npos);
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(<[^>]*\son[a-z]+=)"))) << "inline handler";
    // Every form that changes something carries the CSRF token; GET forms (the country chooser)
    // must not, or the token would end up in URLs and logs.
    EXPECT_EQ(CountOf(html, "<form method=\"post\""), CountOf(html, "name=\"_csrf\"")) << html;
    EXPECT_EQ(CountOf(html, "<form"), CountOf(html, "<form method=\"post\"") + CountOf(html, "<form method=\"get\""));
  }

  testutil::TempDir dir_;
  StubDetector detector_;
  ManualClock clock_{1795723587};
  forum::RateLimits limits_{{1000, 1000}, {1000, 1000}, {1000, 1000}, {1000, 1000}, {1000, 1000}, {1000, 1000}};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<forum::Forum> forum_;
  std::unique_ptr<Pages> pages_;
  forum::Viewer admin_;
  CategoryId category_;
};

TEST_F(PagesTest, HomeListsCategoriesAndLatestQuestionsEscaped) {
  Ask(admin_, "Is it <b>normal</b> to cry after therapy?", "It happens every week.");
  auto page = pages_->Home(Get("/"), Visitor());
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->status, 200);
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  EXPECT_NE(html.find("<a href=\"/c/therapy\">Therapy</a>"), std::string::npos) << html;
  EXPECT_NE(html.find("Talking therapies &amp; &lt;counselling&gt;"), std::string::npos);
  EXPECT_NE(html.find("Is it &lt;b&gt;normal&lt;/b&gt; to cry after therapy?"), std::string::npos);
  EXPECT_EQ(html.find("<b>normal"), std::string::npos);
  EXPECT_NE(html.find("1 question"), std::string::npos);
  EXPECT_NE(html.find("href=\"/login\">Sign in</a>"), std::string::npos);
  EXPECT_NE(html.find("<title>Kindred</title>"), std::string::npos);
}

TEST_F(PagesTest, SignedInHeaderShowsNameAndSignOutForm) {
  auto page = pages_->Home(Get("/"), admin_);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->body.find("<a href=\"/u/admin\">admin</a>"), std::string::npos);
  EXPECT_NE(page->body.find("action=\"/logout\""), std::string::npos);
  EXPECT_NE(page->body.find("value=\"" + admin_.csrf_token + "\""), std::string::npos);
  EXPECT_NE(page->body.find("href=\"/admin/categories\""), std::string::npos);
}

TEST_F(PagesTest, CategoryPageMarksPinnedFirstAndPages) {
  TopicId first = Ask(admin_, "The first question here", "Body one.");
  Ask(admin_, "The second question here", "Body two.");
  ASSERT_TRUE(forum_->ModerateTopic(admin_, first, {true, std::nullopt, std::nullopt}).ok());
  auto page = pages_->Category(Get("/c/therapy", "", {{"slug", "therapy"}}), Visitor());
  ASSERT_TRUE(page.ok()) << page.error().message;
  ExpectWellFormedPage(page->body);
  auto pinned = page->body.find("The first question here");
  auto other = page->body.find("The second question here");
  ASSERT_NE(pinned, std::string::npos);
  EXPECT_LT(pinned, other);
  EXPECT_NE(page->body.find("<span class=\"tag\">Pinned</span>"), std::string::npos);
  auto missing = pages_->Category(Get("/c/nope", "", {{"slug", "nope"}}), Visitor());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(PagesTest, TopicPageShowsPostsReactionsAndTheReplyForm) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It *happens* every week.");
  auto reply = forum_->Reply(sam, topic, {"Yes, **very** normal.", std::nullopt});
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(forum_->React(admin_, reply->id, store::ReactionKind::kHug).ok());
  clock_.Advance(3 * 3600);

  std::string id = std::to_string(topic.value);
  auto as_admin = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), admin_);
  ASSERT_TRUE(as_admin.ok()) << as_admin.error().message;
  const std::string& html = as_admin->body;
  ExpectWellFormedPage(html);
  EXPECT_NE(html.find("id=\"p1\""), std::string::npos);
  EXPECT_NE(html.find("id=\"p2\""), std::string::npos);
  EXPECT_NE(html.find("<em>happens</em>"), std::string::npos);  // body_html, unescaped
  EXPECT_NE(html.find("title=\"26 Nov 2026, 20:06 UTC\">3 hours ago</time>"), std::string::npos) << html;
  EXPECT_NE(html.find("aria-pressed=\"true\">Hug <span>1</span>"), std::string::npos) << html;
  EXPECT_NE(html.find("name=\"react\" value=\"hug:remove\""), std::string::npos);
  EXPECT_NE(html.find("<a class=\"quote\" href=\"/t/" + id + "/reply?quote="), std::string::npos);
  EXPECT_NE(html.find("id=\"reply-body\""), std::string::npos);
  EXPECT_NE(html.find("action=\"/t/" + id + "/moderate\""), std::string::npos);

  auto as_visitor = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), Visitor());
  ASSERT_TRUE(as_visitor.ok());
  EXPECT_EQ(as_visitor->body.find("/react\""), std::string::npos);  // counts only
  EXPECT_NE(as_visitor->body.find("<span class=\"react\">Hug <span>1</span></span>"), std::string::npos);
  EXPECT_NE(as_visitor->body.find("to reply."), std::string::npos);
  EXPECT_EQ(as_visitor->body.find("id=\"reply-body\""), std::string::npos);
  EXPECT_EQ(as_visitor->body.find("/moderate\""), std::string::npos);
}

// A page's posts are kept whole per kind of reader while the feed stays put: each reader still
// gets their own rights, reactions and form token, and the next write shows at once.
TEST_F(PagesTest, KeptPostsStayEachReadersOwn) {
  forum::Viewer sam = Member("sam"), kim = Member("kim");
  sam.csrf_token = "sams-token";
  kim.csrf_token = "kims-token";
  TopicId topic = Ask(admin_, "How do you rest after a long week?", "I find it hard to stop.");
  auto reply = forum_->Reply(sam, topic, {"A slow walk helps me.", std::nullopt});
  ASSERT_TRUE(reply.ok());
  std::string id = std::to_string(topic.value);
  std::string edit_link = "<a href=\"/p/" + std::to_string(reply->id.value) + "/edit\">Edit</a>";
  auto page_for = [&](const forum::Viewer& viewer) {
    auto page = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), viewer);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->body : std::string();
  };

  for (int twice = 0; twice < 2; ++twice) {
    std::string as_sam = page_for(sam), as_kim = page_for(kim);
    EXPECT_NE(as_sam.find(edit_link), std::string::npos) << "sam wrote the reply";
    EXPECT_EQ(as_kim.find(edit_link), std::string::npos) << "kim did not";
    EXPECT_NE(as_sam.find("sams-token"), std::string::npos);
    EXPECT_EQ(as_sam.find("kims-token"), std::string::npos);
    EXPECT_NE(as_kim.find("kims-token"), std::string::npos);
    EXPECT_EQ(as_kim.find("sams-token"), std::string::npos);
  }
  ASSERT_TRUE(forum_->React(kim, reply->id, store::ReactionKind::kHug).ok());
  EXPECT_NE(page_for(kim).find("aria-pressed=\"true\">Hug <span>1</span>"), std::string::npos);
  EXPECT_EQ(page_for(sam).find("aria-pressed=\"true\">Hug"), std::string::npos);
  ASSERT_TRUE(forum_->Reply(kim, topic, {"Tea and an early night.", std::nullopt}).ok());
  EXPECT_NE(page_for(sam).find("Tea and an early night."), std::string::npos);
}

TEST_F(PagesTest, DeletedAndClosedAreSaidInPlace) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It happens every week.");
  auto reply = forum_->Reply(sam, topic, {"Something I regret writing.", std::nullopt});
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(forum_->DeletePost(sam, reply->id).ok());
  ASSERT_TRUE(forum_->ModerateTopic(admin_, topic, {std::nullopt, true, std::nullopt}).ok());
  std::string id = std::to_string(topic.value);
  auto page = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), sam);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->body.find("This reply was deleted by its author."), std::string::npos);
  EXPECT_EQ(page->body.find("Something I regret"), std::string::npos);
  EXPECT_NE(page->body.find("This topic is closed to new replies."), std::string::npos);
  EXPECT_EQ(page->body.find("id=\"reply-body\""), std::string::npos);
}

TEST_F(PagesTest, FailedQuestionComesBackWithEverythingTyped) {
  forum::Viewer sam = Member("sam");
  std::string body = "\n\nFirst line kept, with <tags> & \"quotes\".";
  std::string form =
      "_csrf=x&category_id=" + std::to_string(category_.value) + "&title=short&body=" + http::UrlEncode(body);
  auto page = pages_->NewTopic(Post("/new", form), sam);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->status, 422);
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  EXPECT_NE(html.find("value=\"short\""), std::string::npos);
  // The parser eats one newline after <textarea>, so the page adds one to keep the typed ones.
  EXPECT_NE(html.find(">\n\n\nFirst line kept, with &lt;tags&gt; &amp; &quot;quotes&quot;.</textarea>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("id=\"title-error\""), std::string::npos) << html;
  EXPECT_NE(html.find("aria-describedby=\"title-hint title-error\" aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(html.find("role=\"alert\"><p><a href=\"#title\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<title>Please check: Ask a question"), std::string::npos);
  std::string selected = "value=\"" + std::to_string(category_.value) + "\" selected";
  EXPECT_NE(html.find(selected), std::string::npos);
}

TEST_F(PagesTest, SuccessfulQuestionRedirectsToIt) {
  forum::Viewer sam = Member("sam");
  std::string form =
      "category_id=" + std::to_string(category_.value) + "&title=A+question+with+a+good+title&body=Some+words";
  auto page = pages_->NewTopic(Post("/new", form), sam);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(HeaderOf(*page, "Location").rfind("/t/", 0), 0u);
}

TEST_F(PagesTest, VisitorsAreSentToSignInAndBack) {
  auto page = pages_->NewTopicForm(Get("/new", "category=3"), Visitor());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(HeaderOf(*page, "Location"), "/login?next=%2Fnew%3Fcategory%3D3");
}

TEST_F(PagesTest, LoginSetsTheCookieAndGoesOnlyToLocalPaths) {
  Member("sam");
  auto local = pages_->Login(Post("/login", "username=sam&password=a+long+enough+password&next=%2Ft%2F5"), Visitor());
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->status, 303);
  EXPECT_EQ(HeaderOf(*local, "Location"), "/t/5");
  EXPECT_EQ(HeaderOf(*local, "Set-Cookie").rfind("kindred_session=", 0), 0u);
  EXPECT_NE(HeaderOf(*local, "Set-Cookie").find("HttpOnly"), std::string::npos);

  auto elsewhere =
      pages_->Login(Post("/login", "username=sam&password=a+long+enough+password&next=%2F%2Fevil.example"), Visitor());
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(HeaderOf(*elsewhere, "Location"), "/");
}

TEST_F(PagesTest, FailedLoginKeepsTheNameButNotThePassword) {
  Member("sam");
  auto page = pages_->Login(Post("/login", "username=sam&password=not+the+password+at+all"), Visitor());
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_GE(page->status, 400);
  ExpectWellFormedPage(page->body);
  EXPECT_NE(page->body.find("value=\"sam\""), std::string::npos);
  EXPECT_EQ(page->body.find("not the password"), std::string::npos);
  EXPECT_NE(page->body.find("role=\"alert\""), std::string::npos);
  EXPECT_TRUE(HeaderOf(*page, "Set-Cookie").empty());
}

TEST_F(PagesTest, RegisterSignsInAndTakenNameIsShownBesideTheField) {
  auto joined = pages_->Register(Post("/register", "username=newbie&password=a+long+enough+password"), Visitor());
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  EXPECT_EQ(joined->status, 303);
  EXPECT_FALSE(HeaderOf(*joined, "Set-Cookie").empty());

  auto taken = pages_->Register(
      Post("/register", "username=newbie&password=a+long+enough+password&email=me%40example.org"), Visitor());
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(taken->status, 409);
  EXPECT_NE(taken->body.find("id=\"username-error\""), std::string::npos) << taken->body;
  EXPECT_NE(taken->body.find("value=\"me@example.org\""), std::string::npos);
}

TEST_F(PagesTest, EveryProblemInAFormIsShownAtOnce) {
  auto joined = pages_->Register(Post("/register", "username=a&password=short&email=bad"), Visitor());
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  EXPECT_EQ(joined->status, 422);
  for (const char* id : {"id=\"username-error\"", "id=\"password-error\"", "id=\"email-error\""}) {
    EXPECT_NE(joined->body.find(id), std::string::npos) << id;
  }
  EXPECT_NE(joined->body.find("A few things need another look: 3 fields"), std::string::npos);

  forum::Viewer sam = Member("sam");
  auto asked = pages_->NewTopic(Post("/new", "category_id=0&title=hi&body="), sam);
  ASSERT_TRUE(asked.ok()) << asked.error().message;
  for (const char* id : {"id=\"category_id-error\"", "id=\"title-error\"", "id=\"body-error\""}) {
    EXPECT_NE(asked->body.find(id), std::string::npos) << id << asked->body;
  }

  auto one = pages_->Register(Post("/register", "username=fine_name&password=short"), Visitor());
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->body.find("A few things"), std::string::npos) << "one problem is named itself";
}

TEST_F(PagesTest, AWaitIsNamedEvenWhenTheFormHasOtherProblems) {
  forum::RateLimits strict = limits_;
  strict.register_per_address = {1, 1.0 / 3600};
  forum::Forum forum(*store_, clock_, strict, forum::SafetyOptions{}, detector_);
  Pages pages(forum, SiteOptions{});
  ASSERT_TRUE(pages.Register(Post("/register", "username=first_one&password=a+long+enough+password"), Visitor()).ok());
  auto limited = pages.Register(Post("/register", "username=a&password=short&email=bad"), Visitor());
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->status, 429);
  EXPECT_NE(limited->body.find("Please wait"), std::string::npos) << limited->body;
  EXPECT_EQ(limited->body.find("A few things need another look"), std::string::npos);
}

TEST_F(PagesTest, LogoutClearsTheCookie) {
  forum::Viewer sam = Member("sam");
  auto page = pages_->Logout(Post("/logout", ""), sam);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 303);
  EXPECT_NE(HeaderOf(*page, "Set-Cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(PagesTest, QuoteFillsTheReplyForm) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It happens\nevery week.");
  auto first = forum_->ShowTopic(sam, topic, 1);
  ASSERT_TRUE(first.ok());
  std::string id = std::to_string(topic.value);
  std::string post = std::to_string(first->posts[0].id.value);
  auto page = pages_->ReplyForm(Get("/t/" + id + "/reply", "quote=" + post, {{"id", id}}), sam);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ExpectWellFormedPage(page->body);
  EXPECT_NE(page->body.find("&gt; **admin** wrote:\n&gt;\n&gt; It happens\n&gt; every week."), std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("name=\"reply_to\" value=\"" + post + "\""), std::string::npos);
}

TEST_F(PagesTest, AFormSentAfterTheSignInEndedGivesBackWhatWasWritten) {
  http::Request sent = Post("/t/5/reply", "_csrf=old&body=It+gets+easier%0D%0A%3Cb%3Ebold%3C%2Fb%3E&password=secret1");
  sent.headers.emplace_back("host", "forum.example");
  sent.headers.emplace_back("referer", "https://forum.example/t/5/reply?quote=9");
  sent.headers.emplace_back("cookie", "kindred_session=one-that-ended");
  http::Response page = pages_->FormNotSentPage(sent, Visitor(), Pages::NotSent::kExpired);
  EXPECT_EQ(page.status, 403);
  ExpectWellFormedPage(page.body);
  EXPECT_NE(page.body.find("Please sign in again"), std::string::npos);
  EXPECT_NE(page.body.find(">\nIt gets easier\n&lt;b&gt;bold&lt;/b&gt;</textarea>"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("secret1"), std::string::npos) << "a password is never written back";
  EXPECT_NE(page.body.find("href=\"/login?next=%2Ft%2F5%2Freply%3Fquote%3D9\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("href=\"/t/5/reply?quote=9\""), std::string::npos);
  EXPECT_EQ(HeaderOf(page, "Cache-Control"), "no-store");

  http::Request elsewhere = Post("/t/5/reply", "_csrf=old&body=Hello");
  elsewhere.headers.emplace_back("host", "forum.example");
  elsewhere.headers.emplace_back("referer", "https://evil.example/t/5");
  http::Response home = pages_->FormNotSentPage(elsewhere, Member("sam"), Pages::NotSent::kExpired);
  EXPECT_NE(home.body.find("href=\"/\">Back to the page"), std::string::npos) << "only a page on this site";
  EXPECT_EQ(home.body.find("Hello"), std::string::npos) << "another site's words are not shown as theirs";
  EXPECT_NE(home.body.find("This page was open for a while"), std::string::npos);

  // Behind a proxy that passes Host without the site's port, the site's own form is still its own.
  http::Request proxied = Post("/t/5/reply", "_csrf=old&body=Still+mine");
  proxied.headers.emplace_back("host", "forum.example");
  proxied.headers.emplace_back("origin", "https://forum.example:8443");
  proxied.headers.emplace_back("referer", "https://forum.example:8443/t/5/reply");
  http::Response kept = pages_->FormNotSentPage(proxied, Visitor(), Pages::NotSent::kExpired);
  EXPECT_NE(kept.body.find("Still mine"), std::string::npos);
  EXPECT_NE(kept.body.find("href=\"/t/5/reply\">Back to the page"), std::string::npos);
  EXPECT_NE(kept.body.find("This page was open for a while"), std::string::npos)
      << "no session cookie came: a visitor is not told they were signed out";
  EXPECT_EQ(kept.body.find("Sign in again"), std::string::npos);
}

TEST_F(PagesTest, AQuoteLeavesOutWhatTheReaderIsNotShown) {
  forum::Viewer sam = Member("sam");
  forum::Viewer ann = Member("ann");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It happens every week.");
  auto held = forum_->Reply(ann, topic, {"Held for a look: my number is 07700 900123", {}});
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(store_->SetPostHidden(held->id, 1795723600, "held").ok());
  std::string id = std::to_string(topic.value);
  std::string post = std::to_string(held->id.value);
  auto page = pages_->ReplyForm(Get("/t/" + id + "/reply", "quote=" + post, {{"id", id}}), sam);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->body.find("07700 900123"), std::string::npos) << page->body;
  EXPECT_EQ(page->body.find("name=\"reply_to\""), std::string::npos);
  auto own = pages_->ReplyForm(Get("/t/" + id + "/reply", "quote=" + post, {{"id", id}}), ann);
  ASSERT_TRUE(own.ok());
  EXPECT_NE(own->body.find("07700 900123"), std::string::npos) << "its writer may quote it";
}

TEST_F(PagesTest, ReplyRedirectsToThePostAndPostLinkFindsItsPage) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It happens every week.");
  std::string id = std::to_string(topic.value);
  auto replied = pages_->Reply(Post("/t/" + id + "/reply", "body=Me+too.", {{"id", id}}), sam);
  ASSERT_TRUE(replied.ok()) << replied.error().message;
  EXPECT_EQ(replied->status, 303);
  std::string location = HeaderOf(*replied, "Location");
  std::string prefix = "/t/" + id + "?page=1&posted=";
  ASSERT_EQ(location.rfind(prefix, 0), 0u) << location;
  std::string post = location.substr(prefix.size(), location.find('#') - prefix.size());
  EXPECT_EQ(location.substr(location.find('#')), "#p2");
  auto link = pages_->PostLink(Get("/p/" + post, "", {{"id", post}}), sam);
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(HeaderOf(*link, "Location"), "/t/" + id + "?page=1#p2");

  auto empty = pages_->Reply(Post("/t/" + id + "/reply", "body=++", {{"id", id}}), sam);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->status, 422);
  EXPECT_NE(empty->body.find("id=\"body-error\""), std::string::npos);
}

// Browsers submit textarea line breaks as CR LF, and the forum refuses CR as a control character.
TEST_F(PagesTest, BrowserLineEndsInATextareaAreAccepted) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It happens every week.");
  std::string id = std::to_string(topic.value);
  auto replied = pages_->Reply(Post("/t/" + id + "/reply", "body=Line+one.%0D%0A%0D%0ALine+two.", {{"id", id}}), sam);
  ASSERT_TRUE(replied.ok());
  EXPECT_EQ(replied->status, 303) << replied->body;
  auto asked = pages_->NewTopic(
      Post("/new", "category_id=" + std::to_string(category_.value) + "&title=Two+lines+of+question&body=One%0D%0Atwo"),
      sam);
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->status, 303) << asked->body;
}

TEST_F(PagesTest, EditHistoryListsNewestFirst) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(sam, "Is it normal to cry after therapy?", "First words.");
  auto view = forum_->ShowTopic(sam, topic, 1);
  PostId post = view->posts[0].id;
  std::string pid = std::to_string(post.value);
  auto edited = pages_->Edit(Post("/p/" + pid + "/edit", "body=Second+words.", {{"id", pid}}), sam);
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->status, 303);
  auto history = pages_->Revisions(Get("/p/" + pid + "/revisions", "", {{"id", pid}}), sam);
  ASSERT_TRUE(history.ok()) << history.error().message;
  ExpectWellFormedPage(history->body);
  auto second = history->body.find("Second words.");
  auto first = history->body.find("First words.");
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(second, first);
}

TEST_F(PagesTest, ReactFormsAddAndRemove) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It happens every week.");
  PostId post = forum_->ShowTopic(sam, topic, 1)->posts[0].id;
  std::string pid = std::to_string(post.value);
  auto added = pages_->React(Post("/p/" + pid + "/react", "kind=me_too&action=add", {{"id", pid}}), sam);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(HeaderOf(*added, "Location"), "/p/" + pid);
  EXPECT_EQ(forum_->FindPost(post)->reactions[static_cast<int>(store::ReactionKind::kMeToo)], 1);
  auto removed = pages_->React(Post("/p/" + pid + "/react", "kind=me_too&action=remove", {{"id", pid}}), sam);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(forum_->FindPost(post)->reactions[static_cast<int>(store::ReactionKind::kMeToo)], 0);
  auto unknown = pages_->React(Post("/p/" + pid + "/react", "kind=shrug&action=add", {{"id", pid}}), sam);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidInput);
}

TEST_F(PagesTest, AdminCategoriesKeepsATypedNameThatClashes) {
  auto page = pages_->AdminCategories(Get("/admin/categories"), admin_);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ExpectWellFormedPage(page->body);
  auto clash = pages_->CreateCategory(Post("/admin/categories", "name=Therapy&description=Again"), admin_);
  ASSERT_TRUE(clash.ok()) << clash.error().message;
  EXPECT_EQ(clash->status, 409);
  EXPECT_NE(clash->body.find("id=\"new-name-error\""), std::string::npos) << clash->body;
  EXPECT_NE(clash->body.find(">\nAgain</textarea>"), std::string::npos);

  forum::Viewer sam = Member("sam");
  auto refused = pages_->AdminCategories(Get("/admin/categories"), sam);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

TEST_F(PagesTest, StaticFilesAreServedWithTypeAndLongCache) {
  auto css = pages_->Static(Get("/static/kindred.css", "", {{"name", "kindred.css"}}), Visitor());
  ASSERT_TRUE(css.ok());
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_NE(HeaderOf(*css, "Cache-Control").find("immutable"), std::string::npos);
  EXPECT_FALSE(css->body.empty());
  auto missing = pages_->Static(Get("/static/nope.css", "", {{"name", "nope.css"}}), Visitor());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(PagesTest, ErrorPagesAreKindAndCarryTheirStatus) {
  auto missing = pages_->ErrorPage(Visitor(), Error::NotFound("page_not_found", "x"));
  EXPECT_EQ(missing.status, 404);
  ExpectWellFormedPage(missing.body);
  EXPECT_NE(missing.body.find("We could not find that page"), std::string::npos);
  EXPECT_NE(missing.body.find("It may have been moved or deleted."), std::string::npos);
  EXPECT_NE(missing.body.find("href=\"/\""), std::string::npos);

  auto slow_down = pages_->ErrorPage(Visitor(), Error::RateLimited(12));
  EXPECT_EQ(slow_down.status, 429);
  EXPECT_NE(slow_down.body.find("Please wait 12 seconds"), std::string::npos) << slow_down.body;
  EXPECT_EQ(HeaderOf(slow_down, "Retry-After"), "12");

  auto internal = pages_->ErrorPage(Visitor(), Error::Internal("sqlite: disk I/O error at line 42"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("sqlite"), std::string::npos);
}

TEST_F(PagesTest, TopicPageWithTwentyRepliesStaysUnderBudget) {
  forum::Viewer sam = Member("sam");
  std::string body =
      "I went through something very similar last spring. What helped me most was writing a few lines "
      "each evening about what the session brought up, and being gentle with myself on the days after. "
      "It does get easier, and you are not alone in this.";
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", body);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(forum_->Reply(sam, topic, {body, std::nullopt}).ok());
  std::string id = std::to_string(topic.value);
  auto page = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), admin_);
  ASSERT_TRUE(page.ok());
  internal::StaticFiles files;
  std::size_t total =
      page->body.size() + files.Find("kindred.css")->content.size() + files.Find("kindred.js")->content.size();
  RecordProperty("topic_page_bytes", static_cast<int>(total));
  std::printf("topic page with 20 posts: HTML %zu + CSS %zu + JS %zu = %zu bytes\n", page->body.size(),
              files.Find("kindred.css")->content.size(), files.Find("kindred.js")->content.size(), total);
  EXPECT_LT(total, kTopicPageBudgetBytes);
}

// ---- Safety: the writer's panel, /help, the review queue, worry reports, settings ----

// First person, present tense, a means and a time: crisis in SAFETY.md's terms.
constexpr const char* kCrisisText = "I have been saving my pills and I am going to take them all tonight";

std::string QueryOf(const std::string& location) {
  auto start = location.find('?');
  if (start == std::string::npos) return {};
  return location.substr(start + 1, location.find('#') - start - 1);
}

TEST_F(PagesTest, CrisisQuestionLandsOnAPrivatePanelWithOneTapHelplines) {
  forum::Viewer sam = Member("sam");
  std::string form = "category_id=" + std::to_string(category_.value) +
                     "&title=I+don%27t+know+what+to+do&body=" + http::UrlEncode(kCrisisText);
  auto asked = pages_->NewTopic(Post("/new", form), sam);
  ASSERT_TRUE(asked.ok()) << asked.error().message;
  ASSERT_EQ(asked->status, 303) << asked->body;
  std::string location = HeaderOf(*asked, "Location");
  EXPECT_NE(location.find("?posted="), std::string::npos) << location;
  EXPECT_EQ(location.substr(location.size() - 8), "#support") << location;

  std::string id = location.substr(3, location.find('?') - 3);
  http::Request request = Get("/t/" + id, QueryOf(location), {{"id", id}});
  request.headers.emplace_back("accept-language", "en-GB,en;q=0.9");
  auto page = pages_->Topic(request, sam);
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  auto panel = html.find("<section class=\"support\" role=\"region\" aria-labelledby=\"support\">");
  ASSERT_NE(panel, std::string::npos) << html;
  EXPECT_LT(panel, html.find("<h1>"));  // first in <main>
  EXPECT_NE(html.find("<h2 id=\"support\" tabindex=\"-1\">"), std::string::npos);
  EXPECT_NE(html.find("It sounds like things are really hard right now."), std::string::npos);
  EXPECT_NE(html.find("you deserve support right now"), std::string::npos);
  EXPECT_NE(html.find("Your post is up"), std::string::npos);
  EXPECT_NE(html.find("These services are confidential."), std::string::npos);
  EXPECT_NE(html.find("Helplines for: United Kingdom."), std::string::npos);
  EXPECT_NE(html.find("class=\"button\" href=\"tel:116123\""), std::string::npos) << "Samaritans for en-GB";
  EXPECT_NE(html.find("<a href=\"tel:999\">999</a>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/help\">Choose another country</a>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/t/" + id + "#p1\">Close"), std::string::npos) << html;
  EXPECT_EQ(html.find("committed"), std::string::npos);
  EXPECT_NE(html.find(kCrisisText), std::string::npos) << "the post itself is up, unchanged";

  // Private: another member with the same link, and the writer without `posted`, see no panel.
  forum::Viewer ana = Member("ana");
  auto other = pages_->Topic(Get("/t/" + id, QueryOf(location), {{"id", id}}), ana);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->body.find("class=\"support\""), std::string::npos);
  EXPECT_NE(other->body.find("I'm worried about this person"), std::string::npos);
  auto closed = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), sam);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->body.find("class=\"support\""), std::string::npos);
  EXPECT_EQ(closed->body.find("I'm worried about this person"), std::string::npos) << "not on your own post";
}

TEST_F(PagesTest, OrdinaryReplyLandsOnThePostWithoutAPanel) {
  forum::Viewer sam = Member("sam");
  TopicId topic = Ask(admin_, "Is it normal to cry after therapy?", "It happens every week.");
  std::string id = std::to_string(topic.value);
  auto replied =
      pages_->Reply(Post("/t/" + id + "/reply", "body=This+week+is+killing+me+but+it+helps.", {{"id", id}}), sam);
  ASSERT_TRUE(replied.ok());
  std::string location = HeaderOf(*replied, "Location");
  EXPECT_EQ(location.rfind("/t/" + id + "?page=1&posted=", 0), 0u) << location;
  EXPECT_EQ(location.substr(location.size() - 3), "#p2");
  auto page = pages_->Topic(Get("/t/" + id, QueryOf(location), {{"id", id}}), sam);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->body.find("class=\"support\""), std::string::npos);
  EXPECT_NE(page->body.find("id=\"support-live\" class=\"support-live\" aria-live=\"polite\""), std::string::npos);
  EXPECT_NE(page->body.find("<meta name=\"csrf-token\" content=\"" + sam.csrf_token + "\">"), std::string::npos);
}

TEST_F(PagesTest, HelpRemembersTheChosenCountryAndSaysWhenEachLineWasChecked) {
  auto page = pages_->Help(Get("/help", "country=ie"), Visitor());
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  std::string cookie = HeaderOf(*page, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("kindred_country=IE; Path=/; Max-Age=31536000; SameSite=Lax", 0), 0u) << cookie;
  EXPECT_NE(html.find("Pieta"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"tel:112\">112</a> or <a href=\"tel:999\">999</a>"), std::string::npos) << html;
  EXPECT_NE(html.find("last checked 1 Nov 2026"), std::string::npos);
  EXPECT_NE(html.find("<option value=\"IE\" selected>Ireland</option>"), std::string::npos);
  EXPECT_NE(html.find("What happens when you call"), std::string::npos);
  EXPECT_NE(html.find("href=\"/help\" aria-current=\"page\">Need to talk to someone now?</a>"), std::string::npos);

  http::Request remembered = Get("/help");
  remembered.headers.emplace_back("cookie", "kindred_country=IE");
  auto again = pages_->Help(remembered, Visitor());
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->body.find("Pieta"), std::string::npos);
  EXPECT_TRUE(HeaderOf(*again, "Set-Cookie").empty());

  auto unknown = pages_->Help(Get("/help", "country=XX"), Visitor());
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(HeaderOf(*unknown, "Set-Cookie").empty());
}

TEST_F(PagesTest, GuidelinesSayThatDetectionExistsAndAPersonReviews) {
  auto page = pages_->Guidelines(Get("/guidelines"), Visitor());
  ASSERT_TRUE(page.ok());
  ExpectWellFormedPage(page->body);
  EXPECT_NE(page->body.find("never hidden, blocked"), std::string::npos);
  EXPECT_NE(page->body.find("a person, one of our moderators, reviews"), std::string::npos);
}

TEST_F(PagesTest, ReviewQueuePutsCrisisFirstAndKeepsThePostBehindReadThePost) {
  forum::Viewer sam = Member("sam");
  Ask(sam, "Feeling a bit flat lately", "Some days there is no point to anything, and I feel like a burden.");
  Ask(sam, "I don't know what to do", kCrisisText);
  clock_.Advance(4 * 60);

  auto header = pages_->Home(Get("/"), admin_);
  ASSERT_TRUE(header.ok());
  EXPECT_NE(header->body.find(">Review queue (1 urgent)</a>"), std::string::npos) << header->body;

  auto page = pages_->ReviewQueue(Get("/mod/queue"), admin_);
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  auto urgent = html.find("Urgent: may be at risk now");
  auto gentle = html.find("Gentle look: may be struggling");
  ASSERT_NE(urgent, std::string::npos) << html;
  ASSERT_NE(gentle, std::string::npos) << html;
  EXPECT_LT(urgent, gentle);
  EXPECT_NE(html.find(">4 minutes ago</time>, no reply yet"), std::string::npos) << html;
  // The words are only inside the closed <details>, never in the visible summary or reasons.
  auto text = html.find("saving my pills and I am going to take them all");
  ASSERT_NE(text, std::string::npos);
  auto summary = html.rfind("<details class=\"post-text\"><summary>Read the post, and what was noticed</summary>", text);
  ASSERT_NE(summary, std::string::npos);
  EXPECT_EQ(html.find("</details>", summary), html.find("</details>", text)) << "inside that <details>";
  // What the detector noticed quotes the post too ("pills"): folded away with it.
  auto noticed = html.find("What was noticed:", summary);
  ASSERT_NE(noticed, std::string::npos);
  EXPECT_LT(noticed, html.find("</details>", summary));
  EXPECT_EQ(html.find("What was noticed:"), html.find("What was noticed:", html.rfind("<summary>", noticed)))
      << "never outside a fold";
  EXPECT_EQ(html.find("<details class=\"post-text\" open"), std::string::npos);
  EXPECT_NE(html.find("Kindred never contacts anyone by itself. Record here what a person decided and did."),
            std::string::npos);
  EXPECT_NE(html.find("name=\"template\""), std::string::npos);

  auto refused = pages_->ReviewQueue(Get("/mod/queue"), sam);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

TEST_F(PagesTest, ReviewActionsConflictCalmlyAndAreLogged) {
  forum::Viewer sam = Member("sam");
  Ask(sam, "I don't know what to do", kCrisisText);
  auto items = forum_->ReviewQueue(admin_, true, 1);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  std::string rid = std::to_string(items->front().id);
  std::string version = std::to_string(items->front().version);

  auto no_note = pages_->ActOnReview(Post("/mod/review/" + rid + "/action",
                                          "action=emergency_contacted&version=" + version + "&reason=", {{"id", rid}}),
                                     admin_);
  ASSERT_TRUE(no_note.ok()) << no_note.error().message;
  EXPECT_EQ(no_note->status, 422);
  EXPECT_NE(no_note->body.find("<details class=\"more\" open><summary>Record that emergency"), std::string::npos);

  auto handled =
      pages_->ActOnReview(Post("/mod/review/" + rid + "/action",
                               "action=handled&version=" + version + "&reason=Replied+kindly", {{"id", rid}}),
                          admin_);
  ASSERT_TRUE(handled.ok()) << handled.error().message;
  EXPECT_EQ(handled->status, 303);
  EXPECT_EQ(HeaderOf(*handled, "Location"), "/mod/queue?done=handled#r" + rid);

  auto stale = pages_->ActOnReview(
      Post("/mod/review/" + rid + "/action", "action=escalate&version=" + version, {{"id", rid}}), admin_);
  ASSERT_TRUE(stale.ok()) << stale.error().message;
  EXPECT_EQ(stale->status, 409);
  EXPECT_NE(stale->body.find("Another moderator acted on this item a moment ago"), std::string::npos);

  auto log = pages_->Modlog(Get("/mod/log"), admin_);
  ASSERT_TRUE(log.ok()) << log.error().message;
  ExpectWellFormedPage(log->body);
  EXPECT_NE(log->body.find("marked a review item handled"), std::string::npos) << log->body;
  EXPECT_NE(log->body.find("open → handled"), std::string::npos);
  EXPECT_NE(log->body.find("Replied kindly"), std::string::npos);

  auto resolved = pages_->ReviewQueue(Get("/mod/queue", "status=resolved"), admin_);
  ASSERT_TRUE(resolved.ok());
  EXPECT_NE(resolved->body.find("Handled"), std::string::npos);
}

TEST_F(PagesTest, ATemplateAloneIsSentAndTheWriterReadsItInMessages) {
  forum::Viewer sam = Member("sam");
  Ask(sam, "I don't know what to do", kCrisisText);
  auto items = forum_->ReviewQueue(admin_, true, 1);
  ASSERT_TRUE(items.ok());
  std::string rid = std::to_string(items->front().id);
  auto sent =
      pages_->MessageWriter(Post("/mod/review/" + rid + "/message", "template=1&message=", {{"id", rid}}), admin_);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(sent->status, 303);

  auto home = pages_->Home(Get("/"), sam);
  ASSERT_TRUE(home.ok());
  EXPECT_NE(home->body.find(">Messages (1 new)</a>"), std::string::npos);
  auto notices = pages_->Notices(Get("/notices"), sam);
  ASSERT_TRUE(notices.ok()) << notices.error().message;
  ExpectWellFormedPage(notices->body);
  EXPECT_NE(notices->body.find(forum_->MessageTemplates().front().substr(0, 40)), std::string::npos);
  EXPECT_NE(notices->body.find("<span class=\"tag\">New</span>"), std::string::npos);
  EXPECT_NE(notices->body.find(">Messages</a>"), std::string::npos) << "read once listed";
  EXPECT_EQ(*forum_->UnreadNoticeCount(sam), 0);

  auto empty =
      pages_->MessageWriter(Post("/mod/review/" + rid + "/message", "template=&message=", {{"id", rid}}), admin_);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->status, 422);
}

TEST_F(PagesTest, WorryReportExplainsThenThanksAndKeepsTheNoteWhenLimited) {
  forum::Viewer sam = Member("sam");
  forum::Viewer ana = Member("ana");
  TopicId topic = Ask(sam, "Feeling a bit flat lately", "Just a hard week.");
  std::string pid = std::to_string(forum_->ShowTopic(ana, topic, 1)->posts[0].id.value);
  auto form = pages_->WorryForm(Get("/p/" + pid + "/worry", "", {{"id", pid}}), ana);
  ASSERT_TRUE(form.ok()) << form.error().message;
  ExpectWellFormedPage(form->body);
  EXPECT_NE(form->body.find("never says who sent it"), std::string::npos);

  auto own = pages_->WorryForm(Get("/p/" + pid + "/worry", "", {{"id", pid}}), sam);
  ASSERT_FALSE(own.ok());

  auto sent = pages_->Worry(Post("/p/" + pid + "/worry", "note=They+seem+low", {{"id", pid}}), ana);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(HeaderOf(*sent, "Location"), "/p/" + pid + "/worry?sent=1");
  auto thanks = pages_->WorryForm(Get("/p/" + pid + "/worry", "sent=1", {{"id", pid}}), ana);
  ASSERT_TRUE(thanks.ok());
  EXPECT_NE(thanks->body.find("Thank you for looking out for sam"), std::string::npos);

  for (int i = 0; i < 2; ++i) ASSERT_TRUE(forum_->ReportWorry(ana, PostId(std::stoll(pid)), "").ok());
  auto limited = pages_->Worry(Post("/p/" + pid + "/worry", "note=Still+worried", {{"id", pid}}), ana);
  ASSERT_TRUE(limited.ok()) << limited.error().message;
  EXPECT_EQ(limited->status, 429);
  EXPECT_NE(limited->body.find(">\nStill worried</textarea>"), std::string::npos) << limited->body;
  EXPECT_NE(limited->body.find("role=\"alert\""), std::string::npos);
}

TEST_F(PagesTest, AccountSavesTheWorryOptOut) {
  forum::Viewer sam = Member("sam");
  auto page = pages_->AccountForm(Get("/account"), sam);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ExpectWellFormedPage(page->body);
  EXPECT_EQ(page->body.find("name=\"worry_opt_out\" value=\"1\" checked"), std::string::npos);
  auto saved = pages_->SaveAccount(Post("/account", "worry_opt_out=1"), sam);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(HeaderOf(*saved, "Location"), "/account?saved=1");
  auto again = pages_->AccountForm(Get("/account", "saved=1"), sam);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->body.find("name=\"worry_opt_out\" value=\"1\" checked"), std::string::npos);
  EXPECT_NE(again->body.find("Your settings are saved."), std::string::npos);
}

TEST_F(PagesTest, AdminsWordTheSupportPanelAndAnEmptyOneComesBackAsTyped) {
  auto saved = pages_->SaveSupportMessages(
      Post("/admin/safety/support", "support_crisis=We+are+glad+you+told+us.%0D%0A%0D%0AYour+post+is+up.&support_concern=We+hear+you."),
      admin_);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->status, 303);

  forum::Viewer sam = Member("sam");
  std::string form = "category_id=" + std::to_string(category_.value) +
                     "&title=I+don%27t+know+what+to+do&body=" + http::UrlEncode(kCrisisText);
  auto asked = pages_->NewTopic(Post("/new", form), sam);
  ASSERT_TRUE(asked.ok());
  std::string location = HeaderOf(*asked, "Location");
  std::string id = location.substr(3, location.find('?') - 3);
  auto page = pages_->Topic(Get("/t/" + id, QueryOf(location), {{"id", id}}), sam);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->body.find("<p>We are glad you told us.</p>\n<p>Your post is up.</p>"), std::string::npos) << page->body;

  auto empty = pages_->SaveSupportMessages(Post("/admin/safety/support", "support_crisis=&support_concern=Still+here."), admin_);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->status, 422);
  EXPECT_NE(empty->body.find(">\nStill here.</textarea>"), std::string::npos);
  auto refused = pages_->SaveSupportMessages(Post("/admin/safety/support", "support_crisis=a&support_concern=b"), sam);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

TEST_F(PagesTest, AdminSafetyKeepsABrokenDirectoryAndExportsTsv) {
  auto page = pages_->AdminSafety(Get("/admin/safety"), admin_);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ExpectWellFormedPage(page->body);
  EXPECT_NE(page->body.find("Samaritans"), std::string::npos);

  auto broken = pages_->SaveHelplines(Post("/admin/safety/helplines", "helplines=not+a+directory%0Aat+all"), admin_);
  ASSERT_TRUE(broken.ok()) << broken.error().message;
  EXPECT_EQ(broken->status, 422);
  EXPECT_NE(broken->body.find(">\nnot a directory\nat all</textarea>"), std::string::npos) << broken->body;
  EXPECT_NE(broken->body.find("href=\"#helplines-text\""), std::string::npos);

  auto tsv = pages_->ExportHelplines(Get("/admin/safety/helplines.tsv"), admin_);
  ASSERT_TRUE(tsv.ok());
  EXPECT_EQ(tsv->content_type, "text/tab-separated-values; charset=utf-8");
  EXPECT_NE(HeaderOf(*tsv, "Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_NE(tsv->body.find("Samaritans"), std::string::npos);

  auto templates =
      pages_->SaveMessageTemplates(Post("/admin/safety/templates", "templates=First%0D%0A---%0D%0ASecond"), admin_);
  ASSERT_TRUE(templates.ok());
  EXPECT_EQ(templates->status, 303);
  EXPECT_EQ(forum_->MessageTemplates(), (std::vector<std::string>{"First", "Second"}));

  auto nobody = pages_->SetTrustedSupporter(Post("/admin/safety/supporters", "username=nobody&trusted=1"), admin_);
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(nobody->status, 422);
  EXPECT_NE(nobody->body.find("value=\"nobody\""), std::string::npos);
  Member("sam");
  auto trusted = pages_->SetTrustedSupporter(Post("/admin/safety/supporters", "username=sam&trusted=1"), admin_);
  ASSERT_TRUE(trusted.ok());
  EXPECT_EQ(trusted->status, 303);

  forum::Viewer sam = SignIn("sam", "a long enough password");
  auto refused = pages_->AdminSafety(Get("/admin/safety"), sam);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

// ---- Finding what is already there: search, similar questions, misplaced replies ----

// The pages with a real Xapian index behind the forum, fed by hand (the indexer job is tested on
// its own): what is asked here is what the pages show, not how the index ranks.
class FindingPagesTest : public PagesTest {
 protected:
  void SetUp() override {
    PagesTest::SetUp();
    auto index = search::OpenXapianIndex(dir_.path() / "search");
    ASSERT_TRUE(index.ok()) << index.error().message;
    index_ = std::move(index).value();
    forum_->AttachSearchIndex(index_.get());
  }

  // index_ is ours and forum_ the base's, so index_ would go first while a reply's misplaced check
  // may still be running on forum_'s checker thread (a test past the move window never waits for
  // it): a use after free that crashed some runs. Detaching joins that thread first.
  void TearDown() override {
    if (forum_) forum_->AttachSearchIndex(nullptr);
    PagesTest::TearDown();
  }

  // As the server answers a topic page: on a serving thread first, then again on the lane the
  // page hands itself to when its "People also asked" list needs the index's ranking.
  Result<http::Response> TopicPage(http::Request request, const forum::Viewer& viewer) {
    auto response = pages_->Topic(request, viewer);
    if (!response.ok() || !response->answer_on) return response;
    request.lane = *response->answer_on;
    return pages_->Topic(request, viewer);
  }

  // Asks and indexes the question, as the indexer would a moment later.
  std::pair<store::TopicRow, store::PostRow> AskIndexed(const forum::Viewer& viewer, const std::string& title,
                                                        const std::string& body) {
    auto asked = forum_->Ask(viewer, {category_, title, body});
    EXPECT_TRUE(asked.ok()) << (asked.ok() ? "" : asked.error().message);
    Index(asked->first, asked->second);
    return *asked;
  }

  void Index(const store::TopicRow& topic, const store::PostRow& post) {
    search::IndexedPost indexed{post.id,     topic.id,    topic.category_id,  post.user_id,    post.author_name,
                                topic.title, post.number, post.body_markdown, post.created_at, topic.reply_count};
    ASSERT_TRUE(index_->Upsert(indexed).ok());
    ASSERT_TRUE(index_->Commit(++seq_).ok());
  }

  Result<http::Response> SearchFor(const std::string& query, const forum::Viewer& viewer) {
    return pages_->Search(Get("/search", query), viewer);
  }

  std::unique_ptr<search::SearchIndex> index_;
  std::int64_t seq_ = 0;
};

TEST_F(FindingPagesTest, EveryPageHasALabelledSearchBoxInItsHeader) {
  auto home = pages_->Home(Get("/"), Visitor());
  ASSERT_TRUE(home.ok());
  EXPECT_NE(home->body.find("<form method=\"get\" action=\"/search\" role=\"search\" aria-label=\"Search the forum\""),
            std::string::npos);
  EXPECT_NE(home->body.find("<label for=\"site-q\" class=\"vh\">Search the forum</label>"), std::string::npos);
  // The search page has its own, fuller form: one search landmark, not two with the same name.
  auto search = SearchFor("", Visitor());
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(CountOf(search->body, "role=\"search\""), 1);
  ExpectWellFormedPage(search->body);
}

TEST_F(FindingPagesTest, ResultsShowAPostWithScriptAsTextAndLinkToTheBestPost) {
  forum::Viewer sam = Member("sam");
  auto [topic, post] =
      AskIndexed(sam, "Crying after therapy <b>every</b> week",
                 "I wrote `<script>alert(1)</script>` in my therapy notes and `\"><img src=x onerror=alert(2)>` too.");
  auto page = SearchFor("q=therapy", Visitor());
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  EXPECT_NE(html.find("<a class=\"title\" href=\"/p/" + std::to_string(post.id.value) + "\">"), std::string::npos);
  EXPECT_NE(html.find("<mark>"), std::string::npos) << "matched words highlighted";
  EXPECT_NE(html.find("&lt;script"), std::string::npos) << "shown as text: " << html;
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("<b>every</b>"), std::string::npos) << "the title is text too";
  EXPECT_NE(html.find("<a href=\"/u/sam\">sam</a>"), std::string::npos);
  EXPECT_NE(html.find(">Therapy</a>"), std::string::npos) << "the category is named";
  EXPECT_NE(html.find("1 conversation found"), std::string::npos);
  EXPECT_NE(html.find("value=\"therapy\""), std::string::npos) << "the box keeps the words";
}

TEST_F(FindingPagesTest, ACorrectedSpellingSaysSoAndOffersTheOriginal) {
  forum::Viewer sam = Member("sam");
  AskIndexed(sam, "Is a therapy hangover normal?", "The day after therapy I feel a hangover: tired and heavy.");
  auto page = SearchFor("q=therepy+hangover", Visitor());
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = page->body;
  EXPECT_NE(html.find("Showing results for <strong>therapy hangover</strong>. Search instead for <a "
                      "href=\"/search?q=therepy%20hangover&amp;exact=1\">therepy hangover</a>"),
            std::string::npos)
      << html;
  // Following it does not offer the same link again.
  auto exact = SearchFor("q=therepy+hangover&exact=1", Visitor());
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->body.find("Search instead for"), std::string::npos);
}

TEST_F(FindingPagesTest, NothingFoundSuggestsWhatToTry) {
  forum::Viewer sam = Member("sam");
  AskIndexed(sam, "Sleeping badly before exams", "I lie awake every night before an exam.");
  auto page = SearchFor("q=xylophone&author=sam", Visitor());
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = page->body;
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(html.find("Nothing found for “xylophone”"), std::string::npos) << html;
  EXPECT_NE(html.find("fewer words"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/new\">ask your question</a>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/search?q=xylophone\">every category and writer</a>"), std::string::npos);
  EXPECT_NE(html.find("<details class=\"filters\" open>"), std::string::npos) << "a used filter stays in view";
}

TEST_F(FindingPagesTest, ATooLongQueryIsExplainedBesideTheBoxAndKept) {
  std::string words;
  for (int i = 0; i < 30; ++i) words += "worry+";
  auto page = SearchFor("q=" + words + "end", Visitor());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 422);
  EXPECT_NE(page->body.find("<p class=\"field-error\" id=\"q-error\">"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(page->body.find("value=\"worry worry"), std::string::npos) << "the text is kept";
  EXPECT_NE(page->body.find("<title>Please check: Search"), std::string::npos);
}

TEST_F(FindingPagesTest, PreviewShowsSimilarQuestionsKeepsTheTextAndPostsNothing) {
  forum::Viewer sam = Member("sam");
  forum::Viewer kim = Member("kim");
  auto [topic, post] = AskIndexed(sam, "Is it normal to cry after therapy?",
                                  "Every week I leave my therapy session and cry in the car. Is that normal?");
  auto before = forum_->LatestTopics(1, 50);
  ASSERT_TRUE(before.ok());
  std::string form = "_csrf=x&category_id=" + std::to_string(category_.value) +
                     "&title=Crying+after+therapy+sessions&body=I+always+cry+after+therapy.+Normal%3F&preview=1";
  auto page = pages_->NewTopic(Post("/new", form), kim);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->status, 200);
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  EXPECT_NE(html.find("These questions may already have answers"), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"/t/" + std::to_string(topic.id.value) + "\" target=\"_blank\" rel=\"noopener\""),
            std::string::npos);
  EXPECT_NE(html.find("value=\"Crying after therapy sessions\""), std::string::npos) << "the title is kept";
  EXPECT_NE(html.find("I always cry after therapy. Normal?</textarea>"), std::string::npos) << "the question is kept";
  EXPECT_NE(html.find("Your question is not posted yet."), std::string::npos);
  auto after = forum_->LatestTopics(1, 50);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->topics.size(), before->topics.size()) << "a preview asks nothing";

  // Hidden a moment ago, before the index takes it in: its title is not offered.
  ASSERT_TRUE(store_->SetPostHidden(post.id, clock_.Now(), "moderator").ok());
  auto after_hiding = pages_->NewTopic(Post("/new", form), kim);
  ASSERT_TRUE(after_hiding.ok());
  EXPECT_EQ(after_hiding->body.find("href=\"/t/" + std::to_string(topic.id.value) + "\""), std::string::npos);

  // The other button posts as it always did.
  form.resize(form.size() - std::string("&preview=1").size());
  auto posted = pages_->NewTopic(Post("/new", form), kim);
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->status, 303);
}

TEST_F(FindingPagesTest, TheWriterOfAMisplacedReplyIsOfferedAMoveOthersSeeNothing) {
  forum::Viewer sam = Member("sam");
  forum::Viewer kim = Member("kim");
  TopicId therapy = AskIndexed(sam, "Is it normal to cry after therapy?", "I cry after every session.").first.id;
  TopicId caring = AskIndexed(sam, "Caring for my mum for years", "How do other carers keep going?").first.id;
  auto reply = forum_->Reply(kim, therapy, {"Ten years of caring for my dad taught me to take breaks.", std::nullopt});
  ASSERT_TRUE(reply.ok());
  // What Forum::CheckPlacement records when the index says so; made by hand so the test does not
  // depend on the index's judgement.
  store::NewReviewItem item;
  item.kind = store::ReviewKind::kMisplaced;
  item.post = reply->id;
  item.reasons = "possibly misplaced";
  item.suggested_topic = caring;
  item.score = 0.72;
  item.created_at = clock_.Now();
  ASSERT_TRUE(store_->CreateReviewItem(item).ok());

  std::string id = std::to_string(therapy.value);
  std::string post_id = std::to_string(reply->id.value);
  auto page = TopicPage(Get("/t/" + id, "page=1&posted=" + post_id, {{"id", id}}), kim);
  ASSERT_TRUE(page.ok());
  const std::string& html = page->body;
  ExpectWellFormedPage(html);
  EXPECT_NE(html.find("Did you mean to reply to “<a href=\"/t/" + std::to_string(caring.value) +
                      "\">Caring for my mum for years</a>”?"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<form method=\"post\" action=\"/p/" + post_id + "/move\">"), std::string::npos);
  EXPECT_NE(html.find("name=\"topic_id\" value=\"" + std::to_string(caring.value) + "\""), std::string::npos);
  EXPECT_NE(html.find("No, it belongs here</a>"), std::string::npos);
  EXPECT_LT(html.find("id=\"misplaced\""), html.find("<article")) << "near the top";

  auto other = TopicPage(Get("/t/" + id, "page=1&posted=" + post_id, {{"id", id}}), sam);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->body.find("id=\"misplaced\""), std::string::npos) << "only the writer sees it";

  // The moderators' queue names it and links to the likely thread with the score.
  auto queue = pages_->ReviewQueue(Get("/mod/queue"), admin_);
  ASSERT_TRUE(queue.ok());
  EXPECT_NE(queue->body.find("Possibly misplaced"), std::string::npos);
  EXPECT_NE(queue->body.find("It reads like <a href=\"/t/" + std::to_string(caring.value) +
                             "\">Caring for my mum for years</a> (match 72%)"),
            std::string::npos)
      << queue->body;

  // One click moves it, and the reply is shown where it now lives.
  auto moved = pages_->MoveReply(
      Post("/p/" + post_id + "/move", "_csrf=x&topic_id=" + std::to_string(caring.value), {{"id", post_id}}), kim);
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(moved->status, 303);
  EXPECT_EQ(HeaderOf(*moved, "Location"), "/p/" + post_id);
  EXPECT_EQ(forum_->FindPost(reply->id)->topic_id, caring);
}

// The reply form's request waits for the reply's misplaced check (on the writing lane), so the
// page after posting, which waits for nothing, already has the note to offer.
TEST_F(FindingPagesTest, PostingAMisplacedReplyLandsOnTheOfferToMoveIt) {
  forum::Viewer sam = Member("sam");
  forum::Viewer kim = Member("kim");
  TopicId therapy = AskIndexed(sam, "Is it normal to cry after therapy?", "I cry in the car after every session.").first.id;
  TopicId caring =
      AskIndexed(sam, "Caring for my mum with dementia for years", "How do other carers keep going, year after year?")
          .first.id;
  AskIndexed(sam, "Can't sleep before exams", "My mind races every night before an exam.");
  std::string id = std::to_string(therapy.value);
  auto replied = pages_->Reply(
      Post("/t/" + id + "/reply",
           "body=Caring+for+my+mum+with+dementia+for+years+wore+me+down.+Other+carers+at+a+carers+group+kept+me+going.",
           {{"id", id}}),
      kim);
  ASSERT_TRUE(replied.ok()) << replied.error().message;
  const std::string location = HeaderOf(*replied, "Location");
  EXPECT_NE(location.find("#misplaced"), std::string::npos) << location;

  const std::string query = location.substr(location.find('?') + 1, location.find('#') - location.find('?') - 1);
  auto page = TopicPage(Get("/t/" + id, query, {{"id", id}}), kim);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->body.find("name=\"topic_id\" value=\"" + std::to_string(caring.value) + "\""), std::string::npos)
      << page->body;
}

TEST_F(FindingPagesTest, AMoveAfterHalfAnHourIsRefusedKindly) {
  forum::Viewer sam = Member("sam");
  forum::Viewer kim = Member("kim");
  TopicId therapy = AskIndexed(sam, "Is it normal to cry after therapy?", "I cry after every session.").first.id;
  TopicId caring = AskIndexed(sam, "Caring for my mum for years", "How do other carers keep going?").first.id;
  auto reply = forum_->Reply(kim, therapy, {"Ten years of caring for my dad taught me to take breaks.", std::nullopt});
  ASSERT_TRUE(reply.ok());
  store::NewReviewItem item;
  item.kind = store::ReviewKind::kMisplaced;
  item.post = reply->id;
  item.suggested_topic = caring;
  item.score = 0.7;
  item.created_at = clock_.Now();
  ASSERT_TRUE(store_->CreateReviewItem(item).ok());
  clock_.Advance(forum::kMoveWindowSeconds + 1);

  std::string post_id = std::to_string(reply->id.value);
  auto refused = pages_->MoveReply(
      Post("/p/" + post_id + "/move", "_csrf=x&topic_id=" + std::to_string(caring.value), {{"id", post_id}}), kim);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("Your reply stays where it is"), std::string::npos);
  EXPECT_NE(refused->body.find("href=\"/p/" + post_id + "\""), std::string::npos);
  EXPECT_EQ(forum_->FindPost(reply->id)->topic_id, therapy);
  // And the note is no longer offered.
  std::string id = std::to_string(therapy.value);
  auto page = TopicPage(Get("/t/" + id, "page=1&posted=" + post_id, {{"id", id}}), kim);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->body.find("id=\"misplaced\""), std::string::npos);
}

TEST_F(FindingPagesTest, TopicFootListsPeopleAlsoAskedOnlyWhenThereAreAny) {
  forum::Viewer sam = Member("sam");
  TopicId first =
      AskIndexed(sam, "Is it normal to cry after therapy?", "Every week I leave my therapy session and cry in the car.")
          .first.id;
  std::string id = std::to_string(first.value);
  auto alone = TopicPage(Get("/t/" + id, "", {{"id", id}}), Visitor());
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->body.find("People also asked"), std::string::npos);

  auto [second_topic, second_question] = AskIndexed(sam, "Crying in the car after therapy sessions",
                                                    "I always cry in the car after my therapy session. Is this normal?");
  TopicId second = second_topic.id;
  // The list is reworked every few minutes, not on every view.
  auto still = TopicPage(Get("/t/" + id, "", {{"id", id}}), Visitor());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->body.find("People also asked"), std::string::npos);
  clock_.Advance(forum::kRelatedFreshSeconds);
  auto page = TopicPage(Get("/t/" + id, "", {{"id", id}}), Visitor());
  ASSERT_TRUE(page.ok());
  ExpectWellFormedPage(page->body);
  EXPECT_NE(page->body.find("<h2 id=\"h-related\">People also asked</h2>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<a href=\"/t/" + std::to_string(second.value) + "\">"), std::string::npos);

  // Hidden a moment later, while the list is still the one worked out above: no longer offered.
  ASSERT_TRUE(store_->SetPostHidden(second_question.id, clock_.Now(), "moderator").ok());
  auto after_hiding = TopicPage(Get("/t/" + id, "", {{"id", id}}), Visitor());
  ASSERT_TRUE(after_hiding.ok());
  EXPECT_EQ(after_hiding->body.find("<a href=\"/t/" + std::to_string(second.value) + "\">"), std::string::npos)
      << "a hidden question's title is not shown under another topic";
}

// Ranking the related list takes tens of milliseconds at a million posts: a page that needs it is
// handed to the searching lane, and one whose list is kept is made where it arrived.
TEST_F(FindingPagesTest, ATopicPageIsMadeOnTheSearchingLaneOnlyWhenItsRelatedListNeedsRanking) {
  forum::Viewer sam = Member("sam");
  TopicId first =
      AskIndexed(sam, "Is it normal to cry after therapy?", "Every week I leave my therapy session and cry in the car.")
          .first.id;
  AskIndexed(sam, "Crying in the car after therapy sessions",
             "I always cry in the car after my therapy session. Is this normal?");
  std::string id = std::to_string(first.value);
  auto handed_on = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), Visitor());
  ASSERT_TRUE(handed_on.ok());
  ASSERT_TRUE(handed_on->answer_on.has_value());
  EXPECT_EQ(*handed_on->answer_on, http::Lane::kSearching);

  http::Request on_lane = Get("/t/" + id, "", {{"id", id}});
  on_lane.lane = http::Lane::kSearching;
  auto ranked = pages_->Topic(on_lane, Visitor());
  ASSERT_TRUE(ranked.ok());
  EXPECT_FALSE(ranked->answer_on.has_value());
  EXPECT_NE(ranked->body.find("People also asked"), std::string::npos);

  auto at_hand = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), sam);
  ASSERT_TRUE(at_hand.ok());
  EXPECT_FALSE(at_hand->answer_on.has_value()) << "the list is kept: made on the serving thread";
  EXPECT_NE(at_hand->body.find("People also asked"), std::string::npos);

  clock_.Advance(forum::kRelatedFreshSeconds);
  auto aged = pages_->Topic(Get("/t/" + id, "", {{"id", id}}), sam);
  ASSERT_TRUE(aged.ok());
  EXPECT_TRUE(aged->answer_on.has_value()) << "an aged list is ranked again, on the lane";
}

TEST_F(FindingPagesTest, TopicPageWithTwentyRepliesAndRelatedQuestionsStaysUnderBudget) {
  forum::Viewer sam = Member("sam");
  std::string body =
      "I went through something very similar last spring. What helped me most was writing a few lines "
      "each evening about what the session brought up, and being gentle with myself on the days after. "
      "It does get easier, and you are not alone in this.";
  TopicId topic = AskIndexed(admin_, "Is it normal to cry after therapy?",
                             "Every week I leave my therapy session and cry in the car.")
                      .first.id;
  for (const char* place : {"car", "bus", "train", "kitchen", "park"}) {
    AskIndexed(sam, std::string("Crying in the ") + place + " after therapy sessions",
               std::string("I always cry in the ") + place + " after my therapy session. Is this normal?");
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(forum_->Reply(sam, topic, {body, std::nullopt}).ok());
  std::string id = std::to_string(topic.value);
  auto page = TopicPage(Get("/t/" + id, "", {{"id", id}}), admin_);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->body.find("People also asked"), std::string::npos);
  internal::StaticFiles files;
  std::size_t total =
      page->body.size() + files.Find("kindred.css")->content.size() + files.Find("kindred.js")->content.size();
  EXPECT_LT(total, kTopicPageBudgetBytes);
}

}  // namespace
}  // namespace kindred::web
