#include "store/postgres/postgres_connection_internal.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace kindred::store::postgres {

namespace {

// SQLSTATE codes we tell apart (PostgreSQL documentation, appendix A "Error Codes").
constexpr std::string_view kUniqueViolation = "23505";
constexpr std::string_view kForeignKeyViolation = "23503";
constexpr std::string_view kSerializationFailure = "40001";
constexpr std::string_view kDeadlockDetected = "40P01";
constexpr std::string_view kLockNotAvailable = "55P03";     // lock_timeout ran out
constexpr std::string_view kQueryCanceled = "57014";        // statement_timeout ran out
constexpr std::string_view kReadOnlyTransaction = "25006";  // a standby, or a read-only server
// Whole classes: 08 connection exception, 53 insufficient resources (disk full, too many
// connections), 57P operator intervention (shutdown, crash recovery, "starting up").
constexpr std::string_view kConnectionClass = "08";
constexpr std::string_view kResourcesClass = "53";
constexpr std::string_view kOperatorClass = "57P";

// What a uniqueness clash on a constraint means to a person, by the constraint names given in
// src/store/migrations/postgres/. The keys and fields are the SQLite backend's, so callers see
// the same Error from both.
struct UniqueField {
  std::string_view constraint;
  const char* field;  // the form field the person can change
  const char* key;
  const char* message;
};

constexpr UniqueField kUniqueFields[] = {
    {"users_username_key_unique", "username", "username_taken",
     "That username is already taken. Please choose another one."},
    {"categories_name_key_unique", "name", "name_taken", "A category with that name already exists."},
    {"categories_slug_unique", "slug", "slug_taken", "Another category already uses that address."},
    {"sessions_pkey", "token_hash", "session_exists", "That session already exists."},
    {"watched_words_pattern_key_unique", "pattern", "pattern_taken",
     "That word or phrase is already on the watched list."},
};

std::string_view Field(const PGresult* result, int code) {
  const char* value = result != nullptr ? PQresultErrorField(result, code) : nullptr;
  return value != nullptr ? std::string_view(value) : std::string_view();
}

Error UniqueConflict(const PGresult* result) {
  std::string_view constraint = Field(result, PG_DIAG_CONSTRAINT_NAME);
  for (const UniqueField& known : kUniqueFields) {
    if (constraint == known.constraint) return Error::Conflict(known.key, known.message, known.field);
  }
  // A constraint without a person-facing name: PostgreSQL words the detail
  // "Key (column)=(value) already exists."; the first column is enough to name the field.
  std::string_view detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  std::string field = "value";
  if (auto open = detail.find('('); open != std::string_view::npos) {
    std::string_view columns = detail.substr(open + 1);
    field = std::string(columns.substr(0, columns.find_first_of(",)")));
  }
  return Error::Conflict(field + "_taken", "That value is already in use.", field);
}

Error Busy(std::string_view key) {
  return {ErrorCode::kUnavailable,
          std::string(key),
          "The forum is very busy for a moment. Please try again shortly.",
          {},
          0};
}

Error Unreachable() {
  return {ErrorCode::kUnavailable,
          "store_unavailable",
          "The forum cannot save or read right now. Please try again later.",
          {},
          0};
}

// Notices ("relation already exists, skipping") go to stderr by default; they are expected and
// would only clutter the server's log.
void IgnoreNotice(void*, const char*) {}

}  // namespace

Error ErrorFromPostgres(const PGresult* result, const PGconn* connection) {
  std::string_view state = Field(result, PG_DIAG_SQLSTATE);
  if (state == kUniqueViolation) return UniqueConflict(result);
  if (state == kForeignKeyViolation) {
    // The store's contract: a missing row gives kNotFound. A foreign key fails exactly when the
    // user, topic, category or post referred to is not there (or went away meanwhile).
    return Error::NotFound("reference_not_found", "Something this refers to is no longer there.");
  }
  if (state == kSerializationFailure || state == kDeadlockDetected) return Busy(kRetryableErrorKey);
  if (state == kLockNotAvailable || state == kQueryCanceled) return Busy("store_busy");
  if (state == kReadOnlyTransaction || state.starts_with(kConnectionClass) || state.starts_with(kResourcesClass) ||
      state.starts_with(kOperatorClass)) {
    return Unreachable();
  }
  // No SQLSTATE at all: libpq failed on our side of the wire, most often a lost connection.
  if (state.empty() && (connection == nullptr || PQstatus(connection) != CONNECTION_OK)) return Unreachable();
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty() && connection != nullptr) message = PQerrorMessage(connection);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return Error::Internal("Something went wrong on our side while reading or saving. (postgresql: " + message + ")");
}

