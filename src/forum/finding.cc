// Finding the answer that is already there: search, similar questions, related topics, and
// replies that read as belonging to another conversation. The index is derived data; everything
// it returns is checked against the store, so a reader never sees what they may not.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "forum/forum.h"
#include "forum/limits.h"
#include "forum/markdown.h"

namespace kindred::forum {
namespace {

// How long saving a reply waits for its misplaced check, so that the writer's page after posting
// can offer the move. A check takes tens of milliseconds; a second covers a short queue on a busy
// node, and past it the page shows without the note rather than keep a person waiting
// (moderators still see the item).
constexpr std::chrono::milliseconds kPlacementCheckWait{1000};

Error SearchUnavailable() {
  return Error{ErrorCode::kUnavailable, "search_unavailable",
               "Search is getting ready. Please try again in a minute.", {}, 0};
}

// How long a topic's "People also asked" list, as the index answered it, is shown again.
bool RelatedStillFresh(UnixSeconds answered_at, UnixSeconds now) { return now - answered_at < kRelatedFreshSeconds; }

// Answers the index keeps are kept for the one who asked (see SearchIndex::Similar).
std::string AskerOf(const Viewer& viewer) {
  return viewer.member ? "member " + std::to_string(viewer.member->id.value) : "address " + viewer.client_address;
}

}  // namespace

Result<SearchView> Forum::Search(const Viewer& viewer, const SearchInput& input) {
  if (!index_) return SearchUnavailable();
  search::SearchQuery query;
  query.text = input.query;
  query.author = input.author;
  query.page = std::clamp(input.page, 1, kMaxPage);
  query.per_page = kSearchPerPage;
  query.correct_spelling = !input.exact;
  if (!input.category_slug.empty()) {
    auto category = CategoryBySlug(input.category_slug);
    if (!category) return std::move(category).error();
    query.category = category->id;
  }
  auto results = index_->Search(query);
  if (!results) return std::move(results).error();

  SearchView view;
  view.total = results->total;
  view.corrected_query = results->corrected_query;
  view.original_query = results->original_query;
  view.page.number = query.page;
  view.page.count = static_cast<int>(std::max<std::int64_t>(1, (results->total + kSearchPerPage - 1) / kSearchPerPage));
  for (auto& hit : results->hits) {
    // The index may lag the store by a moment (or more, if indexing fails): a post deleted or
    // hidden since, or in a conversation hidden since, is never shown.
    auto post = store_.FindPost(hit.post);
    if (!post || post->deleted_at || post->hidden_at || post->topic_id != hit.topic) continue;
    auto topic = store_.FindTopic(hit.topic);
    if (!topic || topic->hidden_at) continue;
    hit.reply_count = topic->reply_count;
    view.hits.push_back(std::move(hit));
  }
  return view;
}

Result<std::vector<search::SimilarTopic>> Forum::SimilarQuestions(const Viewer& viewer, std::string_view title,
                                                                  std::string_view body) {
  if (!index_) return std::vector<search::SimilarTopic>();
  auto similar = index_->Similar(std::string(title), std::string(body), kSimilarShown, std::nullopt, AskerOf(viewer));
  if (!similar) return std::move(similar).error();
  return ShownSimilar(std::move(similar).value());
}

std::optional<std::vector<search::SimilarTopic>> Forum::KeptSimilarQuestions(const Viewer& viewer,
                                                                             std::string_view title,
                                                                             std::string_view body) {
  if (!index_) return std::vector<search::SimilarTopic>();
  auto kept = index_->KeptSimilar(std::string(title), std::string(body), kSimilarShown, std::nullopt, AskerOf(viewer));
  if (!kept) return std::nullopt;
  return ShownSimilar(std::move(*kept));
}

std::vector<search::SimilarTopic> Forum::ShownSimilar(std::vector<search::SimilarTopic> topics) {
  std::vector<search::SimilarTopic> shown;
  for (auto& topic : topics) {
    // The index may not have taken in a hide yet: a hidden question is never offered.
    auto row = store_.FindTopic(topic.topic);
    if (!row || row->hidden_at) continue;
    topic.title = row->title;
    topic.reply_count = row->reply_count;
    shown.push_back(std::move(topic));
  }
  return shown;
}

Result<std::vector<search::SimilarTopic>> Forum::RelatedTopics(TopicId topic,
                                                                std::optional<std::int64_t> feed_position) {
  if (!index_) return std::vector<search::SimilarTopic>();
  const UnixSeconds now = clock_.Now();
  std::optional<std::int64_t> position = feed_position;
  if (!position) {
    if (auto latest = store_.LatestEventSeq()) position = *latest;
  }
  std::optional<std::vector<search::SimilarTopic>> related;
  UnixSeconds answered_at = now;
  {
    std::lock_guard lock(related_mutex_);
    auto cached = related_cache_.find(topic.value);
    if (cached != related_cache_.end() && RelatedStillFresh(cached->second.at, now)) {
      if (position && cached->second.checked_at == position) return cached->second.shown;
      related = cached->second.topics;
      answered_at = cached->second.at;
    }
  }
  if (!related) {
    auto answer = index_->Related(topic, kSimilarShown);
    if (!answer) return std::move(answer).error();
    std::lock_guard lock(related_mutex_);
    if (related_cache_.size() >= kRelatedCachedTopics) related_cache_.clear();  // simple, and rare
    related_cache_[topic.value] = {now, *answer};
    related = std::move(answer).value();
  }
  // Titles, counts and existence come from the store, checked again whenever the feed has moved:
  // a topic deleted or hidden a moment ago is never offered, whatever the cache holds.
  std::vector<search::SimilarTopic> shown;
  bool all_read = true;  // a read that failed leaves its topic out this once, not until the next write
  for (auto& other : *related) {
    if (other.topic == topic) continue;
    auto row = store_.FindTopic(other.topic);
    if (!row && row.error().code != ErrorCode::kNotFound) all_read = false;
    if (!row || row->hidden_at) continue;
    other.title = row->title;
    other.reply_count = row->reply_count;
    shown.push_back(std::move(other));
  }
  if (position && all_read) {
    std::lock_guard lock(related_mutex_);
    auto cached = related_cache_.find(topic.value);
    if (cached != related_cache_.end() && cached->second.at == answered_at) {
      cached->second.checked_at = position;
      cached->second.shown = shown;
    }
  }
  return shown;
}

bool Forum::RelatedTopicsAtHand(TopicId topic) {
  if (!index_) return true;
  std::lock_guard lock(related_mutex_);
  auto cached = related_cache_.find(topic.value);
  return cached != related_cache_.end() && RelatedStillFresh(cached->second.at, clock_.Now());
}

void Forum::AttachSearchIndex(search::SearchIndex* index) {
  placement_.reset();  // lets a check against the previous index finish first
  index_ = index;
  if (index_) placement_ = std::make_unique<PlacementChecker>([this](const store::PostRow& reply) { CheckPlacement(reply); });
}

void Forum::CheckPlacement(const store::PostRow& reply) {
  if (!index_) return;
  // The reply may have gone or been hidden while it waited for its turn.
  auto current = store_.FindPost(reply.id);
  if (!current || current->deleted_at || current->hidden_at) return;
  auto check = index_->CheckMisplaced(reply.topic_id, reply.body_markdown);
  if (!check) {
    spdlog::warn("could not check where reply {} belongs: {}", reply.id.value, check.error().message);
    return;
  }
  if (!check->likely_topic || *check->likely_topic == reply.topic_id) return;
  if (!store_.FindTopic(*check->likely_topic).ok()) return;
  store::NewReviewItem item;
  item.kind = store::ReviewKind::kMisplaced;
  item.post = reply.id;
  item.priority = 1;
  item.reasons = "possibly misplaced";
  item.suggested_topic = check->likely_topic;
  item.score = check->score;
  item.created_at = clock_.Now();
  if (auto created = store_.CreateReviewItem(item); !created) {
    spdlog::warn("could not queue reply {} as possibly misplaced: {}", reply.id.value, created.error().message);
  }
}

void Forum::AwaitPlacementCheck(PostId reply) {
  if (placement_) placement_->AwaitChecked(reply, kPlacementCheckWait);
}

Result<std::optional<MisplacedSuggestion>> Forum::MisplacedFor(const Viewer& viewer, PostId post_id) {
  if (!viewer.signed_in()) return std::optional<MisplacedSuggestion>();
  auto post = FindPost(post_id);
  if (!post) return std::move(post).error();
  if (!viewer.is(post->user_id) || post->deleted_at) return std::optional<MisplacedSuggestion>();
  if (clock_.Now() - post->created_at > kMoveWindowSeconds) return std::optional<MisplacedSuggestion>();
  auto items = store_.ListReviewItemsForPost(post_id);
  if (!items) return std::move(items).error();
  for (const auto& item : *items) {
    if (item.kind != store::ReviewKind::kMisplaced || !item.suggested_topic) continue;
    if (*item.suggested_topic == post->topic_id) continue;  // already moved there
    return std::optional<MisplacedSuggestion>(MisplacedSuggestion{*item.suggested_topic, item.suggested_title, item.score});
  }
  return std::optional<MisplacedSuggestion>();
}

Result<store::PostRow> Forum::MoveOwnReply(const Viewer& viewer, PostId post_id, TopicId to) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to move your reply.");
  auto suggestion = MisplacedFor(viewer, post_id);
  if (!suggestion) return std::move(suggestion).error();
  if (!*suggestion || (*suggestion)->topic != to) {
    return Error::Forbidden("move_not_offered",
                            "This reply can no longer be moved by you. A moderator can still move it if you ask.");
  }
  auto moved = store_.MovePost(post_id, to, clock_.Now());
  if (!moved) return std::move(moved).error();
  (void)store_.AppendModlog({0, viewer.member->id, "post.moved_by_author", "post", post_id.value, "", std::to_string(to.value),
                             "the writer accepted the suggestion", clock_.Now(), ""});
  return moved;
}

Result<std::optional<MisplacedSuggestion>> Forum::MisplacedScoreForModerator(const Viewer& viewer, PostId post_id) {
  if (!viewer.is_moderator()) return std::optional<MisplacedSuggestion>();
  auto items = store_.ListReviewItemsForPost(post_id);
  if (!items) return std::move(items).error();
  for (const auto& item : *items) {
    if (item.kind == store::ReviewKind::kMisplaced && item.suggested_topic) {
      return std::optional<MisplacedSuggestion>(MisplacedSuggestion{*item.suggested_topic, item.suggested_title, item.score});
    }
  }
  return std::optional<MisplacedSuggestion>();
}

}  // namespace kindred::forum
