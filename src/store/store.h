// Store: everything Kindred keeps, behind one interface with a backend per database.
// Each method is one atomic unit: it commits fully before returning success, or changes nothing.
// Methods that change forum content append to the events feed in the same transaction.
// Failure contract: a missing row (also one a write refers to: an unknown user, category or
// post) gives ErrorCode::kNotFound; a uniqueness clash gives kConflict with the field named
// ("username", "name", "slug"); changing a deleted post (edit, react) gives kConflict with key
// "post_deleted"; a database that cannot be reached, is busy past its timeout or was written by a
// newer Kindred gives kUnavailable.
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/event_waiter.h"
#include "store/rows.h"

namespace kindred::store {

// A span of reads that belong together, such as the reads of one page (Store::ShareReads).
// Ending it (destroying it) ends what it shares. Belongs to the thread that made it.
class ReadScope {
 public:
  virtual ~ReadScope() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Reads that belong together: while the returned scope lives, the reads this thread makes on
  // this store may share one read transaction, so they see one snapshot and pay for one
  // transaction and one pooled connection instead of one each (a signed-in topic page reads
  // about ten times). A write on this thread ends the shared transaction before it runs, so a read
  // after it sees it. Scopes do not nest: one opened inside another (of any store) on the same
  // thread shares nothing itself. Destroy it on the thread that made it, before the store.
  // Keep it to reads that the page shows together: the transaction stays open while it lives.
  // This default shares nothing (every read is its own transaction), which is always correct.
  [[nodiscard]] virtual std::unique_ptr<ReadScope> ShareReads() { return std::make_unique<ReadScope>(); }

  // Accounts.
  virtual Result<UserRow> CreateUser(const NewUser& user) = 0;  // kConflict on "username"
  virtual Result<UserRow> FindUserById(UserId id) = 0;
  virtual Result<UserRow> FindUserByName(std::string_view username) = 0;  // ignores ASCII case
  virtual Result<void> SetPasswordHash(UserId id, std::string_view password_hash) = 0;
  virtual Result<void> SetRole(UserId id, Role role) = 0;
  virtual Result<std::int64_t> CountUsers() = 0;
  virtual Result<void> SetWorryOptOut(UserId id, bool worry_opt_out) = 0;
  // Moderators and admins, and (when asked) trusted peer supporters: whom to alert.
  virtual Result<std::vector<UserRow>> ListResponders(bool include_trusted_supporters) = 0;
  virtual Result<void> SetTrust(UserId id, TrustLevel level, bool pinned) = 0;
  // nullopt lifts a suspension (and clears the reason).
  virtual Result<void> SetSuspension(UserId id, std::optional<UnixSeconds> until, std::string_view reason) = 0;
  // Adds to the member's record as a flagger (deltas may be 0).
  virtual Result<void> AddFlagOutcomes(UserId id, int upheld, int rejected) = 0;
  virtual Result<void> SetPersonalControls(UserId id, std::string_view muted_words, bool show_warned_posts) = 0;

  // Blocks: adding twice or removing what is not there succeeds and changes nothing.
  virtual Result<void> AddBlock(UserId blocker, UserId blocked, UnixSeconds at) = 0;
  virtual Result<void> RemoveBlock(UserId blocker, UserId blocked) = 0;
  virtual Result<std::vector<UserRow>> ListBlocked(UserId blocker) = 0;  // by name
  virtual Result<bool> IsBlocked(UserId blocker, UserId blocked) = 0;

  // Watched words, by pattern. kConflict ("pattern") when the pattern (ignoring case) is watched.
  virtual Result<std::vector<WatchedWordRow>> ListWatchedWords() = 0;
  virtual Result<WatchedWordRow> AddWatchedWord(const WatchedWordRow& word) = 0;
  virtual Result<void> RemoveWatchedWord(std::int64_t id) = 0;  // kNotFound when unknown

