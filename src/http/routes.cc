#include "http/routes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/text.h"
#include "forum/passwords.h"
#include "http/compression.h"

namespace kindred::http {
namespace {

// A form or JSON body never needs more: 20,000 characters of up to 4 bytes, %-encoded, is
// 240 KB. Anything larger is refused with a 413 before it is parsed.
constexpr std::size_t kMaxFormBytes = 256 * 1024;
constexpr std::size_t kMaxJsonBytes = 256 * 1024;

// No script, style, font or image from anywhere but here; no framing; forms post only here.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

bool IsUnsafeMethod(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string BearerToken(const Request& request) {
  std::string_view authorization = request.Header("authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (authorization.size() > kPrefix.size() && authorization.substr(0, kPrefix.size()) == kPrefix) {
    return std::string(authorization.substr(kPrefix.size()));
  }
  return {};
}

bool LooksLikeToken(std::string_view token) {
  if (token.size() != 43) return false;
  for (char c : token) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

RouteTable::RouteTable(forum::Forum& forum, web::Pages& pages, api::Api& api, RouteOptions options)
    : forum_(forum), pages_(pages), api_(api), options_(std::move(options)) {
  if (options_.feed_position) {
    page_cache_ = std::make_unique<PageCache>(options_.feed_position, kPageCacheBytes, kPageCacheMaxAge);
  }
  using P = web::Pages;
  // What visitors read most; the same bytes for every visitor (no token, cookie or language in
  // them), so they may be served from the page cache.
  Html("GET", "/", &P::Home, Caching::kForVisitors);
  Html("GET", "/c/{slug}", &P::Category, Caching::kForVisitors);
  Html("GET", "/t/{id}", &P::Topic, Caching::kForVisitors);
  Html("GET", "/t/{id}/events", &P::TopicEvents);
  Html("GET", "/p/{id}", &P::PostLink);
  Html("GET", "/p/{id}/revisions", &P::Revisions);
  Html("GET", "/u/{name}", &P::Profile);
  Html("GET", "/login", &P::LoginForm);
  Html("POST", "/login", &P::Login);
  Html("GET", "/register", &P::RegisterForm);
  Html("POST", "/register", &P::Register);
  Html("POST", "/logout", &P::Logout);
  Html("POST", "/logout-everywhere", &P::LogoutEverywhere);
  Html("GET", "/new", &P::NewTopicForm);
  Html("POST", "/new", &P::NewTopic);
  Html("GET", "/t/{id}/reply", &P::ReplyForm);
  Html("POST", "/t/{id}/reply", &P::Reply);
  Html("POST", "/t/{id}/moderate", &P::ModerateTopic);
  Html("GET", "/p/{id}/edit", &P::EditForm);
  Html("POST", "/p/{id}/edit", &P::Edit);
  Html("GET", "/p/{id}/delete", &P::DeleteForm);
  Html("POST", "/p/{id}/delete", &P::Delete);
  Html("POST", "/p/{id}/react", &P::React);
  Html("GET", "/admin/categories", &P::AdminCategories);
  Html("POST", "/admin/categories", &P::CreateCategory);
  Html("POST", "/admin/categories/{id}", &P::UpdateCategory);
  Html("POST", "/admin/categories/{id}/move", &P::MoveCategory);
  Html("POST", "/admin/categories/{id}/archive", &P::ArchiveCategory);
  Html("GET", "/help", &P::Help);
  Html("GET", "/guidelines", &P::Guidelines);
  Html("GET", "/p/{id}/worry", &P::WorryForm);
  Html("POST", "/p/{id}/worry", &P::Worry);
  Html("GET", "/p/{id}/worry-unwanted", &P::UnwantedWorryForm);
  Html("POST", "/p/{id}/worry-unwanted", &P::UnwantedWorry);
  Html("GET", "/notices", &P::Notices);
  Html("GET", "/account", &P::AccountForm);
  Html("POST", "/account", &P::SaveAccount);
  Html("POST", "/account/password", &P::ChangePassword);
  Html("GET", "/mod/queue", &P::ReviewQueue);
  Html("POST", "/mod/review/{id}/action", &P::ActOnReview);
  Html("POST", "/mod/review/{id}/message", &P::MessageWriter);
  Html("GET", "/mod/log", &P::Modlog);
  Html("GET", "/admin/safety", &P::AdminSafety);
  Html("POST", "/admin/safety/helplines", &P::SaveHelplines);
  Html("GET", "/admin/safety/helplines.tsv", &P::ExportHelplines);
  Html("POST", "/admin/safety/templates", &P::SaveMessageTemplates);
  Html("POST", "/admin/safety/supporters", &P::SetTrustedSupporter);
  Html("POST", "/admin/safety/support", &P::SaveSupportMessages);
  Html("GET", "/search", &P::Search, Caching::kForVisitorsAtIndexPosition);
  Html("POST", "/p/{id}/move", &P::MoveReply);
  Html("GET", "/privacy", &P::Privacy);
  Html("GET", "/account/export.html", &P::ExportPage);
  Html("GET", "/account/delete", &P::DeleteAccountForm);
  Html("POST", "/account/delete", &P::DeleteAccount);
  Html("GET", "/goodbye", &P::Goodbye);
  Html("POST", "/u/{name}/block", &P::BlockMember);
  Html("POST", "/u/{name}/unblock", &P::UnblockMember);
  Html("POST", "/account/personal", &P::SavePersonalControls);
  Html("GET", "/mod/members/{name}", &P::MemberPanel);
  Html("POST", "/mod/members/{name}/suspend", &P::SuspendMember);
  Html("POST", "/mod/members/{name}/unsuspend", &P::LiftSuspension);
  Html("POST", "/mod/members/{name}/trust", &P::SetMemberTrust);
  Html("POST", "/mod/members/{name}/role", &P::SetMemberRole);
  Html("GET", "/admin/watched-words", &P::WatchedWords);
  Html("POST", "/admin/watched-words", &P::AddWatchedWord);
  Html("POST", "/admin/watched-words/{id}/remove", &P::RemoveWatchedWord);
  Html("POST", "/t/{id}/slow-mode", &P::SetSlowMode);
  Html("GET", "/p/{id}/reveal", &P::RevealForm);
  Html("POST", "/p/{id}/reveal", &P::Reveal);
  Html("POST", "/p/{id}/show", &P::ShowPostAgain);
  Html("GET", "/p/{id}/flag", &P::FlagForm);
  Html("POST", "/p/{id}/flag", &P::Flag);
  Html("GET", "/static/{name}", &P::Static);

  using A = api::Api;
  Json("POST", "/api/v1/users", &A::CreateUser);
  Json("GET", "/api/v1/users/{name}", &A::ShowUser);
  Json("POST", "/api/v1/sessions", &A::CreateSession);
  Json("DELETE", "/api/v1/sessions/current", &A::DeleteSession);
  Json("DELETE", "/api/v1/sessions", &A::DeleteAllSessions);
  Json("GET", "/api/v1/categories", &A::ListCategories);
  Json("POST", "/api/v1/categories", &A::CreateCategory);
  Json("PATCH", "/api/v1/categories/{id}", &A::UpdateCategory);
  Json("GET", "/api/v1/categories/{slug}/topics", &A::CategoryTopics);
  Json("GET", "/api/v1/topics", &A::LatestTopics);
  Json("POST", "/api/v1/topics", &A::CreateTopic);
  Json("GET", "/api/v1/topics/{id}", &A::ShowTopic);
  Json("GET", "/api/v1/topics/{id}/events", &A::TopicEvents);
  Json("PATCH", "/api/v1/topics/{id}", &A::ModerateTopic);
  Json("POST", "/api/v1/topics/{id}/posts", &A::CreatePost);
  Json("GET", "/api/v1/posts/{id}", &A::ShowPost);
  Json("PATCH", "/api/v1/posts/{id}", &A::EditPost);
  Json("DELETE", "/api/v1/posts/{id}", &A::DeletePost);
  Json("GET", "/api/v1/posts/{id}/revisions", &A::ListRevisions);
  Json("POST", "/api/v1/posts/{id}/reactions", &A::AddReaction);
  Json("DELETE", "/api/v1/posts/{id}/reactions/{kind}", &A::RemoveReaction);
  Json("POST", "/api/v1/posts/{id}/flags", &A::FlagPost);
  Json("POST", "/api/v1/posts/{id}/worry-unwanted", &A::ReportUnwantedWorry);
  Json("POST", "/api/v1/posts/{id}/move", &A::MovePost);
  Json("GET", "/api/v1/search", &A::Search);
  Json("GET", "/api/v1/similar", &A::Similar);
  Json("GET", "/api/v1/topics/{id}/related", &A::Related);
  Json("POST", "/api/v1/safety/check", &A::CheckSafety);
  Json("GET", "/api/v1/helplines", &A::Helplines);
  Json("GET", "/api/v1/review", &A::ReviewQueue);
  Json("POST", "/api/v1/review/{id}/actions", &A::ActOnReview);
  Json("GET", "/api/v1/me/notices", &A::MyNotices);
  Json("POST", "/api/v1/users/{name}/block", &A::BlockUser);
  Json("DELETE", "/api/v1/users/{name}/block", &A::UnblockUser);
  Json("PUT", "/api/v1/me/muted-words", &A::SetMutedWords);
  Json("POST", "/api/v1/posts/{id}/reveal", &A::RevealAnonymous);
  Json("POST", "/api/v1/posts/{id}/show", &A::ShowPostAgain);
  Json("POST", "/api/v1/users/{name}/suspend", &A::SuspendUser);
  Json("DELETE", "/api/v1/users/{name}/suspend", &A::LiftSuspension);
  Json("PUT", "/api/v1/users/{name}/trust", &A::SetTrust);
  Json("PUT", "/api/v1/users/{name}/role", &A::SetRole);
  Json("GET", "/api/v1/users/{name}/standing", &A::UserStanding);
  Json("GET", "/api/v1/modlog", &A::Modlog);
  Json("GET", "/api/v1/admin/watched-words", &A::ListWatchedWords);
  Json("POST", "/api/v1/admin/watched-words", &A::AddWatchedWord);
  Json("DELETE", "/api/v1/admin/watched-words/{id}", &A::RemoveWatchedWord);
  Json("GET", "/api/v1/me/export", &A::ExportAccount);
  Json("DELETE", "/api/v1/me", &A::DeleteAccount);
  Json("GET", "/api/v1/me", &A::ShowMe);
  Json("PATCH", "/api/v1/me", &A::UpdateMe);
  Json("POST", "/api/v1/me/password", &A::ChangePassword);

  router_.Add("GET", "/healthz",
              Route{Kind::kJson,
                    [](const Request&, const forum::Viewer&) -> Result<Response> {
                      Response response = Response::Json("{\"status\":\"ok\"}");
                      return response;
                    },
                    0});
}

void RouteTable::Html(const char* method, const char* pattern, web::Pages::Handler handler, Caching caching) {
  router_.Add(method, pattern,
              Route{Kind::kHtml,
                    [this, handler](const Request& request, const forum::Viewer& viewer) {
                      return (pages_.*handler)(request, viewer);
                    },
                    kMaxFormBytes, caching != Caching::kNever, caching == Caching::kForVisitorsAtIndexPosition});
}

std::optional<std::string> RouteTable::VisitorPageKey(const Request& request) const {
  if (!page_cache_ || (request.method != "GET" && request.method != "HEAD")) return std::nullopt;
  if (!request.Header("authorization").empty() || !request.Cookie(kSessionCookieName).empty()) return std::nullopt;
  auto match = router_.Find("GET", request.path);
  if (!match.target || !match.target->same_for_every_visitor) return std::nullopt;
  const bool gzip = AcceptsGzip(request.Header("accept-encoding"));
  std::string key = request.path + "?" + request.query + (gzip ? "\ngzip" : "\nidentity");
  if (match.target->follows_index) {
    if (!options_.index_position) return std::nullopt;
    key += "\nindex " + std::to_string(options_.index_position());
  }
  return key;
}

void RouteTable::Json(const char* method, const char* pattern, api::Api::Handler handler) {
  router_.Add(method, pattern,
              Route{Kind::kJson,
                    [this, handler](const Request& request, const forum::Viewer& viewer) {
                      return (api_.*handler)(request, viewer);
                    },
                    kMaxJsonBytes, false, false});
}

Lane RouteTable::LaneFor(const Request& request) const {
  // Lookups that rank the whole index start on a serving thread too: their handlers answer what
  // is at hand and hand the rest to the searching lane themselves (Response::AnswerOn).
  return request.method == "GET" || request.method == "HEAD" ? Lane::kServing : Lane::kWriting;
}

forum::Viewer RouteTable::IdentifyViewer(const Request& request, bool& is_bearer) const {
  std::string bearer = BearerToken(request);
  is_bearer = !bearer.empty();
  std::string token = is_bearer ? bearer : request.Cookie(kSessionCookieName);
  return forum_.Authenticate(token, request.client_address);
}

Response RouteTable::Dispatch(Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  if (!options_.trusted_proxy.empty() && request.client_address == options_.trusted_proxy) {
    std::string_view forwarded = request.Header("x-forwarded-for");
    if (!forwarded.empty()) {
      // The proxy appends the address it saw last; everything before it the client could forge.
      std::size_t comma = forwarded.rfind(',');
      std::string_view last = comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
      while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
      request.client_address = std::string(last);
    }
    request.secure = request.Header("x-forwarded-proto") == "https";
  }

  forum::Viewer viewer;
  bool set_visitor_csrf = false;
  Response response;
  const std::optional<std::string> cache_key = VisitorPageKey(request);
  // Read before rendering: a write that lands meanwhile moves the feed past the stored position.
  std::optional<std::int64_t> position;
  if (cache_key) position = page_cache_->Position();
  std::optional<Response> cached = position ? page_cache_->Find(*cache_key, *position) : std::nullopt;
  if (cached) {
    response = std::move(*cached);
    response.AddHeader("X-Kindred-Page-Cache", "hit");
    if (!LooksLikeToken(request.Cookie(kCsrfCookieName))) {
      viewer.csrf_token = forum::NewToken();
      set_visitor_csrf = true;
    }
  } else {
    response = Handle(request, viewer, set_visitor_csrf);
    if (response.answer_on) return response;  // answered, and logged, on its lane
    AddCommonHeaders(response);
    MaybeGzip(request, response);
    const bool sets_cookies = std::any_of(response.headers.begin(), response.headers.end(),
                                          [](const auto& header) { return header.first == "Set-Cookie"; });
    if (position && response.status == 200 && !response.on_stream && !sets_cookies && !viewer.signed_in()) {
      page_cache_->Keep(*cache_key, *position, response);
      response.AddHeader("X-Kindred-Page-Cache", "miss");
    }
  }
  if (set_visitor_csrf) {
    response.AddHeader("Set-Cookie", std::string(kCsrfCookieName) + "=" + viewer.csrf_token +
                                         "; Path=/; HttpOnly; SameSite=Lax" + (request.secure ? "; Secure" : ""));
  }
  if (options_.log_requests) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    // Path only: query strings can hold what someone searched for, and addresses are personal.
    // A decoded path may hold a line break: escaped, so no request can write a log line of its own.
    spdlog::info("method={} path={} status={} duration_ms={:.2f}", request.method, EscapeControlCharacters(request.path),
                 response.status, micros.count() / 1000.0);
  }
  return response;
}

Response RouteTable::Handle(Request& request, forum::Viewer& viewer, bool& set_visitor_csrf) const {
  // 1. Which route. HEAD is answered as GET without the body (server.cc drops it).
  std::string_view method = request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
  auto match = router_.Find(method, request.path);
  const bool wants_json = request.path.rfind("/api/", 0) == 0;
  const Kind kind = match.target ? match.target->kind : (wants_json ? Kind::kJson : Kind::kHtml);
  if (!match.target) {
    Error error =
        match.path_known
            ? Error{ErrorCode::kInvalidInput, "method_not_allowed", "That action is not available here.", {}, 0}
            : Error::NotFound("not_found", "We could not find that page. It may have been moved or deleted.");
    Response response = RenderError(kind, request, viewer, error);
    if (match.path_known) {
      response.status = 405;
      std::string allow;
      for (const auto& allowed : match.allowed) {
        allow.append(allow.empty() ? "" : ", ").append(allowed);
        if (allowed == "GET") allow.append(", HEAD");
      }
      response.AddHeader("Allow", std::move(allow));
    }
    return response;
  }
  const Route& route = *match.target;
  request.route_params = std::move(match.params);

  // 2. Who is asking, from headers alone: even a refusal then shows a member as signed in.
  //    Visitors get their own CSRF token so sign-in forms are protected too.
  bool is_bearer = false;
  viewer = IdentifyViewer(request, is_bearer);
  if (!viewer.signed_in()) {
    std::string cookie = request.Cookie(kCsrfCookieName);
    if (LooksLikeToken(cookie)) {
      viewer.csrf_token = cookie;
    } else if (kind == Kind::kHtml) {
      viewer.csrf_token = forum::NewToken();
      set_visitor_csrf = true;
    }
  }

  // 3. Body size, before anything reads the body.
  if (request.body.size() > route.max_body_bytes) {
    if (kind == Kind::kHtml && IsUnsafeMethod(request.method)) {
      return pages_.FormNotSentPage(request, viewer, web::Pages::NotSent::kTooLarge);
    }
    return RenderError(kind, request, viewer,
                       Error::TooLarge("That is more than we can take in one go. Please shorten it and try again."));
  }

  // 4. CSRF: a browser sends cookies with cross-site requests, so a cookie-authenticated change must
  //    prove it came from our own page. A bearer token is never sent by a browser on its own.
  if (IsUnsafeMethod(request.method) && !is_bearer) {
    std::string presented;
    if (kind == Kind::kHtml) {
      auto form = Params::Parse(request.body);
      if (form) presented = form->Get(kCsrfField);
    } else {
      presented = std::string(request.Header(kCsrfHeader));
    }
    bool needs_check = kind == Kind::kHtml || viewer.signed_in();
    if (needs_check && !forum::SecretsEqual(presented, viewer.csrf_token)) {
      if (kind == Kind::kHtml) return pages_.FormNotSentPage(request, viewer, web::Pages::NotSent::kExpired);
      return RenderError(kind, request, viewer,
                         Error{ErrorCode::kForbidden, "invalid_csrf",
                               "Requests signed in with a session cookie need the X-CSRF-Token header (or use a "
                               "bearer token).",
                               {}, 0});
    }
  }

  // 5. The handler; errors it returns become pages or JSON here.
  auto result = route.handler(request, viewer);
  if (!result) return RenderError(kind, request, viewer, result.error());
  return std::move(result).value();
}

Response RouteTable::RenderError(Kind kind, const Request& request, const forum::Viewer& viewer,
                                 const Error& error) const {
  if (kind == Kind::kJson) return api::Api::ErrorJson(error);  // sets Retry-After on 429 itself
  // A visitor who follows a link that needs an account is taken to sign in, then brought back.
  if (error.code == ErrorCode::kUnauthenticated && request.method == "GET") {
    std::string next = request.path + (request.query.empty() ? "" : "?" + request.query);
    return Response::Redirect("/login?next=" + UrlEncode(next));
  }
  return pages_.ErrorPage(viewer, error);
}

void RouteTable::AddCommonHeaders(Response& response) {
  response.AddHeader("X-Content-Type-Options", "nosniff");
  response.AddHeader("Referrer-Policy", "same-origin");
  const bool html = response.content_type.rfind("text/html", 0) == 0;
  if (html) {
    response.AddHeader("Content-Security-Policy", kContentSecurityPolicy);
    response.AddHeader("X-Frame-Options", "DENY");
  }
  if (html || response.content_type.rfind("application/json", 0) == 0) {
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) has_cache_control |= name == "Cache-Control";
    // Pages and answers can show who is signed in and what is theirs: shared caches must not keep them.
    if (!has_cache_control) response.AddHeader("Cache-Control", "private, no-cache");
  }
}

}  // namespace kindred::http
