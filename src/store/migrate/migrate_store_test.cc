// migrate-store: a community filled through the Store interface goes SQLite -> PostgreSQL -> a
// fresh SQLite file and comes back identical, row for row; running again is a verified no-op; a
// destination holding something else is refused (or replaced only when asked).
#include "store/migrate/migrate_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/migrate/table_data_internal.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/testing/postgres_server.h"
#include "testutil/temp_dir.h"

namespace kindred::store {
namespace {

constexpr UnixSeconds kT0 = 1'700'000'000;

// The value, or the test fails here. Throws rather than reading an absent value, so that the test
// ends cleanly (GoogleTest reports the exception) and the shared PostgreSQL server is stopped.
template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().key + ": " + result.error().message);
  return std::move(result).value();
}

void Must(Result<void> result) { EXPECT_TRUE(result.ok()) << result.error().key << ": " << result.error().message; }

// Every kind of row the forum keeps, with the awkward values: NULLs beside empty strings, flags
// both ways, fractional scores, text keys whose byte order differs from a dictionary's, quotes,
// newlines and non-ASCII text, deleted and moved posts, resolved and open review items.
void FillCommunity(Store& store) {
  UserRow ann = Must(store.CreateUser({"Ann", "ann@example.org", "$argon2id$v=19$hash", Role::kAdmin, kT0, false}));
  UserRow bo = Must(store.CreateUser({"Bö_ünï", "", "", Role::kMember, kT0 + 1, true}));
  UserRow cy = Must(store.CreateUser({"cy", "cy@example.org", "", Role::kMember, kT0 + 2, false}));
  Must(store.SetRole(cy.id, Role::kModerator));
  Must(store.SetWorryOptOut(bo.id, true));
  Must(store.SetTrust(bo.id, TrustLevel::kTrusted, /*pinned=*/true));
  Must(store.SetPasswordHash(cy.id, "$argon2id$v=19$other"));
  Must(store.CreateSession({"b-token-hash", ann.id, "csrf one", kT0, kT0 + 3600}));
  Must(store.CreateSession({"A-token-hash", bo.id, "csrf two", kT0 + 5, kT0 + 7200}));

  CategoryRow feelings =
      Must(store.CreateCategory({"feelings", "Feelings", "Talking about \"it\"; and 'that'.", false}));
  CategoryRow demo = Must(store.CreateCategory({"demo", "Demo", "", true}));
  demo.archived = true;
  demo.position = 3;
  Must(store.UpdateCategory(demo));

  auto [topic, question] =
      Must(store.CreateTopic({feelings.id, ann.id, "First time in therapy", "Is it **normal**\nto feel this?",
                              "<p>Is it</p>", kT0 + 10, false}));
  PostRow reply = Must(store.CreateReply({topic.id, bo.id, question.id, "Yes — völlig.", "<p>Yes</p>", kT0 + 20}));
  PostRow gone = Must(store.CreateReply({topic.id, cy.id, std::nullopt, "Soon deleted", "<p>Soon</p>", kT0 + 21}));
  Must(store.EditPost(reply.id, "Yes, edited.", "<p>Yes, edited.</p>", kT0 + 30));
  Must(store.AddReaction(reply.id, ann.id, ReactionKind::kHug, kT0 + 31));
  Must(store.AddReaction(question.id, bo.id, ReactionKind::kHelpful, kT0 + 32));
  Must(store.AddReaction(question.id, bo.id, ReactionKind::kMeToo, kT0 + 33));
  Must(store.DeletePost(gone.id, kT0 + 40));

  auto [other, other_question] =
      Must(store.CreateTopic({demo.id, bo.id, "A demo thread", "demo", "<p>demo</p>", kT0 + 41, true}));
  PostRow misplaced = Must(store.CreateReply({other.id, ann.id, std::nullopt, "wrong place", "<p>w</p>", kT0 + 42}));
  Must(store.MovePost(misplaced.id, topic.id, kT0 + 43));
  Must(store.SetTopicState(other.id, true, true, demo.id));
  Must(store.ImportThread({feelings.id, cy.id, "Imported", "old words", "<p>old</p>", kT0 - 1000, false},
                          {{TopicId{}, ann.id, std::nullopt, "old reply", "<p>old reply</p>", kT0 - 900}}));

  ReviewItemRow safety =
      Must(store.CreateReviewItem({ReviewKind::kSafety, reply.id, 2, "crisis", "intent: \"want to stop\"", other.id,
                                   0.1 + 0.2, std::nullopt, "", kT0 + 50}));
  ReviewItemRow flag = Must(store.CreateReviewItem(
      {ReviewKind::kFlag, question.id, 1, "", "", std::nullopt, 1.0 / 3.0, cy.id, "unkind words", kT0 + 51}));
  Must(store.ResolveReviewItem(safety.id, safety.version, ReviewStatus::kHandled, cy.id, "reached out", kT0 + 60));
  Must(store.MarkWaitingRaised(flag.id, kT0 + 61));
  Must(store.AppendModlog(
      {0, cy.id, "review.handled", "review", safety.id, "open", "handled", "reached out", kT0 + 62, ""}));
  NoticeRow worry =
      Must(store.CreateNotice({bo.id, "worry", "Someone is thinking of you", "<p>Hello</p>", "/t/1#p2", kT0 + 63}));
  Must(store.MarkNoticesRead(bo.id, {worry.id}, kT0 + 64));
  Must(store.CreateNotice({ann.id, "safety_alert", "A post may need you", "", "", kT0 + 65}));
  Must(store.RecordWorryReport({ann.id, reply.id, bo.id, kT0 + 66, true}));
  Must(store.RecordWorryReport({cy.id, reply.id, bo.id, kT0 + 67, false}));
  Must(store.PutSetting("helplines", "Samaritans\t116 123\nline two", kT0 + 70));
  Must(store.PutSetting("Zeta", "", kT0 + 71));
  Must(store.PutSetting("_under", "x", kT0 + 72));
  // A rate bucket, with a fractional refill time: real numbers must survive the trip too.
  Must(store.TakeRateToken("login:addr:127.0.0.1", 5, 0.25, kT0 + 73.5));
  // Moderation and privacy: a block, a watched word, a suspension, a post hidden after flags.
  Must(store.AddBlock(ann.id, bo.id, kT0 + 74));
  Must(store.AddWatchedWord({0, "Spam*", WatchedAction::kHold, "", kT0 + 75}));
  Must(store.SetSuspension(cy.id, kT0 + 9999, "a short pause"));
  Must(store.SetPostHidden(reply.id, kT0 + 76, "flags"));
}

