// XapianIndex: the SearchIndex on a Xapian (1.4) database in one directory of the data directory.
//
// One document per post (the question post carries the topic title, weighted above the body), plus
// one aggregate document per topic (title, question and every reply) that Similar, Related and the
// misplaced-reply check compare against, so that replies count toward their topic. Search collapses
// posts by topic so each topic appears once, with its best-matching post.
//
// Crash safety: changes become durable only at Commit(applied_seq), which stores applied_seq in the
// database's user metadata in the same Xapian commit; after a crash the index is exactly as of the
// last Commit, and AppliedSeq() says where to resume the change feed.
//
// Thread-safety: every method may be called from any thread at once. Writes go through one
// WritableDatabase behind a mutex; reads use pooled read-only Database handles that are reopened
// after each commit, so readers see the last committed state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/result.h"
#include "search/search_index.h"

namespace kindred::search {

// Bumped whenever what is indexed, or how, changes; an index written with another version must be
// rebuilt from the store (NeedsRebuild()).
inline constexpr int kXapianIndexFormatVersion = 2;

// What the ranking uses. The defaults are the tuned behaviour; `Baseline()` is plain BM25 over the
// same documents (no title weighting, no typo correction, no confidence threshold), kept so the
// evaluation can show what the tuning buys.
struct XapianIndexOptions {
  bool title_weighting = true;      // title terms weighted above body terms, replies get title context
  bool spelling_correction = true;  // correct words absent from the forum's vocabulary
  bool calibrated_similar = true;   // Similar/Related/CheckMisplaced: confidence + threshold
  // Similar/Related show nothing below this confidence: a topic that merely shares a common word
  // scores under it. Chosen on tests/search, search_more and search_blind to keep suggestions for
  // questions with no answer near 1 in 10 (see evaluation.h).
  double similar_threshold = 0.55;

  static XapianIndexOptions Baseline() { return {false, false, false, 0}; }
};

class XapianIndex final : public SearchIndex {
 public:
  // Opens or creates the index in `dir` (created if missing). kUnavailable when Xapian cannot
  // open it (locked by another process, corrupt, unreadable).
  static Result<std::unique_ptr<XapianIndex>> Open(const std::filesystem::path& dir, XapianIndexOptions options = {});
  ~XapianIndex() override;
  XapianIndex(const XapianIndex&) = delete;
  XapianIndex& operator=(const XapianIndex&) = delete;

  // True when the directory holds an index written with another format version (or none recorded
  // although it has documents): the caller should Clear() it and rebuild from the store.
  bool NeedsRebuild() const;
  // Removes every document, the vocabulary and the applied sequence, and records the current
  // format version; durable at once. For `kindred reindex` and format upgrades.
  Result<void> Clear();

  Result<void> Upsert(const IndexedPost& post) override;
  Result<void> Remove(PostId post) override;
  Result<void> RemoveTopic(TopicId topic) override;
  Result<void> Commit(std::int64_t applied_seq) override;
  std::int64_t AppliedSeq() const override;
  Result<void> DiscardUncommitted() override;

  Result<SearchResults> Search(const SearchQuery& query) override;
  Result<std::vector<SimilarTopic>> Similar(const std::string& title, const std::string& body, int limit,
                                            std::optional<TopicId> exclude, const std::string& asker) override;
  std::optional<std::vector<SimilarTopic>> KeptSimilar(const std::string& title, const std::string& body, int limit,
                                                       std::optional<TopicId> exclude,
                                                       const std::string& asker) override;
  Result<std::vector<SimilarTopic>> Related(TopicId topic, int limit) override;
  Result<MisplacedCheck> CheckMisplaced(TopicId topic, const std::string& reply_markdown) override;

  struct Impl;

 private:
  explicit XapianIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The index as the rest of Kindred sees it (see XapianIndex::Open).
Result<std::unique_ptr<SearchIndex>> OpenXapianIndex(const std::filesystem::path& dir);

// The index's size on disk before and after CompactXapianIndex.
struct IndexCompaction {
  std::uintmax_t bytes_before = 0;
  std::uintmax_t bytes_after = 0;
};

// Rewrites the index in `dir` with its B-tree blocks full and each posting list in as few chunks
// as will hold it, then swaps the copy in with one atomic rename. A freshly built index has blocks
// about half full (B-tree splits); compacted, its posting and term lists are about half the size
// and a lookup reads that many fewer blocks: on the bench's 1.36M-post store, a new similar question went from 101 to 120
// answered a second, with identical answers. Later writes fill it out again as they split blocks.
// Needs free disk for the compacted copy; on any failure the index is left exactly as it was.
// REQUIRES: no XapianIndex is open on `dir` (one open in another process makes this fail with
// kUnavailable, since Xapian's write lock is taken first).
Result<IndexCompaction> CompactXapianIndex(const std::filesystem::path& dir);

}  // namespace kindred::search
