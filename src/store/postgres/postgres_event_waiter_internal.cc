#include "store/postgres/postgres_event_waiter_internal.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "store/postgres/postgres_connection_internal.h"
#include "store/postgres/postgres_store.h"

namespace kindred::store::postgres {
namespace {

class PostgresEventWaiter final : public EventWaiter {
 public:
  explicit PostgresEventWaiter(std::string conninfo)
      : conninfo_(std::move(conninfo)), wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

  ~PostgresEventWaiter() override {
    if (connection_ != nullptr) PQfinish(connection_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  void Wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!Connected()) Connect();
    // Notifications that arrived with an earlier reply are already parsed: report them now.
    if (Connected() && DrainNotifications()) return;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {Connected() ? PQsocket(connection_) : -1, POLLIN, 0}};
      int ready = poll(fds, 2, static_cast<int>(left.count()));
      if (ready < 0 && errno != EINTR) return;
      if (ready <= 0) continue;
      if (fds[0].revents & POLLIN) {
        eventfd_t ignored = 0;
        (void)eventfd_read(wake_fd_, &ignored);
        return;
      }
      if (fds[1].revents != 0) {
        // Readable: a notification, or the server closing the connection. Either way the caller
        // should read the feed now; a broken connection is opened again on the next Wait.
        if (PQconsumeInput(connection_) == 0) {
          PQfinish(connection_);
          connection_ = nullptr;
          return;
        }
        if (DrainNotifications()) return;
      }
    }
  }

  void Wake() override { (void)eventfd_write(wake_fd_, 1); }

 private:
  bool Connected() const { return connection_ != nullptr && PQstatus(connection_) == CONNECTION_OK; }

  // Connects and LISTENs. On failure leaves no connection, so the next Wait tries again.
  void Connect() {
    Disconnect();
    const std::string timeout = std::to_string(kConnectTimeoutSeconds);
    const char* keywords[] = {"application_name", "connect_timeout", "dbname", nullptr};
    const char* values[] = {"kindred-listener", timeout.c_str(), conninfo_.c_str(), nullptr};
    connection_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (!Connected()) {
      Disconnect();
      return;
    }
    // The channel is a fixed identifier of ours, so spelling it into the statement is safe.
    const std::string listen = "LISTEN " + std::string(kPostgresEventChannel);
    PGresult* result = PQexec(connection_, listen.c_str());
    const bool listening = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!listening) Disconnect();
  }

  void Disconnect() {
    if (connection_ != nullptr) PQfinish(connection_);
    connection_ = nullptr;
  }

  // Frees every parsed notification; true when there was at least one.
  bool DrainNotifications() {
    bool any = false;
    while (PGnotify* notification = PQnotifies(connection_)) {
      any = true;
      PQfreemem(notification);
    }
    return any;
  }

  const std::string conninfo_;
  const int wake_fd_;             // an eventfd: Wake writes, Wait polls it beside the socket
  PGconn* connection_ = nullptr;  // only touched by the thread in Wait
};

}  // namespace

std::unique_ptr<EventWaiter> NewPostgresEventWaiter(std::string conninfo) {
  return std::make_unique<PostgresEventWaiter>(std::move(conninfo));
}

}  // namespace kindred::store::postgres
