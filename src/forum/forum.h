// Forum: the domain. Each method is one thing a person does (ask, reply, react...): it asks the
// guardian, validates, applies limits, and makes one atomic change in the store.
// Failure contract: errors come back as values with a stable key and calm words; invalid input
// names the field; nothing is half-saved.
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/feed_cache.h"
#include "core/result.h"
#include "forum/placement_checker.h"
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
  // Unblocking and saving muted words: each one makes every reader's kept pages be made again (it
  // moves the change feed), so a script could keep the whole forum uncached. Blocking is never
  // limited (see Forum::Block).
  RateLimit personal_controls_per_account{30, 1.0 / 6};
};

// How the forum looks after people who may be at risk (issue 4; ../shared/SAFETY.md).
struct SafetyOptions {
  // A crisis or concern post nobody has answered after this long is raised to moderators and
  // trusted supporters ("waiting for a reply"). SAFETY.md asks for a set time; 15 minutes is the
  // issue's default, short against TalkLife's ~30 s human look but long enough for peers to answer.
  long long waiting_for_reply_seconds = 15 * 60;
  // A crisis item no moderator has decided on after this long is brought back, once, to every
  // moderator and admin (to the admins alone once escalated): the first alert may have gone to
  // someone away. Crisis services triage within minutes (SAFETY.md: 8-13 minutes with CMD-1).
  long long crisis_reminder_seconds = 30 * 60;
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

// Moderator actions on a review item. Each kind of item offers the ones that fit it
// (ActionsFor); every one resolves the item and is written to the modlog.
enum class ReviewAction {
  kHandled,                // safety items: a person has looked and done what was needed
  kEscalate,               // to an admin
  kRecordEmergencyContact, // a moderator contacted emergency services (Kindred never does)
  kDismiss,                // nothing wrong: a flag turned down; a post hidden by flags is shown again
  kApprove,                // a held or hidden post is shown
  kHide,                   // the post is hidden from everyone but its writer and moderators
  kEdit,                   // the post's text is changed, with the reason shown to its writer
  kDelete,                 // the post's text is removed, with the reason shown to its writer
  kMove,                   // a reply goes to another topic
  kWarn,                   // a private word to the writer
  kSuspend,                // the writer can read but not post, for a time
};
// API names: "handled", "escalate", "emergency_contacted", "dismiss", "approve", "hide", "edit",
// "delete", "move", "warn", "suspend".
std::optional<ReviewAction> ParseReviewAction(std::string_view name);
std::string_view ReviewActionName(ReviewAction action);
std::vector<ReviewAction> ActionsFor(const store::ReviewItemRow& item);
// "I'm worried about this person": a flag by its kind, but about care, never about fault. It
// offers the safety actions, never counts towards hiding the post, and never weighs on its
// reporter's record of flags upheld or turned down.
bool IsWorryReport(const store::ReviewItemRow& item);
// The writer's own report that worry messages about a post feel unwanted (ReportUnwantedWorry).
inline constexpr std::string_view kUnwantedWorryReason = "worry_unwanted";
bool IsUnwantedWorryReport(const store::ReviewItemRow& item);
// A member's flag about a fault in the post (unkind, spam, off-topic, other): the only reports
// that count towards hiding a post and weigh on their flagger's record.
bool IsFaultFlag(const store::ReviewItemRow& item);

struct ReviewActionInput {
  ReviewAction action = ReviewAction::kHandled;
  int version = 0;     // the item's version the moderator saw
  std::string reason = {};  // the note for the record; shown to the writer for edit, delete, warn, suspend
  std::string body = {};    // kEdit: the new text
  std::optional<TopicId> topic = {};  // kMove: where to (default: the item's suggested topic)
  int suspend_days = 0;          // kSuspend
};

// Limits that fit a support forum for members still at trust level "new" (issue 5). None of
// them looks at risk language: a person in crisis is never held back.
struct NewMemberRules {
  int max_links_per_post = 2;            // Discourse's default for new users is 0-2; one video, one leaflet
  int held_while_posts_fewer_than = 3;   // their first 3 posts with a link wait for a moderator
  RateLimit posts{3, 1.0 / 60};          // a burst for a first conversation, then one a minute
  // Basic trust comes by itself after this long and this many posts in good standing.
  long long basic_after_seconds = 3LL * 24 * 3600;
  int basic_after_posts = 3;
};

// When enough distinct members flag a post, it is hidden pending review. Each flag weighs by the
// flagger's trust and past accuracy; Side by Side hides after 3 flags outside staffed hours.
struct FlagRules {
  double hide_threshold = 3.0;
  double weight_new = 0.5, weight_basic = 1.0, weight_trusted = 1.5;
};

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
  bool anonymous = false;
  std::string content_warning = {};
};

