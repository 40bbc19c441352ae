// The Store conformance suite: every behaviour store.h promises, run against every backend.
// A backend joins by adding one entry to Backends() below; no test is copied per backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/testing/postgres_server.h"
#include "testutil/temp_dir.h"

namespace kindred::store {
namespace {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  // Opens the store kept under `dir`: empty the first time, the same data on later calls.
  std::function<Result<std::unique_ptr<Store>>(const fs::path& dir)> open;
  // The files that hold the data once the store is closed, for checks on the raw bytes; empty
  // when the backend keeps its data where a test cannot read it.
  std::function<std::vector<fs::path>(const fs::path& dir)> data_files;
};

// PostgreSQL: one throwaway server for the whole binary (started on first use, stopped at exit),
// and one schema that each test starts by emptying (tests run one at a time). The first test
// migrates it; emptying takes ~5 ms where migrating a fresh schema takes ~100. A file in the
// test's directory records that this test has begun, so that reopening keeps its data.
Result<std::unique_ptr<Store>> OpenPostgresIn(const fs::path& dir) {
  constexpr const char* kSchema = "conformance";
  Result<testutil::PostgresServer*> server = testutil::PostgresServer::Shared();
  if (!server.ok()) return server.error();
  const fs::path marker = dir / "postgres-conninfo";
  std::string conninfo;
  if (std::ifstream in(marker); in) {
    std::getline(in, conninfo);
  } else {
    Result<std::string> emptied = (*server)->EmptySchema(kSchema);
    if (!emptied.ok()) return emptied.error();
    conninfo = *emptied;
    std::ofstream(marker) << conninfo << '\n';
  }
  return OpenPostgresStore(conninfo);
}

// Names the backend in failure messages instead of dumping its bytes.
void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

std::vector<Backend> Backends() {
  return {
      {"Sqlite", [](const fs::path& dir) { return OpenSqliteStore(dir / "data" / "kindred.db"); },
       [](const fs::path& dir) {
         fs::path db = dir / "data" / "kindred.db";
         return std::vector<fs::path>{db, fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm")};
       }},
      // No data files: the server's are not the test's to read, and PostgreSQL keeps a deleted
      // row's old version until VACUUM, so DeletedTextIsGoneFromTheFile does not apply.
      {"Postgres", &OpenPostgresIn, nullptr},
  };
}

// Unwraps a Result in a test helper, failing the test (by exception, which GoogleTest reports)
// when it holds an error.
template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) throw std::runtime_error("unexpected error: " + result.error().key + ": " + result.error().message);
  return std::move(result).value();
}

void Must(Result<void> result) {
  if (!result.ok()) throw std::runtime_error("unexpected error: " + result.error().key + ": " + result.error().message);
}

constexpr UnixSeconds kT0 = 1'700'000'000;  // a fixed "now" for the tests (November 2023)

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<Store>> opened = GetParam().open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }
  void Close() { store_.reset(); }
  Store& store() { return *store_; }

  UserRow MakeUser(const std::string& name, bool demo = false) {
    return Must(store().CreateUser({name, name + "@example.org", "hash", Role::kMember, kT0, demo}));
  }
  CategoryRow MakeCategory(const std::string& name, bool demo = false) {
    return Must(store().CreateCategory({"", name, "About " + name, demo}));
  }
  std::pair<TopicRow, PostRow> MakeTopic(CategoryId category, UserId user, const std::string& title, UnixSeconds at,
                                         bool demo = false) {
    return Must(
        store().CreateTopic({category, user, title, "Body of " + title, "<p>Body of " + title + "</p>", at, demo}));
  }
  PostRow Reply(TopicId topic, UserId user, const std::string& body, UnixSeconds at) {
    return Must(store().CreateReply({topic, user, std::nullopt, body, "<p>" + body + "</p>", at}));
  }
  std::vector<EventRow> AllEvents() { return Must(store().ReadEvents(0, 1000)); }

  testutil::TempDir dir_;
  std::unique_ptr<Store> store_;
};

// --- Moving replies and rebuilding ---------------------------------------------------------------

TEST_P(StoreTest, MovesAReplyToTheEndOfAnotherTopic) {
  UserRow ann = MakeUser("ann");
  CategoryRow category = MakeCategory("Therapy");
  auto [from, from_question] = MakeTopic(category.id, ann.id, "Crying after therapy", kT0);
  auto [to, to_question] = MakeTopic(category.id, ann.id, "Caring for my dad", kT0 + 10);
  Reply(to.id, ann.id, "first reply there", kT0 + 20);
  PostRow stray = Reply(from.id, ann.id, "a reply about caring", kT0 + 30);
  PostRow moved = Must(store().MovePost(stray.id, to.id, kT0 + 40));
  EXPECT_EQ(moved.topic_id, to.id);
  EXPECT_EQ(moved.number, 3);
  EXPECT_EQ(Must(store().FindTopic(from.id)).reply_count, 0);
  EXPECT_EQ(Must(store().FindTopic(from.id)).last_post_at, kT0);
  EXPECT_EQ(Must(store().FindTopic(to.id)).reply_count, 2);
  EXPECT_EQ(AllEvents().back().kind, events::kPostMoved);
  EXPECT_EQ(store().MovePost(from_question.id, to.id, kT0).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(store().MovePost(stray.id, TopicId(999), kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, MovingIntoAClosedTopicIsAConflict) {
  UserRow ann = MakeUser("ann");
  CategoryRow category = MakeCategory("Therapy");
  auto [from, q1] = MakeTopic(category.id, ann.id, "First topic here", kT0);
  auto [to, q2] = MakeTopic(category.id, ann.id, "Second topic here", kT0);
  Must(store().SetTopicState(to.id, false, true, category.id));
  PostRow reply = Reply(from.id, ann.id, "words", kT0 + 1);
  EXPECT_EQ(store().MovePost(reply.id, to.id, kT0 + 2).error().key, "topic_closed");
}

TEST_P(StoreTest, ListsLivePostsInIdOrderForRebuilding) {
  UserRow ann = MakeUser("ann");
  CategoryRow category = MakeCategory("Therapy");
  auto [topic, question] = MakeTopic(category.id, ann.id, "A topic to rebuild", kT0);
  PostRow kept = Reply(topic.id, ann.id, "kept", kT0 + 1);
  PostRow gone = Reply(topic.id, ann.id, "gone", kT0 + 2);
  Must(store().DeletePost(gone.id, kT0 + 3));
  auto first = Must(store().ListLivePosts(PostId(0), 1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, question.id);
  auto rest = Must(store().ListLivePosts(first[0].id, 10));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, kept.id);
  EXPECT_EQ(Must(store().LatestEventSeq()), AllEvents().back().seq);
  EXPECT_EQ(Must(store().CountLivePosts()), 2);
}

// --- Accounts ----------------------------------------------------------------------------------

TEST_P(StoreTest, CreatesAndFindsUsers) {
  UserRow created = Must(store().CreateUser({"Robin", "robin@example.org", "argon", Role::kModerator, kT0, false}));
  EXPECT_TRUE(created.id.valid());
  EXPECT_EQ(created.username, "Robin");

  UserRow by_id = Must(store().FindUserById(created.id));
  EXPECT_EQ(by_id.username, "Robin");
  EXPECT_EQ(by_id.email, "robin@example.org");
  EXPECT_EQ(by_id.password_hash, "argon");
  EXPECT_EQ(by_id.role, Role::kModerator);
  EXPECT_EQ(by_id.created_at, kT0);
  EXPECT_FALSE(by_id.is_demo);

  EXPECT_EQ(Must(store().FindUserByName("rObIn")).id, created.id);
  EXPECT_EQ(store().FindUserByName("nobody").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindUserById(UserId(9999)).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, UsernamesAreUniqueIgnoringCase) {
  MakeUser("Sam");
  Result<UserRow> again = store().CreateUser({"SAM", "", "", Role::kMember, kT0, false});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().field, "username");
  EXPECT_EQ(Must(store().CountUsers()), 1);
}

TEST_P(StoreTest, SetsPasswordHashAndRole) {
  UserRow user = MakeUser("alex");
  Must(store().SetPasswordHash(user.id, "new-hash"));
  Must(store().SetRole(user.id, Role::kAdmin));
  UserRow saved = Must(store().FindUserById(user.id));
  EXPECT_EQ(saved.password_hash, "new-hash");
  EXPECT_EQ(saved.role, Role::kAdmin);
  EXPECT_EQ(store().SetPasswordHash(UserId(404), "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().SetRole(UserId(404), Role::kAdmin).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, CountsUsers) {
  EXPECT_EQ(Must(store().CountUsers()), 0);
  MakeUser("a");
  MakeUser("b", /*demo=*/true);
  EXPECT_EQ(Must(store().CountUsers()), 2);
}

// --- Sessions ----------------------------------------------------------------------------------

TEST_P(StoreTest, SessionsLiveUntilTheyExpire) {
  UserRow user = MakeUser("kim");
  Must(store().CreateSession({"hash-1", user.id, "csrf-1", kT0, kT0 + 100}));
  Must(store().CreateSession({"hash-2", user.id, "csrf-2", kT0, kT0 + 100}));

  SessionRow found = Must(store().FindSession("hash-1", kT0 + 99));
  EXPECT_EQ(found.user_id, user.id);
  EXPECT_EQ(found.csrf_token, "csrf-1");
  EXPECT_EQ(found.created_at, kT0);
  EXPECT_EQ(found.expires_at, kT0 + 100);
  EXPECT_EQ(store().FindSession("hash-1", kT0 + 100).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindSession("unknown", kT0).error().code, ErrorCode::kNotFound);

  Must(store().DeleteSession("hash-1"));
  Must(store().DeleteSession("hash-1"));  // already gone: still fine
  EXPECT_EQ(store().FindSession("hash-1", kT0).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().FindSession("hash-2", kT0).ok());
  Must(store().DeleteUserSessions(user.id));
  EXPECT_EQ(store().FindSession("hash-2", kT0).error().code, ErrorCode::kNotFound);
}

// --- Reads that belong together ------------------------------------------------------------------

// Whatever a backend shares inside a scope, this thread's own writes show at once, and a scope
// leaves nothing held behind it.
TEST_P(StoreTest, ReadsInAScopeSeeThisThreadsWrites) {
  UserRow kim = MakeUser("kim");
  {
    std::unique_ptr<ReadScope> scope = store().ShareReads();
    EXPECT_EQ(Must(store().FindUserById(kim.id)).role, Role::kMember);
    EXPECT_EQ(store().FindUserByName("sam").error().code, ErrorCode::kNotFound);
    Must(store().SetRole(kim.id, Role::kModerator));
    EXPECT_EQ(Must(store().FindUserById(kim.id)).role, Role::kModerator);
    MakeUser("sam");
    EXPECT_TRUE(store().FindUserByName("sam").ok());
    std::unique_ptr<ReadScope> inner = store().ShareReads();  // does not nest; harmless
    EXPECT_EQ(Must(store().CountUsers()), 2);
  }
  // More scopes, one after another, than any backend keeps connections: none is kept.
  for (int i = 0; i < 20; ++i) {
    std::unique_ptr<ReadScope> scope = store().ShareReads();
    EXPECT_EQ(Must(store().CountUsers()), 2);
  }
}

TEST_P(StoreTest, SessionOfUnknownUserIsNotFound) {
  Result<void> created = store().CreateSession({"hash", UserId(77), "csrf", kT0, kT0 + 1});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, SameSessionTwiceIsAConflict) {
  UserRow user = MakeUser("kim");
  Must(store().CreateSession({"hash", user.id, "csrf", kT0, kT0 + 1}));
  EXPECT_EQ(store().CreateSession({"hash", user.id, "csrf", kT0, kT0 + 1}).error().code, ErrorCode::kConflict);
}

// --- Categories --------------------------------------------------------------------------------

TEST_P(StoreTest, CategoriesListInPositionOrderWithTopicCounts) {
  UserRow user = MakeUser("ana");
  CategoryRow first = MakeCategory("Anxiety");
  CategoryRow second = MakeCategory("Grief");
  CategoryRow third = MakeCategory("Sleep");
  MakeTopic(second.id, user.id, "One", kT0);
  MakeTopic(second.id, user.id, "Two", kT0);

  third.position = -1;  // moved to the top
  Must(store().UpdateCategory(third));
  second.archived = true;
  Must(store().UpdateCategory(second));

  std::vector<CategoryRow> open = Must(store().ListCategories(false));
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].id, third.id);
  EXPECT_EQ(open[1].id, first.id);

  std::vector<CategoryRow> all = Must(store().ListCategories(true));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, third.id);
  EXPECT_EQ(all[1].id, first.id);
  EXPECT_EQ(all[2].id, second.id);
  EXPECT_TRUE(all[2].archived);
  EXPECT_EQ(all[2].topic_count, 2);
  EXPECT_EQ(all[0].topic_count, 0);
}

TEST_P(StoreTest, CategoryNamesAreUniqueIgnoringCase) {
  MakeCategory("Family");
  Result<CategoryRow> again = store().CreateCategory({"other-slug", "FAMILY", "", false});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().field, "name");

  CategoryRow work = MakeCategory("Work");
  work.name = "family";
  Result<CategoryRow> renamed = store().UpdateCategory(work);
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(renamed.error().field, "name");
}

TEST_P(StoreTest, TakenSlugGetsTheNextFreeNumber) {
  CategoryRow a = Must(store().CreateCategory({"support", "Support", "", false}));
  CategoryRow b = Must(store().CreateCategory({"support", "Support group", "", false}));
  CategoryRow c = Must(store().CreateCategory({"support", "Support circle", "", false}));
  EXPECT_EQ(a.slug, "support");
  EXPECT_EQ(b.slug, "support-2");
  EXPECT_EQ(c.slug, "support-3");
  EXPECT_EQ(Must(store().FindCategoryBySlug("support-2")).id, b.id);
}

TEST_P(StoreTest, UpdatesCategory) {
  CategoryRow category = MakeCategory("Parents");
  CategoryRow other = MakeCategory("Carers");
  category.name = "Parenting";
  category.slug = "parenting";
  category.description = "Raising children";
  category.position = 7;
  CategoryRow saved = Must(store().UpdateCategory(category));
  EXPECT_EQ(saved.name, "Parenting");
  EXPECT_EQ(Must(store().FindCategoryBySlug("parenting")).description, "Raising children");
  EXPECT_EQ(Must(store().FindCategoryById(category.id)).position, 7);
  EXPECT_EQ(store().FindCategoryBySlug("parents").error().code, ErrorCode::kNotFound);

  other.slug = "parenting";
  Result<CategoryRow> clash = store().UpdateCategory(other);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(clash.error().field, "slug");

  CategoryRow missing = category;
  missing.id = CategoryId(999);
  missing.name = "Missing";
  missing.slug = "missing";
  EXPECT_EQ(store().UpdateCategory(missing).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindCategoryById(CategoryId(999)).error().code, ErrorCode::kNotFound);
}

// --- Topics ------------------------------------------------------------------------------------

TEST_P(StoreTest, CreateTopicSavesTopicFirstPostAndRevision) {
  UserRow user = MakeUser("lee");
  CategoryRow category = MakeCategory("Health");
  auto [topic, post] = Must(store().CreateTopic(
      {category.id, user.id, "Sleepless nights", "I *cannot* sleep", "<p>I <em>cannot</em> sleep</p>", kT0, false}));

  EXPECT_EQ(topic.title, "Sleepless nights");
  EXPECT_EQ(topic.created_at, kT0);
  EXPECT_EQ(topic.last_post_at, kT0);
  EXPECT_EQ(topic.reply_count, 0);
  EXPECT_EQ(topic.author_name, "lee");
  EXPECT_EQ(topic.category_slug, category.slug);
  EXPECT_EQ(topic.category_name, "Health");
  EXPECT_EQ(post.number, 1);
  EXPECT_EQ(post.topic_id, topic.id);
  EXPECT_EQ(post.author_name, "lee");
  EXPECT_EQ(post.body_markdown, "I *cannot* sleep");
  EXPECT_EQ(post.body_html, "<p>I <em>cannot</em> sleep</p>");
  EXPECT_FALSE(post.edited_at.has_value());
  EXPECT_FALSE(post.deleted_at.has_value());

  TopicRow found = Must(store().FindTopic(topic.id));
  EXPECT_EQ(found.category_name, "Health");
  std::vector<RevisionRow> revisions = Must(store().ListRevisions(post.id));
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(revisions[0].revision, 1);
  EXPECT_EQ(revisions[0].body_markdown, "I *cannot* sleep");
  EXPECT_EQ(Must(store().CountPosts(topic.id)), 1);
  EXPECT_EQ(store().FindTopic(TopicId(999)).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, CreateTopicInUnknownCategoryChangesNothing) {
  UserRow user = MakeUser("lee");
  Result<std::pair<TopicRow, PostRow>> created =
      store().CreateTopic({CategoryId(42), user.id, "Lost", "text", "<p>text</p>", kT0, false});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store().ListTopics(std::nullopt, 0, 10)).total, 0);
  EXPECT_TRUE(AllEvents().empty());
}