// Every table of a SQLite file but schema_migrations (whose applied_at says when each store was
// opened), each row as its values with their storage classes, rows sorted.
using Dump = std::map<std::string, std::vector<std::string>>;

Dump DumpSqlite(const std::filesystem::path& file) {
  Dump dump;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_stmt* list = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
                     "AND name <> 'schema_migrations'",
                     -1, &list, nullptr);
  while (sqlite3_step(list) == SQLITE_ROW)
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list, 0)));
  sqlite3_finalize(list);
  for (const std::string& table : tables) {
    sqlite3_stmt* rows = nullptr;
    const std::string sql = "SELECT * FROM \"" + table + "\"";
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &rows, nullptr), SQLITE_OK) << sql;
    std::vector<std::string>& out = dump[table];
    while (sqlite3_step(rows) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(rows); ++i) {
        static constexpr const char* kClasses[] = {"?", "int", "real", "text", "blob", "null"};
        row += std::string(sqlite3_column_name(rows, i)) + "=" + kClasses[sqlite3_column_type(rows, i)] + ":";
        if (sqlite3_column_type(rows, i) != SQLITE_NULL) {
          row.append(static_cast<const char*>(sqlite3_column_blob(rows, i)),
                     static_cast<std::size_t>(sqlite3_column_bytes(rows, i)));
        }
        row += "|";
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(rows);
    std::sort(out.begin(), out.end());
  }
  sqlite3_close(db);
  return dump;
}

StoreLocation Sqlite(const std::filesystem::path& file) { return {StoreLocation::Engine::kSqlite, file, {}}; }
StoreLocation Postgres(const std::string& conninfo) { return {StoreLocation::Engine::kPostgres, {}, conninfo}; }

class MigrateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<testutil::PostgresServer*> server = testutil::PostgresServer::Shared();
    ASSERT_TRUE(server.ok()) << server.error().message;
    static std::atomic<int> schemas{0};
    Result<std::string> conninfo = (*server)->CreateSchema("migrate_store_" + std::to_string(++schemas));
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    postgres_ = *conninfo;
    source_ = dir_.path() / "source" / "kindred.db";
    auto store = OpenSqliteStore(source_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    FillCommunity(**store);
  }

  Result<MigrationReport> Migrate(const StoreLocation& from, const StoreLocation& to, bool replace = false) {
    MigrateOptions options;
    options.replace = replace;
    options.on_progress = [this](std::int64_t done, std::int64_t total) {
      EXPECT_LE(done, total);
      last_progress_ = {done, total};
    };
    return MigrateStore(from, to, options);
  }

  testutil::TempDir dir_;
  std::string postgres_;
  std::filesystem::path source_;
  std::pair<std::int64_t, std::int64_t> last_progress_{-1, -1};
};

TEST_F(MigrateStoreTest, SqliteToPostgresToSqliteKeepsEveryRow) {
  MigrationReport there = Must(Migrate(Sqlite(source_), Postgres(postgres_)));
  EXPECT_EQ(there.outcome, MigrationReport::Outcome::kCopied);
  EXPECT_FALSE(there.replaced);
  EXPECT_FALSE(there.schema_version.empty());  // the newest migration both stores have, named
  ASSERT_EQ(there.tables.size(), migrate::CopiedTables().size());
  for (const TableSummary& table : there.tables)
    EXPECT_GT(table.rows, 0) << table.table << " was left empty by the fill";
  EXPECT_EQ(last_progress_.first, last_progress_.second);
  EXPECT_GT(last_progress_.second, 0);

  const std::filesystem::path back = dir_.path() / "back" / "kindred.db";
  MigrationReport back_again = Must(Migrate(Postgres(postgres_), Sqlite(back)));
  EXPECT_EQ(back_again.outcome, MigrationReport::Outcome::kCopied);
  EXPECT_EQ(back_again.schema_version, there.schema_version);

  // The checksums are computed the same way on both engines: the PostgreSQL copy's equal the
  // SQLite source's.
  ASSERT_EQ(back_again.tables.size(), there.tables.size());
  for (std::size_t i = 0; i < there.tables.size(); ++i) {
    EXPECT_EQ(back_again.tables[i].rows, there.tables[i].rows) << there.tables[i].table;
    EXPECT_EQ(back_again.tables[i].checksum, there.tables[i].checksum) << there.tables[i].table;
  }

  Dump original = DumpSqlite(source_);
  Dump copy = DumpSqlite(back);
  ASSERT_EQ(original.size(), migrate::CopiedTables().size());
  for (const auto& [table, rows] : original) EXPECT_EQ(copy[table], rows) << table;
}

TEST_F(MigrateStoreTest, TheCopyTakesNewRowsWithFreshIds) {
  MigrationReport report = Must(Migrate(Sqlite(source_), Postgres(postgres_)));
  std::unique_ptr<Store> copy = Must(OpenPostgresStore(postgres_));
  const std::int64_t users = Must(copy->CountUsers());
  const std::int64_t latest = Must(copy->LatestEventSeq());
  UserRow dee = Must(copy->CreateUser({"dee", "", "", Role::kMember, kT0 + 100, false}));
  EXPECT_EQ(dee.id.value, users + 1);
  CategoryRow more = Must(copy->CreateCategory({"more", "More", "", false}));
  EXPECT_GT(more.id.value, 2);
  EXPECT_GT(Must(copy->LatestEventSeq()), latest);
  std::vector<EventRow> events = Must(copy->ReadEvents(latest, 10));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().seq, latest + 1);
}

TEST_F(MigrateStoreTest, RunningAgainVerifiesTheCopyAndWritesNothing) {
  MigrationReport first = Must(Migrate(Sqlite(source_), Postgres(postgres_)));
  MigrationReport second = Must(Migrate(Sqlite(source_), Postgres(postgres_)));
  EXPECT_EQ(second.outcome, MigrationReport::Outcome::kAlreadyCopied);
  ASSERT_EQ(second.tables.size(), first.tables.size());
  for (std::size_t i = 0; i < first.tables.size(); ++i) EXPECT_EQ(second.tables[i].checksum, first.tables[i].checksum);

  // And between two SQLite files, the same.
  const std::filesystem::path copy = dir_.path() / "copy.db";
  EXPECT_EQ(Must(Migrate(Sqlite(source_), Sqlite(copy))).outcome, MigrationReport::Outcome::kCopied);
  EXPECT_EQ(Must(Migrate(Sqlite(source_), Sqlite(copy))).outcome, MigrationReport::Outcome::kAlreadyCopied);
  Dump original = DumpSqlite(source_);
  EXPECT_EQ(DumpSqlite(copy), original);
}

