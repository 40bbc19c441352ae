// Row shapes: what the store keeps and gives back. Request shapes (what clients send) live in
// forum/ and api/; these are only the stored facts, plus the few joined names lists need.
// Thread-safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"

namespace kindred::store {

enum class Role { kMember = 0, kModerator = 1, kAdmin = 2 };

// How far the community trusts a member. New members get the limits that keep spam out (few
// links, held first posts with links); trusted peer supporters also see "waiting for a reply".
enum class TrustLevel { kNew = 0, kBasic = 1, kTrusted = 2 };

struct UserRow {
  UserId id;
  std::string username;  // as the person typed it; uniqueness ignores ASCII case
  std::string email;     // empty when not given
  // argon2id string from libsodium; empty for imported authors who cannot log in yet.
  std::string password_hash;
  Role role = Role::kMember;
  UnixSeconds created_at = 0;
  bool is_demo = false;
  // The member asked not to receive "someone is worried about you" messages.
  bool worry_opt_out = false;
  TrustLevel trust_level = TrustLevel::kNew;
  bool trust_pinned = false;  // set by an admin: automatic promotion leaves it alone
  // Suspended members can read but not post, until this time.
  std::optional<UnixSeconds> suspended_until;
  std::string suspended_reason;
  // The member's record as a flagger: how many of their flags moderators upheld or turned down.
  int flags_upheld = 0;
  int flags_rejected = 0;
  // Personal controls.
  std::string muted_words;         // one word or phrase per line, as the member typed them
  bool show_warned_posts = false;  // open posts with a content warning instead of collapsing them
  // Set when the account was erased: the name is "former-member-<id>", nothing personal is left.
  std::optional<UnixSeconds> erased_at;

