// Forum: the domain. Each method is one thing a person does (ask, reply, react...): it asks the
// guardian, validates, applies limits, and makes one atomic change in the store.
// Failure contract: errors come back as values with a stable key and calm words; invalid input
// names the field; nothing is half-saved.
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "forum/rate_limiter.h"
#include "forum/viewer.h"
#include "safety/detector.h"
#include "safety/helplines.h"
#include "search/search_index.h"
#include "store/store.h"

namespace kindred::forum {

// Rate limits, configurable so a community (or a test) can set its own.
struct RateLimits {
  // Failed and successful sign-ins alike, per account name and per address: guessing a
  // password needs thousands of tries, a person needs a few.
  RateLimit login_per_account{5, 1.0 / 60};
  RateLimit login_per_address{20, 1.0 / 15};
  // New accounts per address: a family or a library shares an address, a spammer scripts.
  RateLimit register_per_address{10, 1.0 / 360};
  // Questions and replies: a burst for a conversation, then one every 10 seconds.
  RateLimit post_per_account{10, 1.0 / 10};
  RateLimit post_per_address{30, 1.0 / 4};
};

// How the forum looks after people who may be at risk (issue 4; ../shared/SAFETY.md).
struct SafetyOptions {
  // A crisis or concern post nobody has answered after this long is raised to moderators and
  // trusted supporters ("waiting for a reply"). SAFETY.md asks for a set time; 15 minutes is the
  // issue's default, short against TalkLife's ~30 s human look but long enough for peers to answer.
  long long waiting_for_reply_seconds = 15 * 60;
  // "I'm worried about this person": Reddit's experience of the feature used as harassment.
  int worry_reports_per_reporter_per_day = 3;
  long long worry_message_interval_seconds = 7LL * 24 * 3600;  // at most one message per writer per week
  // Drafts checked while composing: a few a second per address is plenty for a debounced editor.
  RateLimit draft_checks_per_address{20, 1.0};
  // Shown when the writer's country is not known (ISO 3166-1 alpha-2, or ZZ for "anywhere").
  std::string default_country = "ZZ";
};

// What the writer of a post that may speak of risk is offered, privately, at once.
struct SupportOffer {
  safety::Level level = safety::Level::kNone;
  // The opening words, paragraph by paragraph, as the admins wrote them for this level (plain text).
  std::vector<std::string> message;
  std::string country;  // the country the helplines are for
  std::vector<safety::Helpline> helplines;
  std::string emergency_number;
};

// Moderator actions on a review item.
enum class ReviewAction { kHandled, kEscalate, kRecordEmergencyContact, kDismiss };
std::optional<ReviewAction> ParseReviewAction(std::string_view name);  // "handled", "escalate", "emergency_contacted", "dismiss"

struct RegisterInput {
  std::string username;
  std::string password;
  std::string email;
};

struct SignedIn {
  std::string token;  // give to the client once (cookie or bearer); only its hash is stored
  store::SessionRow session;
  store::UserRow user;
};

struct AskInput {
  CategoryId category_id;
  std::string title;
  std::string body;
};

struct ReplyInput {
  std::string body;
  std::optional<PostId> reply_to;
};

struct CategoryInput {
  std::string name;
  std::string description;
};

struct TopicStateInput {
  std::optional<bool> pinned;
  std::optional<bool> closed;
  std::optional<CategoryId> category_id;
};

struct Page {
  int number = 1;
  int count = 1;  // at least 1, so "page 1 of 1" holds for an empty list
};

struct TopicView {
  store::TopicRow topic;
  std::vector<store::PostRow> posts;
  // own_reactions[i][k]: the viewer gave kind k to posts[i].
  std::vector<std::array<bool, store::kReactionKindCount>> own_reactions;
  Page page;
};

struct TopicListView {
  std::vector<store::TopicRow> topics;
  Page page;
};

struct SearchInput {
  std::string query;
  std::string category_slug;  // empty for every category
  std::string author;         // empty for anyone
  int page = 1;
  bool exact = false;  // search what was typed, without correcting its spelling
};

struct SearchView {
  std::vector<search::SearchHit> hits;
  Page page;
  std::int64_t total = 0;
  std::string corrected_query;  // set when the results are for a corrected spelling
  std::string original_query;
};

// Where a reply probably belongs, offered privately to its writer after posting.
struct MisplacedSuggestion {
  TopicId topic;
  std::string title;
  double score = 0;
};

struct ProfileView {
  store::UserRow user;
  std::vector<store::PostRow> posts;
  std::vector<store::TopicRow> topics_of_posts;  // the topic of posts[i], for titles and links
  std::int64_t post_count = 0;
  Page page;
};

class Forum {
 public:
  Forum(store::Store& store, const Clock& clock, RateLimits limits = {}, SafetyOptions safety = {},
        const safety::Detector& detector = safety::Detector::Default());