struct ReplyInput {
  std::string body;
  std::optional<PostId> reply_to = {};
  bool anonymous = false;
  std::string content_warning = {};
};

struct CategoryInput {
  std::string name;
  std::string description;
};

struct TopicStateInput {
  std::optional<bool> pinned;
  std::optional<bool> closed;
  std::optional<CategoryId> category_id;
  // Why, for the record; shown to the writer when their question is closed, opened or moved.
  std::string reason = {};
};

struct Page {
  int number = 1;
  int count = 1;  // at least 1, so "page 1 of 1" holds for an empty list
};

// How one post shows to one reader, after moderation and their own controls. A post whose text
// the reader may not see arrives with its body emptied, so no page or API can leak it.
struct PostDisplay {
  bool hidden = false;          // hidden or held: a placeholder, unless the reader wrote it or moderates
  bool blocked_author = false;  // written by someone the reader blocked: left out
  std::string muted_word;       // collapsed: "hidden because it contains a word you muted"
  bool collapsed_warning = false;  // collapsed behind its content warning until the reader opens it
  bool own = false;             // the reader wrote it (anonymous posts say "you" to their writer)
};

struct TopicView {
  store::TopicRow topic;
  std::vector<store::PostRow> posts;
  // own_reactions[i][k]: the viewer gave kind k to posts[i].
  std::vector<std::array<bool, store::kReactionKindCount>> own_reactions;
  std::vector<PostDisplay> display;  // display[i] is for posts[i]
  Page page;
  // The asker blocked the viewer: no reply form for them (Guardian::CanReply says why).
  bool reply_blocked = false;
  // The change feed's position the posts were read at, when known: while the feed is still
  // there, the same page of the same topic holds the same posts for every reader.
  std::optional<std::int64_t> feed_position = {};
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
  std::vector<PostDisplay> display;              // display[i] is for posts[i]
  std::int64_t post_count = 0;
  Page page;
};

// Everything Kindred stores about one member, for "download my data" (GET /api/v1/me/export).
// Secrets are described, never given: the password hash and session tokens are not included.
struct AccountExport {
  UnixSeconds exported_at = 0;
  store::UserRow user;
  std::vector<store::PostRow> posts;             // every post they wrote, anonymous ones too
  std::vector<store::TopicRow> topics_of_posts;  // topics_of_posts[i] holds posts[i]
  std::vector<store::ReactionGivenRow> reactions;
  std::vector<store::SessionRow> sessions;       // when each sign-in began and ends
  std::vector<store::NoticeRow> notices;
  std::vector<store::UserRow> blocked;
  std::vector<store::ReviewItemRow> flags;       // the flags they raised
  std::vector<store::WorryReportRow> worry_reports;
};

class Forum {
 public:
  Forum(store::Store& store, const Clock& clock, RateLimits limits = {}, SafetyOptions safety = {},
        const safety::Detector& detector = safety::Detector::Default());
  void SetModerationRules(const NewMemberRules& new_members, const FlagRules& flags);

  // For a page that reads several things to show together: while the scope lives, this thread's
  // reads share one store read transaction (store::Store::ShareReads). Open it only around
  // reads that may come from one snapshot; a write on the thread ends the sharing by itself.
  [[nodiscard]] std::unique_ptr<store::ReadScope> ShareReads() { return store_.ShareReads(); }