  // Leaving (forum/privacy.cc). Everything stored about one member, for their export.
  virtual Result<std::vector<SessionRow>> ListSessionsOfUser(UserId user) = 0;
  virtual Result<std::vector<ReactionGivenRow>> ListReactionsByUser(UserId user) = 0;
  virtual Result<std::vector<ReviewItemRow>> ListFlagsByReporter(UserId reporter) = 0;
  virtual Result<std::vector<WorryReportRow>> ListWorryReportsBy(UserId reporter) = 0;
  // Erases an account in one transaction, whatever its size. Always: the name becomes
  // "former-member-<id>", email, password, muted words and record are cleared, erased_at is set;
  // sessions, notices, blocks (both ways), reactions given (counts recounted), worry reports by
  // or about them are deleted; their flags lose reporter and note; modlog entries about their
  // posts lose before/after. With `delete_posts`, every post they wrote is erased as DeletePost
  // does (events post.deleted), the review items on them are deleted, and a topic they asked
  // loses its title ("Removed by its author") or, with no one else's replies, goes whole
  // (topic.deleted). Without it, the posts stay under "a former member" (event user.erased).
  // An account that holds modlog entries as actor keeps its rows there under its new name.
  virtual Result<void> EraseUser(UserId id, bool delete_posts, UnixSeconds at) = 0;

  // Sessions.
  virtual Result<void> CreateSession(const SessionRow& session) = 0;
  // kNotFound when unknown or expired at `now`.
  virtual Result<SessionRow> FindSession(std::string_view token_hash, UnixSeconds now) = 0;
  virtual Result<void> DeleteSession(std::string_view token_hash) = 0;
  virtual Result<void> DeleteUserSessions(UserId user_id) = 0;

  // Categories.
  virtual Result<std::vector<CategoryRow>> ListCategories(bool include_archived) = 0;
  virtual Result<CategoryRow> FindCategoryById(CategoryId id) = 0;
  virtual Result<CategoryRow> FindCategoryBySlug(std::string_view slug) = 0;
  virtual Result<CategoryRow> CreateCategory(const NewCategory& category) = 0;  // kConflict on "name"
  // Saves name, description, slug, position and archived of `category`.
  virtual Result<CategoryRow> UpdateCategory(const CategoryRow& category) = 0;

  // Topics. Lists are pinned first, then by last activity, newest first, and leave out topics
  // whose question is hidden or held.
  virtual Result<TopicList> ListTopics(std::optional<CategoryId> category, int offset, int limit) = 0;
  virtual Result<TopicRow> FindTopic(TopicId id) = 0;
  // Inserts the topic and its first post together.
  virtual Result<std::pair<TopicRow, PostRow>> CreateTopic(const NewTopic& topic) = 0;
  // Inserts a whole thread (question and replies, their own times kept) in one transaction:
  // for import, where a thread must arrive whole or not at all. The replies' topic_id is ignored.
  virtual Result<TopicRow> ImportThread(const NewTopic& topic, const std::vector<NewPost>& replies) = 0;
  virtual Result<TopicRow> SetTopicState(TopicId id, bool pinned, bool closed, CategoryId category) = 0;