  // Trusted peer supporters see "waiting for a reply" alerts beside the moderators.
  bool trusted_supporter() const { return trust_level == TrustLevel::kTrusted; }
  bool suspended_at(UnixSeconds now) const { return suspended_until && *suspended_until > now; }
};

struct NewUser {
  std::string username;
  std::string email;
  std::string password_hash;
  Role role = Role::kMember;
  UnixSeconds created_at = 0;
  bool is_demo = false;
};

struct SessionRow {
  std::string token_hash;  // hex SHA-256 of the cookie or bearer token; the token itself is never kept
  UserId user_id;
  std::string csrf_token;  // random, per session: every form of this session carries it
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

struct CategoryRow {
  CategoryId id;
  std::string slug;
  std::string name;
  std::string description;
  int position = 0;  // lower first on the home page
  bool archived = false;
  bool is_demo = false;
  std::int64_t topic_count = 0;  // filled by ListCategories
};

struct NewCategory {
  std::string slug;
  std::string name;
  std::string description;
  bool is_demo = false;
};

// Why a post or topic may show no name: asked anonymously, or written by a member who left.
// The store never joins a name for those, so nothing downstream (pages, API, search index, live
// updates) can show one by mistake; the writer's id stays, for the guardian only.
enum class AuthorState { kNamed = 0, kAnonymous = 1, kFormerMember = 2 };

struct TopicRow {
  TopicId id;
  CategoryId category_id;
  UserId user_id;
  std::string title;
  UnixSeconds created_at = 0;
  UnixSeconds last_post_at = 0;
  std::int64_t reply_count = 0;  // posts after the question that are not deleted
  bool pinned = false;
  bool closed = false;
  bool is_demo = false;
  bool anonymous = false;         // asked anonymously: author_name is empty
  int slow_mode_seconds = 0;      // least time between one person's replies; 0 is off
  std::optional<UnixSeconds> hidden_at;  // the question is hidden or held: left out of lists
  // Joined for display. Empty unless author_state is kNamed.
  std::string author_name;
  AuthorState author_state = AuthorState::kNamed;
  std::string category_slug;
  std::string category_name;
};

enum class ReactionKind { kHelpful = 0, kHug = 1, kMeToo = 2 };
inline constexpr int kReactionKindCount = 3;

struct PostRow {
  PostId id;
  TopicId topic_id;
  UserId user_id;
  int number = 0;  // 1 is the question, then replies in order
  std::optional<PostId> reply_to;
  std::string body_markdown;
  std::string body_html;  // rendered once, when saved
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> edited_at;
  std::optional<UnixSeconds> deleted_at;  // deleted by its author: the text is gone, the place stays
  std::array<std::int64_t, kReactionKindCount> reactions{};
  bool anonymous = false;
  std::string content_warning;  // the author's words ("self-harm", "grief"); empty for none
  // Hidden from everyone but its writer and moderators, for hidden_reason: "flags" (enough
  // members flagged it; pending review), "held" (waiting for a first look), "moderator".
  std::optional<UnixSeconds> hidden_at;
  std::string hidden_reason;
  // Joined for display. Empty unless author_state is kNamed.
  std::string author_name;
  AuthorState author_state = AuthorState::kNamed;
};

struct NewTopic {
  CategoryId category_id;
  UserId user_id;
  std::string title;
  std::string body_markdown;
  std::string body_html;
  UnixSeconds created_at = 0;
  bool is_demo = false;
  bool anonymous = false;
  std::string content_warning = {};
  bool held = false;  // the question waits for a moderator's first look (hidden_reason "held")
};

struct NewPost {
  TopicId topic_id;
  UserId user_id;
  std::optional<PostId> reply_to;
  std::string body_markdown;
  std::string body_html;
  UnixSeconds created_at = 0;
  bool anonymous = false;
  std::string content_warning = {};
  bool held = false;
};

struct RevisionRow {
  PostId post_id;
  int revision = 0;  // 1 is the text as first posted
  std::string body_markdown;
  std::string body_html;
  UnixSeconds created_at = 0;
};

struct TopicList {
  std::vector<TopicRow> topics;
  std::int64_t total = 0;  // across all pages
};

// One thing for moderators to look at. Every kind of moderation item shares this queue: a post
// whose words suggest its writer may be at risk, a reply that may be in the wrong thread, a flag
// from a member, a post held for review.
enum class ReviewKind { kSafety = 0, kMisplaced = 1, kFlag = 2, kHeld = 3 };
enum class ReviewStatus { kOpen = 0, kHandled = 1, kEscalated = 2, kDismissed = 3 };

struct NewReviewItem {
  ReviewKind kind = ReviewKind::kSafety;
  PostId post;
  // Higher first: 2 for crisis, 1 for concern and everything else.
  int priority = 1;
  std::string level;    // "crisis" or "concern" for safety items; empty otherwise
  std::string reasons;  // what fired, for the moderator: "intent: \"want to die\"; time: \"tonight\""
  std::optional<TopicId> suggested_topic;  // misplaced replies: where it probably belongs
  double score = 0;
  std::optional<UserId> reporter;  // flags: who raised it (moderators see it, the writer never does)
  std::string note;                // flags: the reporter's own words
  UnixSeconds created_at = 0;
};

struct ReviewItemRow {
  std::int64_t id = 0;
  ReviewKind kind = ReviewKind::kSafety;
  PostId post;
  TopicId topic;
  UserId writer;
  int priority = 1;
  std::string level;
  std::string reasons;
  std::optional<TopicId> suggested_topic;
  double score = 0;
  std::optional<UserId> reporter;
  std::string note;
  ReviewStatus status = ReviewStatus::kOpen;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> resolved_at;
  std::optional<UserId> resolved_by;
  std::string resolution_note;
  // Set when "waiting for a reply" was raised for this item.
  std::optional<UnixSeconds> waiting_raised_at;
  // Bumped by every change: an action names the version it saw, so two moderators acting on one
  // item at once get a conflict instead of a double action.
  int version = 1;
  // Joined for display.
  std::string writer_name;
  std::string reporter_name;
  std::string topic_title;
  std::string post_markdown;
  std::string post_html;
  int post_number = 1;
  std::string suggested_title;
  // The first reply by someone other than the writer after the post, if any.
  std::optional<UnixSeconds> first_reply_at;
};

// A moderator's or admin's action, kept for the record: who, what, on what, before and after, why.
struct ModlogRow {
  std::int64_t id = 0;
  UserId actor;
  std::string action;        // "review.handled", "review.escalated", "emergency.recorded", "message.sent"...
  std::string subject_kind;  // "post", "user", "review", "topic"
  std::int64_t subject_id = 0;
  std::string before;
  std::string after;
  std::string reason;
  UnixSeconds created_at = 0;
  std::string actor_name;  // joined
};

// A private message for one member, shown in their notices: a moderator's private reply, a kind
// word with helplines when someone worried about them, an alert for moderators.
struct NewNotice {
  UserId user;
  std::string kind;  // "safety_alert", "crisis_reminder", "waiting_for_reply", "worry", "moderator_message", "misplaced"
  std::string title;
  std::string body_html;  // rendered by the writer of the notice; safe to put in a page
  std::string link;       // a local path ("/t/12#p3"), or empty
  UnixSeconds created_at = 0;
};

struct NoticeRow {
  std::int64_t id = 0;
  UserId user;
  std::string kind;
  std::string title;
  std::string body_html;
  std::string link;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> read_at;
};

// A word or pattern admins watch for. A pattern is a word or phrase matched whole and ignoring
// case; "*" inside it stands for any letters ("spam*" matches "spammer").
enum class WatchedAction { kFlag = 0, kHold = 1, kReplace = 2, kBlock = 3 };

struct WatchedWordRow {
  std::int64_t id = 0;
  std::string pattern;
  WatchedAction action = WatchedAction::kFlag;
  std::string replacement;  // for kReplace
  UnixSeconds created_at = 0;
};

struct ReactionGivenRow {
  PostId post;
  ReactionKind kind = ReactionKind::kHelpful;
  UnixSeconds created_at = 0;
};

// One "I'm worried about this person" report.
struct WorryReportRow {
  UserId reporter;
  PostId post;
  UserId writer;
  UnixSeconds created_at = 0;
  bool message_sent = false;  // whether the writer was sent the kind message for it
};

namespace events {
// Event kinds: every backend writes these and every consumer of the feed reads them.
inline constexpr const char* kTopicCreated = "topic.created";
inline constexpr const char* kTopicUpdated = "topic.updated";  // pinned, closed or moved
inline constexpr const char* kTopicDeleted = "topic.deleted";
inline constexpr const char* kPostCreated = "post.created";
inline constexpr const char* kPostEdited = "post.edited";
inline constexpr const char* kPostDeleted = "post.deleted";
inline constexpr const char* kPostMoved = "post.moved";
// Hidden or shown again by moderation (post.hidden also when held); readers' views must follow.
inline constexpr const char* kPostHidden = "post.hidden";
inline constexpr const char* kPostShown = "post.shown";
// An account was erased: its name is gone from every post it kept (subject: the user id).
inline constexpr const char* kUserErased = "user.erased";
inline constexpr const char* kPostReactionsChanged = "post.reactions_changed";
// What a signed-in member's own pages depend on changed: a session ended, or their role, trust,
// suspension, personal controls, blocks or unread notices (a notice sent, or notices read)
// (subject: the user id; 0 for a session ended by its token). Forum's cached sessions, reading
// controls and notice counts are kept only until the next event.
inline constexpr const char* kMemberChanged = "member.changed";
inline constexpr const char* kCategoryCreated = "category.created";
inline constexpr const char* kCategoryUpdated = "category.updated";
inline constexpr const char* kDemoDeleted = "demo.deleted";
// The review.* events name the review item (ReviewItemRow::id), not its post.
inline constexpr const char* kReviewCreated = "review.created";
inline constexpr const char* kReviewResolved = "review.resolved";
}  // namespace events

// What changed, in the order it was committed. Written in the same transaction as the change,
// so a reader of the feed never misses or invents one.
struct EventRow {
  std::int64_t seq = 0;
  std::string kind;  // "topic.created", "post.created", "post.edited", "post.deleted", ...
  std::int64_t subject_id = 0;
  UnixSeconds created_at = 0;
};

}  // namespace kindred::store