// --- Params ----------------------------------------------------------------------------------

void Params::Add(double value) {
  // Shortest text that reads back as the same double.
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  values_.emplace_back(std::string(buffer, ec == std::errc() ? end : buffer));
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const std::optional<std::string>& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

// --- Row and Rows ----------------------------------------------------------------------------

std::int64_t Row::Int64(int column) const {
  const char* text = PQgetvalue(result_, index_, column);
  std::int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

bool Row::Bool(int column) const {
  const char* text = PQgetvalue(result_, index_, column);
  return text[0] == 't';  // boolean's text output is "t" or "f"
}

double Row::Double(int column) const { return std::strtod(PQgetvalue(result_, index_, column), nullptr); }

std::optional<std::int64_t> Row::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

std::string Row::Text(int column) const {
  return std::string(PQgetvalue(result_, index_, column),
                     static_cast<std::size_t>(PQgetlength(result_, index_, column)));
}

std::int64_t Rows::affected() const {
  const char* text = PQcmdTuples(result_.get());
  std::int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

// --- Connection ------------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  // Defaults first: the words in `conninfo` override them (expand_dbname), except the encoding,
  // which comes last because every string we send and read is UTF-8.
  const std::string timeout = std::to_string(kConnectTimeoutSeconds);
  const char* keywords[] = {"application_name", "connect_timeout", "dbname", "client_encoding", nullptr};
  const char* values[] = {"kindred", timeout.c_str(), conninfo.c_str(), "UTF8", nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Error::Internal("Out of memory while connecting to PostgreSQL.");
  std::unique_ptr<Connection> connection(new Connection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(raw);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    return Error{ErrorCode::kUnavailable,
                 "store_unavailable",
                 "The forum cannot reach its database right now. (postgresql: " + reason + ")",
                 {},
                 0};
  }
  PQsetNoticeProcessor(raw, &IgnoreNotice, nullptr);
  KINDRED_TRY(connection->SetUpSession());
  return connection;
}

Connection::~Connection() { PQfinish(connection_); }

Result<void> Connection::SetUpSession() {
  const std::string lock_timeout = "SET lock_timeout = " + std::to_string(kLockTimeoutMilliseconds);
  KINDRED_TRY(Execute(lock_timeout.c_str()));
  // Every write must survive a crash once the method returns. "on" (the default), "local",
  // "remote_write" and "remote_apply" all flush the local WAL before COMMIT returns; only "off"
  // does not, so a server configured that way is overruled for our sessions.
  Result<Rows> setting = Query("SELECT current_setting('synchronous_commit')");
  if (!setting.ok()) return std::move(setting).error();
  if (!setting->empty() && (*setting)[0].Text(0) == "off") KINDRED_TRY(Execute("SET synchronous_commit = on"));
  return Ok();
}

Result<void> Connection::Reconnect() {
  prepared_.clear();
  PQreset(connection_);
  if (PQstatus(connection_) != CONNECTION_OK) return Unreachable();
  return SetUpSession();
}

Result<Rows> Connection::Query(std::string_view sql, const Params& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "kindred_" + std::to_string(prepared_.size());
    // Parameter types are left to the server to infer from the statement; where it cannot (a
    // bare "$1 OR ..."), the SQL casts.
    Rows prepared(PQprepare(connection_, name.c_str(), std::string(sql).c_str(), 0, nullptr));
    if (PQresultStatus(prepared.result()) != PGRES_COMMAND_OK) return ErrorFromPostgres(prepared.result(), connection_);
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values = params.Pointers();
  Rows rows(PQexecPrepared(connection_, found->second.c_str(), params.size(), values.data(), nullptr, nullptr,
                           /*resultFormat=*/0));
  ExecStatusType status = PQresultStatus(rows.result());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return ErrorFromPostgres(rows.result(), connection_);
  return rows;
}

Result<void> Connection::Execute(const char* sql) {
  Rows rows(PQexec(connection_, sql));
  ExecStatusType status = PQresultStatus(rows.result());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return ErrorFromPostgres(rows.result(), connection_);
  return Ok();
}

// --- Pool ------------------------------------------------------------------------------------

Pool::Lease::~Lease() {
  if (connection_) pool_->Release(std::move(connection_));
}

Pool::Lease Pool::Acquire() {
  std::unique_lock lock(mutex_);
  idle_changed_.wait(lock, [this] { return !idle_.empty(); });
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(connection));
}

void Pool::Release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  idle_changed_.notify_one();
}

}  // namespace kindred::store::postgres
