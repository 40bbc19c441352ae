// The PostgreSQL side of a migration: libpq on one connection of the store's own layer (same
// session settings: lock timeout, synchronous commit), with statements built from the catalog.
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>

#include "store/migrate/endpoint_internal.h"
#include "store/postgres/postgres_connection_internal.h"

namespace kindred::store::migrate {
namespace {

// Type OIDs of the columns we read (PostgreSQL's src/include/catalog/pg_type.dat; they are fixed
// for built-in types). Anything else is read as text.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

// A statement may carry at most 65535 parameters (the protocol's Bind message counts them in 16
// bits); an INSERT of kBatchRows rows of the widest table (17 columns) stays well below.
constexpr std::size_t kMaxParameters = 65535;

constexpr const char* kSelectVersions = "SELECT version FROM schema_migrations ORDER BY version";
constexpr const char* kSelectTables =
    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'"
    " ORDER BY tablename";
// to_regclass follows search_path, as the store's own statements do.
constexpr const char* kSelectColumns =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
    " WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
// Next id = largest + 1 (is_called = false), which is also right for an empty table: 1.
constexpr const char* kMoveSequencePrefix = "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(";
constexpr const char* kCursorName = "kindred_migrate_scan";

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string RealText(double value) {
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return std::string(digits, ec == std::errc() ? end : digits);
}

class PostgresEndpoint final : public Endpoint {
 public:
  explicit PostgresEndpoint(std::unique_ptr<postgres::Connection> connection)
      : connection_(std::move(connection)), conn_(connection_->raw()) {}
  ~PostgresEndpoint() override { End(); }

  std::string Describe() const override {
    return std::string("PostgreSQL database ") + PQdb(conn_) + " on " + PQhost(conn_) + ":" + PQport(conn_);
  }

  Result<std::vector<std::string>> SchemaVersions() override { return TextColumn(kSelectVersions, {}); }
  Result<std::vector<std::string>> TableNames() override { return TextColumn(kSelectTables, {}); }

  Result<std::vector<std::string>> Columns(std::string_view table) override {
    auto types = ColumnTypes(table);
    if (!types) return std::move(types).error();
    std::vector<std::string> names;
    for (const auto& [name, type] : **types) names.push_back(name);
    return names;
  }

  Result<void> BeginSnapshot() override {
    return Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting a snapshot");
  }

  Result<void> BeginExclusiveWrite() override {
    KINDRED_TRY(Begin("BEGIN", "starting a transaction"));
    // EXCLUSIVE lets readers on but no writer, until we commit or roll back: a node left running
    // cannot add a row between our check that the database is empty and the copy.
    std::string lock = "LOCK TABLE ";
    for (std::size_t i = 0; i < CopiedTables().size(); ++i) {
      lock += (i ? ", " : "") + QuoteIdentifier(CopiedTables()[i].name);
    }
    lock += " IN EXCLUSIVE MODE";
    return Execute(lock, "locking the tables (is kindred serve still writing to it? stop it first)");
  }

  Result<void> Commit() override {
    KINDRED_TRY(Execute("COMMIT", "committing the copy"));
    in_transaction_ = false;
    return Ok();
  }

  void End() override {
    if (in_transaction_) PQclear(PQexec(conn_, "ROLLBACK"));
    in_transaction_ = false;
  }

  Result<std::int64_t> CountRows(std::string_view table) override {
    auto result =
        Exec("SELECT count(*) FROM " + QuoteIdentifier(table), {}, "counting the rows of " + std::string(table));
    if (!result) return std::move(result).error();
    return std::strtoll(PQgetvalue(result->get(), 0, 0), nullptr, 10);
  }

