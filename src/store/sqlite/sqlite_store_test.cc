// What only the SQLite backend has: its file, its pragmas, its migrations table, and more than
// one process (here: two stores) sharing one file. The behaviour every backend shares is tested
// in store_conformance_test.cc.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

}  // namespace
}  // namespace kindred::store
