// Brings a SQLite database's schema up to the one this binary was built with, from the .sql
// files under src/store/migrations/sqlite that CMake embeds into the binary.
// Private to src/store/sqlite/.
//
// Thread-safety: runs on one connection that the caller owns for the duration (at open, before
// the store is shared). Two processes opening the same file at once are safe too: each migration
// is checked and applied inside one BEGIN IMMEDIATE transaction.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sqlite/sqlite_connection_internal.h"

namespace kindred::store::sqlite {

struct Migration {
  std::string_view version;  // the file name without ".sql", e.g. "0001_core_forum"
  std::string_view sql;
};

// The embedded migrations, in the order they must run (by file name).
std::vector<Migration> EmbeddedMigrations();

// Applies each migration in `migrations` that `connection`'s database has not recorded in
// schema_migrations, each in its own transaction, in order. Fails with kUnavailable (and changes
// nothing) when the database has a version this binary does not know: it was written by a newer
// Kindred, and running an older one against it could damage it.
Result<void> ApplyMigrations(Connection& connection, const std::vector<Migration>& migrations);

}  // namespace kindred::store::sqlite
