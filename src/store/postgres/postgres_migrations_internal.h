// Brings a PostgreSQL database's schema up to the one this binary was built with, from the .sql
// files under src/store/migrations/postgres that CMake embeds into the binary.
// Private to src/store/postgres/.
//
// Thread-safety: runs on one connection that the caller owns for the duration (at open, before
// the store is shared). Several processes opening one database at once (nodes of a cluster
// starting together) are safe too: each step runs in a transaction holding one advisory lock,
// so exactly one of them applies each migration and the others find it recorded.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/postgres/postgres_connection_internal.h"

namespace kindred::store::postgres {

// The advisory lock every migration step takes: the bytes of "KINDRED" then 1. Advisory lock
// keys are one bigint space per database, shared with any other application using it, so ours
// spell the name rather than being small numbers someone else might pick.
inline constexpr std::int64_t kMigrationLockKey = 0x4B494E4452454401;

struct Migration {
  std::string_view version;  // the file name without ".sql", e.g. "0001_core_forum"
  std::string_view sql;
};

// The embedded migrations, in the order they must run (by file name).
std::vector<Migration> EmbeddedMigrations();

// Applies each migration in `migrations` that the database has not recorded in
// schema_migrations, each in its own transaction, in order. Fails with kUnavailable (and changes
// nothing) when the database has a version this binary does not know: it was written by a newer
// Kindred, and running an older one against it could damage it.
Result<void> ApplyMigrations(Connection& connection, const std::vector<Migration>& migrations);

}  // namespace kindred::store::postgres