  // Accounts.
  Result<store::UserRow> Register(const Viewer& viewer, const RegisterInput& input);
  Result<SignedIn> LogIn(const Viewer& viewer, std::string_view username, std::string_view password);
  // The viewer a session or bearer token stands for; a visitor when the token is unknown or old.
  Viewer Authenticate(std::string_view token, std::string client_address);
  // A live stream outlives the request that opened it, so at each change it asks who its reader
  // is now: a sign-out, a new role or a suspension applies to the next event it sends, and a
  // session that ended reads on as a visitor. kNotFound once the topic is hidden from them.
  Result<Viewer> StreamViewerNow(const Viewer& opened_as, TopicId topic);
  Result<void> LogOut(const Viewer& viewer);
  Result<void> LogOutEverywhere(const Viewer& viewer);
  // A new password, after the current one: every session of the member ends (a lost phone, a
  // partner who knew the old one), and the device that asked gets a new one, returned.
  Result<SignedIn> ChangePassword(const Viewer& viewer, std::string_view current, std::string_view fresh);
  // For `kindred admin reset-password`, when a member has lost theirs: every session ends.
  Result<void> ResetPassword(std::string_view username, std::string_view fresh);
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
  // A member's posts as `viewer` may see them: their own profile includes their anonymous and
  // hidden posts; anyone else's leaves those out (and counts without them).
  Result<ProfileView> Profile(const Viewer& viewer, std::string_view username, int page);
  // Any post, whoever asks: for checks that decide what a viewer may do with it.
  Result<store::PostRow> FindPost(PostId id);
  // A post as `viewer` may open it on its own: not found when its conversation is hidden from them.
  // A hidden post itself is still found; show it through DisplayFor.
  Result<store::PostRow> ReadPost(const Viewer& viewer, PostId id);
  // Which reactions the viewer gave to each of `posts` (all false for visitors), in that order.
  using OwnReactions = std::array<bool, store::kReactionKindCount>;
  Result<std::vector<OwnReactions>> OwnReactionsTo(const Viewer& viewer, const std::vector<PostId>& posts);

  // Writing.
  Result<std::pair<store::TopicRow, store::PostRow>> Ask(const Viewer& viewer, const AskInput& input);
  Result<store::PostRow> Reply(const Viewer& viewer, TopicId topic, const ReplyInput& input);
  Result<store::PostRow> EditPost(const Viewer& viewer, PostId id, std::string_view body);
  Result<void> DeletePost(const Viewer& viewer, PostId id);
  // Undoes a moderator's hide (moderators, not of their own post): the post is shown again, the
  // decision logged and its writer told, with the note if there is one. A post hidden by flags or
  // held waits in the review queue and is decided there.
  Result<void> ShowPostAgain(const Viewer& viewer, PostId id, std::string_view reason);
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
  // The writer of a post tells the moderators that the "someone is thinking of you" messages
  // about it feel unwanted or unkind: SAFETY.md point 5, as the feature has been used to harass.
  // The moderators see who sent the worries; the writer is never told. Only the post's writer;
  // one open report a post (a second changes nothing).
  Result<void> ReportUnwantedWorry(const Viewer& viewer, PostId post, std::string_view note);
  // Who sent "I'm worried" reports about a post, first sender first (moderators): what a moderator
  // needs beside the writer's report that they feel unwanted.
  Result<std::vector<std::string>> WorryReporters(const Viewer& viewer, PostId post);
  Result<void> SetWorryOptOut(const Viewer& viewer, bool opt_out);
  // Raises "waiting for a reply" for safety items unanswered past the configured time; returns
  // how many it raised. Called by a background job, and by tests with a manual clock.
  Result<int> RaiseWaitingForReply();
  // Reminds moderators (or, for an escalated item, admins) of crisis items still waiting for a
  // decision past the configured time; returns how many items were reminded of.
  Result<int> RemindOfWaitingCrisisItems();

