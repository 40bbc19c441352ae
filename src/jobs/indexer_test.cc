// The indexer against a real SQLite store and a real Xapian index in a temporary directory.
#include "jobs/indexer.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include "search/xapian/xapian_index.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace kindred::jobs {
namespace {

constexpr UnixSeconds kT0 = 1'795'809'987;

class IndexerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.path() / "kindred.db");
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    OpenIndex();
    user_ = store_->CreateUser({"ann", "", "hash", store::Role::kMember, kT0, false})->id;
    category_ = store_->CreateCategory({"therapy", "Therapy", "", false})->id;
  }

  void OpenIndex() {
    index_.reset();
    auto index = search::XapianIndex::Open(dir_.path() / "search");
    ASSERT_TRUE(index.ok()) << index.error().message;
    index_ = std::move(index).value();
  }

  std::vector<TopicId> Find(const std::string& text) {
    auto results = index_->Search({text, std::nullopt, "", 1, 20});
    EXPECT_TRUE(results.ok());
    std::vector<TopicId> topics;
    for (const auto& hit : results->hits) topics.push_back(hit.topic);
    return topics;
  }

  store::PostRow Ask(const std::string& title, const std::string& body) {
    return store_->CreateTopic({category_, user_, title, body, "<p>" + body + "</p>", kT0, false})->second;
  }

  testutil::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<search::XapianIndex> index_;
  UserId user_;
  CategoryId category_;
};

