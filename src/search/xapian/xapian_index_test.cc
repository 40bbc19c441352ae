#include "search/xapian/xapian_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "testutil/temp_dir.h"

namespace kindred::search {
namespace {

class XapianIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { index_ = Open(); }

  std::unique_ptr<XapianIndex> Open(XapianIndexOptions options = {}) {
    auto index = XapianIndex::Open(dir_.path() / "index", options);
    EXPECT_TRUE(index.ok());
    return std::move(index).value();
  }

  // Adds a topic: its question, then one post per reply; ids are topic*100 + number.
  void AddTopic(std::int64_t topic, std::string title, std::string body, std::vector<std::string> replies = {},
                std::int64_t category = 1, std::string author = "lena-m") {
    IndexedPost post;
    post.topic = TopicId(topic);
    post.category = CategoryId(category);
    post.topic_title = std::move(title);
    post.author_name = author;
    post.post = PostId(topic * 100 + 1);
    post.body_markdown = std::move(body);
    ASSERT_TRUE(index_->Upsert(post).ok());
    for (std::size_t i = 0; i < replies.size(); ++i) {
      post.number = static_cast<int>(i) + 2;
      post.post = PostId(topic * 100 + post.number);
      post.author_name = "sam_r";
      post.body_markdown = replies[i];
      ASSERT_TRUE(index_->Upsert(post).ok());
    }
  }

  struct ForumTopic {
    std::int64_t id;
    std::string title, body;
    std::vector<std::string> replies;
    std::int64_t category;
    std::string author;
  };
  static const std::vector<ForumTopic>& Forum() {
    static const std::vector<ForumTopic> kForum = {
        {1,
         "Is it normal to cry after therapy?",
         "I cry on the bus home after every counselling session.",
         {"Very normal, people call it a therapy hangover.", "I felt the same after my sessions."},
         1,
         "lena-m"},
        {2,
         "Waking up at 3am every night",
         "I wake up early and can't get back to sleep.",
         {"Get up and read until you're sleepy."},
         2,
         "quietfern"},
        {3, "Anxiety gets worse at night", "When I go to bed my anxiety spikes and I worry.", {}, 3, "lena-m"},
        // "today" is far more frequent than "therapy" here, as it is in ordinary English.
        {4,
         "What helped you today?",
         "Today I went for a walk. Today was better than yesterday, today I smiled.",
         {"Today I rested.", "Today was okay.", "I had a calm day today."},
         1,
         "lena-m"},
    };
    return kForum;
  }

  void AddForum() {
    for (const auto& t : Forum()) AddTopic(t.id, t.title, t.body, t.replies, t.category, t.author);
    ASSERT_TRUE(index_->Commit(7).ok());
  }

  std::vector<std::int64_t> TopicsFor(const std::string& text, SearchQuery query = {}) {
    query.text = text;
    auto results = index_->Search(query);
    EXPECT_TRUE(results.ok());
    std::vector<std::int64_t> topics;
    if (results.ok()) {
      for (const auto& h : results->hits) topics.push_back(h.topic.value);
    }
    return topics;
  }