  Result<void> ScanRows(const TableShape& shape, const BatchSink& sink) override {
    auto types = ColumnTypes(shape.spec->name);
    if (!types) return std::move(types).error();
    const std::string table(shape.spec->name);
    std::string select = "DECLARE " + std::string(kCursorName) + " NO SCROLL CURSOR FOR SELECT ";
    for (std::size_t i = 0; i < shape.columns.size(); ++i)
      select += (i ? ", " : "") + QuoteIdentifier(shape.columns[i]);
    select += " FROM " + QuoteIdentifier(table) + " ORDER BY ";
    for (std::size_t i = 0; i < shape.spec->primary_key.size(); ++i) {
      std::string_view key = shape.spec->primary_key[i];
      select += (i ? ", " : "") + QuoteIdentifier(key);
      // Byte order, as SQLite's BINARY: the database's own collation may sort text otherwise.
      if (TypeOf(**types, key) == "text") select += " COLLATE \"C\"";
    }
    KINDRED_TRY(Execute(select, "reading " + table));
    const std::string fetch = "FETCH " + std::to_string(kBatchRows) + " FROM " + kCursorName;
    std::vector<Row> batch;
    while (true) {
      auto result = Exec(fetch, {}, "reading " + table);
      if (!result) return std::move(result).error();
      PGresult* rows = result->get();
      const int count = PQntuples(rows);
      if (count == 0) break;
      const int width = PQnfields(rows);
      batch.clear();
      batch.reserve(static_cast<std::size_t>(count));
      for (int r = 0; r < count; ++r) {
        Row row;
        row.reserve(static_cast<std::size_t>(width));
        for (int column = 0; column < width; ++column) row.push_back(ReadValue(rows, r, column));
        batch.push_back(std::move(row));
      }
      KINDRED_TRY(sink(batch));
    }
    return Execute("CLOSE " + std::string(kCursorName), "reading " + table);
  }

  Result<void> DeleteAllRows(std::string_view table) override {
    return Execute("DELETE FROM " + QuoteIdentifier(table), "emptying " + std::string(table));
  }

  Result<void> InsertRows(const TableShape& shape, const std::vector<Row>& rows) override {
    if (rows.empty()) return Ok();
    auto types = ColumnTypes(shape.spec->name);
    if (!types) return std::move(types).error();
    const std::size_t width = shape.columns.size();
    const std::size_t per_statement = std::max<std::size_t>(1, std::min(kBatchRows, kMaxParameters / width));
    std::string head = "INSERT INTO " + QuoteIdentifier(shape.spec->name) + " (";
    for (std::size_t i = 0; i < width; ++i) head += (i ? ", " : "") + QuoteIdentifier(shape.columns[i]);
    head += ") VALUES ";
    for (std::size_t start = 0; start < rows.size(); start += per_statement) {
      const std::size_t end = std::min(rows.size(), start + per_statement);
      std::string sql = head;
      std::vector<std::optional<std::string>> params;
      params.reserve((end - start) * width);
      for (std::size_t r = start; r < end; ++r) {
        sql += r == start ? "(" : ", (";
        for (std::size_t i = 0; i < width; ++i) {
          params.push_back(ParamText(rows[r][i]));
          // Cast to the column's own type: a SQLite flag's 0/1 becomes a boolean, and the server
          // never has to guess a parameter's type.
          sql +=
              (i ? ", $" : "$") + std::to_string(params.size()) + "::" + std::string(TypeOf(**types, shape.columns[i]));
        }
        sql += ")";
      }
      auto done = Exec(sql, params, "copying rows into " + std::string(shape.spec->name));
      if (!done) return std::move(done).error();
    }
    return Ok();
  }

  Result<void> FinishTable(const TableShape& shape) override {
    if (shape.spec->identity.empty()) return Ok();
    const std::string column = QuoteIdentifier(shape.spec->identity);
    const std::string sql =
        std::string(kMoveSequencePrefix) + column + "), 0) + 1, false) FROM " + QuoteIdentifier(shape.spec->name);
    auto done = Exec(sql, {std::string(shape.spec->name), std::string(shape.spec->identity)},
                     "moving the id sequence of " + std::string(shape.spec->name));
    if (!done) return std::move(done).error();
    return Ok();
  }

