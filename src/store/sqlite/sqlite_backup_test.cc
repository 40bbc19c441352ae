// The online backup: a consistent, complete copy while another connection keeps writing, and
// clear refusals that leave nothing half-written behind.
#include "store/sqlite/sqlite_backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace kindred::store {
namespace {

namespace fs = std::filesystem;

NewUser Member(int i) {
  NewUser user;
  user.username = "member" + std::to_string(i);
  user.email = user.username + "@example.org";
  user.password_hash = "x";
  user.created_at = 1'700'000'000 + i;
  return user;
}

TEST(SqliteBackupTest, CopiesEverythingCommittedWhileWritesContinue) {
  testutil::TempDir dir;
  fs::path db = dir.path() / "kindred.db";
  auto store = OpenSqliteStore(db);
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*store)->CreateUser(Member(i)).ok());

  std::atomic<bool> stop = false;
  std::atomic<int> written = 50;
  std::thread writer([&] {
    for (int i = 50; !stop; ++i) {
      if ((*store)->CreateUser(Member(i)).ok()) written = i + 1;
    }
  });
  while (written < 100) std::this_thread::yield();  // the writer is surely busy now
  auto report = BackupSqliteStore(db, dir.path() / "backup.db");
  int committed_after = 0;
  stop = true;
  writer.join();
  committed_after = written;
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_GT(report->pages, 0);
  EXPECT_EQ(report->bytes, static_cast<std::int64_t>(fs::file_size(dir.path() / "backup.db")));
  EXPECT_FALSE(fs::exists(dir.path() / "backup.db.partial"));

  // The copy is a store of its own, holding a prefix of the writes: every user up to some point
  // and none after, since each CreateUser committed whole before the next began.
  auto copy = OpenSqliteStore(dir.path() / "backup.db");
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  auto users = (*copy)->CountUsers();
  ASSERT_TRUE(users.ok());
  EXPECT_GE(*users, 100);
  EXPECT_LE(*users, committed_after);
  EXPECT_TRUE((*copy)->FindUserByName("member" + std::to_string(*users - 1)).ok());
}

TEST(SqliteBackupTest, RefusesAMissingStoreAndCopyingOntoItself) {
  testutil::TempDir dir;
  auto missing = BackupSqliteStore(dir.path() / "absent.db", dir.path() / "backup.db");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.path() / "backup.db"));

  fs::path db = dir.path() / "kindred.db";
  ASSERT_TRUE(OpenSqliteStore(db).ok());
  auto onto_itself = BackupSqliteStore(db, db);
  ASSERT_FALSE(onto_itself.ok());
  EXPECT_EQ(onto_itself.error().field, "to");

  auto no_folder = BackupSqliteStore(db, dir.path() / "no" / "such" / "backup.db");
  ASSERT_FALSE(no_folder.ok());
  EXPECT_EQ(no_folder.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(no_folder.error().message.find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace kindred::store
