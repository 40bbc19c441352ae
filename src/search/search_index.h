// SearchIndex: full-text search, similar questions, related topics and misplaced-reply checks
// over the forum's posts. Derived data: everything in it can be rebuilt from the store
// (`kindred reindex`), and it is fed from the store's change feed by jobs/indexer.
// Failure contract: methods return kUnavailable when the index cannot be read or written;
// a query that breaks the bounds (length, terms) is kInvalidInput naming "q".
// Thread-safety: every method may be called from any thread at once; writes are serialised
// inside, and readers see the last committed state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"

namespace kindred::search {

// What the index keeps of one post: enough to find it and to show a result without the store.
struct IndexedPost {
  PostId post;
  TopicId topic;
  CategoryId category;
  UserId author;
  std::string author_name;
  std::string topic_title;
  int number = 1;  // 1: the question; its title is indexed with it
  std::string body_markdown;
  UnixSeconds created_at = 0;
  std::int64_t topic_reply_count = 0;
};

struct SearchQuery {
  std::string text;  // as typed: words, "quoted phrases", -excluded
  std::optional<CategoryId> category;
  std::string author;  // username, empty for anyone
  int page = 1;
  int per_page = 20;
  // False when the person asked to search exactly what they typed ("Search instead for ...").
  bool correct_spelling = true;
};

struct SearchHit {
  TopicId topic;
  PostId post;  // the best-matching post of the topic
  int post_number = 1;
  std::string topic_title;
  std::string title_html;    // escaped, matched words in <mark>
  std::string snippet_html;  // escaped text around the match, matched words in <mark>
  std::string author_name;
  CategoryId category;
  UnixSeconds created_at = 0;
  std::int64_t reply_count = 0;
  double score = 0;
};

struct SearchResults {
  std::vector<SearchHit> hits;  // one per topic, best first
  std::int64_t total = 0;       // matching topics, estimated by the engine
  // When the typed query looked misspelled and the corrected one finds more: the corrected text
  // (results are for it) and the original, so a page can offer "search instead for".
  std::string corrected_query;
  std::string original_query;
};

struct SimilarTopic {
  TopicId topic;
  std::string title;
  std::int64_t reply_count = 0;
  double score = 0;  // 0..1 confidence; only topics above the index's threshold are returned
};

struct MisplacedCheck {
  double score = 0;                     // 0..1: how much more the reply reads like `likely_topic`
  std::optional<TopicId> likely_topic;  // set only when the reply probably belongs there
  std::string likely_title;
};

class SearchIndex {
 public:
  virtual ~SearchIndex() = default;

  // Changes. They become visible to readers at Commit, together with the feed position.
  virtual Result<void> Upsert(const IndexedPost& post) = 0;
  virtual Result<void> Remove(PostId post) = 0;
  virtual Result<void> RemoveTopic(TopicId topic) = 0;
  // Makes the changes so far durable and visible, recording `applied_seq` as the last change-feed
  // sequence number they include, so a restart resumes after it.
  virtual Result<void> Commit(std::int64_t applied_seq) = 0;
  virtual std::int64_t AppliedSeq() const = 0;
  // Drops every change since the last Commit, after a change or a Commit failed (a full disk, an
  // I/O error), so the next batch starts again from what is durable, at AppliedSeq().
  virtual Result<void> DiscardUncommitted() = 0;

  virtual Result<SearchResults> Search(const SearchQuery& query) = 0;
  // Existing topics that ask what `title` (and `body`) asks, best first, at most `limit`;
  // empty when nothing is similar enough to be worth showing. `asker` names who is asking (a
  // member, or a visitor's address): an index may keep answers, but only for the same asker, so
  // how fast an answer comes says nothing about what anyone else has typed.
  virtual Result<std::vector<SimilarTopic>> Similar(const std::string& title, const std::string& body, int limit,
                                                    std::optional<TopicId> exclude, const std::string& asker) = 0;
  // The answer Similar would give now, when the index kept one for the same asker, text and limit
  // at its current revision; nullopt when answering needs the ranking. Reads nothing from the
  // database (microseconds), so a thread that must not wait can ask it first.
  virtual std::optional<std::vector<SimilarTopic>> KeptSimilar(const std::string& title, const std::string& body,
                                                               int limit, std::optional<TopicId> exclude,
                                                               const std::string& asker) = 0;
  // "People also asked": topics like `topic`, from its own text.
  virtual Result<std::vector<SimilarTopic>> Related(TopicId topic, int limit) = 0;
  // Whether a reply posted in `topic` reads as belonging to another conversation.
  virtual Result<MisplacedCheck> CheckMisplaced(TopicId topic, const std::string& reply_markdown) = 0;
};

}  // namespace kindred::search
