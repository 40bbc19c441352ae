// RouteTable: the one table of every URL Kindred answers, and the gate each request passes
// through in order: route lookup, body limit, who is asking, CSRF, the handler, then error
// mapping and the headers every response carries.
// Thread-safety: built once; Dispatch may run on any thread at once.
#pragma once

#include <functional>
#include <memory>

#include "api/api.h"
#include "forum/forum.h"
#include "http/message.h"
#include "http/page_cache.h"
#include "http/router.h"
#include "http/server.h"
#include "web/pages.h"

namespace kindred::http {

struct RouteOptions {
  // Trust X-Forwarded-For and X-Forwarded-Proto only from this peer (the local proxy), never
  // from anyone else, or any client could pick its own rate-limit bucket.
  std::string trusted_proxy;
  bool log_requests = true;
  // The change feed's position (Store::LatestEventSeq). Given, visitors' topic, home, category and
  // search pages are kept rendered and served until the feed moves (http/page_cache.h).
  PageCache::FeedPosition feed_position;
  // The search index's position (SearchIndex::AppliedSeq): a search page is kept under both, as
  // its hits come from the index and are checked against the store.
  std::function<std::int64_t()> index_position;
};

// The visitors' page cache: a few thousand rendered, compressed pages fit in 32 MB, well inside
// issue 7's 100 MB; 30 s (60 s while one request makes an aged page again, see FeedCache) keeps
// "5 minutes ago" and "People also asked" close to true.
inline constexpr std::size_t kPageCacheBytes = 32u << 20;
inline constexpr std::chrono::seconds kPageCacheMaxAge{30};

class RouteTable {
 public:
  RouteTable(forum::Forum& forum, web::Pages& pages, api::Api& api, RouteOptions options);

  Response Dispatch(Request& request) const;
  // Which of the server's lanes answers the request: writes go to the writing lane, and the rest
  // start on a serving thread (a handler may hand its request on: Response::AnswerOn).
  Lane LaneFor(const Request& request) const;

 private:
  enum class Kind { kHtml, kJson };
  using Handler = std::function<Result<Response>(const Request&, const forum::Viewer&)>;
  struct Route {
    Kind kind;
    Handler handler;
    std::size_t max_body_bytes;
    bool same_for_every_visitor = false;  // its visitors' page may come from the page cache
    bool follows_index = false;           // ...and is valid only at the index position it was made at
  };
  enum class Caching { kNever, kForVisitors, kForVisitorsAtIndexPosition };

  void Html(const char* method, const char* pattern, web::Pages::Handler handler, Caching caching = Caching::kNever);
  void Json(const char* method, const char* pattern, api::Api::Handler handler);

  Response Handle(Request& request, forum::Viewer& viewer, bool& set_visitor_csrf) const;
  // The page-cache key of a visitor's request for a cacheable page (path, query and whether it
  // takes gzip), or nullopt when the request is not one (a member, a bearer token, a POST).
  std::optional<std::string> VisitorPageKey(const Request& request) const;
  forum::Viewer IdentifyViewer(const Request& request, bool& is_bearer) const;
  Response RenderError(Kind kind, const Request& request, const forum::Viewer& viewer, const Error& error) const;
  static void AddCommonHeaders(Response& response);

  forum::Forum& forum_;
  web::Pages& pages_;
  api::Api& api_;
  RouteOptions options_;
  Router<Route> router_;
  std::unique_ptr<PageCache> page_cache_;  // null without options_.feed_position
};

}  // namespace kindred::http
