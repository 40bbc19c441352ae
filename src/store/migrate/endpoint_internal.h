// One side of a migration: raw access to the tables of a SQLite file or a PostgreSQL database,
// below the Store interface (which has no "every row of every table"). The source is read inside
// one snapshot; the destination is written inside one transaction that holds it against other
// writers, so a copy is all or nothing.
// Private to src/store/migrate/.
//
// Thread-safety: an Endpoint owns one connection and belongs to one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/migrate/table_data_internal.h"

namespace kindred::store::migrate {

class Endpoint {
 public:
  virtual ~Endpoint() = default;

  // "SQLite file data/kindred.db", "PostgreSQL database kindred on db.internal:5432": for
  // messages, so never with a password in it.
  virtual std::string Describe() const = 0;

  // The migrations recorded in schema_migrations, sorted.
  virtual Result<std::vector<std::string>> SchemaVersions() = 0;
  // Every table of Kindred's schema but schema_migrations, sorted.
  virtual Result<std::vector<std::string>> TableNames() = 0;
  // A table's column names in their order in the table.
  virtual Result<std::vector<std::string>> Columns(std::string_view table) = 0;

  // A read-only snapshot: everything read until End() sees the database as it was at the first
  // read, whatever other processes write meanwhile.
  virtual Result<void> BeginSnapshot() = 0;
  // A write transaction that keeps every other writer out of the copied tables until End() or
  // Commit(); kUnavailable when another writer does not let go in time.
  virtual Result<void> BeginExclusiveWrite() = 0;
  virtual Result<void> Commit() = 0;
  // Ends whatever transaction is open without keeping its changes. Safe to call when none is.
  virtual void End() = 0;

  virtual Result<std::int64_t> CountRows(std::string_view table) = 0;
  // Hands every row of the table, columns in `shape` order, ordered by the primary key (text
  // compared byte by byte), to `sink` in batches.
  using BatchSink = std::function<Result<void>(const std::vector<Row>& batch)>;
  virtual Result<void> ScanRows(const TableShape& shape, const BatchSink& sink) = 0;

  virtual Result<void> DeleteAllRows(std::string_view table) = 0;
  // Inserts rows as they are, ids included.
  virtual Result<void> InsertRows(const TableShape& shape, const std::vector<Row>& rows) = 0;
  // Called once a table is copied: moves the table's id sequence past the largest id, so the
  // next row the forum inserts gets a new one.
  virtual Result<void> FinishTable(const TableShape& shape) = 0;
};

// How many rows travel together: one read from the source, one progress step, and on PostgreSQL
// up to this many rows per INSERT. A thousand posts of a few KB each is a few MB in memory, and
// larger batches measured no faster.
inline constexpr std::size_t kBatchRows = 1000;

// REQUIRES: the store at `file` was opened (and so migrated) by OpenSqliteStore.
Result<std::unique_ptr<Endpoint>> OpenSqliteEndpoint(const std::filesystem::path& file, bool writable);
// REQUIRES: the database was opened (and so migrated) by OpenPostgresStore.
Result<std::unique_ptr<Endpoint>> OpenPostgresEndpoint(const std::string& conninfo);

}  // namespace kindred::store::migrate
