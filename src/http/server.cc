#include "http/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <restinio/all.hpp>
#include <vector>

#include "http/background_lane.h"

namespace kindred::http {
namespace {

using Traits = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t>;

// Generous for people on slow phone connections, short enough that idle or stalled clients
// cannot hold sockets for long.
constexpr auto kReadTimeout = std::chrono::seconds(30);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kHandleTimeout = std::chrono::seconds(30);
// Header limits well above any browser's, well below what would cost us memory.
constexpr std::size_t kMaxUrlBytes = 8 * 1024;
constexpr std::size_t kMaxHeaderValueBytes = 16 * 1024;
constexpr std::size_t kMaxHeaderCount = 100;
// Writes on their lane at once. A write holds its thread until its batch is durable, and a batch
// takes only what queued while the one before it committed, so batches average about half of
// these threads. Measured on the 1M-post bench store with readers at 64 connections and members
// replying as fast as the server allows: 8 threads made batches of 4 and about 870-985 replies/s
// (one fsync per 3-4 ms); 16 made 1,180; 32 made batches of 9-14 and 1,410-1,530. A waiting
// thread costs a stack and no CPU, and a slower disk needs bigger batches still.
constexpr unsigned kWritingThreads = 32;
constexpr int kWritingNiceness = 0;
// Against the serving threads (nice 0) a searching thread gets about a tenth of a busy core (the
// kernel's weights, 110 to 1024), and all of an idle one.
constexpr int kSearchingNiceness = 10;

Request ToRequest(const restinio::request_handle_t& raw) {
  Request request;
  const auto& header = raw->header();
  request.method = header.method().c_str();
  // A malformed %-escape leaves the path as sent: it then matches no route and gets a 404.
  std::string_view raw_path = header.path();
  request.path = UrlDecode(raw_path, false).value_or(std::string(raw_path));
  request.query = std::string(header.query());
  header.for_each_field([&request](const restinio::http_header_field_t& field) {
    std::string name(field.name());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  });
  request.body = raw->body();
  // An IPv4 peer of a dual-stack socket arrives as ::ffff:a.b.c.d: written as IPv4, so it matches
  // the trusted proxy and each visitor keeps one address for rate limits.
  auto address = raw->remote_endpoint().address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  request.client_address = address.to_string();
  return request;
}

// The reason phrase is informational (RFC 9112 lets clients ignore it), but tools and people
// reading raw responses are helped by the usual words.
std::string ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

// A client that stops reading while events keep coming would make us buffer without end. Past
// this much unsent, its stream is closed; the browser reconnects with Last-Event-ID and resumes
// from there. 1 MiB is hundreds of replies, far more than any reader falls behind by.
constexpr std::size_t kMaxUnsentStreamBytes = 1024 * 1024;

// An event stream's connection. Chunks go through RESTinio's chunked output, which hands each
// write to the connection's own asio executor: any thread may send, and the connection idles in
// the event loop between events, holding no worker.
class ChunkedStreamSink final : public StreamSink {
 public:
  using Builder = restinio::response_builder_t<restinio::chunked_output_t>;
  explicit ChunkedStreamSink(Builder builder) : builder_(std::move(builder)), flow_(std::make_shared<Flow>()) {}

  bool Send(std::string bytes) override {
    std::lock_guard lock(mutex_);
    if (!builder_) return false;
    const std::size_t size = bytes.size();
    if (flow_->failed.load() || flow_->unsent.load() + size > kMaxUnsentStreamBytes) {
      Finish();
      return false;
    }
    flow_->unsent += size;
    builder_->append_chunk(std::move(bytes));
    // Runs on the connection's executor once written, or at once with an error when it has closed.
    builder_->flush([flow = flow_, size](const restinio::asio_ns::error_code& error) {
      flow->unsent -= size;
      if (error) flow->failed = true;
    });
    return true;
  }

  void Close() override {
    std::lock_guard lock(mutex_);
    Finish();
  }

 private:
  struct Flow {
    std::atomic<std::size_t> unsent{0};
    std::atomic<bool> failed{false};
  };

  // Ends the response and lets go of the connection, so that nothing here outlives the server's
  // event loop. REQUIRES: mutex_ is held.
  void Finish() {
    if (!builder_) return;
    builder_->done();
    builder_.reset();
  }

  std::mutex mutex_;
  std::optional<Builder> builder_;  // GUARDED_BY(mutex_); empty once closed
  std::shared_ptr<Flow> flow_;      // shared with the write callbacks
};

// Every open stream, so a stopping server can end them all before its event loop goes away.
class StreamRegistry {
 public:
  // False when the server is stopping: then the caller closes the stream at once.
  bool Add(const std::shared_ptr<ChunkedStreamSink>& sink) {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    // Forget streams that have ended, now and then, so the list tracks what is open.
    if (sinks_.size() >= 2 * live_after_prune_ + 64) {
      std::erase_if(sinks_, [](const auto& weak) { return weak.expired(); });
      live_after_prune_ = sinks_.size();
    }
    sinks_.push_back(sink);
    return true;
  }