TEST_P(StoreTest, ListTopicsPutsPinnedFirstThenLatestActivity) {
  UserRow user = MakeUser("mo");
  CategoryRow category = MakeCategory("General");
  TopicId old_topic = MakeTopic(category.id, user.id, "old", kT0).first.id;
  TopicId pinned = MakeTopic(category.id, user.id, "pinned", kT0 - 50).first.id;
  TopicId newer = MakeTopic(category.id, user.id, "newer", kT0 + 10).first.id;
  TopicId same_time = MakeTopic(category.id, user.id, "same time, later id", kT0 + 10).first.id;
  Must(store().SetTopicState(pinned, /*pinned=*/true, /*closed=*/false, category.id));
  Reply(old_topic, user.id, "bump", kT0 + 20);  // the old one becomes the most recent

  TopicList list = Must(store().ListTopics(std::nullopt, 0, 10));
  ASSERT_EQ(list.topics.size(), 4u);
  EXPECT_EQ(list.total, 4);
  EXPECT_EQ(list.topics[0].id, pinned);
  EXPECT_EQ(list.topics[1].id, old_topic);
  EXPECT_EQ(list.topics[2].id, same_time);
  EXPECT_EQ(list.topics[3].id, newer);
  EXPECT_EQ(list.topics[1].author_name, "mo");
  EXPECT_EQ(list.topics[1].category_name, "General");
}

TEST_P(StoreTest, ListTopicsPagesFiltersAndCountsTotal) {
  UserRow user = MakeUser("jo");
  CategoryRow a = MakeCategory("A");
  CategoryRow b = MakeCategory("B");
  std::vector<TopicId> in_a;
  for (int i = 0; i < 5; ++i) in_a.push_back(MakeTopic(a.id, user.id, "a" + std::to_string(i), kT0 + i).first.id);
  MakeTopic(b.id, user.id, "b", kT0 + 100);

  TopicList page = Must(store().ListTopics(a.id, 2, 2));
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.topics.size(), 2u);
  EXPECT_EQ(page.topics[0].id, in_a[2]);
  EXPECT_EQ(page.topics[1].id, in_a[1]);

  TopicList last = Must(store().ListTopics(a.id, 4, 2));
  ASSERT_EQ(last.topics.size(), 1u);
  EXPECT_EQ(last.topics[0].id, in_a[0]);
  EXPECT_TRUE(Must(store().ListTopics(a.id, 10, 2)).topics.empty());

  EXPECT_EQ(Must(store().ListTopics(std::nullopt, 0, 100)).total, 6);
  EXPECT_EQ(Must(store().ListTopics(b.id, 0, 100)).topics.size(), 1u);
  // A negative limit must not mean "everything".
  EXPECT_TRUE(Must(store().ListTopics(std::nullopt, 0, -1)).topics.empty());
}

TEST_P(StoreTest, SetTopicStatePinsClosesAndMoves) {
  UserRow user = MakeUser("pat");
  CategoryRow from = MakeCategory("From");
  CategoryRow to = MakeCategory("To");
  TopicId topic = MakeTopic(from.id, user.id, "Moving", kT0).first.id;

  TopicRow saved = Must(store().SetTopicState(topic, true, true, to.id));
  EXPECT_TRUE(saved.pinned);
  EXPECT_TRUE(saved.closed);
  EXPECT_EQ(saved.category_id, to.id);
  EXPECT_EQ(saved.category_name, "To");
  EXPECT_EQ(Must(store().ListTopics(to.id, 0, 10)).total, 1);
  EXPECT_EQ(Must(store().ListTopics(from.id, 0, 10)).total, 0);
  EXPECT_EQ(AllEvents().back().kind, "topic.updated");
  EXPECT_EQ(AllEvents().back().subject_id, topic.value);

  EXPECT_EQ(store().SetTopicState(TopicId(999), false, false, to.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().SetTopicState(topic, false, false, CategoryId(999)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store().FindTopic(topic)).category_id, to.id);  // the failed move changed nothing
}

// --- Posts -------------------------------------------------------------------------------------

TEST_P(StoreTest, RepliesAreNumberedAndBumpTheTopic) {
  UserRow asker = MakeUser("asker");
  UserRow helper = MakeUser("helper");
  CategoryRow category = MakeCategory("Talk");
  auto [topic, first] = MakeTopic(category.id, asker.id, "Question", kT0);

  PostRow one = Reply(topic.id, helper.id, "first answer", kT0 + 5);
  PostRow two = Must(store().CreateReply({topic.id, asker.id, one.id, "thanks", "<p>thanks</p>", kT0 + 9}));
  EXPECT_EQ(one.number, 2);
  EXPECT_EQ(two.number, 3);
  EXPECT_EQ(two.reply_to, one.id);
  EXPECT_EQ(one.author_name, "helper");

  TopicRow bumped = Must(store().FindTopic(topic.id));
  EXPECT_EQ(bumped.reply_count, 2);
  EXPECT_EQ(bumped.last_post_at, kT0 + 9);
  EXPECT_EQ(Must(store().CountPosts(topic.id)), 3);

  std::vector<PostRow> posts = Must(store().ListPosts(topic.id, 0, 10));
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].id, first.id);
  EXPECT_EQ(posts[1].id, one.id);
  EXPECT_EQ(posts[2].id, two.id);
  std::vector<PostRow> page = Must(store().ListPosts(topic.id, 1, 1));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, one.id);
  EXPECT_EQ(Must(store().FindPost(two.id)).body_markdown, "thanks");
  EXPECT_EQ(store().FindPost(PostId(999)).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, ReplyToClosedTopicIsRefused) {
  UserRow user = MakeUser("u");
  CategoryRow category = MakeCategory("C");
  TopicId topic = MakeTopic(category.id, user.id, "Closing", kT0).first.id;
  Must(store().SetTopicState(topic, false, /*closed=*/true, category.id));
  std::size_t events_before = AllEvents().size();

  Result<PostRow> reply = store().CreateReply({topic, user.id, std::nullopt, "late", "<p>late</p>", kT0 + 1});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kConflict);
  EXPECT_EQ(reply.error().key, "topic_closed");
  EXPECT_EQ(reply.error().message, "This topic is closed to new replies.");
  EXPECT_EQ(Must(store().CountPosts(topic)), 1);
  EXPECT_EQ(Must(store().FindTopic(topic)).reply_count, 0);
  EXPECT_EQ(AllEvents().size(), events_before);
}

TEST_P(StoreTest, ReplyToUnknownTopicOrByUnknownUserIsNotFound) {
  UserRow user = MakeUser("u");
  CategoryRow category = MakeCategory("C");
  TopicId topic = MakeTopic(category.id, user.id, "T", kT0).first.id;
  EXPECT_EQ(store().CreateReply({TopicId(999), user.id, std::nullopt, "x", "x", kT0}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store().CreateReply({topic, UserId(999), std::nullopt, "x", "x", kT0}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store().FindTopic(topic)).reply_count, 0);  // the failed reply left no trace
}

TEST_P(StoreTest, EditKeepsEveryRevision) {
  UserRow user = MakeUser("writer");
  CategoryRow category = MakeCategory("C");
  PostRow post = MakeTopic(category.id, user.id, "T", kT0).second;

  PostRow edited = Must(store().EditPost(post.id, "second text", "<p>second text</p>", kT0 + 60));
  EXPECT_EQ(edited.body_markdown, "second text");
  EXPECT_EQ(edited.edited_at, kT0 + 60);
  Must(store().EditPost(post.id, "third text", "<p>third text</p>", kT0 + 120));

  std::vector<RevisionRow> revisions = Must(store().ListRevisions(post.id));
  ASSERT_EQ(revisions.size(), 3u);
  EXPECT_EQ(revisions[0].revision, 1);
  EXPECT_EQ(revisions[0].body_markdown, "Body of T");
  EXPECT_EQ(revisions[0].created_at, kT0);
  EXPECT_EQ(revisions[1].revision, 2);
  EXPECT_EQ(revisions[1].body_markdown, "second text");
  EXPECT_EQ(revisions[2].revision, 3);
  EXPECT_EQ(revisions[2].body_html, "<p>third text</p>");
  EXPECT_EQ(revisions[2].created_at, kT0 + 120);
  EXPECT_EQ(Must(store().FindPost(post.id)).body_markdown, "third text");

  EXPECT_EQ(store().EditPost(PostId(999), "x", "x", kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().ListRevisions(PostId(999)).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, DeleteErasesTextAndKeepsThePlace) {
  UserRow asker = MakeUser("asker");
  UserRow helper = MakeUser("helper");
  CategoryRow category = MakeCategory("C");
  TopicId topic = MakeTopic(category.id, asker.id, "T", kT0).first.id;
  PostRow reply = Reply(topic, helper.id, "something I regret", kT0 + 1);
  Reply(topic, asker.id, "after", kT0 + 2);
  Must(store().EditPost(reply.id, "edited regret", "<p>edited regret</p>", kT0 + 3));
  Must(store().AddReaction(reply.id, asker.id, ReactionKind::kHug, kT0 + 4));
  EXPECT_EQ(Must(store().CountPostsByUser(helper.id, /*include_anonymous=*/true)), 1);

  Must(store().DeletePost(reply.id, kT0 + 10));
  PostRow deleted = Must(store().FindPost(reply.id));
  EXPECT_EQ(deleted.deleted_at, kT0 + 10);
  EXPECT_EQ(deleted.body_markdown, "");
  EXPECT_EQ(deleted.body_html, "");
  EXPECT_EQ(deleted.number, 2);
  EXPECT_EQ(deleted.reactions[static_cast<int>(ReactionKind::kHug)], 0);
  EXPECT_TRUE(Must(store().ListRevisions(reply.id)).empty());
  EXPECT_TRUE(Must(store().ListOwnReactions(asker.id, {reply.id})).empty());

  EXPECT_EQ(Must(store().FindTopic(topic)).reply_count, 1);
  EXPECT_EQ(Must(store().CountPosts(topic)), 3);  // the placeholder keeps its place
  EXPECT_EQ(Must(store().ListPosts(topic, 0, 10))[1].id, reply.id);
  EXPECT_EQ(Must(store().CountPostsByUser(helper.id, /*include_anonymous=*/true)), 0);
  EXPECT_TRUE(Must(store().ListPostsByUser(helper.id, 0, 10, /*include_anonymous=*/true)).empty());

  // Twice is harmless and is not a second change.
  std::size_t events = AllEvents().size();
  Must(store().DeletePost(reply.id, kT0 + 11));
  EXPECT_EQ(AllEvents().size(), events);
  EXPECT_EQ(Must(store().FindTopic(topic)).reply_count, 1);
  EXPECT_EQ(store().EditPost(reply.id, "back", "back", kT0 + 12).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().DeletePost(PostId(999), kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, DeletingTheQuestionKeepsTheReplyCount) {
  UserRow user = MakeUser("u");
  CategoryRow category = MakeCategory("C");
  auto [topic, question] = MakeTopic(category.id, user.id, "T", kT0);
  Reply(topic.id, user.id, "reply", kT0 + 1);
  Must(store().DeletePost(question.id, kT0 + 2));
  EXPECT_EQ(Must(store().FindTopic(topic.id)).reply_count, 1);
}

TEST_P(StoreTest, DeletedTextIsGoneFromTheFile) {
  if (!GetParam().data_files) GTEST_SKIP() << "this backend keeps no files a test can read";
  const std::string kErased = "ERASED-4f1c2b-first-words";
  const std::string kErasedEdit = "ERASED-4f1c2b-edited-words";
  const std::string kKept = "KEPT-9a7e3d-words";
  UserRow user = MakeUser("u");
  CategoryRow category = MakeCategory("C");
  TopicId topic = MakeTopic(category.id, user.id, "T", kT0).first.id;
  PostRow doomed = Reply(topic, user.id, kErased, kT0 + 1);
  Must(store().EditPost(doomed.id, kErasedEdit, "<p>" + kErasedEdit + "</p>", kT0 + 2));
  Reply(topic, user.id, kKept, kT0 + 3);
  Must(store().DeletePost(doomed.id, kT0 + 4));

  auto file_bytes = [&] {
    std::string bytes;
    for (const fs::path& file : GetParam().data_files(dir_.path())) {
      std::ifstream in(file, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  };
  // At once, while the store is open (no log left holding the old pages)...
  std::string bytes = file_bytes();
  EXPECT_NE(bytes.find(kKept), std::string::npos);  // proves the check can see text at all
  EXPECT_EQ(bytes.find("ERASED-4f1c2b"), std::string::npos);
  // ...and after closing.
  Close();
  bytes = file_bytes();
  EXPECT_NE(bytes.find(kKept), std::string::npos);
  EXPECT_EQ(bytes.find("ERASED-4f1c2b"), std::string::npos);
}

TEST_P(StoreTest, PostsByUserAreNewestFirstWithoutDeleted) {
  UserRow user = MakeUser("u");
  UserRow other = MakeUser("other");
  CategoryRow category = MakeCategory("C");
  auto [topic, question] = MakeTopic(category.id, user.id, "T", kT0);
  PostRow a = Reply(topic.id, user.id, "a", kT0 + 1);
  PostRow gone = Reply(topic.id, user.id, "gone", kT0 + 2);
  Reply(topic.id, other.id, "not mine", kT0 + 3);
  PostRow c = Reply(topic.id, user.id, "c", kT0 + 4);
  Must(store().DeletePost(gone.id, kT0 + 5));

  EXPECT_EQ(Must(store().CountPostsByUser(user.id, /*include_anonymous=*/true)), 3);
  std::vector<PostRow> posts = Must(store().ListPostsByUser(user.id, 0, 10, /*include_anonymous=*/true));
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].id, c.id);
  EXPECT_EQ(posts[1].id, a.id);
  EXPECT_EQ(posts[2].id, question.id);
  std::vector<PostRow> page = Must(store().ListPostsByUser(user.id, 1, 1, /*include_anonymous=*/true));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, a.id);
}

// --- Reactions ---------------------------------------------------------------------------------

TEST_P(StoreTest, ReactionsAreIdempotentAndCountedExactly) {
  UserRow asker = MakeUser("asker");
  UserRow a = MakeUser("a");
  UserRow b = MakeUser("b");
  CategoryRow category = MakeCategory("C");
  PostRow post = MakeTopic(category.id, asker.id, "T", kT0).second;
  const int kHelpful = static_cast<int>(ReactionKind::kHelpful);
  const int kHug = static_cast<int>(ReactionKind::kHug);
  const int kMeToo = static_cast<int>(ReactionKind::kMeToo);

  Must(store().AddReaction(post.id, a.id, ReactionKind::kHelpful, kT0));
  Must(store().AddReaction(post.id, a.id, ReactionKind::kHelpful, kT0 + 1));  // double click
  Must(store().AddReaction(post.id, b.id, ReactionKind::kHelpful, kT0));
  Must(store().AddReaction(post.id, a.id, ReactionKind::kMeToo, kT0));
  PostRow counted = Must(store().FindPost(post.id));
  EXPECT_EQ(counted.reactions[kHelpful], 2);
  EXPECT_EQ(counted.reactions[kHug], 0);
  EXPECT_EQ(counted.reactions[kMeToo], 1);

  Must(store().RemoveReaction(post.id, a.id, ReactionKind::kHelpful));
  Must(store().RemoveReaction(post.id, a.id, ReactionKind::kHelpful));  // not there any more
  Must(store().RemoveReaction(post.id, b.id, ReactionKind::kHug));      // never there
  counted = Must(store().FindPost(post.id));
  EXPECT_EQ(counted.reactions[kHelpful], 1);
  EXPECT_EQ(counted.reactions[kHug], 0);
  EXPECT_EQ(counted.reactions[kMeToo], 1);

  EXPECT_EQ(store().AddReaction(PostId(999), a.id, ReactionKind::kHug, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().AddReaction(post.id, UserId(999), ReactionKind::kHug, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store().FindPost(post.id)).reactions[kHug], 0);
}

TEST_P(StoreTest, ListsOwnReactions) {
  UserRow me = MakeUser("me");
  UserRow other = MakeUser("other");
  CategoryRow category = MakeCategory("C");
  auto [topic, first] = MakeTopic(category.id, other.id, "T", kT0);
  PostRow second = Reply(topic.id, other.id, "two", kT0 + 1);
  PostRow third = Reply(topic.id, other.id, "three", kT0 + 2);
  Must(store().AddReaction(first.id, me.id, ReactionKind::kHug, kT0));
  Must(store().AddReaction(first.id, me.id, ReactionKind::kHelpful, kT0));
  Must(store().AddReaction(third.id, me.id, ReactionKind::kMeToo, kT0));
  Must(store().AddReaction(second.id, other.id, ReactionKind::kHug, kT0));

  auto own = Must(store().ListOwnReactions(me.id, {first.id, second.id, third.id}));
  std::set<std::pair<std::int64_t, ReactionKind>> got;
  for (auto [post, kind] : own) got.insert({post.value, kind});
  std::set<std::pair<std::int64_t, ReactionKind>> want = {{first.id.value, ReactionKind::kHelpful},
                                                          {first.id.value, ReactionKind::kHug},
                                                          {third.id.value, ReactionKind::kMeToo}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(own.size(), 3u);
  EXPECT_EQ(Must(store().ListOwnReactions(me.id, {second.id})).size(), 0u);
  EXPECT_TRUE(Must(store().ListOwnReactions(me.id, {})).empty());
}

// --- Events ------------------------------------------------------------------------------------

TEST_P(StoreTest, EventsArriveInCommitOrder) {
  UserRow user = MakeUser("u");
  CategoryRow category = MakeCategory("C");
  std::size_t start = AllEvents().size();  // categories may log their own events
  auto [topic, first] = MakeTopic(category.id, user.id, "T", kT0);
  PostRow reply = Reply(topic.id, user.id, "r", kT0 + 1);
  Must(store().EditPost(reply.id, "r2", "r2", kT0 + 2));
  Must(store().DeletePost(reply.id, kT0 + 3));
  Must(store().SetTopicState(topic.id, true, false, category.id));

  std::vector<EventRow> events = AllEvents();
  ASSERT_EQ(events.size(), start + 5);
  std::vector<std::pair<std::string, std::int64_t>> got;
  for (std::size_t i = start; i < events.size(); ++i) got.emplace_back(events[i].kind, events[i].subject_id);
  std::vector<std::pair<std::string, std::int64_t>> want = {{"topic.created", topic.id.value},
                                                            {"post.created", reply.id.value},
                                                            {"post.edited", reply.id.value},
                                                            {"post.deleted", reply.id.value},
                                                            {"topic.updated", topic.id.value}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(events[start].created_at, kT0);
  EXPECT_EQ(events[start + 1].created_at, kT0 + 1);
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i].seq, events[i - 1].seq);

  // Reading on from a sequence number, a page at a time.
  std::vector<EventRow> after = Must(store().ReadEvents(events[start].seq, 2));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].seq, events[start + 1].seq);
  EXPECT_EQ(after[1].kind, "post.edited");
  EXPECT_TRUE(Must(store().ReadEvents(events.back().seq, 10)).empty());
}

// --- Import ------------------------------------------------------------------------------------

TEST_P(StoreTest, ImportThreadKeepsEachPostsTime) {
  UserRow asker = MakeUser("asker");
  UserRow helper = MakeUser("helper");
  CategoryRow category = MakeCategory("C");
  std::vector<NewPost> replies = {
      {TopicId(), helper.id, std::nullopt, "later reply", "<p>later reply</p>", kT0 + 500},
      {TopicId(), asker.id, std::nullopt, "earlier-looking reply", "<p>x</p>", kT0 + 300},
  };
  TopicRow topic = Must(
      store().ImportThread({category.id, asker.id, "Imported", "question", "<p>question</p>", kT0, false}, replies));
  EXPECT_EQ(topic.created_at, kT0);
  EXPECT_EQ(topic.last_post_at, kT0 + 500);
  EXPECT_EQ(topic.reply_count, 2);
  EXPECT_EQ(topic.author_name, "asker");

  std::vector<PostRow> posts = Must(store().ListPosts(topic.id, 0, 10));
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].number, 1);
  EXPECT_EQ(posts[0].created_at, kT0);
  EXPECT_EQ(posts[1].number, 2);
  EXPECT_EQ(posts[1].created_at, kT0 + 500);
  EXPECT_EQ(posts[1].author_name, "helper");
  EXPECT_EQ(posts[2].number, 3);
  EXPECT_EQ(posts[2].created_at, kT0 + 300);
  EXPECT_EQ(Must(store().ListRevisions(posts[2].id)).size(), 1u);

  std::vector<EventRow> events = AllEvents();
  std::vector<std::string> kinds;
  for (const EventRow& event : events) {
    if (event.kind.starts_with("topic.") || event.kind.starts_with("post.")) kinds.push_back(event.kind);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"topic.created", "post.created", "post.created"}));

  // A reply after the import continues the numbering.
  EXPECT_EQ(Reply(topic.id, helper.id, "new", kT0 + 600).number, 4);
}

