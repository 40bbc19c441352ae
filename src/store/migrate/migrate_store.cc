#include "store/migrate/migrate_store.h"

#include <sodium.h>

#include <algorithm>
#include <memory>

#include "store/migrate/endpoint_internal.h"
#include "store/migrate/table_data_internal.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace kindred::store {
namespace {

using migrate::CopiedTables;
using migrate::Endpoint;
using migrate::Row;
using migrate::TableChecksum;
using migrate::TableShape;
using migrate::TableSpec;

// Messages show the start of a checksum: 16 hex digits (64 bits) are enough to tell two apart by
// eye; the comparison itself uses the whole digest.
constexpr std::size_t kShownChecksumDigits = 16;

Error SchemaMismatch(std::string message) {
  return {ErrorCode::kConflict, "schema_mismatch", std::move(message), {}, 0};
}

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined.empty() ? "none" : joined;
}

std::string RowsText(std::int64_t rows) { return std::to_string(rows) + (rows == 1 ? " row" : " rows"); }

// Opens the store first, which brings its schema up to this binary's version (and refuses one
// written by a newer Kindred), then lets it go and opens the raw connection the copy uses.
Result<std::unique_ptr<Endpoint>> OpenSide(const StoreLocation& at, bool writable) {
  if (at.engine == StoreLocation::Engine::kSqlite) {
    auto store = OpenSqliteStore(at.sqlite_file);
    if (!store) return std::move(store).error();
    store->reset();
    return migrate::OpenSqliteEndpoint(at.sqlite_file, writable);
  }
  auto store = OpenPostgresStore(at.conninfo);
  if (!store) return std::move(store).error();
  store->reset();
  return migrate::OpenPostgresEndpoint(at.conninfo);
}

bool SameLocation(const StoreLocation& a, const StoreLocation& b) {
  if (a.engine != b.engine) return false;
  if (a.engine == StoreLocation::Engine::kPostgres) return a.conninfo == b.conninfo;
  std::error_code ignored;
  return std::filesystem::weakly_canonical(a.sqlite_file, ignored) ==
         std::filesystem::weakly_canonical(b.sqlite_file, ignored);
}

// Both sides must have the same migrations, exactly the tables migrate-store knows, and the
// same columns in each; the shapes say which columns to copy, in the source's order.
Result<std::vector<TableShape>> AgreeOnSchema(Endpoint& source, Endpoint& destination, std::string& version) {
  auto source_versions = source.SchemaVersions();
  if (!source_versions) return std::move(source_versions).error();
  auto destination_versions = destination.SchemaVersions();
  if (!destination_versions) return std::move(destination_versions).error();
  if (*source_versions != *destination_versions) {
    return SchemaMismatch("The two databases are at different schema versions (" + source.Describe() + ": " +
                          Join(*source_versions) + "; " + destination.Describe() + ": " + Join(*destination_versions) +
                          "), so nothing was copied. Run the same version of Kindred against both.");
  }
  version = source_versions->empty() ? "" : source_versions->back();

  std::vector<std::string> known;
  for (const TableSpec& spec : CopiedTables()) known.emplace_back(spec.name);
  std::sort(known.begin(), known.end());
  for (Endpoint* side : {&source, &destination}) {
    auto tables = side->TableNames();
    if (!tables) return std::move(tables).error();
    if (*tables == known) continue;
    std::vector<std::string> unknown;
    std::vector<std::string> missing;
    std::set_difference(tables->begin(), tables->end(), known.begin(), known.end(), std::back_inserter(unknown));
    std::set_difference(known.begin(), known.end(), tables->begin(), tables->end(), std::back_inserter(missing));
    return SchemaMismatch("The tables of " + side->Describe() + " are not the ones this version of migrate-store " +
                          "copies (tables it does not know: " + Join(unknown) + "; tables missing: " + Join(missing) +
                          "), so nothing was copied.");
  }

  std::vector<TableShape> shapes;
  for (const TableSpec& spec : CopiedTables()) {
    auto source_columns = source.Columns(spec.name);
    if (!source_columns) return std::move(source_columns).error();
    auto destination_columns = destination.Columns(spec.name);
    if (!destination_columns) return std::move(destination_columns).error();
    std::vector<std::string> a = *source_columns;
    std::vector<std::string> b = *destination_columns;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) {
      return SchemaMismatch("The table " + std::string(spec.name) + " has different columns in the two databases (" +
                            Join(*source_columns) + " against " + Join(*destination_columns) +
                            "), so nothing was copied.");
    }
    shapes.push_back(TableShape{&spec, std::move(*source_columns)});
  }
  return shapes;
}

// Counts rows through the copy and the verification, for the caller's progress bar.
class Progress {
 public:
  Progress(const MigrateOptions& options, std::int64_t total) : on_progress_(options.on_progress), total_(total) {}
  void Advance(std::size_t rows) {
    done_ += static_cast<std::int64_t>(rows);
    if (on_progress_) on_progress_(std::min(done_, total_), total_);
  }

 private:
  const std::function<void(std::int64_t, std::int64_t)>& on_progress_;
  std::int64_t total_;
  std::int64_t done_ = 0;
};

Result<std::vector<TableSummary>> Checksums(Endpoint& side, const std::vector<TableShape>& shapes, Progress& progress) {
  std::vector<TableSummary> summaries;
  for (const TableShape& shape : shapes) {
    TableChecksum checksum;
    KINDRED_TRY(side.ScanRows(shape, [&](const std::vector<Row>& batch) -> Result<void> {
      for (const Row& row : batch) checksum.Add(row);
      progress.Advance(batch.size());
      return Ok();
    }));
    const std::int64_t rows = checksum.rows();
    summaries.push_back({std::string(shape.spec->name), rows, checksum.Finish()});
  }
  return summaries;
}

