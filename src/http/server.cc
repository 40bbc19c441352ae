#include "http/server.h"

#include <pthread.h>
#include <signal.h>

#include <restinio/all.hpp>

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
  request.client_address = raw->remote_endpoint().address().to_string();
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

restinio::request_handling_status_t Respond(const restinio::request_handle_t& raw, Response response) {
  auto builder = raw->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)}, ReasonPhrase(response.status)});
  if (!response.content_type.empty()) builder.append_header(restinio::http_field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) builder.append_header(name, std::move(value));
  if (raw->header().method() != restinio::http_method_head()) builder.set_body(std::move(response.body));
  return builder.done();
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
                      .request_handler([dispatcher = std::move(dispatcher)](const restinio::request_handle_t& raw) {
                        Request request = ToRequest(raw);
                        Response response;
                        try {
                          response = dispatcher(request);
                        } catch (const std::exception&) {
                          // The dispatcher maps expected failures itself; this is the last guard.
                          response = Response::Html(
                              "<!doctype html><title>Error</title><p>Something went wrong on our side.</p>", 500);
                        }
                        return Respond(raw, std::move(response));
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
  server->stop();
  server->wait();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  return Ok();
}

}  // namespace kindred::http