TEST_P(StoreTest, FailedImportLeavesNothing) {
  UserRow asker = MakeUser("asker");
  CategoryRow category = MakeCategory("C");
  std::size_t events_before = AllEvents().size();
  std::vector<NewPost> replies = {
      {TopicId(), asker.id, std::nullopt, "fine", "<p>fine</p>", kT0 + 1},
      {TopicId(), UserId(4242), std::nullopt, "unknown author", "<p>x</p>", kT0 + 2},
  };
  Result<TopicRow> imported =
      store().ImportThread({category.id, asker.id, "Broken", "q", "<p>q</p>", kT0, false}, replies);
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().code, ErrorCode::kNotFound);

  EXPECT_EQ(Must(store().ListTopics(std::nullopt, 0, 10)).total, 0);
  EXPECT_EQ(Must(store().CountPostsByUser(asker.id, /*include_anonymous=*/true)), 0);
  EXPECT_EQ(AllEvents().size(), events_before);
  EXPECT_EQ(Must(store().ListCategories(true))[0].topic_count, 0);
}

// Many writers at once: on SQLite they share commits (group commit), and each must still get
// its own answer, a failing write must take nothing else with it, and whatever was acknowledged
// must be on disk. Broken imports fail after their first rows are written, so their undoing is
// real work in the middle of others' changes.
TEST_P(StoreTest, ConcurrentWritersEachGetTheirOwnResultAndKeepIt) {
  constexpr int kWriters = 8;
  constexpr int kWritesEach = 24;
  UserRow asker = MakeUser("asker");
  CategoryRow category = MakeCategory("Busy");
  TopicId open = MakeTopic(category.id, asker.id, "Open", kT0).first.id;
  TopicId closed = MakeTopic(category.id, asker.id, "Closed", kT0).first.id;
  Must(store().SetTopicState(closed, false, /*closed=*/true, category.id));
  std::vector<UserId> writers;
  for (int w = 0; w < kWriters; ++w) writers.push_back(MakeUser(std::string("writer").append(std::to_string(w))).id);
  auto count_reply_events = [&] {
    int count = 0;
    for (const EventRow& event : AllEvents()) count += event.kind == events::kPostCreated ? 1 : 0;
    return count;
  };
  const int reply_events_before = count_reply_events();

  struct Outcome {
    std::string body;
    Result<PostRow> reply = Error::Internal("not run");
  };
  std::vector<std::vector<Outcome>> outcomes(kWriters, std::vector<Outcome>(kWritesEach));
  std::vector<int> failed_imports(kWriters, 0);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      ++ready;
      while (ready.load() < kWriters) std::this_thread::yield();  // start together
      for (int i = 0; i < kWritesEach; ++i) {
        Outcome& outcome = outcomes[w][i];
        outcome.body = std::string("reply ").append(std::to_string(w)).append(".").append(std::to_string(i));
        // Every fourth write cannot succeed: a closed topic, or an import whose second reply
        // names no one.
        if (i % 4 == 1) {
          outcome.reply = store().CreateReply({closed, writers[w], std::nullopt, outcome.body, "<p>x</p>", kT0 + i});
          continue;
        }
        if (i % 4 == 3) {
          std::vector<NewPost> replies = {
              {TopicId(), writers[w], std::nullopt, "fine", "<p>fine</p>", kT0 + 1},
              {TopicId(), UserId(424242), std::nullopt, "unknown author", "<p>x</p>", kT0 + 2},
          };
          Result<TopicRow> imported = store().ImportThread(
              {category.id, writers[w], "Broken " + outcome.body, "q", "<p>q</p>", kT0, false}, replies);
          if (!imported.ok() && imported.error().code == ErrorCode::kNotFound) ++failed_imports[w];
          outcome.body.clear();  // not a reply: checked through failed_imports
          continue;
        }
        outcome.reply = store().CreateReply(
            {open, writers[w], std::nullopt, outcome.body, "<p>" + outcome.body + "</p>", kT0 + i});
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<int> numbers;
  int acknowledged = 0;
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(failed_imports[w], kWritesEach / 4) << "every broken import failed, as itself";
    for (int i = 0; i < kWritesEach; ++i) {
      const Outcome& outcome = outcomes[w][i];
      if (outcome.body.empty()) continue;
      if (i % 4 == 1) {
        ASSERT_FALSE(outcome.reply.ok()) << outcome.body;
        EXPECT_EQ(outcome.reply.error().key, "topic_closed") << outcome.body;
        continue;
      }
      ASSERT_TRUE(outcome.reply.ok()) << outcome.body << ": " << outcome.reply.error().message;
      // Its own row, not a neighbour's from the same batch.
      EXPECT_EQ(outcome.reply->body_markdown, outcome.body);
      EXPECT_EQ(outcome.reply->user_id, writers[w]);
      EXPECT_EQ(outcome.reply->topic_id, open);
      EXPECT_TRUE(numbers.insert(outcome.reply->number).second) << "number " << outcome.reply->number << " twice";
      ++acknowledged;
    }
  }
  ASSERT_EQ(acknowledged, kWriters * kWritesEach / 2);

  Reopen();  // what was acknowledged was committed, not just kept in memory
  EXPECT_EQ(Must(store().CountPosts(open)), acknowledged + 1);
  EXPECT_EQ(Must(store().FindTopic(open)).reply_count, acknowledged);
  EXPECT_EQ(Must(store().CountPosts(closed)), 1);
  EXPECT_EQ(Must(store().ListTopics(std::nullopt, 0, 10)).total, 2) << "no broken import left a topic";
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kWritesEach; ++i) {
      const Outcome& outcome = outcomes[w][i];
      if (outcome.body.empty() || !outcome.reply.ok()) continue;
      PostRow saved = Must(store().FindPost(outcome.reply->id));
      EXPECT_EQ(saved.body_markdown, outcome.body);
      EXPECT_EQ(saved.number, outcome.reply->number);
    }
  }
  // One event per acknowledged reply, and none from the failed writes.
  EXPECT_EQ(count_reply_events() - reply_events_before, acknowledged);
}

// --- Demo content ------------------------------------------------------------------------------

