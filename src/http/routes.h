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
#include "http/router.h"
#include "web/pages.h"

namespace kindred::http {

struct RouteOptions {
  // Trust X-Forwarded-For and X-Forwarded-Proto only from this peer (the local proxy), never
  // from anyone else, or any client could pick its own rate-limit bucket.
  std::string trusted_proxy;
  bool log_requests = true;
};

class RouteTable {
 public:
  RouteTable(forum::Forum& forum, web::Pages& pages, api::Api& api, RouteOptions options);

  Response Dispatch(Request& request) const;

 private:
  enum class Kind { kHtml, kJson };
  using Handler = std::function<Result<Response>(const Request&, const forum::Viewer&)>;
  struct Route {
    Kind kind;
    Handler handler;
    std::size_t max_body_bytes;
  };

  void Html(const char* method, const char* pattern, web::Pages::Handler handler);
  void Json(const char* method, const char* pattern, api::Api::Handler handler);

  Response Handle(Request& request, forum::Viewer& viewer, bool& set_visitor_csrf) const;
  forum::Viewer IdentifyViewer(const Request& request, bool& is_bearer) const;
  Response RenderError(Kind kind, const Request& request, const forum::Viewer& viewer, const Error& error) const;
  static void AddCommonHeaders(Response& response);

  forum::Forum& forum_;
  web::Pages& pages_;
  api::Api& api_;
  RouteOptions options_;
  Router<Route> router_;
};

}  // namespace kindred::http