  // The review queue (forum/review.cc).
  // `more`, when given, says whether a later page may hold items: the page is a full one before
  // the items this viewer may not act on are left out, so it can show fewer.
  Result<std::vector<store::ReviewItemRow>> ReviewQueue(const Viewer& viewer, bool open, int page,
                                                        bool* more = nullptr);
  Result<store::ReviewItemRow> ReviewItem(const Viewer& viewer, std::int64_t id);
  Result<store::ReviewItemRow> ActOnReview(const Viewer& viewer, std::int64_t id, const ReviewActionInput& input);
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

  // Moderation (forum/moderation.cc).
  Result<store::UserRow> SetTrustLevel(const Viewer& viewer, std::string_view username, store::TrustLevel level);
  // Makes a member a moderator, or a moderator a member again (admins; Guardian::CanSetRole).
  Result<store::UserRow> SetRole(const Viewer& viewer, std::string_view username, store::Role role);
  Result<store::UserRow> Suspend(const Viewer& viewer, std::string_view username, int days, std::string_view reason);
  Result<store::UserRow> LiftSuspension(const Viewer& viewer, std::string_view username);
  Result<store::TopicRow> SetSlowMode(const Viewer& viewer, TopicId topic, int seconds);
  Result<std::vector<store::WatchedWordRow>> WatchedWords(const Viewer& viewer);
  Result<store::WatchedWordRow> AddWatchedWord(const Viewer& viewer, std::string_view pattern,
                                               store::WatchedAction action, std::string_view replacement);
  Result<void> RemoveWatchedWord(const Viewer& viewer, std::int64_t id);
  // Who wrote an anonymous post: moderators only, with a reason, and logged.
  Result<store::UserRow> RevealAnonymous(const Viewer& viewer, PostId post, std::string_view reason);

  // Personal controls (forum/personal.cc).
  // kInvalidInput ("username") for oneself; kForbidden for a moderator or admin, who must be
  // able to reach everyone. Blocking twice changes nothing.
  // The member blocked, as their name is stored.
  Result<store::UserRow> Block(const Viewer& viewer, std::string_view username);
  Result<void> Unblock(const Viewer& viewer, std::string_view username);
  Result<std::vector<store::UserRow>> BlockedMembers(const Viewer& viewer);
  // Replaces the viewer's muted words: each trimmed, empty ones dropped, repeats (ignoring case)
  // kept once. kInvalidInput ("muted_words") past kMaxMutedWords or kMutedWordMax.
  Result<void> SetMutedWords(const Viewer& viewer, const std::vector<std::string>& words);
  Result<void> SetShowWarnedPosts(const Viewer& viewer, bool show);
  // The viewer's own account row (for the account page and their controls).
  Result<store::UserRow> Me(const Viewer& viewer);

  // Privacy and leaving (forum/privacy.cc).
  Result<AccountExport> ExportAccount(const Viewer& viewer);
  // Erases the viewer's account at once (store::Store::EraseUser), after checking the password:
  // their posts go too with `delete_posts`, else they stay under "a former member".
  Result<void> DeleteAccount(const Viewer& viewer, std::string_view password, bool delete_posts);

  // Notices (private messages to the viewer).
  Result<std::vector<store::NoticeRow>> Notices(const Viewer& viewer, int page);
  Result<std::int64_t> UnreadNoticeCount(const Viewer& viewer);
  // Marks the notices a page showed the viewer as read; those on other pages stay unread.
  Result<void> MarkNoticesRead(const Viewer& viewer, const std::vector<store::NoticeRow>& shown);

