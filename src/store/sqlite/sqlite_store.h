// The SQLite backend of store::Store: one database file in WAL mode, the default for a single
// node. Every acknowledged write is committed (and synced) before the method returns.
// Thread-safety: the returned Store may be called from any thread at once.
#pragma once

#include <filesystem>
#include <memory>

#include "core/result.h"
#include "store/store.h"

namespace kindred::store {

// Opens (creating it, and its parent directory, when missing) the database at `file` and brings
// its schema up to date. Fails with kUnavailable when the file cannot be opened or was written by
// a newer Kindred, and with kInternal when a migration fails (the database is left as it was
// before that migration).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& file);

}  // namespace kindred::store
