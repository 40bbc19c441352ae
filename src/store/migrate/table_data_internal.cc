#include "store/migrate/table_data_internal.h"

#include <charconv>

namespace kindred::store::migrate {

const std::vector<TableSpec>& CopiedTables() {
  static const std::vector<TableSpec> tables = {
      {"users", {"id"}, "id"},
      {"sessions", {"token_hash"}, ""},
      {"categories", {"id"}, "id"},
      {"topics", {"id"}, "id"},
      // posts.reply_to names an earlier post of the same table: copying by id keeps it satisfied.
      {"posts", {"id"}, "id"},
      {"revisions", {"post_id", "revision"}, ""},
      {"reactions", {"post_id", "user_id", "kind"}, ""},
      {"events", {"seq"}, "seq"},
      {"review_items", {"id"}, "id"},
      {"modlog", {"id"}, "id"},
      {"notices", {"id"}, "id"},
      {"worry_reports", {"id"}, "id"},
      {"settings", {"key"}, ""},
      {"blocks", {"blocker_id", "blocked_id"}, ""},
      {"watched_words", {"id"}, "id"},
      {"rate_buckets", {"key"}, ""},
  };
  return tables;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

void AppendCanonical(const Row& row, std::string& out) {
  for (const Value& value : row) {
    if (std::holds_alternative<std::monostate>(value)) {
      out += 'N';
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      out += 'I';
      out += std::to_string(*integer);
      out += ';';
    } else if (const auto* real = std::get_if<double>(&value)) {
      char digits[32];
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, *real);
      out += 'R';
      out.append(digits, ec == std::errc() ? end : digits);
      out += ';';
    } else {
      const std::string& text = std::get<std::string>(value);
      out += 'T';
      out += std::to_string(text.size());
      out += ':';
      out += text;
    }
  }
  out += '\n';
}

TableChecksum::TableChecksum() { crypto_hash_sha256_init(&state_); }

void TableChecksum::Add(const Row& row) {
  buffer_.clear();
  AppendCanonical(row, buffer_);
  crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(buffer_.data()), buffer_.size());
  ++rows_;
}

std::string TableChecksum::Finish() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

}  // namespace kindred::store::migrate
