// kindred-test-postgres: a throwaway PostgreSQL server for tests that are not C++ (tests/e2e).
// Starts one (PostgresServer), creates each database named on the command line, prints one
// postgresql:// URI per database on its own line, then keeps the server until standard input
// closes (the test ends it, or dies) or it is sent SIGTERM/SIGINT; then stops it and deletes it.
//
//   kindred-test-postgres NAME...   (NAME: [a-z0-9_])
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "store/testing/postgres_server.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: kindred-test-postgres DATABASE...\n";
    return 2;
  }
  // Should we die while starting it, the server is told to stop (PostgresServer ties it to us).
  auto server = kindred::testutil::PostgresServer::Start();
  if (!server.ok()) {
    std::cerr << server.error().message << "\n";
    return 1;
  }
  // From here the stop signals are taken by sigtimedwait below rather than ending the process
  // before the server is stopped. Blocked only now: the server inherits our signal mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  for (int i = 1; i < argc; ++i) {
    auto created = (*server)->CreateDatabase(argv[i]);
    if (!created.ok()) {
      std::cerr << created.error().message << "\n";
      return 1;
    }
    std::cout << "postgresql://postgres@127.0.0.1:" << (*server)->port() << "/" << argv[i] << "\n";
  }
  std::cout << std::flush;

  // Wait for end of input or a stop signal, whichever comes first.
  while (true) {
    struct timespec tick = {0, 100'000'000};
    siginfo_t info;
    if (sigtimedwait(&stop_signals, &info, &tick) > 0) break;
    pollfd input = {STDIN_FILENO, POLLIN, 0};
    if (poll(&input, 1, 0) > 0) {
      char buffer[256];
      ssize_t read_bytes = read(STDIN_FILENO, buffer, sizeof buffer);
      if (read_bytes == 0 || (read_bytes < 0 && errno != EINTR)) break;
    }
  }
  return 0;  // the server stops and its directory goes with `server`
}