TEST_P(StoreTest, DeleteDemoContentRemovesItAndWhatHangsOffIt) {
  UserRow real = MakeUser("real");
  UserRow demo = MakeUser("demo-person", /*demo=*/true);
  CategoryRow real_category = MakeCategory("Real");
  CategoryRow demo_category = MakeCategory("Demo", /*demo=*/true);
  Must(store().CreateSession({"demo-session", demo.id, "csrf", kT0, kT0 + 1000}));
  Must(store().CreateSession({"real-session", real.id, "csrf", kT0, kT0 + 1000}));

  // Demo topic in a real category, with a real person's reply.
  TopicId demo_topic = MakeTopic(real_category.id, demo.id, "Demo question", kT0, /*demo=*/true).first.id;
  Reply(demo_topic, real.id, "real reply in demo topic", kT0 + 1);
  // A real person's topic in the demo category.
  TopicId in_demo_category = MakeTopic(demo_category.id, real.id, "Real in demo category", kT0).first.id;
  // A real topic where the demo person replied and reacted.
  auto [real_topic, real_question] = MakeTopic(real_category.id, real.id, "Real question", kT0);
  Reply(real_topic.id, real.id, "real follow-up", kT0 + 10);
  PostRow demo_reply = Reply(real_topic.id, demo.id, "demo reply", kT0 + 20);
  PostRow answer_to_demo =
      Must(store().CreateReply({real_topic.id, real.id, demo_reply.id, "answering demo", "<p>a</p>", kT0 + 15}));
  Must(store().AddReaction(real_question.id, demo.id, ReactionKind::kHug, kT0));
  Must(store().AddReaction(real_question.id, real.id, ReactionKind::kHug, kT0));
  std::int64_t last_seq = AllEvents().back().seq;

  Must(store().DeleteDemoContent());

  EXPECT_EQ(store().FindUserById(demo.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindUserByName("demo-person").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindSession("demo-session", kT0).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().FindSession("real-session", kT0).ok());
  EXPECT_EQ(store().FindCategoryById(demo_category.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindTopic(demo_topic).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindTopic(in_demo_category).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindPost(demo_reply.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store().CountUsers()), 1);

  TopicRow kept = Must(store().FindTopic(real_topic.id));
  EXPECT_EQ(kept.reply_count, 2);
  EXPECT_EQ(kept.last_post_at, kT0 + 15);
  EXPECT_EQ(Must(store().CountPosts(real_topic.id)), 3);
  EXPECT_FALSE(Must(store().FindPost(answer_to_demo.id)).reply_to.has_value());
  EXPECT_EQ(Must(store().FindPost(real_question.id)).reactions[static_cast<int>(ReactionKind::kHug)], 1);
  EXPECT_EQ(Must(store().ListCategories(true)).size(), 1u);
  EXPECT_EQ(Must(store().ListTopics(std::nullopt, 0, 10)).total, 1);
  // The real person's reply in the demo topic went with the topic.
  EXPECT_EQ(Must(store().CountPostsByUser(real.id, /*include_anonymous=*/true)), 3);

  std::set<std::pair<std::string, std::int64_t>> removed;
  for (const EventRow& event : Must(store().ReadEvents(last_seq, 100))) removed.insert({event.kind, event.subject_id});
  EXPECT_TRUE(removed.contains({"topic.deleted", demo_topic.value}));
  EXPECT_TRUE(removed.contains({"topic.deleted", in_demo_category.value}));
  EXPECT_TRUE(removed.contains({"post.deleted", demo_reply.id.value}));

  Must(store().DeleteDemoContent());  // nothing left to remove: still fine
}

// --- Responders and member flags ---------------------------------------------------------------

TEST_P(StoreTest, SetsWorryOptOut) {
  UserRow user = MakeUser("quinn");
  EXPECT_FALSE(user.trusted_supporter());
  EXPECT_FALSE(user.worry_opt_out);

  Must(store().SetWorryOptOut(user.id, true));
  UserRow saved = Must(store().FindUserByName("QUINN"));
  EXPECT_TRUE(saved.worry_opt_out);
  // Setting what is already there is not "not found".
  Must(store().SetWorryOptOut(user.id, true));
  Must(store().SetWorryOptOut(user.id, false));
  EXPECT_FALSE(Must(store().FindUserById(user.id)).worry_opt_out);

  EXPECT_EQ(store().SetWorryOptOut(UserId(404), true).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, RespondersAreStaffAndTrustedSupportersWhenAsked) {
  UserRow admin = Must(store().CreateUser({"admin", "", "h", Role::kAdmin, kT0, false}));
  MakeUser("member");
  UserRow supporter = MakeUser("supporter");
  UserRow moderator = Must(store().CreateUser({"moderator", "", "h", Role::kModerator, kT0, false}));
  Must(store().SetTrust(supporter.id, TrustLevel::kTrusted, /*pinned=*/true));

  auto ids = [](const std::vector<UserRow>& users) {
    std::vector<std::int64_t> out;
    for (const UserRow& user : users) out.push_back(user.id.value);
    return out;
  };
  EXPECT_EQ(ids(Must(store().ListResponders(false))), (std::vector<std::int64_t>{admin.id.value, moderator.id.value}));
  std::vector<UserRow> with_supporters = Must(store().ListResponders(true));
  EXPECT_EQ(ids(with_supporters), (std::vector<std::int64_t>{admin.id.value, supporter.id.value, moderator.id.value}));
  EXPECT_TRUE(with_supporters[1].trusted_supporter());
}

// --- The review queue --------------------------------------------------------------------------

// A thread for review tests: a writer's question and the people around it.
struct ReviewThread {
  UserRow writer;
  UserRow helper;
  UserRow moderator;
  TopicRow topic;
  PostRow question;
};

class ReviewQueueTest : public StoreTest {
 protected:
  ReviewThread MakeThread(const std::string& title = "Hard night") {
    ReviewThread thread;
    thread.writer = MakeUser("writer-" + title);
    thread.helper = MakeUser("helper-" + title);
    thread.moderator = Must(store().CreateUser({"moderator-" + title, "", "h", Role::kModerator, kT0, false}));
    CategoryRow category = MakeCategory("Category " + title);
    std::tie(thread.topic, thread.question) = MakeTopic(category.id, thread.writer.id, title, kT0);
    return thread;
  }
  NewReviewItem SafetyItem(PostId post, int priority, UnixSeconds at) {
    NewReviewItem item;
    item.kind = ReviewKind::kSafety;
    item.post = post;
    item.priority = priority;
    item.level = priority == 2 ? "crisis" : "concern";
    item.reasons = "intent";
    item.score = 0.5;
    item.created_at = at;
    return item;
  }
  std::vector<std::int64_t> Ids(const std::vector<ReviewItemRow>& items) {
    std::vector<std::int64_t> out;
    for (const ReviewItemRow& item : items) out.push_back(item.id);
    return out;
  }
};

TEST_P(ReviewQueueTest, CreatedItemCarriesItsPostTopicAndNames) {
  ReviewThread thread = MakeThread();
  CategoryRow elsewhere = MakeCategory("Elsewhere");
  TopicRow suggested = MakeTopic(elsewhere.id, thread.helper.id, "Better place", kT0).first;
  PostRow reply = Reply(thread.topic.id, thread.writer.id, "still here", kT0 + 5);
  std::int64_t seq_before = AllEvents().back().seq;

  NewReviewItem flag;
  flag.kind = ReviewKind::kMisplaced;
  flag.post = reply.id;
  flag.priority = 1;
  flag.reasons = "topic: sleep";
  flag.suggested_topic = suggested.id;
  flag.score = 0.75;
  flag.reporter = thread.helper.id;
  flag.note = "I think this belongs elsewhere";
  flag.created_at = kT0 + 6;
  ReviewItemRow item = Must(store().CreateReviewItem(flag));

  EXPECT_GT(item.id, 0);
  EXPECT_EQ(item.kind, ReviewKind::kMisplaced);
  EXPECT_EQ(item.post, reply.id);
  EXPECT_EQ(item.topic, thread.topic.id);
  EXPECT_EQ(item.writer, thread.writer.id);
  EXPECT_EQ(item.writer_name, thread.writer.username);
  EXPECT_EQ(item.reporter, thread.helper.id);
  EXPECT_EQ(item.reporter_name, thread.helper.username);
  EXPECT_EQ(item.note, "I think this belongs elsewhere");
  EXPECT_EQ(item.reasons, "topic: sleep");
  EXPECT_DOUBLE_EQ(item.score, 0.75);
  EXPECT_EQ(item.suggested_topic, suggested.id);
  EXPECT_EQ(item.suggested_title, "Better place");
  EXPECT_EQ(item.topic_title, "Hard night");
  EXPECT_EQ(item.post_markdown, "still here");
  EXPECT_EQ(item.post_html, "<p>still here</p>");
  EXPECT_EQ(item.post_number, 2);
  EXPECT_EQ(item.status, ReviewStatus::kOpen);
  EXPECT_EQ(item.created_at, kT0 + 6);
  EXPECT_FALSE(item.resolved_at.has_value());
  EXPECT_FALSE(item.resolved_by.has_value());
  EXPECT_FALSE(item.waiting_raised_at.has_value());
  EXPECT_FALSE(item.first_reply_at.has_value());
  EXPECT_EQ(item.version, 1);

  ReviewItemRow found = Must(store().FindReviewItem(item.id));
  EXPECT_EQ(found.writer_name, thread.writer.username);
  EXPECT_EQ(found.suggested_title, "Better place");

  // A safety item with no reporter and no suggestion joins empty names.
  ReviewItemRow safety = Must(store().CreateReviewItem(SafetyItem(thread.question.id, 2, kT0 + 7)));
  EXPECT_FALSE(safety.reporter.has_value());
  EXPECT_EQ(safety.reporter_name, "");
  EXPECT_FALSE(safety.suggested_topic.has_value());
  EXPECT_EQ(safety.suggested_title, "");
  EXPECT_EQ(safety.level, "crisis");
  EXPECT_EQ(safety.post_number, 1);

  std::vector<EventRow> events = Must(store().ReadEvents(seq_before, 10));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "review.created");
  EXPECT_EQ(events[0].subject_id, item.id);
  EXPECT_EQ(events[0].created_at, kT0 + 6);
  EXPECT_EQ(events[1].subject_id, safety.id);

  EXPECT_EQ(store().CreateReviewItem(SafetyItem(PostId(9999), 1, kT0)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().FindReviewItem(9999).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(AllEvents().back().subject_id, safety.id);  // the failed create logged nothing
}

TEST_P(ReviewQueueTest, OpenItemsComeByPriorityThenAgeResolvedNewestFirst) {
  ReviewThread thread = MakeThread();
  PostId post = thread.question.id;
  ReviewItemRow concern_old = Must(store().CreateReviewItem(SafetyItem(post, 1, kT0)));
  ReviewItemRow crisis_new = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 20)));
  ReviewItemRow concern_new = Must(store().CreateReviewItem(SafetyItem(post, 1, kT0 + 10)));
  ReviewItemRow crisis_old = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 5)));
  ReviewItemRow crisis_old_twin = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 5)));  // same time, later id
  ReviewItemRow resolved_first = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 1)));
  ReviewItemRow resolved_second = Must(store().CreateReviewItem(SafetyItem(post, 1, kT0 + 2)));
  ReviewItemRow resolved_same_time = Must(store().CreateReviewItem(SafetyItem(post, 1, kT0 + 3)));
  UserId by = thread.moderator.id;
  Must(store().ResolveReviewItem(resolved_first.id, 1, ReviewStatus::kHandled, by, "", kT0 + 100));
  Must(store().ResolveReviewItem(resolved_second.id, 1, ReviewStatus::kDismissed, by, "", kT0 + 200));
  Must(store().ResolveReviewItem(resolved_same_time.id, 1, ReviewStatus::kEscalated, by, "", kT0 + 200));

  // Escalated, it still waits: among the open, at its priority (1) and age (kT0 + 3).
  EXPECT_EQ(Ids(Must(store().ListReviewItems(true, 0, 100))),
            (std::vector<std::int64_t>{crisis_old.id, crisis_old_twin.id, crisis_new.id, concern_old.id,
                                       resolved_same_time.id, concern_new.id}));
  EXPECT_EQ(Ids(Must(store().ListReviewItems(true, 1, 2))),
            (std::vector<std::int64_t>{crisis_old_twin.id, crisis_new.id}));
  EXPECT_EQ(Ids(Must(store().ListReviewItems(false, 0, 100))),
            (std::vector<std::int64_t>{resolved_second.id, resolved_first.id}));
  EXPECT_TRUE(Must(store().ListReviewItems(true, 0, -1)).empty());

  EXPECT_EQ(Must(store().CountOpenReviewItems(1)), 6);
  EXPECT_EQ(Must(store().CountOpenReviewItems(2)), 3);
  EXPECT_EQ(Must(store().CountOpenReviewItems(3)), 0);
}

TEST_P(ReviewQueueTest, SecondResolveWithTheSameVersionIsAConflict) {
  ReviewThread thread = MakeThread();
  UserRow other_moderator = Must(store().CreateUser({"second-mod", "", "h", Role::kModerator, kT0, false}));
  ReviewItemRow item = Must(store().CreateReviewItem(SafetyItem(thread.question.id, 2, kT0)));
  std::int64_t seq_before = AllEvents().back().seq;

  ReviewItemRow handled = Must(store().ResolveReviewItem(item.id, item.version, ReviewStatus::kHandled,
                                                         thread.moderator.id, "Replied privately", kT0 + 60));
  EXPECT_EQ(handled.status, ReviewStatus::kHandled);
  EXPECT_EQ(handled.resolved_at, kT0 + 60);
  EXPECT_EQ(handled.resolved_by, thread.moderator.id);
  EXPECT_EQ(handled.resolution_note, "Replied privately");
  EXPECT_EQ(handled.version, item.version + 1);

  Result<ReviewItemRow> late = store().ResolveReviewItem(item.id, item.version, ReviewStatus::kDismissed,
                                                         other_moderator.id, "Looks fine", kT0 + 61);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  EXPECT_EQ(late.error().key, "review_changed");
  EXPECT_EQ(late.error().message, "Another moderator acted on this item a moment ago. Here is how it looks now.");

  // The first action stands, and only it was logged.
  ReviewItemRow now = Must(store().FindReviewItem(item.id));
  EXPECT_EQ(now.status, ReviewStatus::kHandled);
  EXPECT_EQ(now.resolved_by, thread.moderator.id);
  EXPECT_EQ(now.resolution_note, "Replied privately");
  std::vector<EventRow> events = Must(store().ReadEvents(seq_before, 10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "review.resolved");
  EXPECT_EQ(events[0].subject_id, item.id);
  EXPECT_EQ(events[0].created_at, kT0 + 60);

  // With the version it now shows, the other moderator can act.
  ReviewItemRow escalated = Must(store().ResolveReviewItem(item.id, now.version, ReviewStatus::kEscalated,
                                                           other_moderator.id, "Needs an admin", kT0 + 62));
  EXPECT_EQ(escalated.status, ReviewStatus::kEscalated);
  EXPECT_EQ(escalated.version, now.version + 1);

  EXPECT_EQ(store().ResolveReviewItem(9999, 1, ReviewStatus::kHandled, thread.moderator.id, "", kT0).error().code,
            ErrorCode::kNotFound);
  Result<ReviewItemRow> reopen =
      store().ResolveReviewItem(item.id, escalated.version, ReviewStatus::kOpen, thread.moderator.id, "", kT0);
  ASSERT_FALSE(reopen.ok());
  EXPECT_EQ(reopen.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(reopen.error().field, "status");
}

TEST_P(ReviewQueueTest, ListsItemsOfOnePost) {
  ReviewThread thread = MakeThread();
  PostRow reply = Reply(thread.topic.id, thread.helper.id, "reply", kT0 + 1);
  ReviewItemRow first = Must(store().CreateReviewItem(SafetyItem(thread.question.id, 1, kT0 + 2)));
  Must(store().CreateReviewItem(SafetyItem(reply.id, 1, kT0 + 3)));
  ReviewItemRow second = Must(store().CreateReviewItem(SafetyItem(thread.question.id, 2, kT0 + 4)));
  Must(
      store().ResolveReviewItem(second.id, second.version, ReviewStatus::kDismissed, thread.moderator.id, "", kT0 + 5));

  EXPECT_EQ(Ids(Must(store().ListReviewItemsForPost(thread.question.id))),
            (std::vector<std::int64_t>{first.id, second.id}));
  EXPECT_TRUE(Must(store().ListReviewItemsForPost(PostId(9999))).empty());
}

TEST_P(ReviewQueueTest, UnansweredSafetyItemsIgnoreTheWritersOwnAndDeletedReplies) {
  ReviewThread thread = MakeThread();
  ReviewItemRow item = Must(store().CreateReviewItem(SafetyItem(thread.question.id, 2, kT0)));
  const UnixSeconds cutoff = kT0 + 3600;

  EXPECT_EQ(Ids(Must(store().ListUnansweredSafetyItems(cutoff))), (std::vector<std::int64_t>{item.id}));
  // Not yet old enough.
  EXPECT_TRUE(Must(store().ListUnansweredSafetyItems(kT0 - 1)).empty());
  EXPECT_EQ(Ids(Must(store().ListUnansweredSafetyItems(kT0))), (std::vector<std::int64_t>{item.id}));

  // The writer adding to their own thread is not an answer.
  Reply(thread.topic.id, thread.writer.id, "anyone?", kT0 + 10);
  EXPECT_EQ(Ids(Must(store().ListUnansweredSafetyItems(cutoff))), (std::vector<std::int64_t>{item.id}));
  EXPECT_FALSE(Must(store().FindReviewItem(item.id)).first_reply_at.has_value());

  // A reply that was deleted is not one either.
  PostRow withdrawn = Reply(thread.topic.id, thread.helper.id, "oops", kT0 + 20);
  EXPECT_TRUE(Must(store().ListUnansweredSafetyItems(cutoff)).empty());
  Must(store().DeletePost(withdrawn.id, kT0 + 21));
  EXPECT_EQ(Ids(Must(store().ListUnansweredSafetyItems(cutoff))), (std::vector<std::int64_t>{item.id}));

  // Someone else's reply is.
  Reply(thread.topic.id, thread.helper.id, "I'm here, I hear you", kT0 + 30);
  Reply(thread.topic.id, thread.moderator.id, "So am I", kT0 + 40);
  EXPECT_TRUE(Must(store().ListUnansweredSafetyItems(cutoff)).empty());
  EXPECT_EQ(Must(store().FindReviewItem(item.id)).first_reply_at, kT0 + 30);
}

TEST_P(ReviewQueueTest, UnansweredCountsOnlyRepliesAfterThePost) {
  ReviewThread thread = MakeThread();
  Reply(thread.topic.id, thread.helper.id, "earlier reply", kT0 + 1);
  PostRow later = Reply(thread.topic.id, thread.writer.id, "it got worse", kT0 + 2);
  ReviewItemRow item = Must(store().CreateReviewItem(SafetyItem(later.id, 2, kT0 + 2)));
  EXPECT_EQ(Ids(Must(store().ListUnansweredSafetyItems(kT0 + 100))), (std::vector<std::int64_t>{item.id}));
}

TEST_P(ReviewQueueTest, UnansweredSkipsResolvedRaisedAndOtherKinds) {
  ReviewThread thread = MakeThread();
  PostId post = thread.question.id;
  ReviewItemRow open = Must(store().CreateReviewItem(SafetyItem(post, 1, kT0 + 2)));
  ReviewItemRow crisis = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 3)));
  ReviewItemRow raised = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0)));
  ReviewItemRow resolved = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0)));
  NewReviewItem flag = SafetyItem(post, 2, kT0);
  flag.kind = ReviewKind::kFlag;
  flag.reporter = thread.helper.id;
  Must(store().CreateReviewItem(flag));
  Must(store().ResolveReviewItem(resolved.id, resolved.version, ReviewStatus::kHandled, thread.moderator.id, "",
                                 kT0 + 1));

  Must(store().MarkWaitingRaised(raised.id, kT0 + 50));
  ReviewItemRow marked = Must(store().FindReviewItem(raised.id));
  EXPECT_EQ(marked.waiting_raised_at, kT0 + 50);
  EXPECT_EQ(marked.version, raised.version + 1);
  EXPECT_EQ(marked.status, ReviewStatus::kOpen);  // still waiting for a moderator

  EXPECT_EQ(Ids(Must(store().ListUnansweredSafetyItems(kT0 + 100))), (std::vector<std::int64_t>{crisis.id, open.id}));
  EXPECT_EQ(store().MarkWaitingRaised(9999, kT0).error().code, ErrorCode::kNotFound);
  // Raising bumped the version, so an action taken on what was seen before is a conflict.
  EXPECT_EQ(store()
                .ResolveReviewItem(raised.id, raised.version, ReviewStatus::kHandled, thread.moderator.id, "", kT0)
                .error()
                .code,
            ErrorCode::kConflict);
}

