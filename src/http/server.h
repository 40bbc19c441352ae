// Server: the HTTP listener (RESTinio underneath, kept to server.cc) that hands each request to
// a Dispatcher on a thread pool (or, for writes and long lookups, on a background lane: see
// Lane) and writes back its Response. A Response with on_stream (Server-
// Sent Events) is kept open instead: its connection goes to the stream as an http::StreamSink and
// idles in the event loop, holding no worker thread.
// Thread-safety: Serve blocks the calling thread until SIGINT or SIGTERM, then ends every open
// stream and returns after in-flight requests finish.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace kindred::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  unsigned threads = 4;
  // Bytes. Past this RESTinio drops the connection; bodies below it but over a route's own limit
  // get a clean 413 from the route table, which is why this is the larger of the two.
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  // Called once the socket listens (the demo prints the address then).
  std::function<void()> on_listening;
  // Which threads answer a request (see Lane). Unset, every request is served directly.
  std::function<Lane(const Request&)> lane_for;
};

using Dispatcher = std::function<Response(Request&)>;

// Serves until SIGINT or SIGTERM. kUnavailable when the address cannot be bound.
Result<void> Serve(const ServerOptions& options, Dispatcher dispatcher);

}  // namespace kindred::http