  testutil::TempDir dir_;
  std::unique_ptr<XapianIndex> index_;
};

TEST_F(XapianIndexTest, RepliesAddedCommitByCommitRankExactlyAsATopicBuiltWhole) {
  AddForum();  // one commit: every topic document built from all its posts
  auto whole = std::move(index_);  // it keeps its directory; the second index lives beside it
  auto opened = XapianIndex::Open(dir_.path() / "commit-by-commit");
  ASSERT_TRUE(opened.ok());
  index_ = std::move(opened).value();
  // The same posts, a commit after each: every reply is added to its topic's document.
  std::int64_t seq = 0;
  for (const auto& t : Forum()) {
    AddTopic(t.id, t.title, t.body, {}, t.category, t.author);
    ASSERT_TRUE(index_->Commit(++seq).ok());
    for (std::size_t i = 0; i < t.replies.size(); ++i) {
      IndexedPost reply;
      reply.topic = TopicId(t.id);
      reply.category = CategoryId(t.category);
      reply.topic_title = t.title;
      reply.author_name = "sam_r";
      reply.number = static_cast<int>(i) + 2;
      reply.post = PostId(t.id * 100 + reply.number);
      reply.body_markdown = t.replies[i];
      ASSERT_TRUE(index_->Upsert(reply).ok());
      ASSERT_TRUE(index_->Commit(++seq).ok());
    }
  }
  for (const auto& [title, body] : std::vector<std::pair<std::string, std::string>>{
           {"Why do I cry after counselling?", ""},
           {"Can't sleep, awake at 3am", "I wake up and read"},
           {"Is a therapy hangover normal today?", "I rested and cried"}}) {
    auto expected = whole->Similar(title, body, 5, std::nullopt, "lena-m");
    auto got = index_->Similar(title, body, 5, std::nullopt, "lena-m");
    ASSERT_TRUE(expected.ok() && got.ok());
    ASSERT_EQ(got->size(), expected->size()) << title;
    for (std::size_t i = 0; i < got->size(); ++i) {
      EXPECT_EQ((*got)[i].topic, (*expected)[i].topic) << title;
      EXPECT_DOUBLE_EQ((*got)[i].score, (*expected)[i].score) << title;
    }
  }
  auto expected = whole->CheckMisplaced(TopicId(4), "I wake up at 3am every night and can't get back to sleep");
  auto got = index_->CheckMisplaced(TopicId(4), "I wake up at 3am every night and can't get back to sleep");
  ASSERT_TRUE(expected.ok() && got.ok());
  EXPECT_EQ(got->likely_topic, expected->likely_topic);
  EXPECT_DOUBLE_EQ(got->score, expected->score);
}

TEST_F(XapianIndexTest, StemmingFindsOtherFormsOfAWord) {
  AddForum();
  EXPECT_EQ(TopicsFor("crying").at(0), 1);
  EXPECT_EQ(TopicsFor("cried").at(0), 1);
}

TEST_F(XapianIndexTest, EachTopicAppearsOnceWithItsBestPost) {
  AddForum();
  SearchQuery query;
  query.text = "therapy hangover";
  auto results = index_->Search(query);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->hits.size(), 1u);
  EXPECT_EQ(results->hits[0].topic.value, 1);
  EXPECT_EQ(results->hits[0].post.value, 102);  // the reply that says "hangover"
  EXPECT_EQ(results->hits[0].reply_count, 2);
  EXPECT_NE(results->hits[0].snippet_html.find("<mark>hangover</mark>"), std::string::npos)
      << results->hits[0].snippet_html;
}

TEST_F(XapianIndexTest, HitsAreAlwaysPostsNeverATopicsOwnDocument) {
  // Searches without a category or author run unfiltered, trusting that only posts hold
  // unprefixed words: every word of every thread must find posts alone.
  AddForum();
  for (const auto& topic : Forum()) {
    std::vector<std::string> texts = {topic.title, topic.body};
    texts.insert(texts.end(), topic.replies.begin(), topic.replies.end());
    for (const auto& text : texts) {
      SearchQuery query;
      query.text = text;
      query.correct_spelling = false;
      auto results = index_->Search(query);
      ASSERT_TRUE(results.ok()) << query.text;
      ASSERT_FALSE(results->hits.empty()) << query.text;
      for (const auto& hit : results->hits) {
        EXPECT_GE(hit.post_number, 1) << query.text;
        EXPECT_EQ(hit.post.value / 100, hit.topic.value) << "a post of its topic, not the topic's document";
      }
    }
  }
  SearchQuery only_excluded;  // parsed as every document but those with the word
  only_excluded.text = "-night";
  auto others = index_->Search(only_excluded);
  ASSERT_TRUE(others.ok());
  EXPECT_FALSE(others->hits.empty());
  for (const auto& hit : others->hits) EXPECT_EQ(hit.post.value / 100, hit.topic.value);
}

TEST_F(XapianIndexTest, QuotedPhrasesAndExclusion) {
  AddForum();
  EXPECT_EQ(TopicsFor("\"back to sleep\""), std::vector<std::int64_t>{2});
  EXPECT_TRUE(TopicsFor("\"sleep back to\"").empty());
  auto night = TopicsFor("night");
  EXPECT_EQ(night.size(), 2u);
  EXPECT_EQ(TopicsFor("night -anxiety"), std::vector<std::int64_t>{2});
}

TEST_F(XapianIndexTest, CategoryAndAuthorFilters) {
  AddForum();
  SearchQuery query;
  query.category = CategoryId(3);
  EXPECT_EQ(TopicsFor("night", query), std::vector<std::int64_t>{3});
  query = {};
  query.author = "QuietFern";  // usernames match ignoring case
  EXPECT_EQ(TopicsFor("night", query), std::vector<std::int64_t>{2});
}