 private:
  static Value ReadValue(const PGresult* rows, int row, int column) {
    if (PQgetisnull(rows, row, column)) return std::monostate{};
    const char* text = PQgetvalue(rows, row, column);
    switch (PQftype(rows, column)) {
      case kBoolOid:
        return std::int64_t{text[0] == 't' ? 1 : 0};  // boolean's text output is "t" or "f"
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
        return static_cast<std::int64_t>(std::strtoll(text, nullptr, 10));
      case kFloat4Oid:
      case kFloat8Oid:
        // PostgreSQL 12 and later print the shortest text that reads back as the same double.
        return std::strtod(text, nullptr);
      default:
        return std::string(text, static_cast<std::size_t>(PQgetlength(rows, row, column)));
    }
  }

  static std::optional<std::string> ParamText(const Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
    if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
    if (const auto* real = std::get_if<double>(&value)) return RealText(*real);
    return std::get<std::string>(value);
  }

  Error Failure(const PGresult* result, const std::string& doing) const {
    Error error = postgres::ErrorFromPostgres(result, conn_);
    std::string detail = result != nullptr ? PQresultErrorMessage(result) : "";
    if (detail.empty()) detail = PQerrorMessage(conn_);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    error.message = "Something went wrong while " + doing + " in " + Describe() + ". (postgresql: " + detail + ")";
    return error;
  }

  Result<ResultPtr> Exec(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                         const std::string& doing) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    ResultPtr result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                  nullptr, /*resultFormat=*/0),
                     &PQclear);
    ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return Failure(result.get(), doing);
    return result;
  }

  Result<void> Execute(const std::string& sql, const std::string& doing) {
    auto result = Exec(sql, {}, doing);
    if (!result) return std::move(result).error();
    return Ok();
  }

  Result<void> Begin(const char* sql, const std::string& doing) {
    KINDRED_TRY(Execute(sql, doing));
    in_transaction_ = true;
    return Ok();
  }

  Result<std::vector<std::string>> TextColumn(const char* sql, std::vector<std::optional<std::string>> params) {
    auto result = Exec(sql, params, "reading the schema");
    if (!result) return std::move(result).error();
    std::vector<std::string> values;
    for (int r = 0; r < PQntuples(result->get()); ++r) values.emplace_back(PQgetvalue(result->get(), r, 0));
    return values;
  }

  // A table's columns and their types as PostgreSQL spells them ("bigint", "boolean", "text"),
  // in table order; read once per table.
  using ColumnList = std::vector<std::pair<std::string, std::string>>;
  Result<const ColumnList*> ColumnTypes(std::string_view table) {
    auto cached = column_types_.find(table);
    if (cached != column_types_.end()) return &cached->second;
    auto result = Exec(kSelectColumns, {std::string(table)}, "reading the schema of " + std::string(table));
    if (!result) return std::move(result).error();
    ColumnList columns;
    for (int r = 0; r < PQntuples(result->get()); ++r) {
      columns.emplace_back(PQgetvalue(result->get(), r, 0), PQgetvalue(result->get(), r, 1));
    }
    return &column_types_.emplace(std::string(table), std::move(columns)).first->second;
  }

  static std::string_view TypeOf(const ColumnList& columns, std::string_view name) {
    for (const auto& [column, type] : columns) {
      if (column == name) return type;
    }
    return "text";
  }

  std::unique_ptr<postgres::Connection> connection_;
  PGconn* conn_;
  bool in_transaction_ = false;
  std::map<std::string, ColumnList, std::less<>> column_types_;
};

}  // namespace

Result<std::unique_ptr<Endpoint>> OpenPostgresEndpoint(const std::string& conninfo) {
  auto connection = postgres::Connection::Open(conninfo);
  if (!connection) return std::move(connection).error();
  return std::unique_ptr<Endpoint>(new PostgresEndpoint(std::move(*connection)));
}

}  // namespace kindred::store::migrate