  // Accounts.
  Result<store::UserRow> Register(const Viewer& viewer, const RegisterInput& input);
  Result<SignedIn> LogIn(const Viewer& viewer, std::string_view username, std::string_view password);
  // The viewer a session or bearer token stands for; a visitor when the token is unknown or old.
  Viewer Authenticate(std::string_view token, std::string client_address);
  Result<void> LogOut(const Viewer& viewer);
  Result<void> LogOutEverywhere(const Viewer& viewer);
  // For `kindred admin create`: the first admin, or another. kConflict when the name is taken.
  Result<store::UserRow> CreateAdmin(std::string_view username, std::string_view password);

  // Categories.
  Result<std::vector<store::CategoryRow>> Categories(const Viewer& viewer, bool include_archived);
  Result<store::CategoryRow> CategoryBySlug(std::string_view slug);
  Result<store::CategoryRow> CreateCategory(const Viewer& viewer, const CategoryInput& input);
  Result<store::CategoryRow> UpdateCategory(const Viewer& viewer, CategoryId id, const CategoryInput& input);
  Result<store::CategoryRow> SetCategoryArchived(const Viewer& viewer, CategoryId id, bool archived);
  // Moves a category one place up (-1) or down (+1) on the home page.
  Result<void> MoveCategory(const Viewer& viewer, CategoryId id, int direction);

  // Reading.
  Result<TopicListView> LatestTopics(int page, int per_page);
  Result<TopicListView> CategoryTopics(CategoryId category, int page);
  Result<TopicView> ShowTopic(const Viewer& viewer, TopicId id, int page);
  Result<ProfileView> Profile(std::string_view username, int page);
  Result<store::PostRow> FindPost(PostId id);
  // Which reactions the viewer gave to each of `posts` (all false for visitors), in that order.
  using OwnReactions = std::array<bool, store::kReactionKindCount>;
  Result<std::vector<OwnReactions>> OwnReactionsTo(const Viewer& viewer, const std::vector<PostId>& posts);

  // Writing.
  Result<std::pair<store::TopicRow, store::PostRow>> Ask(const Viewer& viewer, const AskInput& input);
  Result<store::PostRow> Reply(const Viewer& viewer, TopicId topic, const ReplyInput& input);
  Result<store::PostRow> EditPost(const Viewer& viewer, PostId id, std::string_view body);
  Result<void> DeletePost(const Viewer& viewer, PostId id);
  Result<std::vector<store::RevisionRow>> Revisions(const Viewer& viewer, PostId id);
  Result<store::PostRow> React(const Viewer& viewer, PostId id, store::ReactionKind kind);
  Result<store::PostRow> Unreact(const Viewer& viewer, PostId id, store::ReactionKind kind);
  Result<store::TopicRow> ModerateTopic(const Viewer& viewer, TopicId id, const TopicStateInput& input);

  // Safety (forum/care.cc).
  // The writer's offer for a post: set only when `viewer` wrote it and it may speak of risk.
  Result<std::optional<SupportOffer>> SupportFor(const Viewer& viewer, PostId post, std::string_view country);
  // Checks a draft while it is written; nothing is stored. Rate limited per address.
  Result<std::pair<safety::Assessment, SupportOffer>> CheckDraft(const Viewer& viewer, std::string_view text,
                                                                 std::string_view country);
  // The helplines for a country (admins' edits included), for /help and the panels.
  SupportOffer HelplinesFor(std::string_view country);
  safety::HelplineDirectory Helplines();
  Result<void> SaveHelplines(const Viewer& viewer, std::string_view tsv);
  // The panel's opening words for each level, as plain text with paragraphs separated by a blank
  // line; admins edit them (SAFETY.md: the wording is the community's, in safe-messaging terms).
  struct SupportMessages {
    std::string crisis;
    std::string concern;
  };
  SupportMessages SupportMessageTexts();
  Result<void> SaveSupportMessages(const Viewer& viewer, const SupportMessages& messages);
  // "I'm worried about this person". Always answers the same way to the reporter, whatever the
  // writer's settings, so the report reveals nothing about them.
  Result<void> ReportWorry(const Viewer& viewer, PostId post, std::string_view note);
  Result<void> SetWorryOptOut(const Viewer& viewer, bool opt_out);
  // Raises "waiting for a reply" for safety items unanswered past the configured time; returns
  // how many it raised. Called by a background job, and by tests with a manual clock.
  Result<int> RaiseWaitingForReply();

