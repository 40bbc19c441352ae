#include "app/migrate_store_command.h"

#include <iomanip>
#include <iostream>

#include "app/config.h"
#include "app/progress.h"

namespace kindred::app {
namespace {

// The summary shows the start of each checksum: 16 hex digits (64 bits) tell two tables apart
// with certainty in practice and keep the line short; the comparison itself uses all 64 digits.
constexpr std::size_t kShownChecksumDigits = 16;

bool SqliteFileName(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".db" || extension == ".sqlite" || extension == ".sqlite3";
}

void PrintTables(const store::MigrationReport& report, std::ostream& out) {
  std::size_t width = 5;
  for (const auto& table : report.tables) width = std::max(width, table.table.size());
  std::int64_t total = 0;
  out << "  " << std::left << std::setw(static_cast<int>(width)) << "table" << std::right << std::setw(10) << "rows"
      << "  checksum (SHA-256, first " << kShownChecksumDigits << " digits)\n";
  for (const auto& table : report.tables) {
    out << "  " << std::left << std::setw(static_cast<int>(width)) << table.table << std::right << std::setw(10)
        << table.rows << "  " << table.checksum.substr(0, kShownChecksumDigits) << "\n";
    total += table.rows;
  }
  out << "  " << std::left << std::setw(static_cast<int>(width)) << "total" << std::right << std::setw(10) << total
      << "\n";
}

}  // namespace

Result<store::StoreLocation> ParseStoreLocation(std::string_view argument) {
  if (argument.empty())
    return Error::Invalid("location", "location_missing", "Give a data directory or a postgresql:// URI.");
  if (argument.find("://") != std::string_view::npos) {
    auto postgres = UsesPostgres(argument);
    if (!postgres) return std::move(postgres).error();
    return store::StoreLocation{store::StoreLocation::Engine::kPostgres, {}, std::string(argument)};
  }
  std::filesystem::path path(argument);
  std::error_code ignored;
  if (!std::filesystem::is_directory(path, ignored) &&
      (std::filesystem::exists(path, ignored) || SqliteFileName(path))) {
    return store::StoreLocation{store::StoreLocation::Engine::kSqlite, path, {}};
  }
  Config data;
  data.data_dir = path;
  return store::StoreLocation{store::StoreLocation::Engine::kSqlite, data.DatabaseFile(), {}};
}

int RunMigrateStore(const std::string& from, const std::string& to, bool replace, std::ostream& out) {
  auto fail = [](const std::string& message) {
    std::cerr << "kindred: " << message << "\n";
    return 1;
  };
  auto source = ParseStoreLocation(from);
  if (!source) return fail("--from: " + source.error().message);
  auto destination = ParseStoreLocation(to);
  if (!destination) return fail("--to: " + destination.error().message);

  ProgressBar bar(1);
  store::MigrateOptions options;
  options.replace = replace;
  options.on_progress = [&bar](std::int64_t done, std::int64_t total) {
    bar.SetTotal(static_cast<std::size_t>(total));
    bar.Update(static_cast<std::size_t>(done));
  };
  auto report = store::MigrateStore(*source, *destination, options);
  bar.Finish();
  if (!report) return fail(report.error().message);

  if (report->outcome == store::MigrationReport::Outcome::kAlreadyCopied) {
    out << report->destination << " already holds exactly this copy of " << report->source
        << ". Checked again, table by table; nothing was written.\n\n";
    PrintTables(*report, out);
    return 0;
  }
  out << "Copied the community from " << report->source << " into " << report->destination
      << (report->replaced ? ", replacing what was there" : "") << " (schema " << report->schema_version << ").\n\n";
  PrintTables(*report, out);
  out << "\nEvery table was read back from the copy: the same rows, the same checksums.\n";
  if (report->replaced) {
    out << "The earlier data there is gone. Search indexes built from it are out of date: on each node, stop\n"
           "kindred serve and run `kindred reindex` with that node's --data and --database.\n";
  } else {
    out << "Search needs nothing: the change feed was copied with its numbers, so a node's search index\n"
           "catches up (or builds itself) on start. `kindred reindex` rebuilds one from scratch if you like.\n";
  }
  return 0;
}

}  // namespace kindred::app
