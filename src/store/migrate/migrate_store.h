// migrate-store: copies a whole community from one store to another (SQLite to PostgreSQL when a
// community outgrows one machine, or back, for a backup or a test), ids and all, and proves the
// copy: every table's rows are counted and checksummed on both sides.
//
// Safe to run again: the destination must be empty, or already hold exactly this copy (then
// nothing is written and the copy is verified again); anything else is refused, naming what is
// there, unless the caller asks to replace it. The copy runs in one destination transaction, so
// a failure (or a checksum that does not match) leaves the destination as it was.
//
// Thread-safety: MigrateStore may be called from any thread; it opens its own connections.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace kindred::store {

// Where a store lives: a SQLite file, or a PostgreSQL database (libpq words or a URI).
struct StoreLocation {
  enum class Engine { kSqlite, kPostgres };
  Engine engine = Engine::kSqlite;
  std::filesystem::path sqlite_file;  // kSqlite
  std::string conninfo;               // kPostgres
};

struct MigrateOptions {
  // Empty a destination that holds something else before copying, in the same transaction as the
  // copy. Without it such a destination is refused.
  bool replace = false;
  // Rows handled so far, of `total` (every row read once from the source and once back from the
  // destination to verify it). Called often; from the calling thread.
  std::function<void(std::int64_t done, std::int64_t total)> on_progress;
};

struct TableSummary {
  std::string table;
  std::int64_t rows = 0;
  std::string checksum;  // hex SHA-256 of the table's canonical rows, the same on both sides
};

struct MigrationReport {
  enum class Outcome {
    kCopied,         // the destination was empty (or replaced) and now holds the copy
    kAlreadyCopied,  // the destination already held exactly this copy; nothing was written
  };
  Outcome outcome = Outcome::kCopied;
  bool replaced = false;       // rows that were in the destination were deleted first
  std::string schema_version;  // the latest migration both stores are at
  std::string source;          // descriptions for messages, without passwords
  std::string destination;
  std::vector<TableSummary> tables;  // in copy order
};

// Opens both stores (bringing both schemas up to this binary's version), then copies and
// verifies. Fails, changing nothing in the destination, with:
//   kNotFound      the source SQLite file does not exist (a store is never created as a source)
//   kInvalidInput  --from and --to name the same database
//   kConflict      the schema versions or tables differ ("schema_mismatch"), or the destination
//                  holds other data and `replace` is off ("destination_not_empty")
//   kUnavailable   a database cannot be reached, is busy (a running server), or is newer
//   kInternal      a row could not be copied, or the copy read back differs from the source
//                  ("verification_failed")
Result<MigrationReport> MigrateStore(const StoreLocation& from, const StoreLocation& to, const MigrateOptions& options);

}  // namespace kindred::store
