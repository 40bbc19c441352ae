// What migrate-store moves between engines: the tables it copies (in dependency order), a row as
// engine-neutral values, and the checksum both sides compute the same way to prove a copy.
// Private to src/store/migrate/.
// Thread-safety: plain values; a TableChecksum belongs to one thread.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kindred::store::migrate {

// One stored value. SQLite's storage classes and PostgreSQL's column types both map onto these
// four; a PostgreSQL BOOLEAN is read as the integer 0 or 1 that SQLite keeps for a flag, so that
// the same fact reads the same on both sides.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;
using Row = std::vector<Value>;

// A table migrate-store copies. The set of tables is checked against both databases before
// anything is copied, so a table added by a future migration and not listed here stops the copy
// with a message instead of being left behind silently.
struct TableSpec {
  std::string_view name;
  // Rows are read in this order on both sides, so that the checksums compare.
  std::vector<std::string_view> primary_key;
  // The column a PostgreSQL identity sequence fills, empty for tables keyed otherwise; its
  // sequence is moved past the largest copied value so that the next insert gets a fresh id.
  std::string_view identity;
};

// Every table but schema_migrations (which opening a store writes), parents before children so
// that each foreign key finds its row already copied.
const std::vector<TableSpec>& CopiedTables();

// The shape of one table as both sides agreed on it: the spec and its columns, in the source's
// order.
struct TableShape {
  const TableSpec* spec = nullptr;
  std::vector<std::string> columns;
};

// "name" with any double quote doubled: an SQL identifier for both SQLite and PostgreSQL.
std::string QuoteIdentifier(std::string_view name);

// SHA-256 over the canonical text of each row, in the order given. The canonical text writes
// each value with a tag and a self-delimiting body: N (NULL), I<decimal>; (integer), R<shortest
// round-trip decimal>; (real), T<byte length>:<bytes> (text). So NULL and '' differ, 1 and '1'
// differ, and a PostgreSQL true equals a SQLite 1.
class TableChecksum {
 public:
  TableChecksum();
  void Add(const Row& row);
  std::int64_t rows() const { return rows_; }
  // Lower-case hex of the digest. Call once, after the last Add.
  std::string Finish();

 private:
  crypto_hash_sha256_state state_;
  std::string buffer_;
  std::int64_t rows_ = 0;
};

// The canonical text of one row (see TableChecksum), appended to `out`.
void AppendCanonical(const Row& row, std::string& out);

}  // namespace kindred::store::migrate
