// Request and Response as Kindred's handlers see them, apart from any HTTP library, plus the
// decoding every handler needs: query strings, urlencoded forms, cookies.
// web/ and api/ build on these types; only http/server.cc knows RESTinio.
// Thread-safety: plain values.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"

namespace kindred::http {

// Decoded name=value pairs of a query string or an application/x-www-form-urlencoded body.
// Repeated names keep their first value; a value that is not valid UTF-8 makes parsing fail.
class Params {
 public:
  static Result<Params> Parse(std::string_view encoded);

  // The value, or "" when absent.
  const std::string& Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // A positive whole number, or `fallback` when absent or not a number.
  long long GetInt(std::string_view name, long long fallback) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// The threads that answer a request. Pages are answered on the server's own threads; the two
// kinds of request that would hold those threads for long each have a background lane
// (background_lane.h), so that readers never queue behind them.
enum class Lane {
  kServing,
  // Writes wait for their commit to reach the disk. Many wait together on their lane and share
  // one fsync (the store's group commit) while the serving threads go on answering readers.
  kWriting,
  // Lookups that rank the whole search index (similar questions, related topics): tens of
  // milliseconds at a million posts. Their lane runs at a lower CPU priority. A handler answers
  // what it has at hand on a serving thread and hands the rest on (Response::AnswerOn): the hop
  // to a lane and back was a third of the cost of an answer already kept.
  kSearching,
};

struct Request {
  std::string method;                                        // "GET", "POST"...
  std::string path;                                          // decoded path, without the query
  std::string query;                                         // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string client_address;
  bool secure = false;  // reached us over HTTPS (directly or as the trusted proxy says)
  std::unordered_map<std::string, std::string> route_params;  // {id} in "/t/{id}"
  Lane lane = Lane::kServing;  // the threads answering it, set by the server

  std::string_view Header(std::string_view lowercase_name) const;
  std::string Cookie(std::string_view name) const;
  const std::string& Param(const std::string& name) const;
  // The route parameter as a positive id, or 0.
  long long IdParam(const std::string& name) const;
};

// The open connection of a streaming response (Server-Sent Events), written to after the
// handler has returned, from any thread. http/server.cc implements it; the connection idles in
// the server's event loop meanwhile, holding no worker thread.
// Thread-safety: Send and Close may be called from any thread at once.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues `bytes` for the client and returns at once. False once the stream has ended (the
  // client went away, fell too far behind, or the server is stopping): nothing more is sent.
  virtual bool Send(std::string bytes) = 0;
  // Ends the response. Sends after it return false.
  virtual void Close() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a streaming response instead of a body: the server sends the status and headers,
  // keeps the connection open, and calls this once with it (on a worker, which must not block).
  std::function<void(std::shared_ptr<StreamSink>)> on_stream;
  // Set by AnswerOn: the request is to be answered again on that lane; nothing is sent.
  std::optional<Lane> answer_on;

  static Response Html(std::string body, int status = 200);
  static Response Json(std::string body, int status = 200);
  // 303 See Other: after a form POST, so a reload does not post twice.
  static Response Redirect(std::string location);
  // 200 text/event-stream, uncached and unbuffered by proxies, handing its connection to `on_open`.
  static Response EventStream(std::function<void(std::shared_ptr<StreamSink>)> on_open);
  // From a handler on a serving thread (Request::lane), for a request that would hold the thread
  // for long: the server dispatches it again on `lane`, where the handler answers it in full.
  static Response AnswerOn(Lane lane);
  void AddHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS. An empty token clears it.
std::string SessionCookie(std::string_view token, bool secure, long long max_age_seconds);
inline constexpr std::string_view kSessionCookieName = "kindred_session";
// Visitors' CSRF token cookie (double-submit), for forms used before signing in.
inline constexpr std::string_view kCsrfCookieName = "kindred_csrf";
// The form field and the header (for cookie-authenticated API calls) that carry the CSRF token.
inline constexpr std::string_view kCsrfField = "_csrf";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

// The country whose helplines a person is shown: the `kindred_country` cookie they chose on
// /help, else the region of their browser's first language ("en-GB" -> "GB"), else "".
inline constexpr std::string_view kCountryCookieName = "kindred_country";
std::string PreferredCountry(const Request& request);

// The status for an error code; one table for HTML and JSON alike.
int StatusFor(ErrorCode code);

// application/x-www-form-urlencoded decoding of one component ('+' is a space).
// nullopt when a % escape is malformed.
std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space);
std::string UrlEncode(std::string_view text);

}  // namespace kindred::http
