#include "store/sqlite/sqlite_connection_internal.h"

#include <cassert>
#include <system_error>

namespace kindred::store::sqlite {

namespace {

// What a uniqueness clash on a column means to a person, by the "table.column" SQLite names.
struct UniqueField {
  std::string_view column;  // as SQLite reports it: "table.column"
  const char* field;        // the form field the person can change
  const char* key;
  const char* message;
};

constexpr UniqueField kUniqueFields[] = {
    {"users.username_key", "username", "username_taken", "That username is already taken. Please choose another one."},
    {"categories.name_key", "name", "name_taken", "A category with that name already exists."},
    {"categories.slug", "slug", "slug_taken", "Another category already uses that address."},
    {"sessions.token_hash", "token_hash", "session_exists", "That session already exists."},
    {"watched_words.pattern_key", "pattern", "pattern_taken", "That word or phrase is already on the watched list."},
};

Error UniqueConflict(std::string_view sqlite_message) {
  // SQLite words it "UNIQUE constraint failed: users.username_key" (several columns are joined
  // with ", "; the first one is enough to name the field).
  constexpr std::string_view kPrefix = ": ";
  std::string_view columns = sqlite_message;
  if (auto at = columns.find(kPrefix); at != std::string_view::npos) columns.remove_prefix(at + kPrefix.size());
  std::string_view first = columns.substr(0, columns.find(','));
  for (const UniqueField& known : kUniqueFields) {
    if (first == known.column) return Error::Conflict(known.key, known.message, known.field);
  }
  std::string field(first.substr(first.find('.') == std::string_view::npos ? 0 : first.find('.') + 1));
  return Error::Conflict(field + "_taken", "That value is already in use.", field);
}

}  // namespace

Error ErrorFromSqlite(int rc, std::string_view sqlite_message) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return UniqueConflict(sqlite_message);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      // The store's contract: a missing row gives kNotFound. A foreign key fails exactly when
      // the user, topic, category or post referred to is not there (or went away meanwhile).
      return Error::NotFound("reference_not_found", "Something this refers to is no longer there.");
    default:
      break;
  }
  switch (rc & 0xff) {  // the primary code, for the families we treat alike
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {ErrorCode::kUnavailable,
              "store_busy",
              "The forum is very busy for a moment. Please try again shortly.",
              {},
              0};
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return {ErrorCode::kUnavailable,
              "store_unavailable",
              "The forum cannot save or read right now. Please try again later.",
              {},
              0};
    default:
      return Error::Internal(
          "Something went wrong on our side while reading or saving. (sqlite: " + std::string(sqlite_message) + ")");
  }
}

// --- Statement ---------------------------------------------------------------------------------

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::BindOne(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::BindOne(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::BindOne(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the bytes, so callers may pass temporaries.
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::BindOne(int index, std::nullptr_t) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

Result<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) return ErrorFromSqlite(bind_error_, sqlite3_errstr(bind_error_));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorFromSqlite(rc, sqlite3_errmsg(db_));
}

Result<void> Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return Ok();
  }
}

std::optional<std::int64_t> Statement::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

// --- Connection --------------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const std::filesystem::path& file, Mode mode) {
  // NOMUTEX below relies on a library built thread-safe (Debian's is); refuse one that is not.
  if (sqlite3_threadsafe() == 0) {
    return Error::Internal("This SQLite library was built without thread support, which Kindred needs.");
  }
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= mode == Mode::kReadWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return ErrorFromSqlite(rc, message);
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMilliseconds);

  // foreign_keys is off by default in SQLite and is per connection: the schema's cascades and
  // references mean nothing without it.
  KINDRED_TRY(connection->Execute("PRAGMA foreign_keys = ON"));
  if (mode == Mode::kReadWrite) {
    // WAL: readers and the one writer never block each other. The setting is kept in the file.
    Result<Statement> journal = connection->Prepare("PRAGMA journal_mode = WAL");
    if (!journal.ok()) return std::move(journal).error();
    Result<bool> row = journal->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row || journal->Text(0) != "wal") {
      return Error{ErrorCode::kUnavailable,
                   "store_unavailable",
                   "The forum's database could not be switched to write-ahead logging.",
                   {},
                   0};
    }
    // FULL (not WAL's usual NORMAL): the WAL is synced at every commit, so a write we
    // acknowledged survives a power cut, not just a crash of the process.
    KINDRED_TRY(connection->Execute("PRAGMA synchronous = FULL"));
    // Deleted content is overwritten with zeros, so a post someone deleted is gone from the
    // file rather than left in a free page for anyone holding a copy of it.
    KINDRED_TRY(connection->Execute("PRAGMA secure_delete = ON"));
  } else {
    KINDRED_TRY(connection->Execute("PRAGMA query_only = ON"));
  }
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) {
    assert(!sqlite3_stmt_busy(found->second) && "statement borrowed twice at once");
    return Statement(found->second, db_);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorFromSqlite(rc, sqlite3_errmsg(db_));
  statements_.emplace(sql, stmt);
  return Statement(stmt, db_);
}

Result<void> Connection::Execute(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Ok();
  // sqlite3_exec's return code is the primary one; the connection knows the extended one.
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return ErrorFromSqlite(sqlite3_extended_errcode(db_), text);
}

// --- ReaderPool --------------------------------------------------------------------------------

ReaderPool::Lease::~Lease() {
  if (connection_) pool_->Release(std::move(connection_));
}

ReaderPool::Lease ReaderPool::Acquire() {
  std::unique_lock lock(mutex_);
  idle_changed_.wait(lock, [this] { return !idle_.empty(); });
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(connection));
}

void ReaderPool::Release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  idle_changed_.notify_one();
}

}  // namespace kindred::store::sqlite