  // The review queue (forum/review.cc).
  Result<std::vector<store::ReviewItemRow>> ReviewQueue(const Viewer& viewer, bool open, int page);
  Result<store::ReviewItemRow> ReviewItem(const Viewer& viewer, std::int64_t id);
  Result<store::ReviewItemRow> ActOnReview(const Viewer& viewer, std::int64_t id, ReviewAction action, int version,
                                           std::string_view note);
  // A member's flag on a post: "unkind", "spam", "misplaced", "worried" (which is ReportWorry) or
  // "other" (with a note). The flagger is kept from the writer, shown to moderators.
  Result<void> FlagPost(const Viewer& viewer, PostId post, std::string_view reason, std::string_view note);
  // A private message from a moderator to the writer of a review item's post.
  Result<void> MessageWriter(const Viewer& viewer, std::int64_t id, std::string_view text);
  Result<std::vector<store::ModlogRow>> Modlog(const Viewer& viewer, int page);
  Result<std::int64_t> UrgentReviewCount(const Viewer& viewer);  // open crisis items, for the header
  Result<void> SetTrustedSupporter(const Viewer& viewer, std::string_view username, bool trusted);
  // Editable texts: the message templates moderators start from, one per paragraph block.
  std::vector<std::string> MessageTemplates();
  Result<void> SaveMessageTemplates(const Viewer& viewer, std::string_view text);

  // Notices (private messages to the viewer).
  Result<std::vector<store::NoticeRow>> Notices(const Viewer& viewer, int page);
  Result<std::int64_t> UnreadNoticeCount(const Viewer& viewer);
  Result<void> MarkNoticesRead(const Viewer& viewer);

  // Finding what is already there (forum/finding.cc). Without an attached index these answer
  // kUnavailable (search) or nothing (suggestions), so the forum works before its index does.
  void AttachSearchIndex(search::SearchIndex* index) { index_ = index; }
  // Keeps rate limits in the store, for several nodes on one database (PostgreSQL); one node
  // keeps them in memory, which costs no write. The keys are hashed with a secret kept in the
  // store's settings (made on first use), so that every node hashes alike.
  Result<void> ShareRateLimitsThroughStore();
  Result<SearchView> Search(const Viewer& viewer, const SearchInput& input);
  // "These questions may already have answers": at most 5, none when nothing is close enough.
  Result<std::vector<search::SimilarTopic>> SimilarQuestions(std::string_view title, std::string_view body);
  // "People also asked", at the foot of a topic.
  Result<std::vector<search::SimilarTopic>> RelatedTopics(TopicId topic);
  // The suggestion for a reply that reads as belonging elsewhere; only for its writer, and only
  // while they can still move it.
  Result<std::optional<MisplacedSuggestion>> MisplacedFor(const Viewer& viewer, PostId post);
  // Moves the writer's own reply to the topic it was suggested for, within kMoveWindowSeconds.
  Result<store::PostRow> MoveOwnReply(const Viewer& viewer, PostId post, TopicId to);
  // The misplaced-reply score of a post, for moderators (nullopt for anyone else or no check).
  Result<std::optional<MisplacedSuggestion>> MisplacedScoreForModerator(const Viewer& viewer, PostId post);

  // The page a post is on in its topic, for links that jump to it.
  static int PageOfPost(int post_number);

  const Clock& clock() const { return clock_; }

 private:
  Result<void> TakePostingToken(const Viewer& viewer);
  // After a post is saved: assess it and, when it may speak of risk, put it in front of a human.
  // Never fails the post: a problem here is logged, and the post stands.
  void AfterPostSaved(const store::PostRow& post, std::string_view title);
  // After a reply is saved: does it read as belonging to another conversation? Never blocks.
  void CheckPlacement(const store::PostRow& reply);
  void Notify(const std::vector<store::UserRow>& people, const store::NewNotice& notice);

  store::Store& store_;
  const Clock& clock_;
  RateLimits limits_;
  SafetyOptions safety_;
  const safety::Detector& detector_;
  RateLimiter limiter_;
  search::SearchIndex* index_ = nullptr;
  // "People also asked" for each topic, as the index last answered (RelatedTopics): worked out
  // anew on every view it was most of a topic page's cost, and it changes slowly.
  struct RelatedAnswer {
    UnixSeconds at = 0;
    std::vector<search::SimilarTopic> topics;
  };
  std::mutex related_mutex_;
  std::unordered_map<std::int64_t, RelatedAnswer> related_cache_;  // GUARDED_BY(related_mutex_)
};

// Reaction kinds by their API names ("helpful", "hug", "me_too").
std::optional<store::ReactionKind> ParseReactionKind(std::string_view name);
std::string_view ReactionKindName(store::ReactionKind kind);

}  // namespace kindred::forum