TEST_P(ReviewQueueTest, CrisisRemindersListWaitingCrisisItemsAndAreClaimedOnce) {
  ReviewThread thread = MakeThread();
  PostId post = thread.question.id;
  Must(store().CreateReviewItem(SafetyItem(post, 1, kT0)));  // a concern is not reminded of
  ReviewItemRow waiting = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 1)));
  ReviewItemRow escalated = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 2)));
  ReviewItemRow handled = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 3)));
  ReviewItemRow recent = Must(store().CreateReviewItem(SafetyItem(post, 2, kT0 + 500)));
  Must(store().ResolveReviewItem(escalated.id, escalated.version, ReviewStatus::kEscalated, thread.moderator.id, "",
                                 kT0 + 4));
  Must(store().ResolveReviewItem(handled.id, handled.version, ReviewStatus::kHandled, thread.moderator.id, "",
                                 kT0 + 4));

  // A peer's reply does not settle a crisis item: only a moderator's decision does.
  Reply(thread.topic.id, thread.helper.id, "I'm here", kT0 + 5);
  EXPECT_EQ(Ids(Must(store().ListCrisisItemsToRemind(kT0 + 100))),
            (std::vector<std::int64_t>{waiting.id, escalated.id}));

  EXPECT_TRUE(Must(store().ClaimCrisisReminder(waiting.id, kT0 + 100)));
  EXPECT_FALSE(Must(store().ClaimCrisisReminder(waiting.id, kT0 + 101)));  // once only
  ReviewItemRow claimed = Must(store().FindReviewItem(waiting.id));
  EXPECT_EQ(claimed.version, waiting.version);  // a moderator's open page stays current
  EXPECT_EQ(claimed.status, ReviewStatus::kOpen);
  EXPECT_EQ(Ids(Must(store().ListCrisisItemsToRemind(kT0 + 1000))),
            (std::vector<std::int64_t>{escalated.id, recent.id}));
  EXPECT_FALSE(Must(store().ClaimCrisisReminder(9999, kT0)));
  // Decided between the list and the claim: no reminder.
  EXPECT_FALSE(Must(store().ClaimCrisisReminder(handled.id, kT0 + 1000)));
}

TEST_P(ReviewQueueTest, DeletedPostKeepsItsItemWithoutItsText) {
  ReviewThread thread = MakeThread();
  PostRow reply = Reply(thread.topic.id, thread.writer.id, "words that worried us", kT0 + 1);
  ReviewItemRow item = Must(store().CreateReviewItem(SafetyItem(reply.id, 2, kT0 + 1)));
  Must(store().DeletePost(reply.id, kT0 + 2));

  ReviewItemRow kept = Must(store().FindReviewItem(item.id));
  EXPECT_EQ(kept.status, ReviewStatus::kOpen);
  EXPECT_EQ(kept.post_markdown, "");
  EXPECT_EQ(kept.post_html, "");
  EXPECT_EQ(kept.writer_name, thread.writer.username);
  EXPECT_EQ(Ids(Must(store().ListReviewItems(true, 0, 10))), (std::vector<std::int64_t>{item.id}));
}

// A modlog entry as a moderator action would write it (id and actor_name are the store's).
ModlogRow LogEntry(UserId actor, std::string action, std::string subject_kind, std::int64_t subject_id,
                   std::string before, std::string after, std::string reason, UnixSeconds at) {
  ModlogRow entry;
  entry.actor = actor;
  entry.action = std::move(action);
  entry.subject_kind = std::move(subject_kind);
  entry.subject_id = subject_id;
  entry.before = std::move(before);
  entry.after = std::move(after);
  entry.reason = std::move(reason);
  entry.created_at = at;
  return entry;
}

// --- The modlog --------------------------------------------------------------------------------

TEST_P(StoreTest, ModlogListsNewestFirstWithTheActorsName) {
  UserRow moderator = Must(store().CreateUser({"Mod", "", "h", Role::kModerator, kT0, false}));
  Must(store().AppendModlog(LogEntry(moderator.id, "review.handled", "review", 7, "open", "handled", "replied", kT0)));
  Must(store().AppendModlog(LogEntry(moderator.id, "message.sent", "user", 3, "", "", "", kT0 + 10)));
  Must(store().AppendModlog(LogEntry(moderator.id, "topic.closed", "topic", 5, "", "", "", kT0 + 10)));

  std::vector<ModlogRow> log = Must(store().ListModlog(0, 10));
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].action, "topic.closed");
  EXPECT_EQ(log[1].action, "message.sent");
  EXPECT_EQ(log[2].action, "review.handled");
  EXPECT_GT(log[2].id, 0);
  EXPECT_EQ(log[2].actor, moderator.id);
  EXPECT_EQ(log[2].actor_name, "Mod");
  EXPECT_EQ(log[2].subject_kind, "review");
  EXPECT_EQ(log[2].subject_id, 7);
  EXPECT_EQ(log[2].before, "open");
  EXPECT_EQ(log[2].after, "handled");
  EXPECT_EQ(log[2].reason, "replied");
  EXPECT_EQ(log[2].created_at, kT0);

  std::vector<ModlogRow> page = Must(store().ListModlog(1, 1));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].action, "message.sent");

  EXPECT_EQ(store().AppendModlog(LogEntry(UserId(404), "x", "user", 1, "", "", "", kT0)).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(Must(store().ListModlog(0, 10)).size(), 3u);
}

// --- Notices -----------------------------------------------------------------------------------

TEST_P(StoreTest, NoticesAreNewestFirstAndMarkedReadAsShown) {
  UserRow me = MakeUser("me");
  UserRow other = MakeUser("other");
  const std::int64_t before_notices = Must(store().LatestEventSeq());
  NoticeRow first = Must(store().CreateNotice({me.id, "worry", "Someone is thinking of you", "<p>Hi</p>", "", kT0}));
  // A member's unread count is kept until the feed moves, so a notice moves it.
  EXPECT_GT(Must(store().LatestEventSeq()), before_notices);
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.user, me.id);
  EXPECT_EQ(first.kind, "worry");
  EXPECT_EQ(first.title, "Someone is thinking of you");
  EXPECT_EQ(first.body_html, "<p>Hi</p>");
  EXPECT_EQ(first.created_at, kT0);
  EXPECT_FALSE(first.read_at.has_value());
  NoticeRow second = Must(store().CreateNotice({me.id, "moderator_message", "A note", "", "/t/1#p2", kT0 + 5}));
  Must(store().CreateNotice({other.id, "safety_alert", "Please look", "", "/t/2", kT0 + 6}));

  std::vector<NoticeRow> mine = Must(store().ListNotices(me.id, 0, 10));
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].id, second.id);
  EXPECT_EQ(mine[0].link, "/t/1#p2");
  EXPECT_EQ(mine[1].id, first.id);
  EXPECT_EQ(Must(store().ListNotices(me.id, 1, 5)).size(), 1u);
  EXPECT_EQ(Must(store().CountUnreadNotices(me.id)), 2);

  const std::int64_t before_read = Must(store().LatestEventSeq());
  Must(store().MarkNoticesRead(me.id, {second.id}, kT0 + 9));
  EXPECT_EQ(Must(store().CountUnreadNotices(me.id)), 1) << "only the notice named is read";
  Must(store().MarkNoticesRead(other.id, {first.id}, kT0 + 9));
  EXPECT_EQ(Must(store().CountUnreadNotices(me.id)), 1) << "no one marks another's notices";
  Must(store().MarkNoticesRead(me.id, {first.id, second.id}, kT0 + 10));
  EXPECT_EQ(Must(store().CountUnreadNotices(me.id)), 0);
  const std::int64_t after_read = Must(store().LatestEventSeq());
  EXPECT_GT(after_read, before_read) << "reading them moves the feed";
  Must(store().MarkNoticesRead(me.id, {first.id, second.id}, kT0 + 11));
  EXPECT_EQ(Must(store().LatestEventSeq()), after_read) << "opening messages with none new does not";
  EXPECT_EQ(Must(store().CountUnreadNotices(other.id)), 1);  // someone else's stay unread
  EXPECT_EQ(Must(store().ListNotices(me.id, 0, 10))[1].read_at, kT0 + 10);
  EXPECT_EQ(Must(store().ListNotices(me.id, 0, 10))[0].read_at, kT0 + 9);

  // A new notice is unread; marking again keeps when the older ones were read.
  NoticeRow third = Must(store().CreateNotice({me.id, "misplaced", "Moved", "", "", kT0 + 20}));
  EXPECT_EQ(Must(store().CountUnreadNotices(me.id)), 1);
  Must(store().MarkNoticesRead(me.id, {third.id, second.id, first.id}, kT0 + 30));
  mine = Must(store().ListNotices(me.id, 0, 10));
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_EQ(mine[0].read_at, kT0 + 30);
  EXPECT_EQ(mine[1].read_at, kT0 + 9);
  EXPECT_EQ(mine[2].read_at, kT0 + 10);

  EXPECT_EQ(store().CreateNotice({UserId(404), "worry", "t", "", "", kT0}).error().code, ErrorCode::kNotFound);
}

// --- Worry reports -----------------------------------------------------------------------------

TEST_P(StoreTest, WorryReportsAreCountedAndTheLastMessageFound) {
  UserRow reporter = MakeUser("reporter");
  UserRow writer = MakeUser("writer");
  UserRow other_writer = MakeUser("other-writer");
  CategoryRow category = MakeCategory("C");
  PostRow post = MakeTopic(category.id, writer.id, "T", kT0).second;
  PostRow other_post = MakeTopic(category.id, other_writer.id, "U", kT0).second;

  EXPECT_EQ(Must(store().CountWorryReportsBy(reporter.id, 0)), 0);
  EXPECT_FALSE(Must(store().LastWorryMessageTo(writer.id)).has_value());

  Must(store().RecordWorryReport({reporter.id, post.id, writer.id, kT0 + 10, /*message_sent=*/true}));
  Must(store().RecordWorryReport({reporter.id, post.id, writer.id, kT0 + 20, /*message_sent=*/false}));
  Must(store().RecordWorryReport({reporter.id, other_post.id, other_writer.id, kT0 + 30, true}));
  Must(store().RecordWorryReport({writer.id, other_post.id, other_writer.id, kT0 + 40, true}));

  EXPECT_EQ(Must(store().CountWorryReportsBy(reporter.id, kT0)), 3);
  EXPECT_EQ(Must(store().CountWorryReportsBy(reporter.id, kT0 + 20)), 2);  // `since` counts
  EXPECT_EQ(Must(store().CountWorryReportsBy(reporter.id, kT0 + 31)), 0);
  // Only reports that sent the message count: the later one at +20 did not.
  EXPECT_EQ(Must(store().LastWorryMessageTo(writer.id)), std::optional<UnixSeconds>(kT0 + 10));
  EXPECT_EQ(Must(store().LastWorryMessageTo(other_writer.id)), std::optional<UnixSeconds>(kT0 + 40));
  EXPECT_FALSE(Must(store().LastWorryMessageTo(reporter.id)).has_value());

  EXPECT_EQ(store().RecordWorryReport({reporter.id, PostId(999), writer.id, kT0, false}).error().code,
            ErrorCode::kNotFound);
}

// --- Settings ----------------------------------------------------------------------------------

TEST_P(StoreTest, SettingsRoundTripAndUnsetIsNotFound) {
  Result<std::string> missing = store().GetSetting("helplines");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  Must(store().PutSetting("helplines", R"([{"name":"Samaritans","phone":"116 123"}])", kT0));
  Must(store().PutSetting("worry_template", "Someone here cares about you.", kT0));
  EXPECT_EQ(Must(store().GetSetting("helplines")), R"([{"name":"Samaritans","phone":"116 123"}])");
  Must(store().PutSetting("helplines", "[]", kT0 + 1));
  EXPECT_EQ(Must(store().GetSetting("helplines")), "[]");
  EXPECT_EQ(Must(store().GetSetting("worry_template")), "Someone here cares about you.");
  Must(store().PutSetting("empty", "", kT0));
  EXPECT_EQ(Must(store().GetSetting("empty")), "");                               // set to nothing is not "never set"
  EXPECT_EQ(store().GetSetting("HELPLINES").error().code, ErrorCode::kNotFound);  // keys are exact
}

// --- Demo content and the safety tables ----------------------------------------------------------

TEST_P(ReviewQueueTest, DeleteDemoContentTakesItsReviewItemsNoticesAndReports) {
  ReviewThread thread = MakeThread();
  UserRow demo = MakeUser("demo-person", /*demo=*/true);
  CategoryRow category = MakeCategory("Demo room", /*demo=*/true);
  auto [demo_topic, demo_question] = MakeTopic(category.id, demo.id, "Demo worry", kT0, /*demo=*/true);
  PostRow demo_reply = Reply(thread.topic.id, demo.id, "demo reply in a real topic", kT0 + 1);
  Must(store().CreateReviewItem(SafetyItem(demo_question.id, 2, kT0)));
  Must(store().CreateReviewItem(SafetyItem(demo_reply.id, 1, kT0 + 1)));
  NewReviewItem flag = SafetyItem(thread.question.id, 1, kT0 + 2);
  flag.kind = ReviewKind::kFlag;
  flag.reporter = demo.id;
  ReviewItemRow real_item = Must(store().CreateReviewItem(flag));
  Must(store().CreateNotice({demo.id, "worry", "t", "", "", kT0}));
  Must(store().RecordWorryReport({demo.id, thread.question.id, thread.writer.id, kT0, true}));
  Must(store().RecordWorryReport({thread.helper.id, demo_question.id, demo.id, kT0, true}));
  // A demo person made moderator for a tour of the tools.
  Must(store().SetRole(demo.id, Role::kModerator));
  Must(store().AppendModlog(LogEntry(demo.id, "review.dismissed", "review", 1, "", "", "", kT0)));
  Must(store().AppendModlog(LogEntry(thread.moderator.id, "review.handled", "review", 2, "", "", "", kT0)));

  Must(store().DeleteDemoContent());

  std::vector<ReviewItemRow> left = Must(store().ListReviewItems(true, 0, 10));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, real_item.id);
  EXPECT_FALSE(left[0].reporter.has_value());
  EXPECT_EQ(left[0].reporter_name, "");
  EXPECT_EQ(Must(store().CountWorryReportsBy(thread.helper.id, 0)), 0);
  EXPECT_FALSE(Must(store().LastWorryMessageTo(thread.writer.id)).has_value());
  EXPECT_TRUE(Must(store().ListNotices(demo.id, 0, 10)).empty());
  std::vector<ModlogRow> log = Must(store().ListModlog(0, 10));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].actor, thread.moderator.id);
  std::vector<UserRow> responders = Must(store().ListResponders(true));
  ASSERT_EQ(responders.size(), 1u);
  EXPECT_EQ(responders[0].id, thread.moderator.id);
}

