// The SQLite side of a migration: raw statements on one connection of the store's own layer
// (same pragmas: busy timeout, foreign keys on, WAL).
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "store/migrate/endpoint_internal.h"
#include "store/sqlite/sqlite_connection_internal.h"

namespace kindred::store::migrate {
namespace {

using StatementPtr = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

constexpr const char* kSelectVersions = "SELECT version FROM schema_migrations ORDER BY version";
constexpr const char* kSelectTables =
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    " AND name <> 'schema_migrations' ORDER BY name";
constexpr const char* kSelectColumns = "SELECT name FROM pragma_table_info(?1) ORDER BY cid";

class SqliteEndpoint final : public Endpoint {
 public:
  SqliteEndpoint(std::filesystem::path file, std::unique_ptr<sqlite::Connection> connection)
      : file_(std::move(file)), connection_(std::move(connection)), db_(connection_->raw()) {}
  ~SqliteEndpoint() override {
    inserts_.clear();  // statements before the connection they belong to
    End();
  }

  std::string Describe() const override { return "SQLite file " + file_.string(); }

  Result<std::vector<std::string>> SchemaVersions() override { return TextColumn(kSelectVersions, {}); }
  Result<std::vector<std::string>> TableNames() override { return TextColumn(kSelectTables, {}); }
  Result<std::vector<std::string>> Columns(std::string_view table) override {
    return TextColumn(kSelectColumns, table);
  }

  Result<void> BeginSnapshot() override { return Begin("BEGIN"); }

  Result<void> BeginExclusiveWrite() override {
    // IMMEDIATE takes the write lock now, so no other writer slips in between our check that
    // the database is empty and the copy. Foreign keys are checked at COMMIT: rows arrive in
    // dependency order anyway, and this also covers a reply_to naming a later post.
    KINDRED_TRY(Begin("BEGIN IMMEDIATE"));
    return Execute("PRAGMA defer_foreign_keys = ON", "deferring foreign keys");
  }

  Result<void> Commit() override {
    KINDRED_TRY(Execute("COMMIT", "committing the copy"));
    in_transaction_ = false;
    return Ok();
  }