  // Finding what is already there (forum/finding.cc). Without an attached index these answer
  // kUnavailable (search) or nothing (suggestions), so the forum works before its index does.
  // Attaching also starts the background misplaced-reply check (forum/placement_checker.h).
  // Call it before serving: unlike the methods above, it may not run alongside them. The index
  // must outlive this Forum, or be detached first (AttachSearchIndex(nullptr), which waits for
  // the check in progress): the checker's thread may be using it until then.
  void AttachSearchIndex(search::SearchIndex* index);
  // Keeps rate limits in the store, for several nodes on one database (PostgreSQL); one node
  // keeps them in memory, which costs no write. The keys are hashed with a secret kept in the
  // store's settings (made on first use), so that every node hashes alike.
  Result<void> ShareRateLimitsThroughStore();
  // Forgets rate-limit counts idle for an hour (the only data tied to a client address, and only
  // as a keyed hash); a background job calls it every few minutes.
  Result<void> ForgetIdleAddresses() { return limiter_.ForgetIdle(); }
  Result<SearchView> Search(const Viewer& viewer, const SearchInput& input);
  // "These questions may already have answers": at most 5, none when nothing is close enough.
  Result<std::vector<search::SimilarTopic>> SimilarQuestions(const Viewer& viewer, std::string_view title,
                                                             std::string_view body);
  // "People also asked", at the foot of a topic. `feed_position`, when the caller read it already
  // (TopicView::feed_position), saves reading it again.
  Result<std::vector<search::SimilarTopic>> RelatedTopics(TopicId topic,
                                                           std::optional<std::int64_t> feed_position = std::nullopt);
  // What SimilarQuestions would answer, when the answer is at hand (the same person asked the
  // same a moment ago): a few reads of the store. nullopt when answering needs the index's
  // ranking, tens of milliseconds at a million posts; a thread that must not wait that long hands
  // the request on instead.
  std::optional<std::vector<search::SimilarTopic>> KeptSimilarQuestions(const Viewer& viewer, std::string_view title,
                                                                        std::string_view body);
  // Whether RelatedTopics would answer without the index's ranking (its list for `topic` is kept).
  bool RelatedTopicsAtHand(TopicId topic);
  // Returns once `reply`'s misplaced check has run, or after a second. For the request that saved
  // the reply, so that the writer's page after posting can offer the move; that request is on the
  // writing lane, whose threads may wait, and the page itself then never holds a serving thread.
  void AwaitPlacementCheck(PostId reply);
  // The suggestion for a reply that reads as belonging elsewhere; only for its writer, and only
  // while they can still move it. Answers from what the check has recorded so far.
  Result<std::optional<MisplacedSuggestion>> MisplacedFor(const Viewer& viewer, PostId post);
  // Moves the writer's own reply to the topic it was suggested for, within kMoveWindowSeconds.
  Result<store::PostRow> MoveOwnReply(const Viewer& viewer, PostId post, TopicId to);
  // The misplaced-reply score of a post, for moderators (nullopt for anyone else or no check).
  Result<std::optional<MisplacedSuggestion>> MisplacedScoreForModerator(const Viewer& viewer, PostId post);

  // The page a post is on in its topic, for links that jump to it.
  static int PageOfPost(int post_number);

  // What a reader sees of each post (moderation, blocks, muted words, content warnings); empties
  // the body (and content warning) of what they may not read, so no page, API answer or live
  // update made from `posts` afterwards can leak it. Public for the live updates and single-post
  // answers, which render posts they did not get from ShowTopic.
  Result<std::vector<PostDisplay>> DisplayFor(const Viewer& viewer, std::vector<store::PostRow>& posts);

  const Clock& clock() const { return clock_; }

