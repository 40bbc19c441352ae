// The thin layer between the SQLite store and SQLite's C API: one connection with its cache of
// prepared statements, a borrowed statement that binds and reads values, a pool of read-only
// connections, and the one place where SQLite result codes become our Errors.
// Private to src/store/sqlite/ (and src/store/migrate/, which copies whole tables below the Store).
//
// Thread-safety: a Connection (and every Statement borrowed from it) belongs to one thread at a
// time; the owner serialises use (SqliteStore's writer mutex, or a ReaderPool lease). The
// connections are opened with SQLITE_OPEN_NOMUTEX because that outer lock already exists, so
// SQLite's own per-call mutex would be paid for nothing. ReaderPool is safe from any thread.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/result.h"

namespace kindred::store::sqlite {

// How long a statement waits for another process's lock before giving up with kUnavailable.
// Inside one process writers queue on SqliteStore's mutex and never meet SQLITE_BUSY; this only
// covers a second process on the same file (an admin command while the server runs) and WAL
// checkpoints. Five seconds is longer than any single write we make and shorter than the
// 30 s a browser or proxy waits for a response.
inline constexpr int kBusyTimeoutMilliseconds = 5000;

// Turns a failed SQLite call into an Error. `rc` is an extended result code.
// Unique/primary-key clashes -> kConflict naming the field; foreign-key failures -> kNotFound
// (the row referred to does not exist); busy/locked/unreachable -> kUnavailable; anything else ->
// kInternal carrying SQLite's own message for whoever reads the logs.
Error ErrorFromSqlite(int rc, std::string_view sqlite_message);

class Connection;

// A prepared statement borrowed from a Connection's cache. Bind, step, read; when it goes out of
// scope it is reset and its bindings cleared, ready for the next borrower.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~Statement();
  Statement(Statement&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_), bind_error_(other.bind_error_) {}
  Statement& operator=(Statement&&) = delete;

  // Binds parameters ?1, ?2, ... in order. A failed bind is remembered and returned by Step().
  template <typename... Args>
  Statement& Bind(const Args&... args) {
    int index = 1;
    (BindOne(index++, args), ...);
    return *this;
  }

  // true: a row is ready to read; false: the statement has finished.
  Result<bool> Step();
  // Runs a statement that returns no rows (or whose rows are not wanted) to completion.
  Result<void> Run();

  std::int64_t Int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  int Int(int column) const { return sqlite3_column_int(stmt_, column); }
  bool Bool(int column) const { return sqlite3_column_int(stmt_, column) != 0; }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::optional<std::int64_t> OptionalInt64(int column) const;
  std::string Text(int column) const;

 private:
  void BindOne(int index, std::int64_t value);
  void BindOne(int index, int value) { BindOne(index, static_cast<std::int64_t>(value)); }
  void BindOne(int index, bool value) { BindOne(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  void BindOne(int index, double value);
  void BindOne(int index, std::string_view value);
  void BindOne(int index, const std::string& value) { BindOne(index, std::string_view(value)); }
  void BindOne(int index, const char* value) { BindOne(index, std::string_view(value)); }
  void BindOne(int index, std::nullptr_t);
  template <typename Tag>
  void BindOne(int index, Id<Tag> id) {
    BindOne(index, id.value);
  }
  template <typename T>
  void BindOne(int index, const std::optional<T>& value) {
    if (value) {
      BindOne(index, *value);
    } else {
      BindOne(index, nullptr);
    }
  }

  sqlite3_stmt* stmt_;
  sqlite3* db_;
  int bind_error_ = SQLITE_OK;
};

// One SQLite connection and the statements prepared on it.
class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens `file` (creating it in kReadWrite mode) and sets the per-connection pragmas:
  // busy_timeout, foreign_keys, synchronous=FULL, and for the writer secure_delete and WAL.
  static Result<std::unique_ptr<Connection>> Open(const std::filesystem::path& file, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Borrows the cached statement for `sql`, preparing it the first time.
  // REQUIRES: `sql` is a named constant that outlives the connection: the cache keys on it.
  // REQUIRES: the same statement is not already borrowed (no nesting one query inside its own loop).
  Result<Statement> Prepare(std::string_view sql);

  // Runs one or more statements with no parameters and no wanted rows (pragmas, BEGIN/COMMIT,
  // migration scripts). Never give it text that came from outside the binary.
  Result<void> Execute(const char* sql);

  std::int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string_view, sqlite3_stmt*> statements_;
};

// A fixed set of read-only connections. Under WAL readers never block the writer or each other,
// so a few of them let page views proceed while a reply is being saved.
class ReaderPool {
 public:
  // A connection on loan; returns itself to the pool when destroyed.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Connection> connection) : pool_(pool), connection_(std::move(connection)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  explicit ReaderPool(std::vector<std::unique_ptr<Connection>> connections) : idle_(std::move(connections)) {}
  // REQUIRES: every lease has been returned.
  ~ReaderPool() = default;

  // Waits until a connection is idle, then lends it.
  Lease Acquire();

 private:
  void Release(std::unique_ptr<Connection> connection);

  std::mutex mutex_;
  std::condition_variable idle_changed_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
};

}  // namespace kindred::store::sqlite
