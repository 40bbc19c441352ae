// A throwaway PostgreSQL server for tests: initdb into a new temporary directory, then the
// server itself on a free loopback port, stopped and deleted when the object goes away. Tests
// that need PostgreSQL start one (or share one per process) and give each test its own schema
// or database, so they never touch a real server and leave nothing behind.
//
// The server programs come from Debian's postgresql package (/usr/lib/postgresql/<major>/bin,
// or the directory named by KINDRED_PG_BINDIR). When they are missing, Start() fails with a
// message saying what to install: PostgreSQL support is part of what `make test` proves, so its
// tests fail rather than skip.
//
// Thread-safety: Start() and Shared() may be called from any thread; a PostgresServer's methods
// may be called from any thread once it is started (each opens its own connection).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kindred::testutil {

class PostgresServer {
 public:
  // Runs initdb and starts the server, waiting until it accepts connections.
  static Result<std::unique_ptr<PostgresServer>> Start();

  // One server for the whole test process, started on first use and stopped at exit. Every call
  // after a failed start returns the same error, so each test that needs it fails with it.
  // Call it first from the main thread: the server is told to stop if the thread that started
  // it ends (PR_SET_PDEATHSIG), so that a crashed test binary leaves no server running.
  static Result<PostgresServer*> Shared();

  // Stops the server (fast shutdown) and deletes its directory.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // libpq words for the server's own "postgres" database, as its superuser.
  std::string ConnInfo() const { return ConnInfo("postgres"); }
  std::string ConnInfo(std::string_view database) const;

  // Creates an empty database `name` ([a-z0-9_] only) and returns the libpq words that reach it.
  Result<std::string> CreateDatabase(std::string_view name);
  // Creates an empty schema `name` ([a-z0-9_] only, not starting "pg_", which PostgreSQL keeps
  // for itself) in the "postgres" database and returns the libpq words of a connection whose
  // tables go there (search_path). Much faster than a new database (a few milliseconds against
  // ~120), so suites give each test its own schema.
  Result<std::string> CreateSchema(std::string_view name);

  // Like CreateSchema, but when the schema exists already, empties it instead: deletes every
  // row of every table but schema_migrations and restarts every sequence, so the next store
  // opened on it starts as on a new database without running the migrations again. ~5 ms where
  // migrating a new schema takes ~100, which is most of what a conformance test costs.
  Result<std::string> EmptySchema(std::string_view name);

  // Runs SQL with no parameters on the "postgres" database, for test set-up and inspection.
  Result<void> Execute(const std::string& sql);

 private:
  PostgresServer(std::filesystem::path dir, int port, pid_t pid) : dir_(std::move(dir)), port_(port), pid_(pid) {}

  std::filesystem::path dir_;
  int port_;
  pid_t pid_;
};

}  // namespace kindred::testutil