 private:
  // Whether `person` sent an "I'm worried" report about the post.
  Result<bool> SentWorryAbout(UserId person, PostId post);
  // A member's report on a post (a flag, a worry, a writer's "unwanted"), as the review queue keeps it.
  static store::NewReviewItem MemberReport(PostId post, std::string_view reason, std::optional<UserId> reporter,
                                           std::string note,
                                           UnixSeconds at);
  // A new session for `user`: the token goes to the client once, only its hash is stored.
  Result<SignedIn> StartSession(store::UserRow user);
  // What moderation makes of a post before it is saved (forum/moderation.cc): the text after
  // watched-word replacements, whether it waits for a moderator, and why.
  struct Screening {
    std::string body;
    std::string content_warning;
    bool held = false;
    std::vector<std::string> hold_reasons;
    std::vector<std::string> flag_reasons;
    // Risk language is never held, blocked or slowed (rate limits and slow mode too).
    bool may_speak_of_risk = false;
  };
  // Refuses a blocked watched word or too many links from a new member, naming the field; never
  // holds back a post that may speak of risk (SAFETY.md: never delay a person reaching out).
  Result<Screening> Screen(const Viewer& viewer, std::string_view title, std::string body,
                           std::string_view content_warning);
  // Queues a held or watched post for moderators and lets a new member's trust grow. Never fails.
  void AfterScreenedPostSaved(const Viewer& viewer, const store::PostRow& post, const Screening& screening);
  // Slow mode: kRateLimited ("slow_mode") when the viewer replied in this topic too recently.
  Result<void> CheckSlowMode(const Viewer& viewer, const store::TopicRow& topic);
  // Hides a post pending review once enough weight of distinct members' flags is on it.
  void ConsiderAutoHide(PostId post);
  // The moderator's side effect of a review action, after the item was resolved.
  Result<void> ApplyReviewAction(const Viewer& viewer, const store::ReviewItemRow& item, const ReviewActionInput& input);
  // Whether the asker of `topic` blocked the viewer (forum/personal.cc). Never for an anonymous
  // question: refusing the reply would tell the blocked member who asked it. Kept in asker_blocks_
  // at the feed's `position` when given (a block moves the feed): for showing the reply form, not
  // for deciding a reply, which reads the store.
  Result<bool> AskerBlocked(const Viewer& viewer, const store::TopicRow& topic,
                            std::optional<std::int64_t> position = std::nullopt);
  // What a member set for their own reading, as DisplayFor applies it.
  struct ReadingControls {
    std::vector<std::pair<std::string, std::string>> muted_words;  // {as typed, lowered}
    bool show_warned_posts = false;
    std::unordered_set<std::int64_t> blocked;  // the members they blocked, by user id
  };
  // The viewer's controls (empty for a visitor), kept in reading_controls_ at the feed's
  // `position` when it is known.
  Result<std::shared_ptr<const ReadingControls>> ReadingControlsOf(const Viewer& viewer,
                                                                    std::optional<std::int64_t> position);
  Result<std::vector<PostDisplay>> DisplayFor(const Viewer& viewer, std::vector<store::PostRow>& posts,
                                              std::optional<std::int64_t> position);
  Result<void> TakePostingToken(const Viewer& viewer);
  // Unblocks and muted-word saves (limits_.personal_controls_per_account).
  Result<void> TakeControlsToken(const Viewer& viewer);
  // After a post is saved: assess it and, when it may speak of risk, put it in front of a human.
  // Never fails the post: a problem here is logged, and the post stands.
  void AfterPostSaved(const store::PostRow& post, std::string_view title);
  // After a reply is saved: does it read as belonging to another conversation? Runs on
  // placement_'s thread, after the reply's response. Never fails the reply.
  void CheckPlacement(const store::PostRow& reply);
  // The similar topics a person is shown: those still there and not hidden, with their titles and
  // reply counts as the store has them now (the index may lag it by a moment).
  std::vector<search::SimilarTopic> ShownSimilar(std::vector<search::SimilarTopic> topics);
  void Notify(const std::vector<store::UserRow>& people, const store::NewNotice& notice);
  // A private "moderation" notice to a writer about a decision on their post or question.
  Result<void> TellWriter(UserId writer, std::string title, const std::string& markdown, std::string link);
  // After an account is erased: drops what this Forum caches that might still name its topics.
  void ForgetErasedContent();

