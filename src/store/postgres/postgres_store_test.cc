// What only the PostgreSQL backend has: nodes starting together, connections that break, and a
// change feed written by concurrent transactions. Everything a Store promises is checked on both
// backends by store_conformance_test.cc; these run on the same throwaway server.
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store/testing/postgres_server.h"

namespace kindred::store {
namespace {

constexpr UnixSeconds kT0 = 1'700'000'000;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<testutil::PostgresServer*> server = testutil::PostgresServer::Shared();
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = *server;
    static std::atomic<int> schemas{0};
    Result<std::string> conninfo = server_->CreateSchema("postgres_store_" + std::to_string(++schemas));
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    conninfo_ = *conninfo;
  }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo_);
    if (!store.ok()) ADD_FAILURE() << store.error().key << ": " << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // The first column of every row `sql` returns, read over a connection of the test's own.
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> values;
    PGconn* connection = PQconnectdb(conninfo_.c_str());
    PGresult* result = PQexec(connection, sql.c_str());
    EXPECT_TRUE(PQresultStatus(result) == PGRES_TUPLES_OK || PQresultStatus(result) == PGRES_COMMAND_OK)
        << sql << ": " << PQresultErrorMessage(result);
    for (int i = 0; i < PQntuples(result); ++i) values.emplace_back(PQgetvalue(result, i, 0));
    PQclear(result);
    PQfinish(connection);
    return values;
  }

  testutil::PostgresServer* server_ = nullptr;
  std::string conninfo_;
};

TEST_F(PostgresStoreTest, NodesStartingTogetherMigrateOnce) {
  constexpr int kNodes = 4;
  std::vector<std::string> failures(kNodes);
  std::vector<std::thread> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo_);
      if (!store.ok()) failures[i] = store.error().key + ": " + store.error().message;
    });
  }
  for (std::thread& node : nodes) node.join();
  for (const std::string& failure : failures) EXPECT_EQ(failure, "");
  const std::vector<std::string> kApplied = {"0001_core_forum", "0002_safety_and_review", "0003_rate_limits",
                                             "0004_moderation_and_privacy", "0005_crisis_reminders"};
  EXPECT_EQ(Column("SELECT version FROM schema_migrations ORDER BY version"), kApplied);

  // Opening again changes nothing and keeps the data.
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateUser({"ann", "", "", Role::kMember, kT0, false}).ok());
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->FindUserByName("ann").ok());
  EXPECT_EQ(Column("SELECT version FROM schema_migrations ORDER BY version"), kApplied);
}

TEST_F(PostgresStoreTest, RefusesADatabaseFromANewerKindred) {
  ASSERT_NE(Open(), nullptr);
  Column("INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_from_the_future', 0)");
  Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store.error().key, "database_too_new");
}

TEST_F(PostgresStoreTest, AnUnreachableServerIsUnavailable) {
  // Port 1 (tcpmux): nothing listens there on a test machine, so the connection is refused.
  Result<std::unique_ptr<Store>> store = OpenPostgresStore("host=127.0.0.1 port=1 dbname=kindred connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
}

TEST_F(PostgresStoreTest, ABrokenConnectionIsReestablished) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateUser({"before", "", "", Role::kMember, kT0, false}).ok());

  // What a server restart or an administrator does to every connection of the pool at once.
  const std::string kOurs = "FROM pg_stat_activity WHERE application_name = 'kindred' AND pid <> pg_backend_pid()";
  std::vector<std::string> terminated = Column("SELECT pg_terminate_backend(pid) " + kOurs);
  EXPECT_GE(terminated.size(), 1u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Column("SELECT count(*) " + kOurs) != std::vector<std::string>{"0"}) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the terminated sessions did not end";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // Every call succeeds: each connection notices at its next BEGIN and connects again. More
  // calls than the pool has connections, so every one of them is exercised.
  for (int i = 0; i < 10; ++i) {
    Result<UserRow> found = store->FindUserByName("before");
    EXPECT_TRUE(found.ok()) << found.error().message;
    Result<UserRow> created = store->CreateUser({"after" + std::to_string(i), "", "", Role::kMember, kT0, false});
    EXPECT_TRUE(created.ok()) << created.error().message;
  }
  EXPECT_EQ(store->CountUsers().value(), 11);
}