// --- Durability and concurrency ----------------------------------------------------------------

TEST_P(StoreTest, RateTokensRefillAtTheirRateAndKeysAreSeparate) {
  const double t = 1'000'000.0;
  // A burst of 2, one token every 10 seconds.
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t)), 0);
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t)), 0);
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t)), 10);       // empty: ten seconds to one token
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t + 4)), 6);    // a refusal takes nothing
  EXPECT_EQ(Must(store().TakeRateToken("login:bea", 2, 0.1, t + 4)), 0);    // another key, its own bucket
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t + 10)), 0);   // refilled
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t + 5)), 10);   // a clock that steps back refills nothing
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t + 1000)), 0); // never more than the burst
  EXPECT_EQ(Must(store().TakeRateToken("login:ann", 2, 0.1, t + 1000)), 0);
  EXPECT_GT(Must(store().TakeRateToken("login:ann", 2, 0.1, t + 1000)), 0);
}

TEST_P(StoreTest, IdleRateBucketsAreForgottenOnATimer) {
  const double t = 1'000'000.0;
  const double per_day = 1.0 / 86400;  // so slow that only forgetting can make the bucket full again
  EXPECT_EQ(Must(store().TakeRateToken("post:addr:hash", 1, per_day, t)), 0);
  EXPECT_GT(Must(store().TakeRateToken("post:addr:hash", 1, per_day, t + 1)), 0);
  Must(store().ForgetIdleRateBuckets(t + 60));  // used a minute ago: kept
  EXPECT_GT(Must(store().TakeRateToken("post:addr:hash", 1, per_day, t + 61)), 0);
  Must(store().ForgetIdleRateBuckets(t + 61 + 3601));  // idle for over an hour: gone
  EXPECT_EQ(Must(store().TakeRateToken("post:addr:hash", 1, per_day, t + 61 + 3602)), 0);
}

TEST_P(StoreTest, ConcurrentRateTokensAreNeverSpentTwice) {
  // Four threads (four nodes, for PostgreSQL) take from one bucket of 20 at one moment: exactly
  // 20 succeed.
  constexpr int kBurst = 20;
  std::atomic<int> granted = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        auto wait = store().TakeRateToken("post:addr:127.0.0.1", kBurst, 0.001, 5'000.0);
        if (wait.ok() && *wait == 0) ++granted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), kBurst);
}

TEST_P(StoreTest, DataSurvivesReopen) {
  UserRow user = MakeUser("stays");
  CategoryRow category = MakeCategory("Kept");
  TopicId topic = MakeTopic(category.id, user.id, "Still here", kT0).first.id;
  Reply(topic, user.id, "reply", kT0 + 1);
  Close();
  Reopen();  // also proves the migrations are not run twice: they would clash on existing tables
  Reopen();
  EXPECT_EQ(Must(store().FindUserByName("STAYS")).id, user.id);
  EXPECT_EQ(Must(store().FindTopic(topic)).reply_count, 1);
  EXPECT_EQ(Must(store().ListCategories(false)).size(), 1u);
  EXPECT_EQ(Reply(topic, user.id, "after reopen", kT0 + 2).number, 3);
}

TEST_P(StoreTest, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kRepliesPerThread = 40;
  CategoryRow category = MakeCategory("Busy");
  UserRow asker = MakeUser("asker");
  TopicId topic = MakeTopic(category.id, asker.id, "Popular", kT0).first.id;
  PostId question = Must(store().ListPosts(topic, 0, 1))[0].id;

  std::atomic<int> failures{0};
  std::vector<std::string> first_failure(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto note = [&](const Error& error) {
        if (failures++ == 0) first_failure[t] = error.key + ": " + error.message;
      };
      Result<UserRow> user = store().CreateUser({"writer" + std::to_string(t), "", "", Role::kMember, kT0, false});
      if (!user.ok()) return note(user.error());
      for (int i = 0; i < kRepliesPerThread; ++i) {
        Result<PostRow> reply =
            store().CreateReply({topic, user->id, std::nullopt, "reply " + std::to_string(i), "<p>r</p>", kT0 + i});
        if (!reply.ok()) note(reply.error());
        if (Result<void> r = store().AddReaction(question, user->id, ReactionKind::kHug, kT0); !r.ok()) note(r.error());
        if (Result<TopicList> r = store().ListTopics(std::nullopt, 0, 10); !r.ok()) note(r.error());
        if (Result<std::vector<PostRow>> r = store().ListPosts(topic, 0, 20); !r.ok()) note(r.error());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : first_failure) EXPECT_EQ(failure, "");
  EXPECT_EQ(failures.load(), 0);

  const int kReplies = kThreads * kRepliesPerThread;
  EXPECT_EQ(Must(store().FindTopic(topic)).reply_count, kReplies);
  std::vector<PostRow> posts = Must(store().ListPosts(topic, 0, kReplies + 10));
  ASSERT_EQ(posts.size(), static_cast<std::size_t>(kReplies + 1));
  for (int i = 0; i < kReplies + 1; ++i) EXPECT_EQ(posts[i].number, i + 1);
  EXPECT_EQ(Must(store().FindPost(question)).reactions[static_cast<int>(ReactionKind::kHug)], kThreads);
  EXPECT_EQ(Must(store().CountUsers()), kThreads + 1);
}

// --- Moderation and privacy (issue 5) -------------------------------------------------------------

NewTopic TopicBy(CategoryId category, UserId user, const std::string& title, UnixSeconds at) {
  NewTopic topic;
  topic.category_id = category;
  topic.user_id = user;
  topic.title = title;
  topic.body_markdown = "Body of " + title;
  topic.body_html = "<p>Body of " + title + "</p>";
  topic.created_at = at;
  return topic;
}

NewPost ReplyBy(TopicId topic, UserId user, const std::string& body, UnixSeconds at) {
  NewPost post;
  post.topic_id = topic;
  post.user_id = user;
  post.body_markdown = body;
  post.body_html = "<p>" + body + "</p>";
  post.created_at = at;
  return post;
}

std::set<std::pair<std::string, std::int64_t>> EventsAfter(Store& store, std::int64_t seq) {
  std::set<std::pair<std::string, std::int64_t>> out;
  for (const EventRow& event : Must(store.ReadEvents(seq, 1000))) out.insert({event.kind, event.subject_id});
  return out;
}

TEST_P(StoreTest, NewMembersStartWithDefaultsForModeration) {
  UserRow user = MakeUser("newcomer");
  EXPECT_EQ(user.trust_level, TrustLevel::kNew);
  EXPECT_FALSE(user.trust_pinned);
  EXPECT_FALSE(user.suspended_until.has_value());
  EXPECT_EQ(user.suspended_reason, "");
  EXPECT_EQ(user.flags_upheld, 0);
  EXPECT_EQ(user.flags_rejected, 0);
  EXPECT_EQ(user.muted_words, "");
  EXPECT_FALSE(user.show_warned_posts);
  EXPECT_FALSE(user.erased_at.has_value());
}

TEST_P(StoreTest, SetsTrustSuspensionFlaggerRecordAndPersonalControls) {
  UserRow user = MakeUser("rowan");

  Must(store().SetTrust(user.id, TrustLevel::kTrusted, /*pinned=*/true));
  UserRow saved = Must(store().FindUserById(user.id));
  EXPECT_EQ(saved.trust_level, TrustLevel::kTrusted);
  EXPECT_TRUE(saved.trust_pinned);
  EXPECT_TRUE(saved.trusted_supporter());
  Must(store().SetTrust(user.id, TrustLevel::kBasic, false));
  saved = Must(store().FindUserById(user.id));
  EXPECT_EQ(saved.trust_level, TrustLevel::kBasic);
  EXPECT_FALSE(saved.trust_pinned);

  Must(store().SetSuspension(user.id, kT0 + 3600, "Taking a short break after heated replies"));
  saved = Must(store().FindUserById(user.id));
  EXPECT_EQ(saved.suspended_until, std::optional<UnixSeconds>(kT0 + 3600));
  EXPECT_EQ(saved.suspended_reason, "Taking a short break after heated replies");
  EXPECT_TRUE(saved.suspended_at(kT0));
  EXPECT_FALSE(saved.suspended_at(kT0 + 3600));
  // Lifting it clears the reason too.
  Must(store().SetSuspension(user.id, std::nullopt, "ignored"));
  saved = Must(store().FindUserById(user.id));
  EXPECT_FALSE(saved.suspended_until.has_value());
  EXPECT_EQ(saved.suspended_reason, "");

  Must(store().AddFlagOutcomes(user.id, 2, 0));
  Must(store().AddFlagOutcomes(user.id, 1, 3));
  Must(store().AddFlagOutcomes(user.id, 0, 0));
  saved = Must(store().FindUserById(user.id));
  EXPECT_EQ(saved.flags_upheld, 3);
  EXPECT_EQ(saved.flags_rejected, 3);

  Must(store().SetPersonalControls(user.id, "exams\nmy ex", true));
  saved = Must(store().FindUserByName("ROWAN"));
  EXPECT_EQ(saved.muted_words, "exams\nmy ex");
  EXPECT_TRUE(saved.show_warned_posts);

  const UserId nobody(404);
  EXPECT_EQ(store().SetTrust(nobody, TrustLevel::kBasic, false).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().SetSuspension(nobody, kT0, "r").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().AddFlagOutcomes(nobody, 1, 0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().SetPersonalControls(nobody, "", false).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, AnonymousTopicsAndPostsCarryNoName) {
  UserRow asker = MakeUser("asker");
  UserRow helper = MakeUser("helper");
  CategoryRow category = MakeCategory("Family");
  NewTopic anonymous = TopicBy(category.id, asker.id, "Telling my parents", kT0);
  anonymous.anonymous = true;
  anonymous.content_warning = "family conflict";
  auto [topic, question] = Must(store().CreateTopic(anonymous));
  NewPost anonymous_reply = ReplyBy(topic.id, asker.id, "thank you", kT0 + 2);
  anonymous_reply.anonymous = true;
  PostRow named = Must(store().CreateReply(ReplyBy(topic.id, helper.id, "you are not alone", kT0 + 1)));
  PostRow own_reply = Must(store().CreateReply(anonymous_reply));

  auto expect_anonymous_topic = [&](const TopicRow& row) {
    EXPECT_TRUE(row.anonymous);
    EXPECT_EQ(row.author_state, AuthorState::kAnonymous);
    EXPECT_EQ(row.author_name, "");
    EXPECT_EQ(row.user_id, asker.id);  // kept, for the guardian
  };
  expect_anonymous_topic(topic);
  expect_anonymous_topic(Must(store().FindTopic(topic.id)));
  expect_anonymous_topic(Must(store().ListTopics(std::nullopt, 0, 10)).topics.at(0));

  EXPECT_TRUE(question.anonymous);
  EXPECT_EQ(question.content_warning, "family conflict");
  EXPECT_EQ(question.author_state, AuthorState::kAnonymous);
  EXPECT_EQ(question.author_name, "");
  EXPECT_EQ(question.user_id, asker.id);

  std::vector<PostRow> posts = Must(store().ListPosts(topic.id, 0, 10));
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].author_name, "");
  EXPECT_EQ(posts[1].id, named.id);
  EXPECT_FALSE(posts[1].anonymous);
  EXPECT_EQ(posts[1].author_state, AuthorState::kNamed);
  EXPECT_EQ(posts[1].author_name, "helper");
  EXPECT_EQ(posts[1].content_warning, "");
  EXPECT_EQ(posts[2].id, own_reply.id);
  EXPECT_EQ(posts[2].author_state, AuthorState::kAnonymous);
  EXPECT_EQ(posts[2].author_name, "");
  EXPECT_EQ(Must(store().FindPost(own_reply.id)).author_name, "");
  EXPECT_EQ(Must(store().ListLivePosts(PostId(0), 10)).at(0).author_name, "");

  // A moderator's queue shows no name either; the writer's id stays for RevealAnonymous.
  NewReviewItem flag;
  flag.kind = ReviewKind::kFlag;
  flag.post = question.id;
  flag.reporter = helper.id;
  flag.created_at = kT0 + 3;
  ReviewItemRow item = Must(store().CreateReviewItem(flag));
  EXPECT_EQ(item.writer, asker.id);
  EXPECT_EQ(item.writer_name, "");
  EXPECT_EQ(item.reporter_name, "helper");

  // A named topic by the same person names them.
  TopicRow named_topic = Must(store().CreateTopic(TopicBy(category.id, asker.id, "Named", kT0 + 4))).first;
  EXPECT_EQ(named_topic.author_state, AuthorState::kNamed);
  EXPECT_EQ(named_topic.author_name, "asker");
}

TEST_P(StoreTest, PostsByUserLeaveOutAnonymousAndHiddenUnlessTheirOwnView) {
  UserRow user = MakeUser("sam");
  CategoryRow category = MakeCategory("C");
  NewTopic topic = TopicBy(category.id, user.id, "Open question", kT0);
  TopicId topic_id = Must(store().CreateTopic(topic)).first.id;
  NewPost anonymous = ReplyBy(topic_id, user.id, "anonymous words", kT0 + 1);
  anonymous.anonymous = true;
  Must(store().CreateReply(anonymous));
  NewPost held = ReplyBy(topic_id, user.id, "held words", kT0 + 2);
  held.held = true;
  Must(store().CreateReply(held));
  PostRow hidden = Must(store().CreateReply(ReplyBy(topic_id, user.id, "hidden words", kT0 + 3)));
  Must(store().SetPostHidden(hidden.id, kT0 + 4, "moderator"));

  EXPECT_EQ(Must(store().CountPostsByUser(user.id, /*include_anonymous=*/false)), 1);
  std::vector<PostRow> public_view = Must(store().ListPostsByUser(user.id, 0, 10, false));
  ASSERT_EQ(public_view.size(), 1u);
  EXPECT_EQ(public_view[0].number, 1);

  EXPECT_EQ(Must(store().CountPostsByUser(user.id, /*include_anonymous=*/true)), 4);
  std::vector<PostRow> own_view = Must(store().ListPostsByUser(user.id, 0, 10, true));
  ASSERT_EQ(own_view.size(), 4u);
  EXPECT_EQ(own_view[0].id, hidden.id);  // newest first
  EXPECT_TRUE(own_view[1].hidden_at.has_value());
  EXPECT_TRUE(own_view[2].anonymous);
}

TEST_P(StoreTest, HeldTopicIsLeftOutOfListsUntilShown) {
  UserRow user = MakeUser("new-member");
  CategoryRow category = MakeCategory("C");
  TopicRow visible = MakeTopic(category.id, user.id, "Visible", kT0).first;
  NewTopic held = TopicBy(category.id, user.id, "First post with a link", kT0 + 10);
  held.held = true;
  auto [topic, question] = Must(store().CreateTopic(held));
  EXPECT_EQ(topic.hidden_at, std::optional<UnixSeconds>(kT0 + 10));
  EXPECT_EQ(question.hidden_at, std::optional<UnixSeconds>(kT0 + 10));
  EXPECT_EQ(question.hidden_reason, "held");

  auto listed = [&](std::optional<CategoryId> in) {
    TopicList list = Must(store().ListTopics(in, 0, 10));
    std::vector<std::int64_t> ids;
    for (const TopicRow& row : list.topics) ids.push_back(row.id.value);
    return std::pair(ids, list.total);
  };
  const auto only_visible = std::pair(std::vector<std::int64_t>{visible.id.value}, std::int64_t{1});
  EXPECT_EQ(listed(std::nullopt), only_visible);
  EXPECT_EQ(listed(category.id), only_visible);
  // Its writer and the moderators still find it.
  EXPECT_EQ(Must(store().FindTopic(topic.id)).hidden_at, std::optional<UnixSeconds>(kT0 + 10));

  std::int64_t seq = Must(store().LatestEventSeq());
  PostRow shown = Must(store().SetPostHidden(question.id, std::nullopt, ""));
  EXPECT_FALSE(shown.hidden_at.has_value());
  EXPECT_EQ(shown.hidden_reason, "");
  EXPECT_FALSE(Must(store().FindTopic(topic.id)).hidden_at.has_value());
  EXPECT_EQ(listed(std::nullopt).second, 2);
  EXPECT_EQ(EventsAfter(store(), seq),
            (std::set<std::pair<std::string, std::int64_t>>{{events::kPostShown, question.id.value}}));

  // Hiding the question again hides the topic with it.
  Must(store().SetPostHidden(question.id, kT0 + 20, "moderator"));
  EXPECT_EQ(Must(store().FindTopic(topic.id)).hidden_at, std::optional<UnixSeconds>(kT0 + 20));
  EXPECT_EQ(listed(category.id), only_visible);
}

TEST_P(StoreTest, HeldRepliesAndImportedThreadsKeepHowTheyAreShown) {
  UserRow user = MakeUser("ira");
  CategoryRow category = MakeCategory("C");
  TopicRow topic = MakeTopic(category.id, user.id, "T", kT0).first;
  NewPost held = ReplyBy(topic.id, user.id, "see https://example.org", kT0 + 5);
  held.held = true;
  held.content_warning = "grief";
  PostRow reply = Must(store().CreateReply(held));
  EXPECT_EQ(reply.hidden_at, std::optional<UnixSeconds>(kT0 + 5));
  EXPECT_EQ(reply.hidden_reason, "held");
  EXPECT_EQ(reply.content_warning, "grief");
  // A held reply does not hide its topic.
  EXPECT_FALSE(Must(store().FindTopic(topic.id)).hidden_at.has_value());
  EXPECT_EQ(Must(store().ListTopics(std::nullopt, 0, 10)).total, 1);

  NewTopic imported = TopicBy(category.id, user.id, "Imported", kT0 + 10);
  imported.anonymous = true;
  imported.content_warning = "loss";
  NewPost imported_reply = ReplyBy(TopicId(0), user.id, "imported reply", kT0 + 11);
  imported_reply.anonymous = true;
  imported_reply.held = true;
  TopicRow thread = Must(store().ImportThread(imported, {imported_reply}));
  EXPECT_TRUE(thread.anonymous);
  EXPECT_EQ(thread.author_state, AuthorState::kAnonymous);
  std::vector<PostRow> posts = Must(store().ListPosts(thread.id, 0, 10));
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].content_warning, "loss");
  EXPECT_TRUE(posts[0].anonymous);
  EXPECT_TRUE(posts[1].anonymous);
  EXPECT_EQ(posts[1].hidden_reason, "held");
  EXPECT_EQ(posts[1].hidden_at, std::optional<UnixSeconds>(kT0 + 11));
}

