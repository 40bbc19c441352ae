// The PostgreSQL backend of store::Store: for a community that has outgrown one machine, shared
// by every `kindred serve` node of a cluster. It behaves exactly as the SQLite backend does
// (one conformance suite runs on both); every acknowledged write is committed, and flushed to
// PostgreSQL's write-ahead log, before the method returns.
// Thread-safety: the returned Store may be called from any thread at once, and any number of
// processes may open the same database at once.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace kindred::store {

// The LISTEN/NOTIFY channel on which the store announces each event it appends, with the event's
// seq as payload, once its transaction has committed. A node that LISTENs on it learns at once
// that the change feed (Store::ReadEvents) has something new, instead of polling for it.
inline constexpr std::string_view kPostgresEventChannel = "kindred_events";

// Connects to the database named by `conninfo` ("postgresql://user@host/db" or libpq's
// "host=... dbname=..." words), opening a small pool of connections, and brings its schema up to
// date (one node at a time when several start together). Fails with kUnavailable when the server
// cannot be reached or the database was written by a newer Kindred, and with kInternal when a
// migration fails (the database is left as it was before that migration).
Result<std::unique_ptr<Store>> OpenPostgresStore(std::string_view conninfo);

}  // namespace kindred::store