TEST_F(XapianIndexTest, Pagination) {
  AddForum();
  SearchQuery query;
  query.text = "night today therapy";
  query.per_page = 2;
  auto first = index_->Search(query);
  query.page = 2;
  auto second = index_->Search(query);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->hits.size(), 2u);
  EXPECT_EQ(first->total, 4);
  ASSERT_EQ(second->hits.size(), 2u);
  EXPECT_NE(first->hits[0].topic, second->hits[0].topic);
  EXPECT_NE(first->hits[1].topic, second->hits[1].topic);
}

TEST_F(XapianIndexTest, BoundsOnQueries) {
  AddForum();
  SearchQuery query;
  query.text = std::string(201, 'a');
  auto too_long = index_->Search(query);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(too_long.error().field, "q");
  query.text = std::string(200, 'a');
  EXPECT_TRUE(index_->Search(query).ok());

  query.text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
  EXPECT_TRUE(index_->Search(query).ok());
  query.text += " seventeen";
  auto too_many = index_->Search(query);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().key, "query_too_many_words");

  query.text = "\xff\xfe";
  EXPECT_FALSE(index_->Search(query).ok());
  // No wildcard expansion: a trailing * is not a prefix search over the vocabulary.
  EXPECT_TRUE(TopicsFor("t*").empty());
  EXPECT_TRUE(TopicsFor("").empty());
  EXPECT_TRUE(TopicsFor("\"unclosed AND ( -").empty() || true);  // must not throw or fail
}

TEST_F(XapianIndexTest, CorrectsTyposFromTheForumsVocabularyNotByFrequency) {
  AddForum();
  SearchQuery query;
  query.text = "therepy";
  auto results = index_->Search(query);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(results->corrected_query, "therapy");
  EXPECT_EQ(results->original_query, "therepy");
  ASSERT_FALSE(results->hits.empty());
  EXPECT_EQ(results->hits[0].topic.value, 1);

  query.text = "teray hangover";  // "today" is the most frequent word within two edits
  results = index_->Search(query);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(results->corrected_query, "therapy hangover");

  query.text = "anxeity at nigth";
  results = index_->Search(query);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(results->corrected_query, "anxiety at night");
  EXPECT_EQ(results->hits.at(0).topic.value, 3);
}

TEST_F(XapianIndexTest, AnExactSearchIsNotCorrected) {
  AddForum();
  SearchQuery query;
  query.text = "therepy";
  query.correct_spelling = false;
  auto results = index_->Search(query);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE(results->corrected_query.empty());
  EXPECT_TRUE(results->hits.empty());
}

TEST_F(XapianIndexTest, NoCorrectionWhenTheQueryIsSpeltRight) {
  AddForum();
  SearchQuery query;
  query.text = "therapy";
  auto results = index_->Search(query);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE(results->corrected_query.empty());
  EXPECT_TRUE(results->original_query.empty());
}

TEST_F(XapianIndexTest, SnippetsShowMarkupAsText) {
  AddTopic(1, "Script <b>title</b> question",
           "I pasted <script>alert(1)</script> and \"><img src=x onerror=alert(1)> here");
  ASSERT_TRUE(index_->Commit(1).ok());
  SearchQuery query;
  query.text = "script img onerror";
  auto results = index_->Search(query);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->hits.size(), 1u);
  for (const std::string& html : {results->hits[0].snippet_html, results->hits[0].title_html}) {
    EXPECT_EQ(html.find("<script"), std::string::npos) << html;
    EXPECT_EQ(html.find("<img"), std::string::npos) << html;
    EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
  }
  EXPECT_NE(results->hits[0].snippet_html.find("&lt;"), std::string::npos) << results->hits[0].snippet_html;
  EXPECT_NE(results->hits[0].title_html.find("<mark>Script</mark>"), std::string::npos) << results->hits[0].title_html;
}

