#include "app/migrate_store_command.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/temp_dir.h"

namespace kindred::app {
namespace {

using Engine = store::StoreLocation::Engine;

TEST(ParseStoreLocationTest, TellsDataDirectoriesFilesAndPostgresApart) {
  testutil::TempDir dir;
  auto data_dir = ParseStoreLocation(dir.path().string());
  ASSERT_TRUE(data_dir.ok());
  EXPECT_EQ(data_dir->engine, Engine::kSqlite);
  EXPECT_EQ(data_dir->sqlite_file, dir.path() / "kindred.db");

  const auto file = dir.path() / "backup-copy";
  std::ofstream(file) << "";
  auto existing = ParseStoreLocation(file.string());
  ASSERT_TRUE(existing.ok());
  EXPECT_EQ(existing->sqlite_file, file);

  auto new_file = ParseStoreLocation((dir.path() / "new.db").string());
  ASSERT_TRUE(new_file.ok());
  EXPECT_EQ(new_file->sqlite_file, dir.path() / "new.db");
  auto new_dir = ParseStoreLocation((dir.path() / "new-data").string());
  ASSERT_TRUE(new_dir.ok());
  EXPECT_EQ(new_dir->sqlite_file, dir.path() / "new-data" / "kindred.db");

  auto postgres = ParseStoreLocation("postgresql://kindred@localhost/kindred");
  ASSERT_TRUE(postgres.ok());
  EXPECT_EQ(postgres->engine, Engine::kPostgres);
  EXPECT_EQ(postgres->conninfo, "postgresql://kindred@localhost/kindred");

  EXPECT_FALSE(ParseStoreLocation("mysql://root@localhost/forum").ok());
  EXPECT_FALSE(ParseStoreLocation("").ok());
}

}  // namespace
}  // namespace kindred::app
