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
  const std::vector<std::string> kApplied = {"0001_core_forum", "0002_safety_and_review", "0003_rate_limits"};
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

}  // namespace
}  // namespace kindred::store