TEST_F(IndexerTest, NewEditedAndDeletedPostsReachTheIndex) {
  store::PostRow question = Ask("Is it normal to cry after therapy?", "Every week on the bus home.");
  auto reply = store_->CreateReply({question.topic_id, user_, std::nullopt, "A therapy hangover is real.",
                                    "<p>A therapy hangover is real.</p>", kT0 + 1});
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_EQ(Find("hangover"), std::vector<TopicId>{question.topic_id});

  ASSERT_TRUE(store_->EditPost(reply->id, "Journaling after sessions helps me.", "<p>x</p>", kT0 + 2).ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_TRUE(Find("hangover").empty());
  EXPECT_EQ(Find("journaling"), std::vector<TopicId>{question.topic_id});

  ASSERT_TRUE(store_->DeletePost(reply->id, kT0 + 3).ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_TRUE(Find("journaling").empty());
  EXPECT_EQ(index_->AppliedSeq(), *store_->LatestEventSeq());
}

// The real index, whose next Commit fails as one on a full disk would: nothing of the batch is kept.
class CommitFailsOnce : public search::SearchIndex {
 public:
  explicit CommitFailsOnce(search::SearchIndex& real) : real_(real) {}
  Result<void> Upsert(const search::IndexedPost& post) override { return real_.Upsert(post); }
  Result<void> Remove(PostId post) override { return real_.Remove(post); }
  Result<void> RemoveTopic(TopicId topic) override { return real_.RemoveTopic(topic); }
  Result<void> Commit(std::int64_t applied_seq) override {
    if (failed_) return real_.Commit(applied_seq);
    failed_ = true;
    return Error{ErrorCode::kUnavailable, "search_unavailable", "No space left on device", {}, 0};
  }
  std::int64_t AppliedSeq() const override { return real_.AppliedSeq(); }
  Result<void> DiscardUncommitted() override {
    ++discards;
    return real_.DiscardUncommitted();
  }
  Result<search::SearchResults> Search(const search::SearchQuery& query) override { return real_.Search(query); }
  Result<std::vector<search::SimilarTopic>> Similar(const std::string& title, const std::string& body, int limit,
                                                    std::optional<TopicId> exclude, const std::string& asker) override {
    return real_.Similar(title, body, limit, exclude, asker);
  }
  std::optional<std::vector<search::SimilarTopic>> KeptSimilar(const std::string& title, const std::string& body,
                                                               int limit, std::optional<TopicId> exclude,
                                                               const std::string& asker) override {
    return real_.KeptSimilar(title, body, limit, exclude, asker);
  }
  Result<std::vector<search::SimilarTopic>> Related(TopicId topic, int limit) override {
    return real_.Related(topic, limit);
  }
  Result<search::MisplacedCheck> CheckMisplaced(TopicId topic, const std::string& reply) override {
    return real_.CheckMisplaced(topic, reply);
  }
  int discards = 0;

 private:
  search::SearchIndex& real_;
  bool failed_ = false;
};

TEST_F(IndexerTest, AFailedCommitIsRetriedFromWhatIsDurable) {
  store::PostRow question = Ask("Caring for my dad", "He has Parkinson's.");
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  const std::int64_t durable = index_->AppliedSeq();
  ASSERT_TRUE(store_->CreateReply({question.topic_id, user_, std::nullopt, "Respite care saved me as a carer.",
                                   "<p>x</p>", kT0 + 1}).ok());

  CommitFailsOnce failing(*index_);
  Indexer flaky(*store_, failing);
  EXPECT_FALSE(flaky.CatchUp().ok());
  EXPECT_EQ(failing.discards, 1);
  EXPECT_EQ(index_->AppliedSeq(), durable);
  auto retried = flaky.CatchUp();
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(*retried, 1);
  EXPECT_EQ(Find("respite"), std::vector<TopicId>{question.topic_id});
  EXPECT_EQ(index_->AppliedSeq(), *store_->LatestEventSeq());
}

// Files may not grow while one of these lives, as on a full disk; writes past it fail with EFBIG.
class NoFileMayGrow {
 public:
  NoFileMayGrow() {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit none = saved_;
    none.rlim_cur = 0;
    setrlimit(RLIMIT_FSIZE, &none);
  }
  ~NoFileMayGrow() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST_F(IndexerTest, AFullDiskDuringACommitIsRecoveredFromOnceThereIsRoom) {
  store::PostRow question = Ask("Caring for my dad", "He has Parkinson's.");
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  for (int i = 0; i < 40; ++i) {
    std::string text = "Respite care number " + std::to_string(i) + " gave me a weekend of sleep at last.";
    ASSERT_TRUE(store_->CreateReply({question.topic_id, user_, std::nullopt, text, "<p>x</p>", kT0 + 1 + i}).ok());
  }
  {
    NoFileMayGrow full;
    EXPECT_FALSE(indexer.CatchUp().ok()) << "Xapian could not write the batch";
  }
  // Xapian ends its transaction before writing, so without starting afresh every later commit
  // would fail too, whatever the disk.
  auto retried = indexer.CatchUp();
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(*retried, 40);
  EXPECT_EQ(Find("respite"), std::vector<TopicId>{question.topic_id});
  EXPECT_EQ(index_->AppliedSeq(), *store_->LatestEventSeq());
}

TEST_F(IndexerTest, DiscardingDropsWhatWasNotCommittedAndTheIndexGoesOn) {
  store::PostRow question = Ask("Anxiety at night keeps me awake", "My mind races.");
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  const std::int64_t durable = index_->AppliedSeq();
  search::IndexedPost stray;
  stray.post = PostId(999);
  stray.topic = question.topic_id;
  stray.category = category_;
  stray.author = user_;
  stray.author_name = "ann";
  stray.topic_title = "Anxiety at night keeps me awake";
  stray.number = 2;
  stray.body_markdown = "Chamomile before bed";
  stray.created_at = kT0;
  ASSERT_TRUE(index_->Upsert(stray).ok());
  ASSERT_TRUE(index_->DiscardUncommitted().ok());
  EXPECT_EQ(index_->AppliedSeq(), durable);
  ASSERT_TRUE(index_->Commit(durable).ok());
  EXPECT_TRUE(Find("chamomile").empty()) << "the discarded change never reaches the index";
  Ask("Grief on birthdays", "The first one without her.");
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_EQ(Find("birthdays").size(), 1u);
}

TEST_F(IndexerTest, ARestartResumesFromTheLastAppliedEvent) {
  Ask("Anxiety at night keeps me awake", "My mind races.");
  {
    Indexer indexer(*store_, *index_);
    ASSERT_TRUE(indexer.CatchUp().ok());
  }
  std::int64_t applied = index_->AppliedSeq();
  Ask("Grief on birthdays", "The first one without her.");
  OpenIndex();  // as after a restart
  EXPECT_EQ(index_->AppliedSeq(), applied);
  Indexer indexer(*store_, *index_);
  auto caught_up = indexer.CatchUp();
  ASSERT_TRUE(caught_up.ok());
  EXPECT_EQ(*caught_up, 1);
  EXPECT_EQ(Find("birthdays").size(), 1u);
  EXPECT_EQ(Find("anxiety").size(), 1u);
}

TEST_F(IndexerTest, RebuildGivesTheSameResults) {
  Ask("Is it normal to cry after therapy?", "Every week on the bus home.");
  Ask("Looking after my dad with Parkinson's", "Caring is tiring.");
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  auto before = Find("therapy");
  ASSERT_TRUE(index_->Clear().ok());
  EXPECT_TRUE(Find("therapy").empty());
  std::int64_t last_total = 0;
  auto rebuilt = indexer.Rebuild([&](std::int64_t, std::int64_t total) { last_total = total; });
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, 2);
  EXPECT_EQ(last_total, 2);
  EXPECT_EQ(Find("therapy"), before);
  EXPECT_EQ(index_->AppliedSeq(), *store_->LatestEventSeq());
}

TEST_F(IndexerTest, MovedRepliesAreFoundUnderTheirNewTopic) {
  store::PostRow first = Ask("Crying after therapy sessions", "Every week.");
  store::PostRow second = Ask("Caring for my dad", "He has Parkinson's.");
  auto reply = store_->CreateReply(
      {first.topic_id, user_, std::nullopt, "Respite care saved me as a carer.", "<p>x</p>", kT0 + 1});
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_EQ(Find("respite"), std::vector<TopicId>{first.topic_id});
  ASSERT_TRUE(store_->MovePost(reply->id, second.topic_id, kT0 + 2).ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_EQ(Find("respite"), std::vector<TopicId>{second.topic_id});
}

TEST_F(IndexerTest, HiddenPostsLeaveTheIndexAndComeBackWhenShown) {
  store::PostRow question = Ask("Sleeping after a loss", "Nights are the hardest.");
  auto reply = store_->CreateReply(
      {question.topic_id, user_, std::nullopt, "Chamomile and audiobooks helped me.", "<p>x</p>", kT0 + 1});
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  ASSERT_EQ(Find("chamomile").size(), 1u);

  ASSERT_TRUE(store_->SetPostHidden(reply->id, kT0 + 2, "flags").ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_TRUE(Find("chamomile").empty());
  EXPECT_EQ(Find("nights").size(), 1u);  // the rest of the topic stays findable

  ASSERT_TRUE(store_->SetPostHidden(reply->id, std::nullopt, "").ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_EQ(Find("chamomile").size(), 1u);
}

TEST_F(IndexerTest, AHiddenQuestionHidesItsWholeTopic) {
  store::PostRow question = Ask("Buy cheap pills online", "Spam text here.");
  auto reply =
      store_->CreateReply({question.topic_id, user_, std::nullopt, "Spam reply with sunflowers.", "<p>x</p>", kT0 + 1});
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  ASSERT_EQ(Find("sunflowers").size(), 1u);
  ASSERT_TRUE(store_->SetPostHidden(question.id, kT0 + 2, "moderator").ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_TRUE(Find("pills").empty());
  EXPECT_TRUE(Find("sunflowers").empty());
  ASSERT_TRUE(store_->SetPostHidden(question.id, std::nullopt, "").ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_EQ(Find("sunflowers").size(), 1u);
}

TEST_F(IndexerTest, RebuildLeavesOutHiddenPosts) {
  store::PostRow question = Ask("Grief and birthdays", "The first one without her.");
  auto reply =
      store_->CreateReply({question.topic_id, user_, std::nullopt, "Held reply about marigolds.", "<p>x</p>", kT0 + 1});
  ASSERT_TRUE(store_->SetPostHidden(reply->id, kT0 + 2, "held").ok());
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.Rebuild(nullptr).ok());
  EXPECT_TRUE(Find("marigolds").empty());
  EXPECT_EQ(Find("birthdays").size(), 1u);
}

TEST_F(IndexerTest, AnErasedAuthorsKeptPostsLoseTheirName) {
  store::PostRow question = Ask("Talking to my GP about anxiety", "I never know how to start.");
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  auto by_ann = index_->Search({"anxiety", std::nullopt, "ann", 1, 20});
  ASSERT_TRUE(by_ann.ok());
  ASSERT_EQ(by_ann->hits.size(), 1u);

  ASSERT_TRUE(store_->EraseUser(user_, /*delete_posts=*/false, kT0 + 5).ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  by_ann = index_->Search({"anxiety", std::nullopt, "ann", 1, 20});
  ASSERT_TRUE(by_ann.ok());
  EXPECT_TRUE(by_ann->hits.empty());
  auto anyone = index_->Search({"anxiety", std::nullopt, "", 1, 20});
  ASSERT_TRUE(anyone.ok());
  ASSERT_EQ(anyone->hits.size(), 1u);  // the kept post is still there to help others
  EXPECT_EQ(anyone->hits[0].author_name, "");
  EXPECT_EQ(anyone->hits[0].post, question.id);
}

TEST_F(IndexerTest, AnErasedAuthorsDeletedPostsLeaveTheIndex) {
  Ask("Panic on the night bus", "Breathing with my hand on my chest.");
  Indexer indexer(*store_, *index_);
  ASSERT_TRUE(indexer.CatchUp().ok());
  ASSERT_EQ(Find("panic").size(), 1u);
  ASSERT_TRUE(store_->EraseUser(user_, /*delete_posts=*/true, kT0 + 5).ok());
  ASSERT_TRUE(indexer.CatchUp().ok());
  EXPECT_TRUE(Find("panic").empty());
  EXPECT_TRUE(Find("breathing").empty());
}

}  // namespace
}  // namespace kindred::jobs
