// An online backup of a SQLite store (`kindred backup --to FILE`): a consistent copy taken with
// SQLite's backup API while `kindred serve` keeps reading and writing the same file.
// Thread-safety: a free function; it opens its own connections.
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/result.h"

namespace kindred::store {

struct BackupReport {
  std::int64_t pages = 0;  // database pages copied
  std::int64_t bytes = 0;  // size of the finished backup file
};

// Copies the database at `database` to `destination` as of one moment (a single read
// transaction, so writers committing meanwhile are either wholly in the copy or wholly not), then
// checks the copy's integrity and syncs it. The copy is written beside `destination` under a
// temporary name and renamed into place only when complete, so a crash or a full disk never
// leaves a half-written file under the name asked for.
// kNotFound (field "database") when there is no store at `database`; kInvalidInput (field "to")
// when `destination` is the store itself or its folder does not exist; kUnavailable when SQLite
// cannot read or write.
Result<BackupReport> BackupSqliteStore(const std::filesystem::path& database, const std::filesystem::path& destination);

}  // namespace kindred::store
