// Indexer: keeps the search index in step with the store by applying the change feed in order.
// The index records the last sequence number it applied in the same commit as the changes, so a
// crash or restart resumes exactly where it stopped; a rebuild replays the whole store.
// An indexing failure never fails a write: writes only append events, and the indexer catches up.
// Thread-safety: one Indexer per index; CatchUp and Rebuild must not run at once (the serve
// command runs CatchUp on one job thread).
#pragma once

#include <cstdint>
#include <functional>

#include "core/result.h"
#include "search/search_index.h"
#include "store/store.h"

namespace kindred::jobs {

class Indexer {
 public:
  Indexer(store::Store& store, search::SearchIndex& index) : store_(store), index_(index) {}

  // Applies every event after the index's applied sequence; returns how many it applied.
  // After a failure it drops the batch's uncommitted changes, so the next call starts afresh.
  Result<int> CatchUp();

  // Indexes every live post readers may find from scratch (the caller cleared the index first;
  // hidden posts and hidden topics are left out, as RefreshPost would), then records the
  // feed position reached, so CatchUp goes on from there. `on_progress(done, total)` after each batch.
  Result<std::int64_t> Rebuild(const std::function<void(std::int64_t, std::int64_t)>& on_progress);

 private:
  Result<int> ApplyNewEvents();
  // Re-reads a post and writes what the index should know of it now (or removes it: deleted,
  // hidden or held posts, and every post of a topic whose question is hidden, are never found).
  Result<void> RefreshPost(PostId post);
  Result<void> RefreshTopic(TopicId topic);
  // post.hidden / post.shown: the post, or its whole topic when it is the question.
  Result<void> RefreshVisibility(PostId post);
  // user.erased: every post the account kept, written again without its old name.
  Result<void> RefreshAuthor(UserId user);
  static search::IndexedPost ToIndexed(const store::PostRow& post, const store::TopicRow& topic);

  store::Store& store_;
  search::SearchIndex& index_;
};

}  // namespace kindred::jobs