// Followers of the change feed (the search indexer, live pages) ask for what came after the last
// seq they applied. Under concurrent writers that only works if events become visible in seq
// order; see AppendEvent in postgres_store.cc.
TEST_F(PostgresStoreTest, AFollowerOfTheFeedMissesNothingUnderConcurrentWriters) {
  constexpr int kWriters = 4;
  constexpr int kRepliesPerWriter = 40;
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CategoryRow category = store->CreateCategory({"", "Busy", "", false}).value();
  std::vector<TopicId> topics;
  std::vector<UserId> users;
  for (int i = 0; i < kWriters; ++i) {
    users.push_back(store->CreateUser({"writer" + std::to_string(i), "", "", Role::kMember, kT0, false}).value().id);
    // A topic each, so the writers do not queue on one topic's lock and really run side by side.
    topics.push_back(
        store->CreateTopic({category.id, users[i], "Topic " + std::to_string(i), "q", "<p>q</p>", kT0, false})
            .value()
            .first.id);
  }
  std::int64_t last = store->LatestEventSeq().value();
  const std::int64_t start = last;

  std::atomic<int> writing{kWriters};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kRepliesPerWriter; ++i) {
        EXPECT_TRUE(store->CreateReply({topics[w], users[w], std::nullopt, "r", "<p>r</p>", kT0 + i}).ok());
      }
      --writing;
    });
  }
  std::vector<std::int64_t> followed;
  while (true) {
    const bool done = writing.load() == 0;  // read before, so the last pass sees everything
    std::vector<EventRow> batch = store->ReadEvents(last, 1000).value();
    for (const EventRow& event : batch) {
      followed.push_back(event.seq);
      last = event.seq;
    }
    if (done && batch.empty()) break;
  }
  for (std::thread& writer : writers) writer.join();

  std::vector<EventRow> feed = store->ReadEvents(start, 1000).value();
  std::vector<std::int64_t> all;
  for (const EventRow& event : feed) all.push_back(event.seq);
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kWriters * kRepliesPerWriter));
  EXPECT_EQ(followed, all);
}