  void CloseAll() {
    std::vector<std::weak_ptr<ChunkedStreamSink>> sinks;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      sinks.swap(sinks_);
    }
    for (auto& weak : sinks) {
      if (auto sink = weak.lock()) sink->Close();
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<ChunkedStreamSink>> sinks_;  // GUARDED_BY(mutex_)
  std::size_t live_after_prune_ = 0;                     // GUARDED_BY(mutex_)
  bool closed_ = false;                                  // GUARDED_BY(mutex_)
};

// Sends the status and headers now, then hands the open connection to the response's stream.
restinio::request_handling_status_t StartStream(const restinio::request_handle_t& raw, Response response,
                                                StreamRegistry& streams) {
  auto builder = raw->create_response<restinio::chunked_output_t>(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)}, ReasonPhrase(response.status)});
  if (!response.content_type.empty()) builder.append_header(restinio::http_field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) builder.append_header(name, std::move(value));
  builder.flush();
  auto sink = std::make_shared<ChunkedStreamSink>(std::move(builder));
  if (!streams.Add(sink)) {
    sink->Close();
  } else {
    response.on_stream(sink);
  }
  return restinio::request_accepted();
}

// Each open event stream is a socket, and the usual soft limit of 1,024 descriptors would stop a
// node at under a thousand readers. Raise it to the hard limit the system grants (best effort).
void AllowManyConnections() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &limit);
}

restinio::request_handling_status_t Respond(const restinio::request_handle_t& raw, Response response,
                                            StreamRegistry& streams) {
  const bool head = raw->header().method() == restinio::http_method_head();
  if (response.on_stream && !head) return StartStream(raw, std::move(response), streams);
  auto builder = raw->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)}, ReasonPhrase(response.status)});
  if (!response.content_type.empty()) builder.append_header(restinio::http_field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) builder.append_header(name, std::move(value));
  if (!head) builder.set_body(std::move(response.body));
  return builder.done();
}

Response DispatchGuarded(const Dispatcher& dispatcher, Request& request) {
  try {
    return dispatcher(request);
  } catch (const std::exception&) {
    // The dispatcher maps expected failures itself; this is the last guard.
    return Response::Html("<!doctype html><title>Error</title><p>Something went wrong on our side.</p>", 500);
  }
}

}  // namespace

Result<void> Serve(const ServerOptions& options, Dispatcher dispatcher) {
  // Block the stop signals in every thread (the pool inherits this mask), then wait for them
  // here: RESTinio itself only reacts to SIGINT, and a service manager sends SIGTERM.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  AllowManyConnections();
  StreamRegistry streams;  // outlives the server below, whose handler refers to it
  // Likewise; both are stopped before the server.
  BackgroundLane writing(kWritingThreads, kWritingNiceness);
  BackgroundLane searching(options.threads, kSearchingNiceness);

  auto settings = restinio::server_settings_t<Traits>{}
                      .address(options.host)
                      .port(options.port)
                      .read_next_http_message_timelimit(kReadTimeout)
                      .write_http_response_timelimit(kWriteTimeout)
                      .handle_request_timeout(kHandleTimeout)
                      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                                    .max_url_size(kMaxUrlBytes)
                                                    .max_field_value_size(kMaxHeaderValueBytes)
                                                    .max_field_count(kMaxHeaderCount)
                                                    .max_body_size(options.max_body_bytes))
                      .request_handler([&](const restinio::request_handle_t& raw) {
                        Request request = ToRequest(raw);
                        Lane lane = options.lane_for ? options.lane_for(request) : Lane::kServing;
                        if (lane == Lane::kServing) {
                          Response response = DispatchGuarded(dispatcher, request);
                          if (!response.answer_on || *response.answer_on == Lane::kServing) {
                            return Respond(raw, std::move(response), streams);
                          }
                          lane = *response.answer_on;  // dispatched again there, in full
                        }
                        request.lane = lane;
                        // RESTinio lets any thread answer; the connection waits meanwhile.
                        (lane == Lane::kWriting ? writing : searching)
                            .Post([&, raw, request = std::move(request)]() mutable {
                              Respond(raw, DispatchGuarded(dispatcher, request), streams);
                            });
                        return restinio::request_accepted();
                      });
  if (options.host.find(':') != std::string::npos) settings.address(restinio::asio_ns::ip::make_address(options.host));

  std::unique_ptr<restinio::running_server_instance_t<restinio::http_server_t<Traits>>> server;
  try {
    server = restinio::run_async(restinio::own_io_context(), std::move(settings), options.threads);
  } catch (const std::exception& e) {
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    return Error{ErrorCode::kUnavailable,
                 "listen_failed",
                 "Could not listen on " + options.host + ":" + std::to_string(options.port) + ": " + e.what(),
                 {},
                 0};
  }
  if (options.on_listening) options.on_listening();

  int received = 0;
  sigwait(&stop_signals, &received);
  // Open event streams would otherwise keep their connections until the event loop is torn down;
  // ending them first lets each client see a clean end and reconnect (to another node, say).
  streams.CloseAll();
  // Answers the requests they hold while the connections are still open.
  writing.Stop();
  searching.Stop();
  server->stop();
  server->wait();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  return Ok();
}

}  // namespace kindred::http