  void End() override {
    if (in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_transaction_ = false;
  }

  Result<std::int64_t> CountRows(std::string_view table) override {
    const std::string sql = "SELECT count(*) FROM " + QuoteIdentifier(table);
    auto statement = Prepare(sql);
    if (!statement) return std::move(statement).error();
    int rc = sqlite3_step(statement->get());
    if (rc != SQLITE_ROW) return Failure("counting the rows of " + std::string(table));
    return sqlite3_column_int64(statement->get(), 0);
  }

  Result<void> ScanRows(const TableShape& shape, const BatchSink& sink) override {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < shape.columns.size(); ++i) sql += (i ? ", " : "") + QuoteIdentifier(shape.columns[i]);
    sql += " FROM " + QuoteIdentifier(shape.spec->name) + " ORDER BY ";
    // BINARY, SQLite's default collation, compares text byte by byte, as PostgreSQL's "C" does.
    for (std::size_t i = 0; i < shape.spec->primary_key.size(); ++i) {
      sql += (i ? ", " : "") + QuoteIdentifier(shape.spec->primary_key[i]);
    }
    auto statement = Prepare(sql);
    if (!statement) return std::move(statement).error();
    sqlite3_stmt* stmt = statement->get();
    const int width = static_cast<int>(shape.columns.size());
    std::vector<Row> batch;
    batch.reserve(kBatchRows);
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Failure("reading " + std::string(shape.spec->name));
      Row row;
      row.reserve(width);
      for (int column = 0; column < width; ++column) {
        switch (sqlite3_column_type(stmt, column)) {
          case SQLITE_NULL:
            row.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, column)));
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, column));
            break;
          default: {
            // TEXT (and BLOB, which Kindred never stores) read as their bytes.
            const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
            row.emplace_back(std::string(bytes != nullptr ? bytes : "",
                                         static_cast<std::size_t>(sqlite3_column_bytes(stmt, column))));
          }
        }
      }
      batch.push_back(std::move(row));
      if (batch.size() == kBatchRows) {
        KINDRED_TRY(sink(batch));
        batch.clear();
      }
    }
    if (!batch.empty()) KINDRED_TRY(sink(batch));
    return Ok();
  }

  Result<void> DeleteAllRows(std::string_view table) override {
    const std::string sql = "DELETE FROM " + QuoteIdentifier(table);
    return Execute(sql.c_str(), "emptying " + std::string(table));
  }

  Result<void> InsertRows(const TableShape& shape, const std::vector<Row>& rows) override {
    auto found = inserts_.find(shape.spec->name);
    if (found == inserts_.end()) {
      std::string sql = "INSERT INTO " + QuoteIdentifier(shape.spec->name) + " (";
      std::string values;
      for (std::size_t i = 0; i < shape.columns.size(); ++i) {
        sql += (i ? ", " : "") + QuoteIdentifier(shape.columns[i]);
        values += (i ? ", ?" : "?") + std::to_string(i + 1);
      }
      sql += ") VALUES (" + values + ")";
      auto statement = Prepare(sql);
      if (!statement) return std::move(statement).error();
      found = inserts_.emplace(shape.spec->name, std::move(*statement)).first;
    }
    sqlite3_stmt* stmt = found->second.get();
    for (const Row& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        const Value& value = row[i];
        int rc = SQLITE_OK;
        if (std::holds_alternative<std::monostate>(value)) {
          rc = sqlite3_bind_null(stmt, index);
        } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
          rc = sqlite3_bind_int64(stmt, index, *integer);
        } else if (const auto* real = std::get_if<double>(&value)) {
          rc = sqlite3_bind_double(stmt, index, *real);
        } else {
          const std::string& text = std::get<std::string>(value);
          rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        }
        if (rc != SQLITE_OK) return Failure("copying a row into " + std::string(shape.spec->name));
      }
      int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) return Failure("copying a row into " + std::string(shape.spec->name));
    }
    return Ok();
  }

  // Rowid tables take max(id) + 1 next by themselves, and an AUTOINCREMENT table's counter
  // (events) moves up as rows with larger ids are inserted.
  Result<void> FinishTable(const TableShape&) override { return Ok(); }

 private:
  // The store's Error for the failure (its code tells busy from broken), worded for this command
  // and carrying SQLite's own message.
  Error Failure(const std::string& doing) const {
    Error error = sqlite::ErrorFromSqlite(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_));
    error.message =
        "Something went wrong while " + doing + " in " + Describe() + ". (sqlite: " + sqlite3_errmsg(db_) + ")";
    return error;
  }

  Result<StatementPtr> Prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return Failure("preparing \"" + sql + "\"");
    return StatementPtr(stmt, &sqlite3_finalize);
  }

  Result<void> Execute(const char* sql, const std::string& doing) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Failure(doing);
    return Ok();
  }

  Result<void> Begin(const char* sql) {
    KINDRED_TRY(Execute(sql, "starting a transaction"));
    in_transaction_ = true;
    return Ok();
  }

  Result<std::vector<std::string>> TextColumn(const char* sql, std::string_view parameter) {
    auto statement = Prepare(sql);
    if (!statement) return std::move(statement).error();
    if (!parameter.empty()) {
      sqlite3_bind_text64(statement->get(), 1, parameter.data(), parameter.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    std::vector<std::string> values;
    while (true) {
      int rc = sqlite3_step(statement->get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Failure("reading the schema");
      values.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement->get(), 0)));
    }
    return values;
  }

  std::filesystem::path file_;
  std::unique_ptr<sqlite::Connection> connection_;
  sqlite3* db_;
  bool in_transaction_ = false;
  // One INSERT per table, prepared on first use.
  std::map<std::string_view, StatementPtr> inserts_;
};

}  // namespace

Result<std::unique_ptr<Endpoint>> OpenSqliteEndpoint(const std::filesystem::path& file, bool writable) {
  auto connection = sqlite::Connection::Open(
      file, writable ? sqlite::Connection::Mode::kReadWrite : sqlite::Connection::Mode::kReadOnly);
  if (!connection) return std::move(connection).error();
  return std::unique_ptr<Endpoint>(new SqliteEndpoint(file, std::move(*connection)));
}

}  // namespace kindred::store::migrate