  // Posts.
  // Appends a reply and bumps its topic's reply count and last activity. kConflict
  // ("topic_closed") when the topic was closed, checked inside the transaction.
  virtual Result<PostRow> CreateReply(const NewPost& post) = 0;
  virtual Result<PostRow> FindPost(PostId id) = 0;
  virtual Result<std::vector<PostRow>> ListPosts(TopicId topic, int offset, int limit) = 0;
  virtual Result<std::int64_t> CountPosts(TopicId topic) = 0;
  // A member's posts for their profile; anonymous ones only when `include_anonymous` (their own
  // view, and their export), hidden ones and those in a hidden conversation likewise.
  virtual Result<std::vector<PostRow>> ListPostsByUser(UserId user, int offset, int limit, bool include_anonymous) = 0;
  virtual Result<std::int64_t> CountPostsByUser(UserId user, bool include_anonymous) = 0;
  // When `user` last posted in `topic` (for slow mode); nullopt when never.
  virtual Result<std::optional<UnixSeconds>> LastPostTimeIn(TopicId topic, UserId user) = 0;
  // Hides a post (reason "flags", "held" or "moderator"; event post.hidden) or shows it again
  // (nullopt; event post.shown). Hiding or showing the question does the same to its topic.
  virtual Result<PostRow> SetPostHidden(PostId id, std::optional<UnixSeconds> hidden_at, std::string_view reason) = 0;
  // Event topic.updated; 0 turns slow mode off, a negative pause is kInvalidInput.
  virtual Result<TopicRow> SetSlowMode(TopicId id, int seconds) = 0;
  // Keeps the previous text as a revision, then saves the new one.
  virtual Result<PostRow> EditPost(PostId id, std::string_view body_markdown, std::string_view body_html,
                                   UnixSeconds at) = 0;
  // Erases the text (revisions and reactions too) and keeps the post's place in the thread.
  // Deleting a deleted post succeeds and changes nothing.
  virtual Result<void> DeletePost(PostId id, UnixSeconds at) = 0;
  virtual Result<std::vector<RevisionRow>> ListRevisions(PostId id) = 0;
  // Moves a reply to the end of another topic (a reply posted in the wrong thread), fixing both
  // topics' counts and activity. kConflict "topic_closed" when the target is closed; kInvalidInput
  // for a question (post 1) or a deleted post. Event post.moved.
  virtual Result<PostRow> MovePost(PostId id, TopicId to, UnixSeconds at) = 0;
  // Posts that are not deleted, by id after `after`, oldest first: for rebuilding derived data.
  virtual Result<std::vector<PostRow>> ListLivePosts(PostId after, int limit) = 0;
  virtual Result<std::int64_t> CountLivePosts() = 0;

  // Reactions: at most one of each kind per person per post. Adding twice or removing what
  // is not there succeeds and changes nothing, so a double click is harmless.
  virtual Result<void> AddReaction(PostId post, UserId user, ReactionKind kind, UnixSeconds at) = 0;
  virtual Result<void> RemoveReaction(PostId post, UserId user, ReactionKind kind) = 0;
  // The kinds `user` gave to each of `posts`, as (post, kind) pairs.
  virtual Result<std::vector<std::pair<PostId, ReactionKind>>> ListOwnReactions(UserId user,
                                                                                const std::vector<PostId>& posts) = 0;

  // The review queue. Open items come highest priority first, then oldest first; resolved ones
  // newest first. An escalated item is still open here (in the list, the count and the waiting
  // check): it waits for an admin, and a person at risk must not drop out of sight meanwhile. writer_name is empty when the post is anonymous or its writer was erased: a
  // moderator learns an anonymous writer's name only through Forum::RevealAnonymous.
  virtual Result<ReviewItemRow> CreateReviewItem(const NewReviewItem& item) = 0;  // event review.created
  virtual Result<ReviewItemRow> FindReviewItem(std::int64_t id) = 0;
  virtual Result<std::vector<ReviewItemRow>> ListReviewItems(bool open, int offset, int limit) = 0;
  virtual Result<std::int64_t> CountOpenReviewItems(int min_priority) = 0;
  virtual Result<std::vector<ReviewItemRow>> ListReviewItemsForPost(PostId post) = 0;
  // Resolves an item if it is still at `expected_version`; kConflict ("review_changed") when
  // someone else acted on it first, kInvalidInput ("status") for kOpen. Event review.resolved.
  virtual Result<ReviewItemRow> ResolveReviewItem(std::int64_t id, int expected_version, ReviewStatus status, UserId by,
                                                  std::string_view note, UnixSeconds at) = 0;
  // Open (or escalated) safety items posted at or before `cutoff` that nobody but their writer has replied to
  // since, and for which "waiting for a reply" was not raised yet.
  virtual Result<std::vector<ReviewItemRow>> ListUnansweredSafetyItems(UnixSeconds cutoff) = 0;
  // Also bumps the version, like any change to an item.
  virtual Result<void> MarkWaitingRaised(std::int64_t id, UnixSeconds at) = 0;
  // Open or escalated crisis items made at or before `cutoff` that no reminder was sent for yet.
  virtual Result<std::vector<ReviewItemRow>> ListCrisisItemsToRemind(UnixSeconds cutoff) = 0;
  // Claims the reminder for an item: false when another server (or an earlier run) already did,
  // or a moderator decided it meanwhile, so each item's reminder goes out once and only while it
  // waits. Leaves the version alone: the item itself is unchanged.
  virtual Result<bool> ClaimCrisisReminder(std::int64_t id, UnixSeconds at) = 0;

