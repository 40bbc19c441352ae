#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <system_error>

namespace kindred::store {
namespace {

namespace fs = std::filesystem;

// How long the backup waits for a writer's lock before giving up: a busy forum's commits take
// milliseconds, so this only runs out when something is really stuck.
constexpr int kBusyTimeoutMilliseconds = 10'000;

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

Error Unavailable(const std::string& what, sqlite3* db) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return {ErrorCode::kUnavailable, "backup_failed", what + ": " + detail, {}, 0};
}

Result<Database> Open(const fs::path& file, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return Unavailable("could not open " + file.string(), db.get());
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMilliseconds);
  return db;
}

// fsync on the file, then on its folder so the rename that made it visible is durable too.
bool Sync(const fs::path& file) {
  for (const fs::path& path : {file, file.parent_path().empty() ? fs::path(".") : file.parent_path()}) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) return false;
  }
  return true;
}

}  // namespace

Result<BackupReport> BackupSqliteStore(const fs::path& database, const fs::path& destination) {
  std::error_code ec;
  if (!fs::is_regular_file(database, ec)) {
    return Error{ErrorCode::kNotFound, "no_database", "There is no Kindred store at " + database.string() + ".",
                 "database", 0};
  }
  fs::path folder = destination.parent_path().empty() ? fs::path(".") : destination.parent_path();
  if (!fs::is_directory(folder, ec)) {
    return Error{ErrorCode::kInvalidInput, "no_such_folder",
                 "The folder " + folder.string() + " does not exist. Make it first, or choose another place.", "to", 0};
  }
  if (fs::exists(destination, ec) && fs::equivalent(database, destination, ec)) {
    return Error{ErrorCode::kInvalidInput, "backup_onto_itself",
                 "The backup must go to another file than the store itself.", "to", 0};
  }

  auto source = Open(database, SQLITE_OPEN_READONLY);
  if (!source) return std::move(source).error();
  fs::path partial = destination;
  partial += ".partial";
  fs::remove(partial, ec);
  auto target = Open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!target) return std::move(target).error();

  BackupReport report;
  {
    sqlite3_backup* backup = sqlite3_backup_init(target->get(), "main", source->get(), "main");
    if (backup == nullptr) return Unavailable("could not start the backup", target->get());
    // One step copies every page inside one read transaction: a consistent snapshot, and in
    // WAL mode the server's writers carry on meanwhile.
    int rc = sqlite3_backup_step(backup, -1);
    report.pages = sqlite3_backup_pagecount(backup);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      target.value().reset();
      fs::remove(partial, ec);
      return Error{ErrorCode::kUnavailable, "backup_failed",
                   std::string("The backup could not be completed: ") + sqlite3_errstr(rc), {}, 0};
    }
  }
  // The copy keeps the source's WAL mode; make it a single self-contained file.
  if (sqlite3_exec(target->get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Unavailable("could not finish the backup file", target->get());
  }
  sqlite3_stmt* check = nullptr;
  std::string verdict;
  if (sqlite3_prepare_v2(target->get(), "PRAGMA quick_check", -1, &check, nullptr) == SQLITE_OK &&
      sqlite3_step(check) == SQLITE_ROW) {
    verdict = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
  }
  sqlite3_finalize(check);
  target.value().reset();
  if (verdict != "ok") {
    fs::remove(partial, ec);
    return Error{ErrorCode::kInternal, "backup_check_failed",
                 "The backup copy did not pass SQLite's quick check (" + verdict + "); nothing was kept.", {}, 0};
  }
  fs::rename(partial, destination, ec);
  if (ec) {
    std::string why = ec.message();
    fs::remove(partial, ec);
    return Error{ErrorCode::kUnavailable, "backup_failed",
                 "Could not put the backup in place at " + destination.string() + ": " + why, {}, 0};
  }
  if (!Sync(destination)) {
    return Error{ErrorCode::kUnavailable, "backup_failed",
                 "The backup is at " + destination.string() + " but could not be flushed to disk; check the disk.", {}, 0};
  }
  report.bytes = static_cast<std::int64_t>(fs::file_size(destination, ec));
  return report;
}

}  // namespace kindred::store