TEST_F(PostgresStoreTest, AnEventIsAnnouncedToListenersWhenItCommits) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  PGconn* listener = PQconnectdb(conninfo_.c_str());
  ASSERT_EQ(PQstatus(listener), CONNECTION_OK);
  PQclear(PQexec(listener, ("LISTEN " + std::string(kPostgresEventChannel)).c_str()));

  ASSERT_TRUE(store->CreateCategory({"", "Grief", "", false}).ok());
  const std::int64_t seq = store->LatestEventSeq().value();

  std::string payload;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (payload.empty() && std::chrono::steady_clock::now() < deadline) {
    PQconsumeInput(listener);
    if (PGnotify* notice = PQnotifies(listener)) {
      EXPECT_EQ(std::string(notice->relname), kPostgresEventChannel);
      payload = notice->extra;
      PQfreemem(notice);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  PQfinish(listener);
  EXPECT_EQ(payload, std::to_string(seq));
}

// EraseUser collects what goes into temporary tables that live for one transaction. Its
// statements are prepared once per pooled connection and must find the new tables each time,
// on every connection, also when the same account is erased twice.
TEST_F(PostgresStoreTest, ErasuresRunOneAfterAnotherOnEveryConnection) {
  constexpr int kAccounts = 6;  // more than the pool's connections
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CategoryRow category = store->CreateCategory({"", "Leaving", "", false}).value();
  UserRow stays = store->CreateUser({"stays", "", "", Role::kMember, kT0, false}).value();
  std::vector<UserRow> leaving;
  std::vector<TopicId> kept_topics;
  for (int i = 0; i < kAccounts; ++i) {
    leaving.push_back(store->CreateUser({"leaving" + std::to_string(i), "", "", Role::kMember, kT0, false}).value());
    // One topic of theirs alone (it goes whole), one with someone else's reply (it stays).
    ASSERT_TRUE(store->CreateTopic({category.id, leaving[i].id, "alone", "q", "<p>q</p>", kT0, false}).ok());
    TopicId kept =
        store->CreateTopic({category.id, leaving[i].id, "answered", "q2", "<p>q2</p>", kT0, false}).value().first.id;
    ASSERT_TRUE(store->CreateReply({kept, stays.id, std::nullopt, "answer", "<p>answer</p>", kT0 + 1}).ok());
    ASSERT_TRUE(store->CreateReply({kept, leaving[i].id, std::nullopt, "thanks", "<p>thanks</p>", kT0 + 2}).ok());
    kept_topics.push_back(kept);
  }
  for (int round = 0; round < 2; ++round) {
    for (const UserRow& user : leaving) {
      Result<void> erased = store->EraseUser(user.id, /*delete_posts=*/true, kT0 + 10);
      EXPECT_TRUE(erased.ok()) << erased.error().message;
    }
  }
  for (int i = 0; i < kAccounts; ++i) {
    TopicRow kept = store->FindTopic(kept_topics[i]).value();
    EXPECT_EQ(kept.title, "Removed by its author");
    EXPECT_EQ(kept.reply_count, 1);  // the answer; the thanks went
    EXPECT_EQ(store->CountPostsByUser(leaving[i].id, /*include_anonymous=*/true).value(), 0);
  }
  EXPECT_EQ(store->ListTopics(std::nullopt, 0, 100).value().total, kAccounts);
  EXPECT_EQ(Column("SELECT count(*) FROM posts WHERE body_markdown IN ('q', 'q2', 'thanks')"),
            std::vector<std::string>{"0"});
}

// "Whatever its size": the erasure is a fixed number of set-based statements, so a very active
// account goes in one transaction of about the time a few table scans take, not one round trip
// per post. The posts are written straight into the tables (the store would take minutes).
TEST_F(PostgresStoreTest, ErasingAnAccountWithManyPostsIsOneQuickTransaction) {
  constexpr int kPosts = 100'000;  // the size the issue names
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CategoryRow category = store->CreateCategory({"", "Busy", "", false}).value();
  UserRow busy = store->CreateUser({"busy", "", "", Role::kMember, kT0, false}).value();
  UserRow other = store->CreateUser({"other", "", "", Role::kMember, kT0, false}).value();
  TopicId theirs = store->CreateTopic({category.id, busy.id, "theirs", "q", "<p>q</p>", kT0, false}).value().first.id;
  TopicId others = store->CreateTopic({category.id, other.id, "others", "q", "<p>q</p>", kT0, false}).value().first.id;
  const std::string ids = std::to_string(busy.id.value);
  const std::string in_topic = std::to_string(others.value);
  Column("INSERT INTO posts (topic_id, user_id, number, body_markdown, body_html, created_at)"
         " SELECT " + in_topic + ", " + ids + ", n + 1, 'words ' || n, '<p>words</p>', " + std::to_string(kT0) +
         " + n FROM generate_series(1, " + std::to_string(kPosts) + ") AS n");
  Column("INSERT INTO revisions (post_id, revision, body_markdown, body_html, created_at)"
         " SELECT id, 1, body_markdown, body_html, created_at FROM posts WHERE user_id = " + ids + " AND number > 1");
  Column("INSERT INTO reactions (post_id, user_id, kind, created_at) SELECT id, " +
         std::to_string(other.id.value) + ", 1, created_at FROM posts WHERE user_id = " + ids);
  Column("UPDATE posts SET hug_count = 1 WHERE user_id = " + ids + " AND number > 1");
  Column("UPDATE topics SET reply_count = " + std::to_string(kPosts) + " WHERE id = " + in_topic);
  Column("ANALYZE");

  const auto started = std::chrono::steady_clock::now();
  Result<void> erased = store->EraseUser(busy.id, /*delete_posts=*/true, kT0 + kPosts + 1);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(erased.ok()) << erased.error().message;
  // Generous for a loaded 2-core test machine; per-post round trips would take minutes.
  EXPECT_LT(took, std::chrono::seconds(60));

  EXPECT_EQ(store->FindTopic(theirs).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->FindTopic(others).value().reply_count, 0);
  EXPECT_EQ(Column("SELECT count(*) FROM posts WHERE user_id = " + ids + " AND body_markdown != ''"),
            std::vector<std::string>{"0"});
  EXPECT_EQ(Column("SELECT count(*) FROM revisions r JOIN posts p ON p.id = r.post_id WHERE p.user_id = " + ids),
            std::vector<std::string>{"0"});
  EXPECT_EQ(Column("SELECT count(*) FROM events WHERE kind = 'post.deleted'"),
            std::vector<std::string>{std::to_string(kPosts)});
}

}  // namespace
}  // namespace kindred::store