TEST_P(StoreTest, SetPostHiddenHidesAndShowsAReplyWithEvents) {
  UserRow user = MakeUser("u");
  CategoryRow category = MakeCategory("C");
  TopicRow topic = MakeTopic(category.id, user.id, "T", kT0).first;
  PostRow reply = Reply(topic.id, user.id, "flagged words", kT0 + 1);

  std::int64_t seq = Must(store().LatestEventSeq());
  PostRow hidden = Must(store().SetPostHidden(reply.id, kT0 + 5, "flags"));
  EXPECT_EQ(hidden.hidden_at, std::optional<UnixSeconds>(kT0 + 5));
  EXPECT_EQ(hidden.hidden_reason, "flags");
  EXPECT_EQ(hidden.body_markdown, "flagged words");                       // hidden, not erased
  EXPECT_FALSE(Must(store().FindTopic(topic.id)).hidden_at.has_value());  // only the question hides its topic
  std::vector<EventRow> events = Must(store().ReadEvents(seq, 10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, events::kPostHidden);
  EXPECT_EQ(events[0].subject_id, reply.id.value);
  EXPECT_EQ(events[0].created_at, kT0 + 5);

  PostRow shown = Must(store().SetPostHidden(reply.id, std::nullopt, ""));
  EXPECT_FALSE(shown.hidden_at.has_value());
  EXPECT_EQ(shown.hidden_reason, "");
  events = Must(store().ReadEvents(seq, 10));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, events::kPostShown);
  EXPECT_EQ(events[1].subject_id, reply.id.value);
  // Showing what is shown changes nothing.
  Must(store().SetPostHidden(reply.id, std::nullopt, ""));
  EXPECT_EQ(Must(store().ReadEvents(seq, 10)).size(), 2u);

  EXPECT_EQ(store().SetPostHidden(PostId(999), kT0, "moderator").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, LastPostTimeInIsThatMembersLatestPostThere) {
  UserRow ann = MakeUser("ann");
  UserRow bo = MakeUser("bo");
  CategoryRow category = MakeCategory("C");
  TopicRow topic = MakeTopic(category.id, ann.id, "T", kT0).first;
  TopicRow other = MakeTopic(category.id, bo.id, "U", kT0 + 100).first;

  EXPECT_EQ(Must(store().LastPostTimeIn(topic.id, ann.id)), std::optional<UnixSeconds>(kT0));  // the question
  EXPECT_FALSE(Must(store().LastPostTimeIn(topic.id, bo.id)).has_value());
  Reply(topic.id, bo.id, "one", kT0 + 10);
  PostRow later = Reply(topic.id, bo.id, "two", kT0 + 20);
  Reply(other.id, bo.id, "elsewhere", kT0 + 200);
  Reply(topic.id, ann.id, "ann again", kT0 + 300);
  EXPECT_EQ(Must(store().LastPostTimeIn(topic.id, bo.id)), std::optional<UnixSeconds>(kT0 + 20));
  // Deleting the reply does not reset the pause.
  Must(store().DeletePost(later.id, kT0 + 21));
  EXPECT_EQ(Must(store().LastPostTimeIn(topic.id, bo.id)), std::optional<UnixSeconds>(kT0 + 20));
}

TEST_P(StoreTest, SlowModeIsSavedWithAnEvent) {
  UserRow user = MakeUser("u");
  CategoryRow category = MakeCategory("C");
  TopicRow topic = MakeTopic(category.id, user.id, "Heated", kT0).first;
  EXPECT_EQ(topic.slow_mode_seconds, 0);

  TopicRow slowed = Must(store().SetSlowMode(topic.id, 600));
  EXPECT_EQ(slowed.slow_mode_seconds, 600);
  EXPECT_EQ(Must(store().FindTopic(topic.id)).slow_mode_seconds, 600);
  EXPECT_EQ(AllEvents().back().kind, events::kTopicUpdated);
  EXPECT_EQ(AllEvents().back().subject_id, topic.id.value);
  EXPECT_EQ(Must(store().SetSlowMode(topic.id, 0)).slow_mode_seconds, 0);

  EXPECT_EQ(store().SetSlowMode(TopicId(999), 60).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().SetSlowMode(topic.id, -1).error().code, ErrorCode::kInvalidInput);
}

// What a signed-in member's pages are built from is cached until the feed moves (forum's
// FeedCaches), so every change to it must append to the feed, on every backend.
TEST_P(StoreTest, ChangesToWhatAMembersPagesShowAppendToTheFeed) {
  UserRow me = MakeUser("me");
  UserRow zed = MakeUser("zed");
  Must(store().CreateSession({"hash-1", me.id, "csrf-1", kT0, kT0 + 100}));
  auto appends_member_changed = [&](const std::function<Result<void>()>& change, std::int64_t subject) {
    const std::int64_t before = Must(store().LatestEventSeq());
    Must(change());
    std::vector<EventRow> after = Must(store().ReadEvents(before, 10));
    return after.size() == 1 && after[0].kind == events::kMemberChanged && after[0].subject_id == subject;
  };
  EXPECT_TRUE(appends_member_changed([&] { return store().AddBlock(me.id, zed.id, kT0); }, me.id.value));
  EXPECT_TRUE(appends_member_changed([&] { return store().RemoveBlock(me.id, zed.id); }, me.id.value));
  EXPECT_TRUE(appends_member_changed([&] { return store().SetPersonalControls(me.id, "rent", true); }, me.id.value));
  EXPECT_TRUE(appends_member_changed([&] { return store().SetRole(me.id, Role::kModerator); }, me.id.value));
  EXPECT_TRUE(appends_member_changed([&] { return store().SetTrust(me.id, TrustLevel::kTrusted, true); }, me.id.value));
  EXPECT_TRUE(
      appends_member_changed([&] { return store().SetSuspension(me.id, kT0 + 50, "a pause"); }, me.id.value));
  EXPECT_TRUE(appends_member_changed([&] { return store().DeleteSession("hash-1"); }, 0));
  Must(store().CreateSession({"hash-2", me.id, "csrf-2", kT0, kT0 + 100}));
  EXPECT_TRUE(appends_member_changed([&] { return store().DeleteUserSessions(me.id); }, me.id.value));

  // What changes nothing appends nothing: each event empties every cache that follows the feed.
  const std::int64_t settled = Must(store().LatestEventSeq());
  Must(store().DeleteSession("hash-1"));
  Must(store().DeleteUserSessions(me.id));
  Must(store().RemoveBlock(me.id, zed.id));
  Must(store().AddBlock(me.id, zed.id, kT0));
  const std::int64_t after_one_block = Must(store().LatestEventSeq());
  EXPECT_EQ(after_one_block, settled + 1);
  Must(store().AddBlock(me.id, zed.id, kT0));
  EXPECT_EQ(Must(store().LatestEventSeq()), after_one_block);
}

TEST_P(StoreTest, BlocksAreOneWayAndIdempotent) {
  UserRow me = MakeUser("me");
  UserRow zed = MakeUser("Zed");
  UserRow amy = MakeUser("amy");
  EXPECT_FALSE(Must(store().IsBlocked(me.id, zed.id)));
  EXPECT_TRUE(Must(store().ListBlocked(me.id)).empty());

  Must(store().AddBlock(me.id, zed.id, kT0));
  Must(store().AddBlock(me.id, zed.id, kT0 + 1));  // a double click
  Must(store().AddBlock(me.id, amy.id, kT0 + 2));
  EXPECT_TRUE(Must(store().IsBlocked(me.id, zed.id)));
  EXPECT_FALSE(Must(store().IsBlocked(zed.id, me.id)));
  std::vector<UserRow> blocked = Must(store().ListBlocked(me.id));
  ASSERT_EQ(blocked.size(), 2u);
  EXPECT_EQ(blocked[0].username, "amy");  // by name, ignoring case
  EXPECT_EQ(blocked[1].username, "Zed");
  EXPECT_TRUE(Must(store().ListBlocked(zed.id)).empty());

  Must(store().RemoveBlock(me.id, zed.id));
  Must(store().RemoveBlock(me.id, zed.id));  // not there: still fine
  EXPECT_FALSE(Must(store().IsBlocked(me.id, zed.id)));
  ASSERT_EQ(Must(store().ListBlocked(me.id)).size(), 1u);

  EXPECT_EQ(store().AddBlock(me.id, UserId(404), kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, WatchedWordsAreOnePerPatternIgnoringCase) {
  WatchedWordRow spam;
  spam.pattern = "Spam*";
  spam.action = WatchedAction::kBlock;
  spam.created_at = kT0;
  WatchedWordRow added = Must(store().AddWatchedWord(spam));
  EXPECT_GT(added.id, 0);
  EXPECT_EQ(added.pattern, "Spam*");
  EXPECT_EQ(added.action, WatchedAction::kBlock);
  EXPECT_EQ(added.created_at, kT0);

  WatchedWordRow replace;
  replace.pattern = "darn";
  replace.action = WatchedAction::kReplace;
  replace.replacement = "d***";
  replace.created_at = kT0 + 1;
  WatchedWordRow second = Must(store().AddWatchedWord(replace));
  EXPECT_EQ(second.replacement, "d***");

  std::vector<WatchedWordRow> words = Must(store().ListWatchedWords());
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].pattern, "darn");  // by pattern
  EXPECT_EQ(words[1].pattern, "Spam*");

  WatchedWordRow again = spam;
  again.pattern = "SPAM*";
  again.action = WatchedAction::kFlag;
  Result<WatchedWordRow> clash = store().AddWatchedWord(again);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(clash.error().field, "pattern");
  EXPECT_EQ(Must(store().ListWatchedWords()).size(), 2u);

  Must(store().RemoveWatchedWord(added.id));
  EXPECT_EQ(store().RemoveWatchedWord(added.id).error().code, ErrorCode::kNotFound);
  ASSERT_EQ(Must(store().ListWatchedWords()).size(), 1u);
  // Once removed, the pattern can be watched again.
  Must(store().AddWatchedWord(again));
}

TEST_P(StoreTest, ListsWhatIsKeptAboutOneMemberForTheirExport) {
  UserRow me = MakeUser("me");
  UserRow other = MakeUser("other");
  CategoryRow category = MakeCategory("C");
  PostRow post = MakeTopic(category.id, other.id, "T", kT0).second;
  Must(store().CreateSession({"hash-b", me.id, "csrf-b", kT0 + 5, kT0 + 9999}));
  Must(store().CreateSession({"hash-a", me.id, "csrf-a", kT0 + 1, kT0 + 2}));  // expired: still kept
  Must(store().CreateSession({"hash-other", other.id, "csrf", kT0, kT0 + 9999}));
  Must(store().AddReaction(post.id, me.id, ReactionKind::kHug, kT0 + 3));
  Must(store().AddReaction(post.id, me.id, ReactionKind::kHelpful, kT0 + 4));
  Must(store().AddReaction(post.id, other.id, ReactionKind::kHug, kT0 + 4));
  NewReviewItem flag;
  flag.kind = ReviewKind::kFlag;
  flag.post = post.id;
  flag.reporter = me.id;
  flag.note = "this seems unkind";
  flag.created_at = kT0 + 6;
  Must(store().CreateReviewItem(flag));
  NewReviewItem safety;
  safety.post = post.id;
  safety.created_at = kT0 + 7;
  Must(store().CreateReviewItem(safety));
  Must(store().RecordWorryReport({me.id, post.id, other.id, kT0 + 8, true}));
  Must(store().RecordWorryReport({other.id, post.id, other.id, kT0 + 9, false}));

  std::vector<SessionRow> sessions = Must(store().ListSessionsOfUser(me.id));
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].token_hash, "hash-a");
  EXPECT_EQ(sessions[1].csrf_token, "csrf-b");
  EXPECT_EQ(sessions[1].expires_at, kT0 + 9999);

  std::vector<ReactionGivenRow> reactions = Must(store().ListReactionsByUser(me.id));
  ASSERT_EQ(reactions.size(), 2u);
  EXPECT_EQ(reactions[0].kind, ReactionKind::kHug);
  EXPECT_EQ(reactions[0].post, post.id);
  EXPECT_EQ(reactions[0].created_at, kT0 + 3);
  EXPECT_EQ(reactions[1].kind, ReactionKind::kHelpful);

  std::vector<ReviewItemRow> flags = Must(store().ListFlagsByReporter(me.id));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].note, "this seems unkind");
  EXPECT_EQ(flags[0].post, post.id);
  EXPECT_TRUE(Must(store().ListFlagsByReporter(other.id)).empty());

  std::vector<WorryReportRow> worries = Must(store().ListWorryReportsBy(me.id));
  ASSERT_EQ(worries.size(), 1u);
  EXPECT_EQ(worries[0].reporter, me.id);
  EXPECT_EQ(worries[0].post, post.id);
  EXPECT_EQ(worries[0].writer, other.id);
  EXPECT_EQ(worries[0].created_at, kT0 + 8);
  EXPECT_TRUE(worries[0].message_sent);
}

// Someone leaving, and everything around them, for the EraseUser tests.
struct LeaverWorld {
  UserRow leaver;
  UserRow friend_;
  UserRow moderator;
  CategoryRow category;
  TopicRow own_alone;     // asked by the leaver, no one else replied
  TopicRow own_answered;  // asked by the leaver, the friend replied
  PostRow own_answered_question;
  PostRow friend_answer;
  TopicRow friends_topic;  // asked by the friend, the leaver replied
  PostRow friends_question;
  PostRow leaver_reply;
  ReviewItemRow flag_by_leaver;
  ReviewItemRow item_on_leaver;
};

