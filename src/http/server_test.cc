// The server over real HTTP on loopback: each request is answered on the lane it is given, and a
// handler on a serving thread can hand its request on to a lane (Response::AnswerOn), where it is
// dispatched again and answered in full.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

namespace kindred::http {
namespace {

// A free loopback port: bound to port 0, read back, released (the server binds it a moment later).
unsigned short FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// One GET over a fresh connection; the whole response as received, or nullopt.
std::optional<std::string> Get(unsigned short port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return std::nullopt;
  }
  std::string response;
  char buffer[4096];
  for (ssize_t got; (got = recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, static_cast<std::size_t>(got));
  close(fd);
  return response;
}

std::string LaneName(Lane lane) {
  switch (lane) {
    case Lane::kServing: return "serving";
    case Lane::kWriting: return "writing";
    case Lane::kSearching: return "searching";
  }
  return "?";
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.port = FreePort();
    options_.threads = 2;
    std::promise<void> listening;
    options_.on_listening = [&] { listening.set_value(); };
    // /at-hand is answered where it arrives; /ranked is handed on to the searching lane, as the
    // similar-question API does with a question it has no kept answer for.
    Dispatcher dispatcher = [this](Request& request) {
      ++dispatches_;
      if (request.path == "/ranked" && request.lane == Lane::kServing) return Response::AnswerOn(Lane::kSearching);
      const int niceness = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
      return Response::Json("{\"lane\":\"" + LaneName(request.lane) + "\",\"niceness\":" + std::to_string(niceness) +
                            "}");
    };
    server_ = std::thread([this, dispatcher] { served_ = Serve(options_, dispatcher).ok(); });
    ASSERT_EQ(listening.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  }

  void TearDown() override {
    // Serve waits for SIGTERM with it blocked; sent to its own thread, only that sigwait takes it.
    pthread_kill(server_.native_handle(), SIGTERM);
    server_.join();
    EXPECT_TRUE(served_);
  }

  ServerOptions options_;
  std::atomic<int> dispatches_{0};
  std::thread server_;
  bool served_ = false;
};

TEST_F(ServerTest, ARequestAnsweredAtHandStaysOnTheServingThreads) {
  auto response = Get(options_.port, "/at-hand");
  ASSERT_TRUE(response.has_value());
  EXPECT_NE(response->find("200 OK"), std::string::npos) << *response;
  EXPECT_NE(response->find("{\"lane\":\"serving\",\"niceness\":0}"), std::string::npos) << *response;
  EXPECT_EQ(dispatches_.load(), 1);
}

TEST_F(ServerTest, AHandedOnRequestIsAnsweredInFullOnTheLaneItNames) {
  auto response = Get(options_.port, "/ranked");
  ASSERT_TRUE(response.has_value());
  EXPECT_NE(response->find("200 OK"), std::string::npos) << *response;
  // The searching lane runs at nice 10 (server.cc); nothing of the handing-on reaches the client.
  EXPECT_NE(response->find("{\"lane\":\"searching\",\"niceness\":10}"), std::string::npos) << *response;
  EXPECT_EQ(response->find("try_again"), std::string::npos) << *response;
  EXPECT_EQ(dispatches_.load(), 2) << "once on a serving thread, once on the lane";
}

TEST_F(ServerTest, WritesGoToTheWritingLaneWhenTheRouteTableSaysSo) {
  // Serve asks lane_for before dispatching; set here, after SetUp started the server, it would
  // race, so this test starts a second server of its own.
  ServerOptions writes = options_;
  writes.port = FreePort();
  std::promise<void> listening;
  writes.on_listening = [&] { listening.set_value(); };
  writes.lane_for = [](const Request& request) { return request.path == "/write" ? Lane::kWriting : Lane::kServing; };
  Dispatcher dispatcher = [](Request& request) { return Response::Json("{\"lane\":\"" + LaneName(request.lane) + "\"}"); };
  bool served = false;
  std::thread server([&] { served = Serve(writes, dispatcher).ok(); });
  ASSERT_EQ(listening.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto written = Get(writes.port, "/write");
  auto read = Get(writes.port, "/read");
  pthread_kill(server.native_handle(), SIGTERM);
  server.join();
  EXPECT_TRUE(served);
  ASSERT_TRUE(written.has_value());
  ASSERT_TRUE(read.has_value());
  EXPECT_NE(written->find("{\"lane\":\"writing\"}"), std::string::npos) << *written;
  EXPECT_NE(read->find("{\"lane\":\"serving\"}"), std::string::npos) << *read;
}

}  // namespace
}  // namespace kindred::http