TEST_F(XapianIndexTest, RemovedPostsAndTopicsLeaveTheIndex) {
  AddForum();
  ASSERT_TRUE(index_->Remove(PostId(102)).ok());
  ASSERT_TRUE(index_->Commit(8).ok());
  EXPECT_TRUE(TopicsFor("hangover").empty());
  EXPECT_EQ(TopicsFor("crying").at(0), 1);
  ASSERT_TRUE(index_->Remove(PostId(102)).ok());  // twice is harmless
  ASSERT_TRUE(index_->RemoveTopic(TopicId(1)).ok());
  ASSERT_TRUE(index_->Commit(9).ok());
  EXPECT_TRUE(TopicsFor("crying").empty());
  auto similar = index_->Similar("Is it normal to cry after therapy?", "", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(similar.ok());
  for (const auto& s : *similar) EXPECT_NE(s.topic.value, 1);
}

TEST_F(XapianIndexTest, EditReplacesTheOldText) {
  AddForum();
  IndexedPost post;
  post.topic = TopicId(2);
  post.post = PostId(201);
  post.category = CategoryId(2);
  post.topic_title = "Waking up at 3am every night";
  post.body_markdown = "Now it is about nightmares.";
  ASSERT_TRUE(index_->Upsert(post).ok());
  ASSERT_TRUE(index_->Commit(8).ok());
  EXPECT_EQ(TopicsFor("nightmares"), std::vector<std::int64_t>{2});
  EXPECT_TRUE(TopicsFor("\"back to sleep\"").empty());
}

TEST_F(XapianIndexTest, ChangesAreInvisibleUntilCommit) {
  AddTopic(1, "Is it normal to cry after therapy?", "Crying on the bus.");
  EXPECT_TRUE(TopicsFor("crying").empty());
  ASSERT_TRUE(index_->Commit(1).ok());
  EXPECT_EQ(TopicsFor("crying").size(), 1u);
}

TEST_F(XapianIndexTest, CommitKeepsTheAppliedSequenceAcrossReopen) {
  AddForum();
  EXPECT_EQ(index_->AppliedSeq(), 7);
  AddTopic(9, "Uncommitted topic title", "Never committed words zebra.");
  index_.reset();  // as if the process stopped before the next commit
  index_ = Open();
  EXPECT_EQ(index_->AppliedSeq(), 7);
  EXPECT_FALSE(index_->NeedsRebuild());
  EXPECT_TRUE(TopicsFor("zebra").empty());
  EXPECT_EQ(TopicsFor("crying").at(0), 1);
}

TEST_F(XapianIndexTest, ClearEmptiesTheIndex) {
  AddForum();
  ASSERT_TRUE(index_->Clear().ok());
  EXPECT_EQ(index_->AppliedSeq(), 0);
  EXPECT_TRUE(TopicsFor("crying").empty());
  index_.reset();
  index_ = Open();
  EXPECT_EQ(index_->AppliedSeq(), 0);
}

TEST_F(XapianIndexTest, CompactingKeepsEverythingTheIndexAnswers) {
  AddForum();
  const auto search_before = TopicsFor("crying sleep");
  auto similar_before = index_->Similar("Crying after my counselling sessions", "", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(similar_before.ok());
  ASSERT_FALSE(similar_before->empty());
  index_.reset();

  auto compacted = CompactXapianIndex(dir_.path() / "index");
  ASSERT_TRUE(compacted.ok()) << compacted.error().message;
  EXPECT_GT(compacted->bytes_after, 0u);
  EXPECT_LT(compacted->bytes_after, compacted->bytes_before);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "index.compacting"));

  index_ = Open();
  EXPECT_EQ(index_->AppliedSeq(), 7);
  EXPECT_FALSE(index_->NeedsRebuild());
  EXPECT_EQ(TopicsFor("crying sleep"), search_before);
  auto similar_after = index_->Similar("Crying after my counselling sessions", "", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(similar_after.ok());
  ASSERT_EQ(similar_after->size(), similar_before->size());
  for (std::size_t i = 0; i < similar_after->size(); ++i) {
    EXPECT_EQ((*similar_after)[i].topic, (*similar_before)[i].topic);
    EXPECT_DOUBLE_EQ((*similar_after)[i].score, (*similar_before)[i].score);
  }
  // And it takes writes as before.
  AddTopic(9, "Zebra crossing anxiety", "Crossing roads makes me panic.");
  ASSERT_TRUE(index_->Commit(8).ok());
  EXPECT_EQ(TopicsFor("zebra"), std::vector<std::int64_t>{9});
}

TEST_F(XapianIndexTest, CompactingAnOpenIndexFailsAndChangesNothing) {
  AddForum();
  auto compacted = CompactXapianIndex(dir_.path() / "index");
  ASSERT_FALSE(compacted.ok());
  EXPECT_NE(compacted.error().message.find("unchanged"), std::string::npos) << compacted.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "index.compacting"));
  EXPECT_EQ(TopicsFor("crying").at(0), 1);
  AddTopic(9, "Zebra crossing anxiety", "Crossing roads makes me panic.");
  ASSERT_TRUE(index_->Commit(8).ok());
  EXPECT_EQ(TopicsFor("zebra"), std::vector<std::int64_t>{9});
}

