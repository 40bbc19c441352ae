// What only the SQLite backend has: its file, its pragmas, its migrations table, and more than
// one process (here: two stores) sharing one file. The behaviour every backend shares is tested
// in store_conformance_test.cc.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_checkpointer_internal.h"
#include "store/sqlite/sqlite_connection_internal.h"
#include "store/sqlite/sqlite_latest_seq_internal.h"
#include "store/sqlite/sqlite_migrations_internal.h"
#include "testutil/temp_dir.h"

namespace kindred::store {
namespace {

namespace fs = std::filesystem;

// A plain SQLite handle on the store's file, to look behind the Store interface.
class RawDatabase {
 public:
  explicit RawDatabase(const fs::path& file) { sqlite3_open(file.c_str(), &db_); }
  ~RawDatabase() { sqlite3_close(db_); }
  std::string One(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string value = "(error)";
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      value = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
    return value;
  }
  bool Run(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

 private:
  sqlite3* db_ = nullptr;
};

// A ReadScope shares one read transaction: its reads see one snapshot, whatever other threads
// commit meanwhile, until this thread writes or the scope ends.
TEST(SqliteStoreTest, ReadsInAScopeSeeOneSnapshot) {
  testutil::TempDir dir;
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(dir.path() / "kindred.db");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Store& store = **opened;
  auto make_user = [&store](const std::string& name) {
    return store.CreateUser({name, name + "@example.org", "hash", Role::kMember, 1'700'000'000, false});
  };
  ASSERT_TRUE(make_user("kim").ok());
  {
    std::unique_ptr<ReadScope> scope = store.ShareReads();
    ASSERT_EQ(*store.CountUsers(), 1);
    std::thread other([&] { ASSERT_TRUE(make_user("sam").ok()); });
    other.join();
    EXPECT_EQ(*store.CountUsers(), 1) << "a read in the scope left its snapshot";
    // Other threads read on, with their own transactions, while the scope holds one connection.
    std::thread reader([&] { EXPECT_EQ(*store.CountUsers(), 2); });
    reader.join();
    ASSERT_TRUE(make_user("lee").ok());  // this thread writes: the next read starts afresh
    EXPECT_EQ(*store.CountUsers(), 3);
  }
  EXPECT_EQ(*store.CountUsers(), 3);
}

// The feed position is kept between reads (sqlite::LatestSeqCache), never past a write of this
// process, and inside a ReadScope it is the scope's snapshot's.
TEST(SqliteStoreTest, TheFeedPositionShowsEveryWriteThatWasAnsweredAndAScopesOwnSnapshot) {
  testutil::TempDir dir;
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(dir.path() / "kindred.db");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Store& store = **opened;
  auto kim = store.CreateUser({"kim", "kim@example.org", "hash", Role::kMember, 1'700'000'000, false});
  auto sam = store.CreateUser({"sam", "sam@example.org", "hash", Role::kMember, 1'700'000'000, false});
  ASSERT_TRUE(kim.ok() && sam.ok());
  const std::int64_t before = *store.LatestEventSeq();
  ASSERT_TRUE(store.AddBlock(kim->id, sam->id, 1'700'000'001).ok());
  const std::int64_t blocked = *store.LatestEventSeq();
  EXPECT_GT(blocked, before) << "this process's write shows at once";
  {
    std::unique_ptr<ReadScope> scope = store.ShareReads();
    ASSERT_EQ(*store.CountUsers(), 2);
    std::thread other([&] { ASSERT_TRUE(store.RemoveBlock(kim->id, sam->id).ok()); });
    other.join();
    EXPECT_EQ(*store.LatestEventSeq(), blocked) << "the scope's rows come from before the unblock";
  }
  const std::int64_t unblocked = *store.LatestEventSeq();
  EXPECT_GT(unblocked, blocked);

  // Another process's write (here another store on the file) shows within a second.
  Result<std::unique_ptr<Store>> second = OpenSqliteStore(dir.path() / "kindred.db");
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE((*second)->AddBlock(sam->id, kim->id, 1'700'000'002).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_GT(*store.LatestEventSeq(), unblocked);
}

TEST(SqliteStoreTest, AFeedPositionReadDuringACommitIsNotKept) {
  static std::chrono::steady_clock::time_point now{};
  sqlite::LatestSeqCache cache(std::chrono::seconds(1), [] { return now; });
  int reads = 0;
  auto read = [&]() -> Result<std::int64_t> { return ++reads * 10; };
  EXPECT_EQ(*cache.Get(read), 10);
  EXPECT_EQ(*cache.Get(read), 10) << "kept";
  cache.WriteCommitted();
  EXPECT_EQ(*cache.Get(read), 20) << "a commit makes the next caller read";
  auto read_during_commit = [&]() -> Result<std::int64_t> {
    cache.WriteCommitted();
    return ++reads * 10;
  };
  cache.WriteCommitted();
  EXPECT_EQ(*cache.Get(read_during_commit), 30);
  EXPECT_EQ(*cache.Get(read), 40) << "what was read while a write committed was not kept";
  now += std::chrono::milliseconds(1001);
  EXPECT_EQ(*cache.Get(read), 50) << "nor is anything kept past the lag for other processes";
}

TEST(SqliteStoreTest, CreatesTheFileAndItsDirectory) {
  testutil::TempDir dir;
  fs::path file = dir.path() / "nested" / "deeper" / "kindred.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(file);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE(fs::exists(file));
}

TEST(SqliteStoreTest, RecordsEachMigrationOnceAcrossReopens) {
  testutil::TempDir dir;
  fs::path file = dir.path() / "kindred.db";
  for (int i = 0; i < 3; ++i) {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(file);
    ASSERT_TRUE(store.ok()) << store.error().message;
  }
  RawDatabase raw(file);
  EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations WHERE version = '0001_core_forum'"), "1");
  EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations"),
            raw.One("SELECT count(DISTINCT version) FROM schema_migrations"));
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");  // kept in the file
}

// A database made by the first release (0001 only, with a member and a topic in it) is brought
// up to date when opened: 0002 adds the safety tables and the member flags, and old rows read
// with the flags off.
TEST(SqliteStoreTest, UpgradesADatabaseMadeBeforeTheSafetyTables) {
  testutil::TempDir dir;
  fs::path file = dir.path() / "kindred.db";
  {
    std::vector<sqlite::Migration> all = sqlite::EmbeddedMigrations();
    ASSERT_GE(all.size(), 2u);
    ASSERT_EQ(all[0].version, "0001_core_forum");
    std::unique_ptr<sqlite::Connection> old_release =
        std::move(sqlite::Connection::Open(file, sqlite::Connection::Mode::kReadWrite)).value();
    ASSERT_TRUE(sqlite::ApplyMigrations(*old_release, {all[0]}).ok());
    ASSERT_TRUE(old_release
                    ->Execute("INSERT INTO users (id, username, username_key, role, created_at)"
                              " VALUES (1, 'Old', 'old', 1, 1);"
                              "INSERT INTO categories (id, slug, name, name_key) VALUES (1, 'c', 'C', 'c');"
                              "INSERT INTO topics (id, category_id, user_id, title, created_at, last_post_at)"
                              " VALUES (1, 1, 1, 'Before', 1, 1);"
                              "INSERT INTO posts (id, topic_id, user_id, number, body_markdown, body_html,"
                              " created_at) VALUES (1, 1, 1, 1, 'q', 'q', 1);")
                    .ok());
  }
  {
    RawDatabase raw(file);
    EXPECT_EQ(raw.One("SELECT group_concat(version, ' ') FROM schema_migrations"), "0001_core_forum");
  }

  Result<std::unique_ptr<Store>> store = OpenSqliteStore(file);
  ASSERT_TRUE(store.ok()) << store.error().message;
  UserRow old_user = (*store)->FindUserById(UserId(1)).value();
  EXPECT_EQ(old_user.username, "Old");
  EXPECT_FALSE(old_user.trusted_supporter());
  // Members from before trust levels already took part: they start at basic, not new.
  EXPECT_EQ(old_user.trust_level, TrustLevel::kBasic);
  EXPECT_FALSE(old_user.worry_opt_out);
  NewReviewItem item;
  item.post = PostId(1);
  item.created_at = 2;
  EXPECT_EQ((*store)->CreateReviewItem(item).value().topic_title, "Before");
  EXPECT_TRUE((*store)->PutSetting("k", "v", 2).ok());
  store->reset();

  RawDatabase raw(file);
  EXPECT_EQ(raw.One("SELECT group_concat(version, ' ') FROM (SELECT version FROM schema_migrations ORDER BY version)"),
            "0001_core_forum 0002_safety_and_review 0003_rate_limits 0004_moderation_and_privacy "
            "0005_crisis_reminders");
  EXPECT_EQ(raw.One("SELECT count(*) FROM pragma_foreign_key_check"), "0");
}

TEST(SqliteStoreTest, RefusesADatabaseFromANewerVersion) {
  testutil::TempDir dir;
  fs::path file = dir.path() / "kindred.db";
  ASSERT_TRUE(OpenSqliteStore(file).ok());
  {
    RawDatabase raw(file);
    ASSERT_TRUE(raw.Run("INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_from_the_future', 0)"));
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store.error().key, "database_too_new");
  EXPECT_NE(store.error().message.find("9999_from_the_future"), std::string::npos);
}

TEST(SqliteStoreTest, UnopenableFileIsUnavailable) {
  testutil::TempDir dir;
  fs::path directory_not_file = dir.path() / "a-directory";
  fs::create_directories(directory_not_file);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(directory_not_file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
}

// Two stores on one file stand for two processes (the server and an admin command): their
// writers meet in SQLite's lock, not our mutex, and busy_timeout must absorb it.
TEST(SqliteStoreTest, TwoStoresOnOneFileDoNotSeeBusy) {
  testutil::TempDir dir;
  fs::path file = dir.path() / "kindred.db";
  std::unique_ptr<Store> first = std::move(OpenSqliteStore(file)).value();
  std::unique_ptr<Store> second = std::move(OpenSqliteStore(file)).value();
  UserRow user = first->CreateUser({"shared", "", "", Role::kMember, 1, false}).value();
  CategoryRow category = first->CreateCategory({"", "Shared", "", false}).value();
  TopicId topic = first->CreateTopic({category.id, user.id, "T", "q", "q", 1, false}).value().first.id;

  constexpr int kRepliesEach = 30;
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto write = [&](Store* store) {
    for (int i = 0; i < kRepliesEach; ++i) {
      Result<PostRow> reply = store->CreateReply({topic, user.id, std::nullopt, "r", "r", 2});
      if (!reply.ok()) {
        std::lock_guard lock(errors_mutex);
        errors.push_back(reply.error().key + ": " + reply.error().message);
      }
    }
  };
  std::thread a(write, first.get());
  std::thread b(write, second.get());
  a.join();
  b.join();
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front());
  EXPECT_EQ(second->FindTopic(topic).value().reply_count, 2 * kRepliesEach);
  EXPECT_EQ(first->CountPosts(topic).value(), 2 * kRepliesEach + 1);
}

// A fresh file's writer connection with a table of notes to fill, and a WalCheckpointer on it.
class CheckpointedWriter {
 public:
  CheckpointedWriter(int background_every_frames, int writer_checkpoint_frames)
      : writer_(Open()), checkpointer_(writer_->raw(), Open(), background_every_frames, writer_checkpoint_frames) {
    EXPECT_TRUE(writer_->Execute("CREATE TABLE notes (body BLOB)").ok());
  }
  const fs::path& file() const { return file_; }
  sqlite::Connection& writer() { return *writer_; }
  sqlite::WalCheckpointer& checkpointer() { return checkpointer_; }

  // Each note fills a page of its own, so every commit adds a frame or two to the log.
  void AddNotes(int count) {
    for (int i = 0; i < count; ++i) ASSERT_TRUE(writer_->Execute("INSERT INTO notes VALUES (zeroblob(3000))").ok());
  }

 private:
  std::unique_ptr<sqlite::Connection> Open() {
    return std::move(sqlite::Connection::Open(file_, sqlite::Connection::Mode::kReadWrite)).value();
  }

  testutil::TempDir dir_;
  fs::path file_ = dir_.path() / "kindred.db";
  std::unique_ptr<sqlite::Connection> writer_;
  sqlite::WalCheckpointer checkpointer_;
};

// The writer's commits leave the checkpoints to sqlite::WalCheckpointer's own thread: pages reach
// the database file while the writer does nothing more.
TEST(SqliteCheckpointerTest, CopiesTheLogBackOnItsOwnThread) {
  constexpr int kEveryFrames = 10;
  CheckpointedWriter db(kEveryFrames, 1'000'000);
  const auto size_before = fs::file_size(db.file());
  db.AddNotes(3 * kEveryFrames);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (fs::file_size(db.file()) < size_before + kEveryFrames * 3000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(fs::file_size(db.file()), size_before + kEveryFrames * 3000) << "no checkpoint reached the file";
}

// SQLite runs one checkpoint at a time and turns any other away at once, so a checkpoint that
// must run (scrubbing deleted text from the log) holds the background ones off meanwhile.
TEST(SqliteCheckpointerTest, ExclusivelyHoldsTheBackgroundCheckpointsOff) {
  constexpr int kEveryFrames = 10;
  CheckpointedWriter db(kEveryFrames, 1'000'000);
  const auto size_before = fs::file_size(db.file());
  db.checkpointer().Exclusively([&] {
    db.AddNotes(3 * kEveryFrames);  // wakes the background thread
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(fs::file_size(db.file()), size_before) << "a background checkpoint ran meanwhile";
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (fs::file_size(db.file()) == size_before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(fs::file_size(db.file()), size_before) << "and runs once it may";
}

// A log that the background checkpoints cannot leave empty (a writer that never pauses) is
// checkpointed by the writer once it holds the bound, and started afresh by the next commit.
TEST(SqliteCheckpointerTest, TheWriterKeepsTheLogWithinItsBound) {
  constexpr int kBound = 40;
  CheckpointedWriter db(1'000'000, kBound);
  db.AddNotes(10 * kBound);
  int frames_in_log = -1;
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(db.writer().raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames_in_log, nullptr),
            SQLITE_OK);
  EXPECT_GT(frames_in_log, 0);
  EXPECT_LE(frames_in_log, kBound + 4) << "the log grew past its bound";
}

}  // namespace
}  // namespace kindred::store
