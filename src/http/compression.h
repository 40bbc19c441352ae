// Gzip for responses: pages, styles, scripts and JSON shrink to about a quarter, which is most of
// the wait on an old phone over a slow connection.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace kindred::http {

// Whether an Accept-Encoding header value accepts gzip ("gzip", "gzip, br", not "gzip;q=0").
bool AcceptsGzip(std::string_view accept_encoding);

// Compresses `response` in place when the request accepts gzip and compressing is worth it: a
// text, JSON, CSS or JavaScript body of kMinGzipBytes or more, not a stream. Adds
// Content-Encoding and Vary. Returns whether it did.
bool MaybeGzip(const Request& request, Response& response);

// The gzip form of `data` (RFC 1952), or "" when zlib fails.
std::string Gzip(std::string_view data);

// Smaller bodies gain less than the gzip header and the CPU cost.
inline constexpr std::size_t kMinGzipBytes = 1024;

}  // namespace kindred::http