  store::Store& store_;
  const Clock& clock_;
  RateLimits limits_;
  SafetyOptions safety_;
  NewMemberRules new_member_rules_;
  FlagRules flag_rules_;
  const safety::Detector& detector_;
  RateLimiter limiter_;
  search::SearchIndex* index_ = nullptr;
  // "People also asked" for each topic, as the index last answered (RelatedTopics): worked out
  // anew on every view it was most of a topic page's cost, and it changes slowly.
  struct RelatedAnswer {
    UnixSeconds at = 0;
    std::vector<search::SimilarTopic> topics;
    // `topics` as last checked against the store (titles, counts, still there and not hidden),
    // and the feed position it was checked at: while the feed stays there, so does the check.
    std::optional<std::int64_t> checked_at = {};
    std::vector<search::SimilarTopic> shown = {};
  };
  std::mutex related_mutex_;
  std::unordered_map<std::int64_t, RelatedAnswer> related_cache_;  // GUARDED_BY(related_mutex_)
  // Kept while the change feed has not moved (FeedCache): what every reader of a page of a topic
  // shares, what a session stands for, and a member's own parts of a page (reading controls,
  // reactions, unread notices, whether the asker blocked them). With all of them, a signed-in
  // member's topic page seen again at the same position reads nothing from the store. Whatever
  // they hold appends to the feed when it changes (events::kMemberChanged for sessions, roles,
  // blocks and notices).
  struct TopicPageRows {
    store::TopicRow topic;
    std::vector<store::PostRow> posts;
    Page page;
  };
  struct SessionMember {
    store::SessionRow session;
    Member member;
  };
  static std::size_t BytesOf(const TopicPageRows& rows);
  static std::size_t BytesOf(const ReadingControls& controls);
  // The reactions the viewer gave to the posts of `view`, from own_reactions_ or the store.
  Result<std::vector<OwnReactions>> OwnReactionsOnPage(const Viewer& viewer, const TopicView& view,
                                                       std::optional<std::int64_t> position);
  // A page of a topic as every reader shares it, from topic_pages_ (at the feed's `position`) or
  // the store; the page number already checked against the topic's length.
  Result<std::shared_ptr<const TopicPageRows>> TopicPage(TopicId id, int page, std::optional<std::int64_t> position);
  static std::size_t BytesOf(const SessionMember& known);
  // Authenticate's work once the token is hashed; streams keep only the hash.
  Viewer AuthenticateTokenHash(std::string token_hash, std::string client_address);
  FeedCache<TopicPageRows> topic_pages_;
  FeedCache<SessionMember> sessions_;
  FeedCache<ReadingControls> reading_controls_;
  FeedCache<std::vector<OwnReactions>> own_reactions_;  // a member's, on one page of a topic
  FeedCache<std::int64_t> unread_notices_;              // a member's count, for the page header
  FeedCache<bool> asker_blocks_;                        // "asker reader": whether one blocked the other
  // Last, so that its thread (which calls CheckPlacement) stops before anything it uses goes.
  std::unique_ptr<PlacementChecker> placement_;  // set with the index
};

// Reaction kinds by their API names ("helpful", "hug", "me_too").
std::optional<store::ReactionKind> ParseReactionKind(std::string_view name);
std::string_view ReactionKindName(store::ReactionKind kind);

// The names the API, exports and the modlog use: "member", "moderator", "admin"; "new", "basic",
// "trusted"; "flag", "hold", "replace", "block"; "open", "handled", "escalated", "dismissed".
std::string_view RoleName(store::Role role);
std::optional<store::Role> ParseRole(std::string_view name);
inline constexpr std::array kTrustLevels = {store::TrustLevel::kNew, store::TrustLevel::kBasic,
                                            store::TrustLevel::kTrusted};
std::string_view TrustLevelName(store::TrustLevel level);
std::optional<store::TrustLevel> ParseTrustLevel(std::string_view name);
std::string_view WatchedActionName(store::WatchedAction action);
std::optional<store::WatchedAction> ParseWatchedAction(std::string_view name);
std::string_view ReviewStatusName(store::ReviewStatus status);
std::string_view ReviewKindName(store::ReviewKind kind);

}  // namespace kindred::forum
