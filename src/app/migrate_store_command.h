// `kindred migrate-store --from SRC --to DST [--replace]`: copies a whole community between a
// SQLite data directory (or .db file) and a PostgreSQL database, either way, and reports what it
// copied and checked. The work is store::MigrateStore (src/store/migrate/); this is the command's
// words and arguments.
// Thread-safety: call from the main thread (it draws on stderr and writes to stdout).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/migrate/migrate_store.h"

namespace kindred::app {

// A postgresql:// URI names a PostgreSQL database; anything else is a SQLite store: a data
// directory (its kindred.db), or a file ending in .db / .sqlite / .sqlite3. A path that does not
// exist yet is taken as a data directory unless it ends so.
Result<store::StoreLocation> ParseStoreLocation(std::string_view argument);

// Runs the command, printing the per-table summary to `out`; returns the exit status (0 when
// the destination holds a verified copy, 1 otherwise, with the reason on stderr).
int RunMigrateStore(const std::string& from, const std::string& to, bool replace, std::ostream& out);

}  // namespace kindred::app