TEST_F(XapianIndexTest, OpeningRemovesTheCopyOfAnInterruptedCompaction) {
  AddForum();
  index_.reset();
  const auto leftover = dir_.path() / "index.compacting";
  std::filesystem::create_directories(leftover);
  { std::ofstream(leftover / "postlist.glass") << "half-written"; }
  index_ = Open();
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_EQ(TopicsFor("crying").at(0), 1);
}

TEST_F(XapianIndexTest, SimilarFindsTheSameQuestionInOtherWords) {
  AddForum();
  auto similar = index_->Similar("Crying after my counselling sessions", "Is that normal?", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(similar.ok());
  ASSERT_FALSE(similar->empty());
  EXPECT_EQ(similar->front().topic.value, 1);
  EXPECT_GT(similar->front().score, 0);
  EXPECT_LE(similar->front().score, 1);
  EXPECT_EQ(similar->front().reply_count, 2);
}

// Answers are kept per index revision: asked again after a commit, the question is ranked again.
TEST_F(XapianIndexTest, SimilarAnswersFollowEachCommit) {
  AddForum();
  const std::string title = "Crying after my counselling sessions";
  auto before = index_->Similar(title, "Is that normal?", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(before.ok());
  ASSERT_FALSE(before->empty());
  ASSERT_EQ(before->front().topic.value, 1);
  // A smaller limit and a topic left out are asked afresh, not answered from the first question.
  auto again = index_->Similar("crying after MY counselling sessions...", "is that normal", 1, std::nullopt, "lena-m");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().topic.value, 1);
  EXPECT_EQ(again->front().score, before->front().score);
  auto excluding = index_->Similar(title, "Is that normal?", 5, TopicId(1), "lena-m");
  ASSERT_TRUE(excluding.ok());
  for (const auto& s : *excluding) EXPECT_NE(s.topic.value, 1);

  // Every word of the question is already known, so only the revision tells these answers apart.
  AddTopic(5, title, "Is that normal? Crying after counselling sessions, every time.");
  ASSERT_TRUE(index_->Commit(8).ok());
  auto after = index_->Similar(title, "Is that normal?", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(after.ok());
  ASSERT_FALSE(after->empty());
  EXPECT_EQ(after->front().topic.value, 5);
  ASSERT_TRUE(index_->RemoveTopic(TopicId(5)).ok());
  ASSERT_TRUE(index_->Commit(9).ok());
  auto back = index_->Similar(title, "Is that normal?", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(back.ok());
  ASSERT_FALSE(back->empty());
  EXPECT_EQ(back->front().topic.value, 1);
  for (const auto& s : *back) EXPECT_NE(s.topic.value, 5);
}

// KeptSimilar answers without the ranking only what Similar kept for the same asker, text, limit and
// revision: anything else is left to Similar.
TEST_F(XapianIndexTest, KeptSimilarIsWhatSimilarKeptForTheSameAskerAndRevisionOnly) {
  AddForum();
  const std::string title = "Crying after my counselling sessions";
  EXPECT_FALSE(index_->KeptSimilar(title, "Is that normal?", 5, std::nullopt, "lena-m").has_value())
      << "nothing asked yet";
  auto ranked = index_->Similar(title, "Is that normal?", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(ranked.ok());
  ASSERT_FALSE(ranked->empty());
  auto kept = index_->KeptSimilar(title, "Is that normal?", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(kept.has_value());
  ASSERT_EQ(kept->size(), ranked->size());
  for (std::size_t i = 0; i < kept->size(); ++i) {
    EXPECT_EQ((*kept)[i].topic, (*ranked)[i].topic);
    EXPECT_EQ((*kept)[i].score, (*ranked)[i].score);
  }
  EXPECT_FALSE(index_->KeptSimilar(title, "Is that normal?", 5, std::nullopt, "sam-k").has_value())
      << "another asker is never answered from lena-m's question";
  EXPECT_FALSE(index_->KeptSimilar(title, "Is that normal?", 1, std::nullopt, "lena-m").has_value());
  EXPECT_FALSE(index_->KeptSimilar(title, "Is that normal?", 5, TopicId(1), "lena-m").has_value());
  EXPECT_FALSE(index_->KeptSimilar(title, "Is that normal", 5, std::nullopt, "lena-m").has_value())
      << "other text, even to the same terms, needs the terms worked out by Similar";

  AddTopic(5, title, "Is that normal? Crying after counselling sessions, every time.");
  ASSERT_TRUE(index_->Commit(8).ok());
  EXPECT_FALSE(index_->KeptSimilar(title, "Is that normal?", 5, std::nullopt, "lena-m").has_value())
      << "a commit makes every kept answer old";
}

// A word in most threads is left out of the topic ranking only once a forum has enough threads
// for "most" to mean common: in a new forum of three, a word two of them share still tells them
// apart from the third.
TEST_F(XapianIndexTest, ANewForumsFewThreadsStillMatchOnWordsMostOfThemShare) {
  index_.reset();
  XapianIndexOptions every_answer;
  every_answer.similar_threshold = 0;  // the ranking itself, not the confidence, is under test
  index_ = Open(every_answer);
  const std::vector<std::string> replies = {"Thinking of you.", "Same here, some days.", "Go gently.",
                                            "Thank you for sharing.", "It does get easier."};
  // "journal" is in two of the three questions' bodies, in no title and no reply.
  AddTopic(1, "Feeling low on Sunday evenings", "My journal shows the same pattern every week.", replies);
  AddTopic(2, "Starting a new medication", "My journal says the first week was rough.", replies);
  AddTopic(3, "Sleep after night shifts", "I cannot settle after work.", replies);
  ASSERT_TRUE(index_->Commit(1).ok());
  auto similar = index_->Similar("journal", "", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(similar.ok());
  std::vector<std::int64_t> topics;
  for (const auto& s : *similar) topics.push_back(s.topic.value);
  std::sort(topics.begin(), topics.end());
  EXPECT_EQ(topics, (std::vector<std::int64_t>{1, 2}));
}

TEST_F(XapianIndexTest, SimilarSuggestsNothingForAnUnrelatedQuestion) {
  AddForum();
  auto similar =
      index_->Similar("How do I fix a dripping kitchen tap at night?", "The washer seems worn.", 5, std::nullopt, "lena-m");
  ASSERT_TRUE(similar.ok());
  EXPECT_TRUE(similar->empty()) << similar->front().title;
}

TEST_F(XapianIndexTest, RelatedExcludesTheTopicItself) {
  AddForum();
  AddTopic(5, "Crying after counselling every week", "My therapy sessions leave me in tears.");
  ASSERT_TRUE(index_->Commit(8).ok());
  auto related = index_->Related(TopicId(1), 5);
  ASSERT_TRUE(related.ok());
  ASSERT_FALSE(related->empty());
  EXPECT_EQ(related->front().topic.value, 5);
  for (const auto& r : *related) EXPECT_NE(r.topic.value, 1);
  EXPECT_FALSE(index_->Related(TopicId(99), 5).ok());
}

TEST_F(XapianIndexTest, FlagsAReplyThatBelongsElsewhere) {
  AddForum();
  auto misplaced = index_->CheckMisplaced(
      TopicId(4), "If I wake early and can't get back to sleep I get up and read until I'm sleepy.");
  ASSERT_TRUE(misplaced.ok());
  ASSERT_TRUE(misplaced->likely_topic.has_value());
  EXPECT_EQ(misplaced->likely_topic->value, 2);
  EXPECT_GT(misplaced->score, 0);

  auto fine = index_->CheckMisplaced(TopicId(2),
                                     "If I wake early and can't get back to sleep I get up and read until I'm sleepy.");
  ASSERT_TRUE(fine.ok());
  EXPECT_FALSE(fine->likely_topic.has_value());
  auto short_reply = index_->CheckMisplaced(TopicId(4), "Thinking of you.");
  ASSERT_TRUE(short_reply.ok());
  EXPECT_FALSE(short_reply->likely_topic.has_value());
}

TEST_F(XapianIndexTest, ReadersAndAWriterAtOnce) {
  AddForum();
  std::atomic<bool> failed{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        SearchQuery q;
        q.text = "therapy sleep";
        if (!index_->Search(q).ok()) failed = true;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    AddTopic(100 + i, "Another question about sleep " + std::to_string(i), "Body about sleep and therapy.");
    ASSERT_TRUE(index_->Commit(10 + i).ok());
  }
  for (auto& t : readers) t.join();
  EXPECT_FALSE(failed);
  EXPECT_EQ(index_->AppliedSeq(), 29);
}

}  // namespace
}  // namespace kindred::search