  // The modlog, newest first.
  virtual Result<void> AppendModlog(const ModlogRow& entry) = 0;
  virtual Result<std::vector<ModlogRow>> ListModlog(int offset, int limit) = 0;

  // Notices: private messages to one member, newest first.
  virtual Result<NoticeRow> CreateNotice(const NewNotice& notice) = 0;
  virtual Result<std::vector<NoticeRow>> ListNotices(UserId user, int offset, int limit) = 0;
  virtual Result<std::int64_t> CountUnreadNotices(UserId user) = 0;
  // Marks those of `ids` that are `user`'s: the ones a page showed, never ones not yet seen.
  virtual Result<void> MarkNoticesRead(UserId user, const std::vector<std::int64_t>& ids, UnixSeconds at) = 0;

  // "I'm worried about this person" reports.
  virtual Result<void> RecordWorryReport(const WorryReportRow& report) = 0;
  virtual Result<std::int64_t> CountWorryReportsBy(UserId reporter, UnixSeconds since) = 0;
  // When the writer was last sent a worry message, if ever.
  virtual Result<std::optional<UnixSeconds>> LastWorryMessageTo(UserId writer) = 0;

  // Small named settings an admin edits (the helpline directory, message templates).
  // kNotFound when never set.
  virtual Result<std::string> GetSetting(std::string_view key) = 0;
  virtual Result<void> PutSetting(std::string_view key, std::string_view value, UnixSeconds at) = 0;
  // The setting's value; when it was never set, sets it to `value` first. Atomic: of several
  // callers at once (nodes starting together) one sets it, and all get the same value.
  virtual Result<std::string> SettingOr(std::string_view key, std::string_view value, UnixSeconds at) = 0;

  // Rate limits shared by every node: takes one token from `key`'s bucket (`burst` tokens, refilled
  // at `per_second`, full when first seen), as one atomic step whichever node asks. Returns 0 when
  // a token was taken, otherwise the whole seconds until one is back (and takes nothing). Buckets
  // idle for an hour are forgotten now and then: a full bucket carries no information.
  virtual Result<int> TakeRateToken(std::string_view key, int burst, double per_second, double now) = 0;
  // Deletes the buckets idle for an hour as of `now`, on a timer: TakeRateToken sweeps only as
  // calls come, and a quiet forum must still forget addresses' hashes (docs/privacy.md).
  virtual Result<void> ForgetIdleRateBuckets(double now) = 0;

  // The change feed, oldest first, after `after_seq`; LatestEventSeq is 0 for an empty feed.
  virtual Result<std::int64_t> LatestEventSeq() = 0;
  virtual Result<std::vector<EventRow>> ReadEvents(std::int64_t after_seq, int limit) = 0;
  // A waiter that wakes when the feed may have grown (event_waiter.h), for one follower thread.
  // Never fails: a waiter that cannot listen yet (PostgreSQL unreachable) waits out its timeouts
  // and tries again. This default only times out, so its follower polls.
  virtual std::unique_ptr<EventWaiter> OpenEventWaiter() { return EventSignal().NewWaiter(); }

  // Demo content: every is_demo category, topic and user, with what hangs off them. A topic goes
  // whole when it, its category or its asker is demo; demo users' replies and reactions in real
  // topics go too, and those topics' counts are recounted.
  virtual Result<void> DeleteDemoContent() = 0;
};

}  // namespace kindred::store
