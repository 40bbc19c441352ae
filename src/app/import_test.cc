#include "app/import.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sstream>

#include "app/demo.h"
#include "core/time_format.h"
#include "forum/passwords.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace kindred::app {
namespace {

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStore(dir_.path() / "kindred.db");
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened).value();
  }

  ImportReport Import(const std::string& text) {
    std::istringstream input(text);
    return ImportThreads(*store_, clock_, input, {});
  }

  testutil::TempDir dir_;
  ManualClock clock_{1795809987};
  std::unique_ptr<store::Store> store_;
};

TEST_F(ImportTest, ImportsThreadsWithAuthorsCategoriesAndDates) {
  auto report = Import(
      R"({"category":"Grief and loss","title":"The first birthday without her","body":"My mum died in March.","author":"sam_r","created_at":"2024-03-02T18:40:00Z","replies":[{"body":"I'm so sorry.","author":"jo_carer","created_at":"2024-03-02T19:05:00Z"},{"body":"There's no right way."}]})"
      "\n");
  ASSERT_TRUE(report.problems.empty()) << report.problems.front();
  EXPECT_EQ(report.threads_imported, 1);
  EXPECT_EQ(report.posts_imported, 3);
  auto topics = store_->ListTopics(std::nullopt, 0, 10);
  ASSERT_EQ(topics->topics.size(), 1u);
  const auto& topic = topics->topics.front();
  EXPECT_EQ(topic.category_name, "Grief and loss");
  EXPECT_EQ(topic.author_name, "sam_r");
  EXPECT_EQ(topic.created_at, *ParseIso8601("2024-03-02T18:40:00Z"));
  EXPECT_EQ(topic.reply_count, 2);
  auto posts = store_->ListPosts(topic.id, 0, 10);
  ASSERT_EQ(posts->size(), 3u);
  EXPECT_EQ((*posts)[1].author_name, "jo_carer");
  EXPECT_EQ((*posts)[2].author_name, "former-member");
  // Imported authors cannot sign in until invited.
  EXPECT_TRUE(store_->FindUserByName("jo_carer")->password_hash.empty());
}

TEST_F(ImportTest, ReportsBadLinesByNumberAndKeepsGoing) {
  auto report = Import(
      "{\"category\":\"Sleep\",\"title\":\"Anxiety at night keeps me awake\",\"body\":\"Every night.\"}\n"
      "this is not json\n"
      "{\"category\":\"Sleep\",\"title\":\"short\",\"body\":\"x\"}\n"
      "{\"category\":\"Sleep\",\"title\":\"A reply with a bad "
      "date\",\"body\":\"x\",\"replies\":[{\"body\":\"y\",\"created_at\":\"last tuesday\"}]}\n"
      "\n"
      "{\"category\":\"Sleep\",\"title\":\"Waking at four every morning\",\"body\":\"Help.\"}\n");
  EXPECT_EQ(report.threads_imported, 2);
  ASSERT_EQ(report.problems.size(), 3u);
  EXPECT_EQ(report.problems[0].rfind("line 2:", 0), 0u);
  EXPECT_EQ(report.problems[1].rfind("line 3:", 0), 0u);
  EXPECT_NE(report.problems[1].find("title"), std::string::npos);
  EXPECT_EQ(report.problems[2].rfind("line 4:", 0), 0u);
  EXPECT_NE(report.problems[2].find("created_at"), std::string::npos);
  // Nothing of the bad lines arrived: no half-imported thread.
  EXPECT_EQ(store_->ListTopics(std::nullopt, 0, 10)->total, 2);
}

TEST_F(ImportTest, ReusesExistingCategoriesAndAuthorsIgnoringCase) {
  ASSERT_TRUE(Import("{\"category\":\"Sleep\",\"category_description\":\"Nights and worries\",\"title\":\"First "
                     "question here\",\"body\":\"a\",\"author\":\"Ann\"}\n")
                  .problems.empty());
  ASSERT_TRUE(Import("{\"category\":\"SLEEP\",\"title\":\"Second question here\",\"body\":\"b\",\"author\":\"ann\"}\n")
                  .problems.empty());
  ASSERT_EQ(store_->ListCategories(true)->size(), 1u);
  EXPECT_EQ(store_->ListCategories(true)->front().description, "Nights and worries");
  EXPECT_EQ(*store_->CountUsers(), 1);
}

TEST_F(ImportTest, TheDemoMakesAndShowsItsAdminBeforeItsThreadsAndOnlyOnce) {
  ASSERT_TRUE(forum::InitCrypto());
  forum::Forum forum(*store_, clock_, {});
  std::vector<std::pair<std::string, std::string>> shown;
  auto show = [&](const std::string& name, const std::string& password) {
    // Shown before any thread is written: a run cut short has still shown the password.
    EXPECT_EQ(store_->ListTopics(std::nullopt, 0, 1)->topics.size(), 0u);
    shown.emplace_back(name, password);
  };
  auto created = AddDemoContent(*store_, forum, clock_, show);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->threads, 0);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].first, "admin");
  EXPECT_EQ(shown[0].second.size(), 20u);
  forum::Viewer visitor;
  visitor.client_address = "127.0.0.1";
  EXPECT_TRUE(forum.LogIn(visitor, "admin", shown[0].second).ok());
  ASSERT_TRUE(AddDemoContent(*store_, forum, clock_, show).ok());
  EXPECT_EQ(shown.size(), 1u) << "an admin made once is not made again";
}

TEST_F(ImportTest, AStoreThatCannotWriteStopsTheImportRatherThanBlamingEveryLine) {
  // Another program holds the database: every write would wait, then fail, the same way.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "kindred.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::string lines;
  for (int i = 0; i < 3; ++i) {
    lines += R"({"category":"Sleep","title":"Awake at 4am again )" + std::to_string(i) +
             R"(","body":"Every night this week.","author":"kim"})" + "\n";
  }
  auto report = Import(lines);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_TRUE(report.stopped.has_value());
  EXPECT_EQ(report.stopped->rfind("line 1: ", 0), 0u) << *report.stopped;
  EXPECT_TRUE(report.problems.empty()) << "no line is blamed for the store's fault";
  EXPECT_EQ(report.threads_imported, 0);
  EXPECT_EQ(report.last_line_imported, 0);
}

}  // namespace
}  // namespace kindred::app