TEST_F(MigrateStoreTest, RefusesADestinationHoldingSomethingElseUnlessToldToReplaceIt) {
  const std::filesystem::path other = dir_.path() / "other" / "kindred.db";
  {
    std::unique_ptr<Store> store = Must(OpenSqliteStore(other));
    Must(store->CreateUser({"someone", "", "", Role::kMember, kT0, false}));
  }
  const Dump before = DumpSqlite(other);

  Result<MigrationReport> refused = Migrate(Sqlite(source_), Sqlite(other));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(refused.error().key, "destination_not_empty");
  EXPECT_NE(refused.error().message.find("users (1 row)"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("--replace"), std::string::npos) << refused.error().message;
  EXPECT_EQ(DumpSqlite(other), before);

  // The same on PostgreSQL, where the rows sit in other tables too.
  {
    std::unique_ptr<Store> store = Must(OpenPostgresStore(postgres_));
    Must(store->CreateUser({"someone", "", "", Role::kMember, kT0, false}));
    Must(store->PutSetting("helplines", "another community's", kT0));
  }
  refused = Migrate(Sqlite(source_), Postgres(postgres_));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "destination_not_empty");
  EXPECT_NE(refused.error().message.find("settings (1 row)"), std::string::npos) << refused.error().message;

  MigrationReport replaced = Must(Migrate(Sqlite(source_), Sqlite(other), /*replace=*/true));
  EXPECT_EQ(replaced.outcome, MigrationReport::Outcome::kCopied);
  EXPECT_TRUE(replaced.replaced);
  EXPECT_EQ(DumpSqlite(other), DumpSqlite(source_));
  EXPECT_TRUE(Must(Migrate(Sqlite(source_), Postgres(postgres_), /*replace=*/true)).replaced);
  EXPECT_EQ(Must(Migrate(Sqlite(source_), Postgres(postgres_))).outcome, MigrationReport::Outcome::kAlreadyCopied);
}

TEST_F(MigrateStoreTest, RefusesAMissingSourceWithoutCreatingIt) {
  const std::filesystem::path missing = dir_.path() / "nowhere" / "kindred.db";
  Result<MigrationReport> refused = Migrate(Sqlite(missing), Postgres(postgres_));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(MigrateStoreTest, RefusesToCopyADatabaseOntoItself) {
  Result<MigrationReport> refused = Migrate(Sqlite(source_), Sqlite(dir_.path() / "source" / "." / "kindred.db"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
}

TEST_F(MigrateStoreTest, RefusesADestinationFromANewerKindred) {
  const std::filesystem::path newer = dir_.path() / "newer.db";
  Must(OpenSqliteStore(newer));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(newer.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_future', 0)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Result<MigrationReport> refused = Migrate(Sqlite(source_), Sqlite(newer));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(DumpSqlite(newer)["users"].size(), 0u);
}

TEST(CanonicalRowTest, TellsNullFromEmptyAndReadsFlagsAlike) {
  using migrate::AppendCanonical;
  using migrate::Row;
  std::string null_text, empty_text, one_int, one_text;
  AppendCanonical(Row{std::monostate{}}, null_text);
  AppendCanonical(Row{std::string()}, empty_text);
  AppendCanonical(Row{std::int64_t{1}}, one_int);
  AppendCanonical(Row{std::string("1")}, one_text);
  EXPECT_NE(null_text, empty_text);
  EXPECT_NE(one_int, one_text);
  // Column boundaries cannot be forged by the text inside a value.
  std::string split, joined;
  AppendCanonical(Row{std::string("a"), std::string("T1:b")}, split);
  AppendCanonical(Row{std::string("aT1:b")}, joined);
  EXPECT_NE(split, joined);
  std::string real;
  AppendCanonical(Row{0.1 + 0.2}, real);
  EXPECT_EQ(real, "R0.30000000000000004;\n");
}

}  // namespace
}  // namespace kindred::store