bool SameContent(const std::vector<TableSummary>& a, const std::vector<TableSummary>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].table != b[i].table || a[i].rows != b[i].rows || a[i].checksum != b[i].checksum) return false;
  }
  return true;
}

Error VerificationFailed(const TableSummary& source, const TableSummary& copy, const std::string& destination) {
  return {ErrorCode::kInternal,
          "verification_failed",
          "The copy of " + source.table + " read back differently from the source (source: " + RowsText(source.rows) +
              ", checksum " + source.checksum.substr(0, kShownChecksumDigits) + "; copy: " + RowsText(copy.rows) + ", checksum " +
              copy.checksum.substr(0, kShownChecksumDigits) + "), so the copy was undone and " + destination + " is as it was.",
          {},
          0};
}

}  // namespace

Result<MigrationReport> MigrateStore(const StoreLocation& from, const StoreLocation& to,
                                     const MigrateOptions& options) {
  if (sodium_init() < 0) return Error::Internal("The checksum library (libsodium) could not start.");
  if (from.engine == StoreLocation::Engine::kSqlite && !std::filesystem::exists(from.sqlite_file)) {
    return Error::NotFound("source_not_found", "There is no Kindred database at " + from.sqlite_file.string() +
                                                   ". Give --from the data directory that holds kindred.db, or "
                                                   "the database file itself.");
  }
  if (SameLocation(from, to)) {
    return Error::Invalid("to", "same_database", "--from and --to name the same database; nothing to copy.");
  }

  auto source = OpenSide(from, /*writable=*/false);
  if (!source) return std::move(source).error();
  auto destination = OpenSide(to, /*writable=*/true);
  if (!destination) return std::move(destination).error();

  MigrationReport report;
  report.source = (*source)->Describe();
  report.destination = (*destination)->Describe();
  auto shapes = AgreeOnSchema(**source, **destination, report.schema_version);
  if (!shapes) return std::move(shapes).error();

  // Everything from the source is read in one snapshot: the copy is of one moment, even if a
  // server still writes to the source (the command's docs ask to stop it first).
  KINDRED_TRY((*source)->BeginSnapshot());
  std::int64_t source_rows = 0;
  for (const TableShape& shape : *shapes) {
    auto count = (*source)->CountRows(shape.spec->name);
    if (!count) return std::move(count).error();
    source_rows += *count;
  }
  // Each row is read twice: from the source to copy it, from the destination to verify it.
  Progress progress(options, 2 * source_rows);

  KINDRED_TRY((*destination)->BeginExclusiveWrite());
  std::vector<std::string> occupied;
  std::int64_t destination_rows = 0;
  for (const TableShape& shape : *shapes) {
    auto count = (*destination)->CountRows(shape.spec->name);
    if (!count) return std::move(count).error();
    if (*count > 0) occupied.push_back(std::string(shape.spec->name) + " (" + RowsText(*count) + ")");
    destination_rows += *count;
  }

  if (!occupied.empty() && !options.replace) {
    // A second run after a successful one finds its own copy: verify it and say so.
    if (destination_rows == source_rows) {
      auto source_sums = Checksums(**source, *shapes, progress);
      if (!source_sums) return std::move(source_sums).error();
      auto destination_sums = Checksums(**destination, *shapes, progress);
      if (!destination_sums) return std::move(destination_sums).error();
      if (SameContent(*source_sums, *destination_sums)) {
        report.outcome = MigrationReport::Outcome::kAlreadyCopied;
        report.tables = std::move(*source_sums);
        return report;  // the endpoints end their transactions, having written nothing
      }
    }
    return Error::Conflict("destination_not_empty",
                           report.destination + " already holds other data: " + Join(occupied) +
                               ". Nothing was copied and nothing there was changed. Copy into an empty database; "
                               "or, if it holds an older copy of this same community that should be overwritten, "
                               "run again with --replace.");
  }

  if (!occupied.empty()) {
    // Children before parents, so that no foreign key is left pointing at a deleted row.
    for (auto shape = shapes->rbegin(); shape != shapes->rend(); ++shape) {
      KINDRED_TRY((*destination)->DeleteAllRows(shape->spec->name));
    }
    report.replaced = true;
  }

  std::vector<TableSummary> source_sums;
  for (const TableShape& shape : *shapes) {
    TableChecksum checksum;
    KINDRED_TRY((*source)->ScanRows(shape, [&](const std::vector<Row>& batch) -> Result<void> {
      for (const Row& row : batch) checksum.Add(row);
      KINDRED_TRY((*destination)->InsertRows(shape, batch));
      progress.Advance(batch.size());
      return Ok();
    }));
    KINDRED_TRY((*destination)->FinishTable(shape));
    const std::int64_t rows = checksum.rows();
    source_sums.push_back({std::string(shape.spec->name), rows, checksum.Finish()});
  }

  // Read back inside the same transaction: a difference undoes the whole copy.
  auto destination_sums = Checksums(**destination, *shapes, progress);
  if (!destination_sums) return std::move(destination_sums).error();
  for (std::size_t i = 0; i < source_sums.size(); ++i) {
    const TableSummary& copy = (*destination_sums)[i];
    if (copy.rows != source_sums[i].rows || copy.checksum != source_sums[i].checksum) {
      return VerificationFailed(source_sums[i], copy, report.destination);
    }
  }
  KINDRED_TRY((*destination)->Commit());
  (*source)->End();
  report.outcome = MigrationReport::Outcome::kCopied;
  report.tables = std::move(source_sums);
  return report;
}

}  // namespace kindred::store
