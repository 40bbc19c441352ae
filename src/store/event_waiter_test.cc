// Event waiters on both backends: a commit wakes a waiter well before its timeout (in-process on
// SQLite, through LISTEN/NOTIFY from another store on PostgreSQL), Wake wakes it at once, and with
// nothing happening it sleeps out its timeout.
#include "store/event_waiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/testing/postgres_server.h"
#include "testutil/temp_dir.h"

namespace kindred::store {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Long enough that a test passing by timeout is obvious, short enough to keep the suite quick.
constexpr milliseconds kLongWait{5000};
// What "at once" means here: a loaded two-core machine still wakes a thread well within this.
constexpr milliseconds kPrompt{1500};

milliseconds Since(Clock::time_point start) { return std::chrono::duration_cast<milliseconds>(Clock::now() - start); }

void ExpectCommitWakes(Store& writer, EventWaiter& waiter) {
  static std::atomic<int> names{0};
  auto writing = std::async(std::launch::async, [&writer] {
    std::this_thread::sleep_for(milliseconds(100));
    NewCategory category;
    category.name = "Waking " + std::to_string(++names);
    return writer.CreateCategory(category).ok();
  });
  const auto start = Clock::now();
  waiter.Wait(kLongWait);
  EXPECT_LT(Since(start), kPrompt) << "a commit wakes the waiter";
  EXPECT_TRUE(writing.get());
}

void ExpectWakeAndTimeout(EventWaiter& waiter) {
  auto waking = std::async(std::launch::async, [&waiter] {
    std::this_thread::sleep_for(milliseconds(100));
    waiter.Wake();
  });
  auto start = Clock::now();
  waiter.Wait(kLongWait);
  EXPECT_LT(Since(start), kPrompt) << "Wake wakes the waiter";
  waking.get();

  start = Clock::now();
  waiter.Wait(milliseconds(200));
  EXPECT_GE(Since(start), milliseconds(150)) << "with nothing new, the waiter sleeps its timeout";
}

TEST(EventWaiterTest, SqliteCommitWakesAWaiterInTheSameProcess) {
  testutil::TempDir dir;
  auto store = OpenSqliteStore(dir.path() / "kindred.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto waiter = (*store)->OpenEventWaiter();
  ExpectCommitWakes(**store, *waiter);
  ExpectWakeAndTimeout(*waiter);
}

TEST(EventWaiterTest, PostgresNotifyFromAnotherStoreWakesAWaiter) {
  auto server = testutil::PostgresServer::Shared();
  ASSERT_TRUE(server.ok()) << server.error().message;
  auto conninfo = (*server)->CreateSchema("event_waiter");
  ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
  // Two stores stand for two nodes: one writes, the other's waiter hears of it.
  auto node_a = OpenPostgresStore(*conninfo);
  ASSERT_TRUE(node_a.ok()) << node_a.error().message;
  auto node_b = OpenPostgresStore(*conninfo);
  ASSERT_TRUE(node_b.ok()) << node_b.error().message;
  auto waiter = (*node_b)->OpenEventWaiter();
  waiter->Wait(milliseconds(1));  // connects and LISTENs before the write below
  ExpectCommitWakes(**node_a, *waiter);
  ExpectWakeAndTimeout(*waiter);
}

}  // namespace
}  // namespace kindred::store
