// The PostgreSQL backend's EventWaiter: a connection of its own that LISTENs on
// kPostgresEventChannel, so a node learns within milliseconds that any node appended to the
// change feed. Private to src/store/postgres/.
//
// The connection is opened on the first Wait, and again after it breaks (a server restart, a
// failover) at most once per Wait; while it is down, Wait simply sleeps out its timeout and the
// follower finds new events by reading the feed, as on SQLite.
// Thread-safety: as EventWaiter (Wait from one thread at a time, Wake from any thread).
#pragma once

#include <memory>
#include <string>

#include "store/event_waiter.h"

namespace kindred::store::postgres {

std::unique_ptr<EventWaiter> NewPostgresEventWaiter(std::string conninfo);

}  // namespace kindred::store::postgres
