// The thin layer between the PostgreSQL store and libpq: one connection with its prepared
// statements, the rows a query gives back, the parameters it is given, a fixed pool of
// connections, and the one place where PostgreSQL errors become our Errors.
// Private to src/store/postgres/ (and src/store/migrate/, which copies whole tables below the Store).
//
// Thread-safety: a Connection belongs to one thread at a time (a Pool lease); libpq connections
// must not be shared between threads. Rows and Params are plain values. Pool is safe from any
// thread.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
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

namespace kindred::store::postgres {

// How long connecting may take before the store reports kUnavailable. libpq waits forever by
// default; ten seconds covers a server on another continent and is shorter than the 30 s a
// browser or proxy waits for a response.
inline constexpr int kConnectTimeoutSeconds = 10;

// How long a statement waits for a row or advisory lock before giving up with kUnavailable: the
// counterpart of the SQLite backend's kBusyTimeoutMilliseconds, for the same reasons (longer
// than any single write we make, shorter than a proxy's patience).
inline constexpr int kLockTimeoutMilliseconds = 5000;

// The key of an Error for a transaction PostgreSQL aborted to resolve a clash between concurrent
// transactions (a deadlock or a serialization failure). Nothing was changed, so the store runs
// the whole transaction again; callers only see it when every attempt failed.
inline constexpr std::string_view kRetryableErrorKey = "store_contention";

// Turns a failed libpq call into an Error. `result` may be null (out of memory, lost connection).
// Unique clashes -> kConflict naming the field; foreign-key failures -> kNotFound (the row
// referred to does not exist); lost connections, a server shutting down, lock timeouts ->
// kUnavailable; anything else -> kInternal carrying PostgreSQL's own message for the logs.
Error ErrorFromPostgres(const PGresult* result, const PGconn* connection);

// The parameters of one query, in the text format PostgreSQL parses into the types the statement
// expects. Values are always sent as parameters, never spliced into SQL.
class Params {
 public:
  template <typename... Args>
  explicit Params(const Args&... args) {
    values_.reserve(sizeof...(args));
    (Add(args), ...);
  }

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object, for PQexecPrepared: null for SQL NULL.
  std::vector<const char*> Pointers() const;

 private:
  void Add(std::int64_t value) { values_.emplace_back(std::to_string(value)); }
  void Add(int value) { values_.emplace_back(std::to_string(value)); }
  void Add(bool value) { values_.emplace_back(value ? "true" : "false"); }
  void Add(double value);
  void Add(std::string_view value) { values_.emplace_back(std::string(value)); }
  void Add(const std::string& value) { values_.emplace_back(value); }
  void Add(const char* value) { values_.emplace_back(std::string(value)); }
  void Add(std::nullptr_t) { values_.emplace_back(std::nullopt); }
  template <typename Tag>
  void Add(Id<Tag> id) {
    Add(id.value);
  }
  template <typename T>
  void Add(const std::optional<T>& value) {
    if (value) {
      Add(*value);
    } else {
      Add(nullptr);
    }
  }

  std::vector<std::optional<std::string>> values_;
};

// One row of a result, read by column number.
class Row {
 public:
  Row(const PGresult* result, int index) : result_(result), index_(index) {}

  bool IsNull(int column) const { return PQgetisnull(result_, index_, column) != 0; }
  std::int64_t Int64(int column) const;
  int Int(int column) const { return static_cast<int>(Int64(column)); }
  bool Bool(int column) const;
  double Double(int column) const;
  std::optional<std::int64_t> OptionalInt64(int column) const;
  std::string Text(int column) const;

 private:
  const PGresult* result_;
  int index_;
};

// What a query gave back: its rows, and how many rows a write changed.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  Row operator[](int index) const { return Row(result_.get(), index); }
  // Rows inserted, updated or deleted by the statement (PQcmdTuples).
  std::int64_t affected() const;
  // The libpq result, for status and error fields; null when libpq ran out of memory.
  const PGresult* result() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One libpq connection and the statements prepared on it.
class Connection {
 public:
  // Connects with `conninfo` (a "postgresql://" URI or "key=value" words) and sets up the
  // session. kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` as a prepared statement (prepared on this connection the first time) with
  // `params` bound as $1, $2, ...
  // REQUIRES: `sql` is a named constant from this folder.
  Result<Rows> Query(std::string_view sql, const Params& params);
  template <typename... Args>
  Result<Rows> Query(std::string_view sql, const Args&... args) {
    return Query(sql, Params(args...));
  }

  // Runs a statement whose rows are not wanted.
  template <typename... Args>
  Result<void> Run(std::string_view sql, const Args&... args) {
    Result<Rows> rows = Query(sql, Params(args...));
    if (!rows.ok()) return std::move(rows).error();
    return Ok();
  }

  // Runs one or more statements with no parameters and no wanted rows (BEGIN/COMMIT, migration
  // scripts). Never give it text that came from outside the binary.
  Result<void> Execute(const char* sql);

  // True once libpq has seen the connection fail; Reconnect() makes it usable again.
  bool broken() const { return PQstatus(connection_) != CONNECTION_OK; }
  // Connects again with the same settings; the server forgot our prepared statements, so this
  // connection forgets them too. kUnavailable when the server is still out of reach.
  Result<void> Reconnect();

  // The libpq connection, for code that builds its statements from the catalog rather than from
  // named constants (src/store/migrate/ copies tables it discovers).
  PGconn* raw() { return connection_; }

 private:
  explicit Connection(PGconn* connection) : connection_(connection) {}
  Result<void> SetUpSession();

  PGconn* connection_;
  // The name each statement was prepared under, by its SQL text.
  std::unordered_map<std::string_view, std::string> prepared_;
};

// A fixed set of connections shared by every thread of the store. A thread borrows one for one
// transaction and gives it back; when all are out, the next thread waits.
class Pool {
 public:
  // A connection on loan; returns itself to the pool when destroyed.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection) : pool_(pool), connection_(std::move(connection)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  explicit Pool(std::vector<std::unique_ptr<Connection>> connections) : idle_(std::move(connections)) {}
  // REQUIRES: every lease has been returned.
  ~Pool() = default;

  // Waits until a connection is idle, then lends it.
  Lease Acquire();

 private:
  void Release(std::unique_ptr<Connection> connection);

  std::mutex mutex_;
  std::condition_variable idle_changed_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
};

}  // namespace kindred::store::postgres