class EraseUserTest : public StoreTest {
 protected:
  static constexpr const char* kLeaverName = "Leaver-7c1e";
  static constexpr const char* kLeaverEmail = "leaver-7c1e@example.org";
  static constexpr const char* kLeaverWords = "LEAVER-WORDS-7c1e";

  LeaverWorld MakeWorld() {
    LeaverWorld w;
    w.leaver = Must(store().CreateUser({kLeaverName, kLeaverEmail, "$argon2id$leaver", Role::kMember, kT0, false}));
    w.friend_ = MakeUser("friend");
    w.moderator = Must(store().CreateUser({"moderator", "", "h", Role::kModerator, kT0, false}));
    w.category = MakeCategory("C");
    const std::string words = kLeaverWords;
    w.own_alone = Must(store().CreateTopic(TopicBy(w.category.id, w.leaver.id, words + " alone", kT0 + 1))).first;
    std::tie(w.own_answered, w.own_answered_question) =
        Must(store().CreateTopic(TopicBy(w.category.id, w.leaver.id, words + " answered", kT0 + 2)));
    w.friend_answer = Reply(w.own_answered.id, w.friend_.id, "friend answers", kT0 + 3);
    std::tie(w.friends_topic, w.friends_question) = MakeTopic(w.category.id, w.friend_.id, "Friend asks", kT0 + 4);
    w.leaver_reply = Reply(w.friends_topic.id, w.leaver.id, words + " reply", kT0 + 5);
    Reply(w.friends_topic.id, w.friend_.id, "friend again", kT0 + 6);
    Must(store().EditPost(w.leaver_reply.id, words + " edited", "<p>" + words + " edited</p>", kT0 + 7));

    Must(store().AddReaction(w.friends_question.id, w.leaver.id, ReactionKind::kHug, kT0 + 8));
    Must(store().AddReaction(w.friends_question.id, w.friend_.id, ReactionKind::kHug, kT0 + 8));
    Must(store().AddReaction(w.friends_question.id, w.leaver.id, ReactionKind::kMeToo, kT0 + 8));
    Must(store().AddReaction(w.leaver_reply.id, w.friend_.id, ReactionKind::kHelpful, kT0 + 8));
    Must(store().CreateSession({"leaver-session", w.leaver.id, "csrf", kT0, kT0 + 99999}));
    Must(store().CreateNotice({w.leaver.id, "worry", "Someone is thinking of you", "<p>hi</p>", "", kT0 + 9}));
    // An alert to a moderator that quotes the leaver, and one that leads to their post.
    Must(store().CreateNotice({w.moderator.id, "safety_alert", "A post may need a gentle look",
                               std::string("<p>A post by <strong>") + kLeaverName + "</strong> in \"x\"</p>",
                               "/mod/queue", kT0 + 9}));
    Must(store().CreateNotice({w.moderator.id, "waiting_for_reply", "Waiting for a reply", "<p>" + words + "</p>",
                               "/p/" + std::to_string(w.leaver_reply.id.value), kT0 + 9}));
    Must(store().CreateNotice({w.moderator.id, "misplaced", "Unrelated", "<p>kept</p>",
                               "/p/" + std::to_string(w.friends_question.id.value), kT0 + 9}));
    Must(store().AddBlock(w.leaver.id, w.friend_.id, kT0));
    Must(store().AddBlock(w.friend_.id, w.leaver.id, kT0));
    Must(store().RecordWorryReport({w.leaver.id, w.friends_question.id, w.friend_.id, kT0 + 10, true}));
    Must(store().RecordWorryReport({w.friend_.id, w.leaver_reply.id, w.leaver.id, kT0 + 10, true}));
    NewReviewItem flag;
    flag.kind = ReviewKind::kFlag;
    flag.post = w.friend_answer.id;
    flag.reporter = w.leaver.id;
    flag.note = "flag note by the leaver";
    flag.created_at = kT0 + 11;
    w.flag_by_leaver = Must(store().CreateReviewItem(flag));
    NewReviewItem safety;
    safety.post = w.leaver_reply.id;
    safety.reasons = "intent";
    safety.created_at = kT0 + 12;
    w.item_on_leaver = Must(store().CreateReviewItem(safety));
    Must(store().AppendModlog(
        LogEntry(w.moderator.id, "post.hidden", "post", w.leaver_reply.id.value, words, "hidden", "unkind", kT0 + 13)));
    Must(store().AppendModlog(
        LogEntry(w.moderator.id, "post.hidden", "post", w.friend_answer.id.value, "friend", "hidden", "", kT0 + 14)));
    return w;
  }

  // What is erased whatever the mode.
  void ExpectAccountErased(const LeaverWorld& w) {
    UserRow erased = Must(store().FindUserById(w.leaver.id));
    const std::string new_name = "former-member-" + std::to_string(w.leaver.id.value);
    EXPECT_EQ(erased.username, new_name);
    EXPECT_EQ(erased.email, "");
    EXPECT_EQ(erased.password_hash, "");
    EXPECT_EQ(erased.erased_at, std::optional<UnixSeconds>(kT0 + 100));
    EXPECT_EQ(store().FindUserByName(kLeaverName).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(Must(store().FindUserByName(new_name)).id, w.leaver.id);

    EXPECT_EQ(store().FindSession("leaver-session", kT0).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(Must(store().ListNotices(w.leaver.id, 0, 10)).empty());
    std::vector<NoticeRow> moderators = Must(store().ListNotices(w.moderator.id, 0, 10));
    ASSERT_EQ(moderators.size(), 2u);  // the one leading to their post is gone
    for (const NoticeRow& notice : moderators) {
      EXPECT_EQ(notice.body_html.find(kLeaverName), std::string::npos) << notice.body_html;
      EXPECT_EQ(notice.body_html.find(kLeaverWords), std::string::npos) << notice.body_html;
    }
    EXPECT_FALSE(Must(store().IsBlocked(w.leaver.id, w.friend_.id)));
    EXPECT_FALSE(Must(store().IsBlocked(w.friend_.id, w.leaver.id)));
    EXPECT_TRUE(Must(store().ListWorryReportsBy(w.leaver.id)).empty());
    EXPECT_TRUE(Must(store().ListWorryReportsBy(w.friend_.id)).empty());  // it was about them
    EXPECT_TRUE(Must(store().ListReactionsByUser(w.leaver.id)).empty());
    PostRow reacted = Must(store().FindPost(w.friends_question.id));
    EXPECT_EQ(reacted.reactions[static_cast<int>(ReactionKind::kHug)], 1);  // the friend's stays
    EXPECT_EQ(reacted.reactions[static_cast<int>(ReactionKind::kMeToo)], 0);

    ReviewItemRow flag = Must(store().FindReviewItem(w.flag_by_leaver.id));
    EXPECT_FALSE(flag.reporter.has_value());
    EXPECT_EQ(flag.reporter_name, "");
    EXPECT_EQ(flag.note, "");
    EXPECT_TRUE(Must(store().ListFlagsByReporter(w.leaver.id)).empty());

    std::vector<ModlogRow> log = Must(store().ListModlog(0, 10));
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1].subject_id, w.leaver_reply.id.value);
    EXPECT_EQ(log[1].before, "");
    EXPECT_EQ(log[1].after, "");
    EXPECT_EQ(log[1].reason, "unkind");  // the moderator's own words stay
    EXPECT_EQ(log[0].before, "friend");  // someone else's post: untouched
  }
};

TEST_P(EraseUserTest, KeepingPostsLeavesThemUnderAFormerMember) {
  LeaverWorld w = MakeWorld();
  std::int64_t seq = Must(store().LatestEventSeq());
  Must(store().EraseUser(w.leaver.id, /*delete_posts=*/false, kT0 + 100));
  ExpectAccountErased(w);

  PostRow kept = Must(store().FindPost(w.leaver_reply.id));
  EXPECT_EQ(kept.body_markdown, std::string(kLeaverWords) + " edited");
  EXPECT_EQ(kept.author_state, AuthorState::kFormerMember);
  EXPECT_EQ(kept.author_name, "");
  EXPECT_EQ(kept.reactions[static_cast<int>(ReactionKind::kHelpful)], 1);  // given to them: stays
  TopicRow topic = Must(store().FindTopic(w.own_answered.id));
  EXPECT_EQ(topic.author_state, AuthorState::kFormerMember);
  EXPECT_EQ(topic.author_name, "");
  EXPECT_EQ(topic.title, std::string(kLeaverWords) + " answered");
  for (const TopicRow& listed : Must(store().ListTopics(std::nullopt, 0, 10)).topics) {
    if (listed.user_id == w.leaver.id) {
      EXPECT_EQ(listed.author_name, "");
      EXPECT_EQ(listed.author_state, AuthorState::kFormerMember);
    }
  }
  EXPECT_EQ(Must(store().FindReviewItem(w.item_on_leaver.id)).writer_name, "");
  EXPECT_EQ(Must(store().FindTopic(w.friends_topic.id)).reply_count, 2);

  auto events = EventsAfter(store(), seq);
  EXPECT_TRUE(events.contains({events::kUserErased, w.leaver.id.value}));
  EXPECT_TRUE(events.contains({events::kPostReactionsChanged, w.friends_question.id.value}));
  for (const auto& [kind, subject] : events) EXPECT_NE(kind, events::kPostDeleted);
}

TEST_P(EraseUserTest, DeletingPostsErasesThemAndRecounts) {
  LeaverWorld w = MakeWorld();
  std::int64_t seq = Must(store().LatestEventSeq());
  Must(store().EraseUser(w.leaver.id, /*delete_posts=*/true, kT0 + 100));
  ExpectAccountErased(w);

  // Asked alone: gone whole.
  EXPECT_EQ(store().FindTopic(w.own_alone.id).error().code, ErrorCode::kNotFound);
  // Answered by someone: stays, without its title or question.
  TopicRow answered = Must(store().FindTopic(w.own_answered.id));
  EXPECT_EQ(answered.title, "Removed by its author");
  EXPECT_EQ(answered.reply_count, 1);
  PostRow question = Must(store().FindPost(w.own_answered_question.id));
  EXPECT_EQ(question.deleted_at, std::optional<UnixSeconds>(kT0 + 100));
  EXPECT_EQ(question.body_markdown, "");
  EXPECT_EQ(question.body_html, "");
  EXPECT_EQ(Must(store().FindPost(w.friend_answer.id)).body_markdown, "friend answers");
  // Their reply in the friend's topic: erased, place kept, counts recounted.
  PostRow reply = Must(store().FindPost(w.leaver_reply.id));
  EXPECT_TRUE(reply.deleted_at.has_value());
  EXPECT_EQ(reply.body_markdown, "");
  EXPECT_EQ(reply.reactions[static_cast<int>(ReactionKind::kHelpful)], 0);
  EXPECT_TRUE(Must(store().ListRevisions(w.leaver_reply.id)).empty());
  EXPECT_EQ(Must(store().FindTopic(w.friends_topic.id)).reply_count, 1);
  EXPECT_EQ(Must(store().ListPosts(w.friends_topic.id, 0, 10)).size(), 3u);
  // The review items on their posts go; the flag they raised on the friend's post stays.
  EXPECT_EQ(store().FindReviewItem(w.item_on_leaver.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store().CountPostsByUser(w.leaver.id, true)), 0);
  TopicList topics = Must(store().ListTopics(std::nullopt, 0, 10));
  EXPECT_EQ(topics.total, 2);

  auto events = EventsAfter(store(), seq);
  EXPECT_TRUE(events.contains({events::kTopicDeleted, w.own_alone.id.value}));
  EXPECT_TRUE(events.contains({events::kPostDeleted, w.own_answered_question.id.value}));
  EXPECT_TRUE(events.contains({events::kPostDeleted, w.leaver_reply.id.value}));
  EXPECT_FALSE(events.contains({events::kPostDeleted, w.friend_answer.id.value}));
}

TEST_P(EraseUserTest, AModeratorsLogEntriesStayUnderTheNewName) {
  UserRow moderator = Must(store().CreateUser({"Mod-leaving", "m@example.org", "h", Role::kModerator, kT0, false}));
  UserRow member = MakeUser("member");
  Must(store().AppendModlog(LogEntry(moderator.id, "message.sent", "user", member.id.value, "", "", "", kT0)));
  Must(store().EraseUser(moderator.id, /*delete_posts=*/true, kT0 + 100));
  std::vector<ModlogRow> log = Must(store().ListModlog(0, 10));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].actor, moderator.id);
  EXPECT_EQ(log[0].actor_name, "former-member-" + std::to_string(moderator.id.value));

  EXPECT_EQ(store().EraseUser(UserId(404), false, kT0).error().code, ErrorCode::kNotFound);
  Must(store().EraseUser(moderator.id, false, kT0 + 200));  // twice: still fine
}

// The raw bytes, as DeletedTextIsGoneFromTheFile reads them: the old name, email and (with
// delete_posts) every word they wrote are gone from the database file and its log.
TEST_P(EraseUserTest, ErasedNameEmailAndWordsAreGoneFromTheFile) {
  if (!GetParam().data_files) GTEST_SKIP() << "this backend keeps no files a test can read";
  LeaverWorld w = MakeWorld();
  Must(store().EraseUser(w.leaver.id, /*delete_posts=*/true, kT0 + 100));

  auto file_bytes = [&] {
    std::string bytes;
    for (const fs::path& file : GetParam().data_files(dir_.path())) {
      std::ifstream in(file, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  };
  auto expect_gone = [&](const std::string& bytes) {
    EXPECT_NE(bytes.find("friend answers"), std::string::npos);  // proves the check can see text at all
    EXPECT_EQ(bytes.find(kLeaverName), std::string::npos);
    EXPECT_EQ(bytes.find("leaver-7c1e"), std::string::npos);  // the name as its lower-cased key, and the email
    EXPECT_EQ(bytes.find(kLeaverWords), std::string::npos);
    EXPECT_EQ(bytes.find("flag note by the leaver"), std::string::npos);
  };
  expect_gone(file_bytes());
  Close();
  expect_gone(file_bytes());
}

// A member with many posts is erased in one go, in bounded time.
TEST_P(EraseUserTest, ErasesAMemberWithManyPosts) {
  constexpr int kTopics = 20;
  constexpr int kRepliesPerTopic = 100;
  UserRow prolific = MakeUser("prolific");
  UserRow other = MakeUser("other");
  CategoryRow category = MakeCategory("C");
  std::vector<TopicId> topics;
  for (int t = 0; t < kTopics; ++t) {
    std::vector<NewPost> replies;
    for (int r = 0; r < kRepliesPerTopic; ++r) {
      replies.push_back(
          ReplyBy(TopicId(0), r % 10 == 0 ? other.id : prolific.id, "reply " + std::to_string(r), kT0 + r));
    }
    topics.push_back(
        Must(store().ImportThread(TopicBy(category.id, other.id, "T" + std::to_string(t), kT0), replies)).id);
  }
  ASSERT_EQ(Must(store().CountPostsByUser(prolific.id, true)), kTopics * kRepliesPerTopic * 9 / 10);

  Must(store().EraseUser(prolific.id, /*delete_posts=*/true, kT0 + 1000));
  EXPECT_EQ(Must(store().CountPostsByUser(prolific.id, true)), 0);
  for (TopicId topic : topics) EXPECT_EQ(Must(store().FindTopic(topic)).reply_count, kRepliesPerTopic / 10);
  std::int64_t deleted_events = 0;
  for (std::int64_t seq = 0;;) {
    std::vector<EventRow> page = Must(store().ReadEvents(seq, 1000));
    if (page.empty()) break;
    for (const EventRow& event : page) deleted_events += event.kind == events::kPostDeleted;
    seq = page.back().seq;
  }
  EXPECT_EQ(deleted_events, kTopics * kRepliesPerTopic * 9 / 10);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Backends, ReviewQueueTest, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Backends, EraseUserTest, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace kindred::store
