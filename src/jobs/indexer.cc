#include "jobs/indexer.h"

#include <algorithm>
#include <string_view>

namespace kindred::jobs {
namespace {

// Events per index commit: large enough that a burst of posts costs one commit, small enough
// that a new post is searchable within a second.
constexpr int kEventsPerBatch = 500;
constexpr int kPostsPerRebuildBatch = 1000;

bool Is(const store::EventRow& event, const char* kind) { return event.kind == kind; }

// What readers may find: hidden or held posts are seen only by their writer and moderators, and
// a hidden question hides its whole topic from lists, so search must not surface either.
bool Searchable(const store::PostRow& post, const store::TopicRow& topic) {
  return !post.deleted_at && !post.hidden_at && !topic.hidden_at;
}

}  // namespace

search::IndexedPost Indexer::ToIndexed(const store::PostRow& post, const store::TopicRow& topic) {
  search::IndexedPost indexed;
  indexed.post = post.id;
  indexed.topic = post.topic_id;
  indexed.category = topic.category_id;
  indexed.author = post.user_id;
  indexed.author_name = post.author_name;
  indexed.topic_title = topic.title;
  indexed.number = post.number;
  indexed.body_markdown = post.body_markdown;
  indexed.created_at = post.created_at;
  indexed.topic_reply_count = topic.reply_count;
  return indexed;
}

Result<void> Indexer::RefreshPost(PostId id) {
  auto post = store_.FindPost(id);
  if (!post) {
    if (post.error().code == ErrorCode::kNotFound) return index_.Remove(id);
    return std::move(post).error();
  }
  if (post->deleted_at) return index_.Remove(id);
  auto topic = store_.FindTopic(post->topic_id);
  if (!topic) {
    if (topic.error().code == ErrorCode::kNotFound) return index_.Remove(id);
    return std::move(topic).error();
  }
  if (!Searchable(*post, *topic)) return index_.Remove(id);
  return index_.Upsert(ToIndexed(*post, *topic));
}

Result<void> Indexer::RefreshAuthor(UserId user) {
  // Every post the account kept, anonymous and hidden ones included (RefreshPost decides what
  // stays findable): each is written again as the store now names it, which after an erasure is
  // without a name, so searching for the old name finds nothing.
  for (int offset = 0;; offset += kPostsPerRebuildBatch) {
    auto posts = store_.ListPostsByUser(user, offset, kPostsPerRebuildBatch, /*include_anonymous=*/true);
    if (!posts) return std::move(posts).error();
    for (const auto& post : *posts) KINDRED_TRY(RefreshPost(post.id));
    if (static_cast<int>(posts->size()) < kPostsPerRebuildBatch) return Ok();
  }
}

Result<void> Indexer::RefreshVisibility(PostId id) {
  auto post = store_.FindPost(id);
  if (!post) {
    if (post.error().code == ErrorCode::kNotFound) return index_.Remove(id);
    return std::move(post).error();
  }
  // Hiding or showing a question does the same to its topic, and so to every reply in it.
  if (post->number == 1) return RefreshTopic(post->topic_id);
  return RefreshPost(id);
}

Result<void> Indexer::RefreshTopic(TopicId topic) {
  auto exists = store_.FindTopic(topic);
  if (!exists) {
    if (exists.error().code == ErrorCode::kNotFound) return index_.RemoveTopic(topic);
    return std::move(exists).error();
  }
  // Moves and title changes reach every post of the topic.
  for (int offset = 0;; offset += kPostsPerRebuildBatch) {
    auto posts = store_.ListPosts(topic, offset, kPostsPerRebuildBatch);
    if (!posts) return std::move(posts).error();
    for (const auto& post : *posts) KINDRED_TRY(RefreshPost(post.id));
    if (static_cast<int>(posts->size()) < kPostsPerRebuildBatch) return Ok();
  }
}

Result<int> Indexer::CatchUp() {
  auto applied = ApplyNewEvents();
  // A batch cut short leaves changes that no Commit will record: start the next try afresh from
  // what is durable, rather than on top of them (a reply's words would count twice in its topic).
  if (!applied) (void)index_.DiscardUncommitted();
  return applied;
}

Result<int> Indexer::ApplyNewEvents() {
  int applied = 0;
  while (true) {
    auto events = store_.ReadEvents(index_.AppliedSeq(), kEventsPerBatch);
    if (!events) return std::move(events).error();
    if (events->empty()) return applied;
    for (const auto& event : *events) {
      if (Is(event, store::events::kTopicCreated) || Is(event, store::events::kTopicUpdated)) {
        KINDRED_TRY(RefreshTopic(TopicId(event.subject_id)));
      } else if (Is(event, store::events::kTopicDeleted)) {
        KINDRED_TRY(index_.RemoveTopic(TopicId(event.subject_id)));
      } else if (Is(event, store::events::kPostCreated) || Is(event, store::events::kPostEdited) ||
                 Is(event, store::events::kPostDeleted) || Is(event, store::events::kPostMoved)) {
        KINDRED_TRY(RefreshPost(PostId(event.subject_id)));
      } else if (Is(event, store::events::kPostHidden) || Is(event, store::events::kPostShown)) {
        KINDRED_TRY(RefreshVisibility(PostId(event.subject_id)));
      } else if (Is(event, store::events::kUserErased)) {
        KINDRED_TRY(RefreshAuthor(UserId(event.subject_id)));
      }
      // Reactions, categories, reviews and the rest change nothing the index holds.
    }
    KINDRED_TRY(index_.Commit(events->back().seq));
    applied += static_cast<int>(events->size());
  }
}

Result<std::int64_t> Indexer::Rebuild(const std::function<void(std::int64_t, std::int64_t)>& on_progress) {
  // The feed position first: anything written during the rebuild is after it, and CatchUp will
  // apply it again, which is harmless (every refresh reads the store as it is).
  auto position = store_.LatestEventSeq();
  if (!position) return std::move(position).error();
  auto total = store_.CountLivePosts();
  if (!total) return std::move(total).error();
  std::int64_t done = 0;
  PostId after(0);
  while (true) {
    auto posts = store_.ListLivePosts(after, kPostsPerRebuildBatch);
    if (!posts) return std::move(posts).error();
    if (posts->empty()) break;
    for (const auto& post : *posts) {
      auto topic = store_.FindTopic(post.topic_id);
      if (!topic) return std::move(topic).error();
      if (Searchable(post, *topic)) KINDRED_TRY(index_.Upsert(ToIndexed(post, *topic)));
    }
    after = posts->back().id;
    done += static_cast<std::int64_t>(posts->size());
    if (on_progress) on_progress(done, std::max(done, *total));
  }
  KINDRED_TRY(index_.Commit(*position));
  return done;
}

}  // namespace kindred::jobs
