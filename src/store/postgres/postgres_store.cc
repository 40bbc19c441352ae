// PostgresStore: store::Store on a PostgreSQL database. The SQL lives here as named constants
// with bound parameters ($1, $2, ...); connections, results and error mapping are in
// postgres_connection_internal.h, the schema in postgres_migrations_internal.h and
// src/store/migrations/postgres/. Each method mirrors its twin in sqlite_store.cc.
//
// Concurrency. SQLite lets one writer in at a time, so its backend reads, decides and writes
// without fear of a concurrent change. PostgreSQL runs writers side by side (READ COMMITTED), so
// where a write decides from what it read, it locks what it read first:
// - a reply, or a move, locks its topic row(s), so post numbers stay 1, 2, 3... and a topic
//   closed a moment earlier refuses the reply;
// - an edit, a delete, a move or a reaction locks the post row, so revisions are numbered in
//   order and nothing is added to a post being deleted;
// - creating a category takes an advisory lock, so the free-slug search sees every other one;
// - every event is appended under one advisory lock (AppendEvent explains why);
// - erasing an account locks the member's row, so two erasures of it queue, and writes its
//   events last, so the feed lock is held only for the tail however large the account.
// Rows are locked FOR NO KEY UPDATE, which does not block the foreign-key checks of inserts
// that refer to them; the erased member's row alone is locked FOR UPDATE (its unique name
// changes, which takes that lock anyway), so their own writes in flight wait for the erasure.
// Should two writers still deadlock, PostgreSQL aborts one and the store runs it again from the
// start (kMaxAttempts).
#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <type_traits>
#include <utility>

#include "core/text.h"
#include "store/rate_buckets_internal.h"
#include "store/postgres/postgres_connection_internal.h"
#include "store/postgres/postgres_event_waiter_internal.h"
#include "store/postgres/postgres_migrations_internal.h"

// Runs a query or returns its error from the enclosing function; `name` holds the rows.
#define KINDRED_QUERY(name, connection, ...)                            \
  auto name##_or_error = (connection).Query(__VA_ARGS__);               \
  if (!name##_or_error.ok()) return std::move(name##_or_error).error(); \
  Rows& name = *name##_or_error

namespace kindred::store {

namespace postgres {
namespace {

// Connections each store keeps open. A node makes at most a few store calls at once (its worker
// threads, on the 2-core target), and four lets page views overlap a write; it also keeps a
// cluster well inside PostgreSQL's default of 100 connections: ten nodes take forty.
constexpr int kPoolConnections = 4;

// How often one method runs when PostgreSQL aborts it to break a deadlock or a serialization
// clash. The other side has committed by the time the abort returns, so the second try almost
// always goes through; three covers a burst without looping on a real fault.
constexpr int kMaxAttempts = 3;

// The most rows one list call returns, whatever it asks: guards against a negative or huge
// limit. Pages show 20-50; exports page through. The same bound as the SQLite backend.
constexpr int kMaxListRows = 1000;

// How far CreateCategory counts when the slug is taken ("support", "support-2", ...). A forum
// does not have a thousand categories of one name; the bound only stops a runaway loop.
constexpr int kMaxSlugSuffix = 1000;

// Advisory lock keys: "KINDRED" then a number, as kMigrationLockKey (postgres_migrations_internal.h).
constexpr std::int64_t kEventFeedLockKey = 0x4B494E4452454402;
constexpr std::int64_t kCategoryLockKey = 0x4B494E4452454403;

using namespace events;  // the event kinds, spelled once in rows.h

// PostRow::hidden_reason of a post waiting for a moderator's first look (rows.h).
constexpr const char* kHeldReason = "held";

// The title left on a topic whose asker erased their account and posts while others' replies
// stay (Store::EraseUser).
constexpr const char* kRemovedTopicTitle = "Removed by its author";

// --- SQL -----------------------------------------------------------------------------------
// Column lists are macros so that each statement below is still one constant string.

// Unix seconds now, by the database's clock: SQLite's unixepoch().
#define KINDRED_NOW "floor(extract(epoch FROM now()))::bigint"
#define KINDRED_USER_SELECT                                                                  \
  "SELECT id, username, email, password_hash, role, created_at, is_demo, worry_opt_out,"    \
  " trust_level, trust_pinned, suspended_until, suspended_reason, flags_upheld, flags_rejected," \
  " muted_words, show_warned_posts, erased_at FROM users "
#define KINDRED_CATEGORY_SELECT                                                    \
  "SELECT c.id, c.slug, c.name, c.description, c.position, c.archived, c.is_demo," \
  " (SELECT count(*) FROM topics t WHERE t.category_id = c.id) FROM categories c "
// A name is joined only for a named author (AuthorState in rows.h): an anonymous question or
// post, or one by an erased account, comes back with an empty name, so nothing downstream can
// show one by mistake. `anonymous` and `writer` are SQL expressions.
#define KINDRED_AUTHOR_NAME(anonymous, writer) \
  " CASE WHEN " anonymous " OR " writer ".erased_at IS NOT NULL THEN '' ELSE " writer ".username END "
#define KINDRED_AUTHOR_STATE(anonymous, writer) \
  " CASE WHEN " anonymous " THEN 1 WHEN " writer ".erased_at IS NOT NULL THEN 2 ELSE 0 END "
#define KINDRED_TOPIC_SELECT                                                                    \
  "SELECT t.id, t.category_id, t.user_id, t.title, t.created_at, t.last_post_at,"               \
  " t.reply_count, t.pinned, t.closed, t.is_demo, t.anonymous, t.slow_mode_seconds, t.hidden_at," \
  KINDRED_AUTHOR_NAME("t.anonymous", "u") "," KINDRED_AUTHOR_STATE("t.anonymous", "u")         \
  ", c.slug, c.name FROM topics t JOIN users u ON u.id = t.user_id"                             \
  " JOIN categories c ON c.id = t.category_id "
#define KINDRED_TOPIC_ORDER " ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC "
#define KINDRED_POST_SELECT                                                                 \
  "SELECT p.id, p.topic_id, p.user_id, p.number, p.reply_to, p.body_markdown, p.body_html," \
  " p.created_at, p.edited_at, p.deleted_at, p.helpful_count, p.hug_count, p.me_too_count," \
  " p.anonymous, p.content_warning, p.hidden_at, p.hidden_reason,"                          \
  KINDRED_AUTHOR_NAME("p.anonymous", "u") "," KINDRED_AUTHOR_STATE("p.anonymous", "u")     \
  " FROM posts p JOIN users u ON u.id = p.user_id "
// The first reply to post `p` by someone other than its writer that is still there: what turns
// a waiting post into an answered one.
#define KINDRED_FIRST_REPLY_AT                                                                   \
  "(SELECT MIN(q.created_at) FROM posts q WHERE q.topic_id = p.topic_id AND q.number > p.number" \
  " AND q.user_id != p.user_id AND q.deleted_at IS NULL)"
#define KINDRED_REVIEW_SELECT                                                                  \
  "SELECT r.id, r.kind, r.post_id, p.topic_id, p.user_id, r.priority, r.level, r.reasons,"     \
  " r.suggested_topic, r.score, r.reporter_id, r.note, r.status, r.created_at, r.resolved_at," \
  " r.resolved_by, r.resolution_note, r.waiting_raised_at, r.version,"                         \
  KINDRED_AUTHOR_NAME("p.anonymous", "w") ","                                                   \
  " COALESCE(rep.username, ''), t.title, p.body_markdown, p.body_html, p.number,"              \
  " COALESCE(st.title, ''), " KINDRED_FIRST_REPLY_AT                                           \
  " FROM review_items r JOIN posts p ON p.id = r.post_id JOIN users w ON w.id = p.user_id"     \
  " JOIN topics t ON t.id = p.topic_id LEFT JOIN users rep ON rep.id = r.reporter_id"          \
  " LEFT JOIN topics st ON st.id = r.suggested_topic "
#define KINDRED_MODLOG_SELECT                                                                     \
  "SELECT m.id, m.actor_id, m.action, m.subject_kind, m.subject_id, m.before, m.after, m.reason," \
  " m.created_at, u.username FROM modlog m JOIN users u ON u.id = m.actor_id "
#define KINDRED_NOTICE_SELECT "SELECT id, user_id, kind, title, body_html, link, created_at, read_at FROM notices "
#define KINDRED_DEMO_USERS "(SELECT id FROM users WHERE is_demo)"
// A topic goes with the demo content when it is demo itself, sits in a demo category, or was
// started by a demo user (its first post is theirs, and the thread makes no sense without it).
#define KINDRED_DOOMED_TOPIC(t)                                                            \
  "(" t ".is_demo OR " t ".category_id IN (SELECT id FROM categories WHERE is_demo) OR " t \
  ".user_id IN " KINDRED_DEMO_USERS ")"

// Reads see one snapshot for the whole method (a page and its total agree); writes see what
// others committed up to each statement, and lock what they decide on.
constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
constexpr const char* kBeginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";

constexpr std::string_view kAdvisoryLock = "SELECT pg_advisory_xact_lock($1)";

// Each event also wakes the nodes listening on kPostgresEventChannel, with its seq as payload.
// PostgreSQL delivers a notification only when (and if) its transaction commits, in commit order,
// so a listener told "7" can read the feed after its last applied seq and find 7 there.
#define KINDRED_NOTIFY_EVENT " SELECT pg_notify('kindred_events', seq::text) FROM event"
constexpr std::string_view kInsertEvent =
    "WITH event AS (INSERT INTO events (kind, subject_id, created_at) VALUES ($1, $2, $3) RETURNING "
    "seq)" KINDRED_NOTIFY_EVENT;
// For changes whose method is given no time: the database's clock.
constexpr std::string_view kInsertEventNow =
    "WITH event AS (INSERT INTO events (kind, subject_id, created_at) VALUES ($1, $2, " KINDRED_NOW
    ") RETURNING seq)" KINDRED_NOTIFY_EVENT;
static_assert(std::string_view(KINDRED_NOTIFY_EVENT).find(kPostgresEventChannel) != std::string_view::npos);
constexpr std::string_view kSelectEvents =
    "SELECT seq, kind, subject_id, created_at FROM events WHERE seq > $1 ORDER BY seq LIMIT $2";

constexpr std::string_view kInsertUser =
    "INSERT INTO users (username, username_key, email, password_hash, role, created_at, is_demo)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr std::string_view kSelectUserById = KINDRED_USER_SELECT "WHERE id = $1";
constexpr std::string_view kSelectUserByKey = KINDRED_USER_SELECT "WHERE username_key = $1";
constexpr std::string_view kUpdatePasswordHash = "UPDATE users SET password_hash = $2 WHERE id = $1";
constexpr std::string_view kUpdateRole = "UPDATE users SET role = $2 WHERE id = $1";
constexpr std::string_view kCountUsers = "SELECT count(*) FROM users";
constexpr std::string_view kUpdateWorryOptOut = "UPDATE users SET worry_opt_out = $2 WHERE id = $1";
constexpr std::string_view kSelectResponders = KINDRED_USER_SELECT
    "WHERE erased_at IS NULL AND (role >= 1 /* moderator or admin */ OR ($1::boolean AND trust_level = 2 /* trusted */))"
    " ORDER BY id";
constexpr std::string_view kUpdateTrust = "UPDATE users SET trust_level = $2, trust_pinned = $3 WHERE id = $1";
// Lifting a suspension ($2 NULL) clears its reason too.
constexpr std::string_view kUpdateSuspension =
    "UPDATE users SET suspended_until = $2, suspended_reason = CASE WHEN $2::bigint IS NULL THEN '' ELSE $3 END"
    " WHERE id = $1";
constexpr std::string_view kAddFlagOutcomes =
    "UPDATE users SET flags_upheld = flags_upheld + $2, flags_rejected = flags_rejected + $3 WHERE id = $1";
constexpr std::string_view kUpdatePersonalControls =
    "UPDATE users SET muted_words = $2, show_warned_posts = $3 WHERE id = $1";

constexpr std::string_view kInsertBlock =
    "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
constexpr std::string_view kDeleteBlock = "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2";
constexpr std::string_view kSelectBlocked = KINDRED_USER_SELECT
    "WHERE id IN (SELECT blocked_id FROM blocks WHERE blocker_id = $1) ORDER BY username_key, id";
constexpr std::string_view kSelectIsBlocked = "SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2";

#define KINDRED_WATCHED_SELECT "SELECT id, pattern, action, replacement, created_at FROM watched_words "
constexpr std::string_view kSelectWatchedWords = KINDRED_WATCHED_SELECT "ORDER BY pattern_key, id";
constexpr std::string_view kSelectWatchedWord = KINDRED_WATCHED_SELECT "WHERE id = $1";
// pattern_key is the pattern lower-cased (as the caller gives it), so one rule per word whatever
// its case; the named unique constraint turns a second one into kConflict ("pattern").
constexpr std::string_view kInsertWatchedWord =
    "INSERT INTO watched_words (pattern, pattern_key, action, replacement, created_at) VALUES ($1, $2, $3, $4, $5)"
    " RETURNING id";
constexpr std::string_view kDeleteWatchedWord = "DELETE FROM watched_words WHERE id = $1";

constexpr std::string_view kSelectSessionsOfUser =
    "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions WHERE user_id = $1"
    " ORDER BY created_at, token_hash";
constexpr std::string_view kSelectReactionsByUser =
    "SELECT post_id, kind, created_at FROM reactions WHERE user_id = $1 ORDER BY created_at, post_id, kind";
constexpr std::string_view kSelectWorryReportsBy =
    "SELECT reporter_id, post_id, writer_id, created_at, message_sent FROM worry_reports WHERE reporter_id = $1"
    " ORDER BY created_at, id";

constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kSelectSession =
    "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions"
    " WHERE token_hash = $1 AND expires_at > $2";
constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE token_hash = $1";
constexpr std::string_view kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = $1";

constexpr std::string_view kSelectCategories =
    KINDRED_CATEGORY_SELECT "WHERE $1::boolean OR NOT c.archived ORDER BY c.position, c.id";
constexpr std::string_view kSelectCategoryById = KINDRED_CATEGORY_SELECT "WHERE c.id = $1";
constexpr std::string_view kSelectCategoryBySlug = KINDRED_CATEGORY_SELECT "WHERE c.slug = $1";
constexpr std::string_view kCategoryNameTaken = "SELECT 1 FROM categories WHERE name_key = $1";
constexpr std::string_view kCategorySlugTaken = "SELECT 1 FROM categories WHERE slug = $1";
// A new category goes last on the home page, after any reordering done so far.
constexpr std::string_view kInsertCategory =
    "INSERT INTO categories (slug, name, name_key, description, position, is_demo)"
    " VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position) + 1, 0) FROM categories), $5) RETURNING id";
constexpr std::string_view kUpdateCategory =
    "UPDATE categories SET slug = $2, name = $3, name_key = $4, description = $5, position = $6,"
    " archived = $7 WHERE id = $1";

// Lists leave out topics whose question is hidden or held; FindTopic still finds them, for their
// writer and the moderators.
constexpr std::string_view kSelectTopicsAll =
    KINDRED_TOPIC_SELECT "WHERE t.hidden_at IS NULL" KINDRED_TOPIC_ORDER "LIMIT $1 OFFSET $2";
constexpr std::string_view kSelectTopicsInCategory = KINDRED_TOPIC_SELECT
    "WHERE t.category_id = $3 AND t.hidden_at IS NULL" KINDRED_TOPIC_ORDER "LIMIT $1 OFFSET $2";
constexpr std::string_view kCountTopicsAll = "SELECT count(*) FROM topics WHERE hidden_at IS NULL";
constexpr std::string_view kCountTopicsInCategory =
    "SELECT count(*) FROM topics WHERE category_id = $1 AND hidden_at IS NULL";
constexpr std::string_view kSelectTopic = KINDRED_TOPIC_SELECT "WHERE t.id = $1";
constexpr std::string_view kInsertTopic =
    "INSERT INTO topics (category_id, user_id, title, created_at, last_post_at, reply_count, is_demo, anonymous,"
    " hidden_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::boolean THEN $4::bigint END)"  /* $9: held */
    " RETURNING id";
constexpr std::string_view kUpdateSlowMode = "UPDATE topics SET slow_mode_seconds = $2 WHERE id = $1";
// Hiding or showing a question does the same to its topic.
constexpr std::string_view kUpdateTopicHidden = "UPDATE topics SET hidden_at = $2 WHERE id = $1";
constexpr std::string_view kUpdateTopicState =
    "UPDATE topics SET pinned = $2, closed = $3, category_id = $4 WHERE id = $1";
// Locks the topic until the transaction ends: replies to it (and moves into it) queue here.
constexpr std::string_view kLockTopic = "SELECT closed FROM topics WHERE id = $1 FOR NO KEY UPDATE";
// Both topics of a move, locked in id order so that two moves between the same pair of topics
// in opposite directions queue instead of deadlocking.
constexpr std::string_view kLockTopicPair =
    "SELECT id, closed FROM topics WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE";
constexpr std::string_view kBumpTopic =
    "UPDATE topics SET reply_count = reply_count + 1, last_post_at = GREATEST(last_post_at, $2)"
    " WHERE id = $1";
constexpr std::string_view kDropTopicReply =
    "UPDATE topics SET reply_count = GREATEST(reply_count - 1, 0) WHERE id = $1";

constexpr std::string_view kInsertPost =
    "INSERT INTO posts (topic_id, user_id, number, reply_to, body_markdown, body_html, created_at, anonymous,"
    " content_warning, hidden_at, hidden_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
    " CASE WHEN $10::boolean THEN $7::bigint END, $11) RETURNING id";  /* $10: held */
constexpr std::string_view kUpdatePostHidden = "UPDATE posts SET hidden_at = $2, hidden_reason = $3 WHERE id = $1";
// Every post counts for slow mode, deleted ones too: deleting a reply does not skip the wait.
constexpr std::string_view kLastPostTimeIn = "SELECT MAX(created_at) FROM posts WHERE topic_id = $1 AND user_id = $2";
constexpr std::string_view kNextPostNumber = "SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE topic_id = $1";
constexpr std::string_view kSelectPost = KINDRED_POST_SELECT "WHERE p.id = $1";
constexpr std::string_view kSelectPostsOfTopic =
    KINDRED_POST_SELECT "WHERE p.topic_id = $1 ORDER BY p.number LIMIT $2 OFFSET $3";
constexpr std::string_view kCountPostsOfTopic = "SELECT count(*) FROM posts WHERE topic_id = $1";
// `all` (a boolean parameter) true: every post of $1 (the writer's own view, their export);
// false: what others may see on the profile, without anonymous or hidden posts.
#define KINDRED_POSTS_OF_USER(all)                                               \
  "p.user_id = $1 AND p.deleted_at IS NULL AND (" all                          \
  "::boolean OR (NOT p.anonymous AND p.hidden_at IS NULL"                      \
  " AND p.topic_id IN (SELECT id FROM topics WHERE hidden_at IS NULL)))"
constexpr std::string_view kSelectPostsOfUser = KINDRED_POST_SELECT "WHERE " KINDRED_POSTS_OF_USER(
    "$4") " ORDER BY p.created_at DESC, p.id DESC LIMIT $2 OFFSET $3";
constexpr std::string_view kSelectLivePosts =
    KINDRED_POST_SELECT "WHERE p.id > $1 AND p.deleted_at IS NULL ORDER BY p.id LIMIT $2";
constexpr std::string_view kMovePost = "UPDATE posts SET topic_id = $2, number = $3, reply_to = NULL WHERE id = $1";
// After a reply leaves a topic: its count and last activity from what is still there.
constexpr std::string_view kRecountTopic =
    "UPDATE topics SET"
    " reply_count = (SELECT count(*) FROM posts p WHERE p.topic_id = topics.id AND p.number > 1"
    "   AND p.deleted_at IS NULL),"
    " last_post_at = COALESCE((SELECT MAX(p.created_at) FROM posts p WHERE p.topic_id = topics.id),"
    "   topics.created_at)"
    " WHERE id = $1";
constexpr std::string_view kCountLivePosts = "SELECT count(*) FROM posts WHERE deleted_at IS NULL";
constexpr std::string_view kLatestEventSeq = "SELECT COALESCE(MAX(seq), 0) FROM events";
constexpr std::string_view kCountPostsOfUser = "SELECT count(*) FROM posts p WHERE " KINDRED_POSTS_OF_USER("$2");
constexpr std::string_view kSelectPostState = "SELECT number, topic_id, deleted_at FROM posts WHERE id = $1";
// The same, locking the post until the transaction ends, for writes that decide from it.
constexpr std::string_view kLockPostState =
    "SELECT number, topic_id, deleted_at FROM posts WHERE id = $1 FOR NO KEY UPDATE";
constexpr std::string_view kUpdatePostBody =
    "UPDATE posts SET body_markdown = $2, body_html = $3, edited_at = $4 WHERE id = $1";
constexpr std::string_view kErasePost =
    "UPDATE posts SET deleted_at = $2, body_markdown = '', body_html = '', content_warning = '',"
    " helpful_count = 0, hug_count = 0, me_too_count = 0 WHERE id = $1";

constexpr std::string_view kInsertRevision =
    "INSERT INTO revisions (post_id, revision, body_markdown, body_html, created_at)"
    " VALUES ($1, (SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions WHERE post_id = $1), $2, $3, $4)";
constexpr std::string_view kSelectRevisions =
    "SELECT post_id, revision, body_markdown, body_html, created_at FROM revisions"
    " WHERE post_id = $1 ORDER BY revision";
constexpr std::string_view kDeleteRevisions = "DELETE FROM revisions WHERE post_id = $1";

constexpr std::string_view kInsertReaction =
    "INSERT INTO reactions (post_id, user_id, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr std::string_view kDeleteReaction = "DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 AND kind = $3";
constexpr std::string_view kDeletePostReactions = "DELETE FROM reactions WHERE post_id = $1";
// $2 is the kind, $3 is +1 or -1: one statement keeps the three counters without splicing a
// column name into SQL.
constexpr std::string_view kAdjustReactionCount =
    "UPDATE posts SET helpful_count = helpful_count + (CASE WHEN $2::integer = 0 THEN $3::bigint ELSE 0 END),"
    " hug_count = hug_count + (CASE WHEN $2::integer = 1 THEN $3::bigint ELSE 0 END),"
    " me_too_count = me_too_count + (CASE WHEN $2::integer = 2 THEN $3::bigint ELSE 0 END) WHERE id = $1";
// $2 is an array of post ids ("{1,2,3}"): one statement for any number of posts.
constexpr std::string_view kSelectOwnReactions =
    "SELECT post_id, kind FROM reactions WHERE user_id = $1"
    " AND post_id = ANY($2::bigint[]) ORDER BY post_id, kind";

constexpr std::string_view kInsertReviewItem =
    "INSERT INTO review_items (kind, post_id, priority, level, reasons, suggested_topic, score, reporter_id,"
    " note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
constexpr std::string_view kSelectReviewItem = KINDRED_REVIEW_SELECT "WHERE r.id = $1";
constexpr std::string_view kSelectOpenReviewItems =
    KINDRED_REVIEW_SELECT "WHERE r.status IN (0, 2) ORDER BY r.priority DESC, r.created_at, r.id LIMIT $1 OFFSET $2";
constexpr std::string_view kSelectResolvedReviewItems =
    KINDRED_REVIEW_SELECT "WHERE r.status NOT IN (0, 2) ORDER BY r.resolved_at DESC, r.id DESC LIMIT $1 OFFSET $2";
constexpr std::string_view kCountOpenReviewItems =
    "SELECT count(*) FROM review_items WHERE status IN (0, 2) AND priority >= $1";
constexpr std::string_view kSelectReviewItemsOfPost =
    KINDRED_REVIEW_SELECT "WHERE r.post_id = $1 ORDER BY r.created_at, r.id";
constexpr std::string_view kSelectReviewItemsByReporter =
    KINDRED_REVIEW_SELECT "WHERE r.reporter_id = $1 ORDER BY r.created_at, r.id";
constexpr std::string_view kReviewItemExists = "SELECT 1 FROM review_items WHERE id = $1";
// Changes the item only if nobody else has since it was read: the version is the guard. Under
// READ COMMITTED a concurrent resolver waits for the first, then re-checks the version and finds
// it changed.
constexpr std::string_view kResolveReviewItem =
    "UPDATE review_items SET status = $3, resolved_at = $4, resolved_by = $5, resolution_note = $6,"
    " version = version + 1 WHERE id = $1 AND version = $2";
constexpr std::string_view kSelectUnansweredSafetyItems = KINDRED_REVIEW_SELECT
    "WHERE r.kind = 0 AND r.status IN (0, 2) AND r.waiting_raised_at IS NULL AND r.created_at <= $1"
    " AND " KINDRED_FIRST_REPLY_AT " IS NULL ORDER BY r.priority DESC, r.created_at, r.id";
constexpr std::string_view kMarkWaitingRaised =
    "UPDATE review_items SET waiting_raised_at = $2, version = version + 1 WHERE id = $1";
constexpr std::string_view kSelectCrisisItemsToRemind = KINDRED_REVIEW_SELECT
    "WHERE r.kind = 0 AND r.level = 'crisis' AND r.status IN (0, 2) AND r.reminded_at IS NULL"
    " AND r.created_at <= $1 ORDER BY r.created_at, r.id";
constexpr std::string_view kClaimCrisisReminder =
    "UPDATE review_items SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL AND status IN (0, 2)";

constexpr std::string_view kInsertModlog =
    "INSERT INTO modlog (actor_id, action, subject_kind, subject_id, before, after, reason, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr std::string_view kSelectModlog =
    KINDRED_MODLOG_SELECT "ORDER BY m.created_at DESC, m.id DESC LIMIT $1 OFFSET $2";

constexpr std::string_view kInsertNotice =
    "INSERT INTO notices (user_id, kind, title, body_html, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    " RETURNING id";
constexpr std::string_view kSelectNotice = KINDRED_NOTICE_SELECT "WHERE id = $1";
constexpr std::string_view kSelectNoticesOfUser =
    KINDRED_NOTICE_SELECT "WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";
constexpr std::string_view kCountUnreadNotices = "SELECT count(*) FROM notices WHERE user_id = $1 AND read_at IS NULL";
constexpr std::string_view kMarkNoticesRead =
    "WITH marked AS (UPDATE notices SET read_at = $2 WHERE user_id = $1 AND id = $3 AND read_at IS NULL RETURNING 1)"
    " SELECT count(*) FROM marked";

constexpr std::string_view kInsertWorryReport =
    "INSERT INTO worry_reports (reporter_id, post_id, writer_id, created_at, message_sent)"
    " VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kCountWorryReportsBy =
    "SELECT count(*) FROM worry_reports WHERE reporter_id = $1 AND created_at >= $2";
constexpr std::string_view kLastWorryMessageTo =
    "SELECT MAX(created_at) FROM worry_reports WHERE writer_id = $1 AND message_sent";

constexpr std::string_view kSelectSetting = "SELECT value FROM settings WHERE key = $1";
constexpr std::string_view kInsertSettingIfAbsent =
    "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING";
constexpr std::string_view kUpsertSetting =
    "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";

// One token bucket step as one statement: the row lock of the upsert makes two nodes' steps on
// one key take turns, and the refill is computed from the stored row. Clocks that step back (or
// a node whose clock is behind) refill nothing.
constexpr std::string_view kTakeRateToken =
    "INSERT INTO rate_buckets AS b (key, tokens, updated_at, granted) VALUES ($1, $2::float8 - 1, $4, true)"
    " ON CONFLICT (key) DO UPDATE SET"
    "  granted = LEAST($2, b.tokens + GREATEST(0, $4 - b.updated_at) * $3) >= 1,"
    "  tokens = LEAST($2, b.tokens + GREATEST(0, $4 - b.updated_at) * $3)"
    "           - CASE WHEN LEAST($2, b.tokens + GREATEST(0, $4 - b.updated_at) * $3) >= 1 THEN 1 ELSE 0 END,"
    "  updated_at = GREATEST(b.updated_at, $4)"
    " RETURNING tokens, granted";
constexpr std::string_view kForgetIdleRateBuckets = "DELETE FROM rate_buckets WHERE updated_at < $1";

// DeleteDemoContent, in the order it runs. See the method for why.
constexpr std::string_view kDemoTopicEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT $1::text, t.id, " KINDRED_NOW
    " FROM topics t WHERE " KINDRED_DOOMED_TOPIC("t") " ORDER BY t.id";
constexpr std::string_view kDemoPostEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT $1::text, p.id, " KINDRED_NOW
    " FROM posts p JOIN topics t ON t.id = p.topic_id"
    " WHERE p.user_id IN " KINDRED_DEMO_USERS " AND NOT " KINDRED_DOOMED_TOPIC("t") " ORDER BY p.id";
constexpr std::string_view kDemoRecountTopics =
    "UPDATE topics SET"
    " reply_count = (SELECT count(*) FROM posts p WHERE p.topic_id = topics.id AND p.number > 1"
    "   AND p.deleted_at IS NULL AND p.user_id NOT IN " KINDRED_DEMO_USERS
    "),"
    " last_post_at = COALESCE((SELECT MAX(p.created_at) FROM posts p WHERE p.topic_id = topics.id"
    "   AND p.user_id NOT IN " KINDRED_DEMO_USERS
    "), topics.created_at)"
    " WHERE id IN (SELECT topic_id FROM posts WHERE user_id IN " KINDRED_DEMO_USERS ")";
constexpr std::string_view kDemoRecountReactions =
    "UPDATE posts SET"
    " helpful_count = helpful_count - (SELECT count(*) FROM reactions r WHERE r.post_id = posts.id"
    "   AND r.kind = 0 AND r.user_id IN " KINDRED_DEMO_USERS
    "),"
    " hug_count = hug_count - (SELECT count(*) FROM reactions r WHERE r.post_id = posts.id"
    "   AND r.kind = 1 AND r.user_id IN " KINDRED_DEMO_USERS
    "),"
    " me_too_count = me_too_count - (SELECT count(*) FROM reactions r WHERE r.post_id = posts.id"
    "   AND r.kind = 2 AND r.user_id IN " KINDRED_DEMO_USERS
    ")"
    " WHERE id IN (SELECT post_id FROM reactions WHERE user_id IN " KINDRED_DEMO_USERS ")";
constexpr std::string_view kDemoDeleteTopics =
    "DELETE FROM topics WHERE id IN (SELECT t.id FROM topics t WHERE " KINDRED_DOOMED_TOPIC("t") ")";
constexpr std::string_view kDemoDeletePosts = "DELETE FROM posts WHERE user_id IN " KINDRED_DEMO_USERS;
constexpr std::string_view kDemoDeleteCategories = "DELETE FROM categories WHERE is_demo";
// The log entries of a demo user made moderator: a demo person's actions are demo content too,
// and the entries' foreign key would otherwise refuse the user's deletion.
constexpr std::string_view kDemoDeleteModlog = "DELETE FROM modlog WHERE actor_id IN " KINDRED_DEMO_USERS;
constexpr std::string_view kDemoDeleteUsers = "DELETE FROM users WHERE is_demo";

// EraseUser, in the order it runs; see the method for why. $1 is the member, $2 the time. Every
// statement is set-based over posts_by_user / topics_by_user and the other per-user indexes, so
// a member with a hundred thousand posts costs a handful of statements, not a loop. What the
// events will name is collected first into temporary tables (gone at the end of the
// transaction), so that the feed lock is taken only for the event inserts at the very end.
constexpr const char* kEraseCreateWorkTables =
    "CREATE TEMPORARY TABLE erase_reacted (id BIGINT PRIMARY KEY) ON COMMIT DROP;"
    " CREATE TEMPORARY TABLE erase_topics (id BIGINT PRIMARY KEY) ON COMMIT DROP;"
    " CREATE TEMPORARY TABLE erase_posts (id BIGINT PRIMARY KEY) ON COMMIT DROP";
// Two erasures of one account (two tabs) run one after the other.
constexpr std::string_view kEraseLockUser = "SELECT username FROM users WHERE id = $1 FOR UPDATE";
// The posts they reacted to, whose counters change.
constexpr std::string_view kEraseCollectReacted =
    "INSERT INTO erase_reacted SELECT DISTINCT post_id FROM reactions WHERE user_id = $1";
// With delete_posts: a topic they asked goes whole when no one else's reply is still there.
constexpr std::string_view kEraseCollectTopics =
    "INSERT INTO erase_topics SELECT t.id FROM topics t WHERE t.user_id = $1 AND NOT EXISTS"
    " (SELECT 1 FROM posts q WHERE q.topic_id = t.id AND q.user_id != $1 AND q.deleted_at IS NULL)";
// Their posts still there in the topics that stay (those in the topics that go go with them).
constexpr std::string_view kEraseCollectPosts =
    "INSERT INTO erase_posts SELECT p.id FROM posts p WHERE p.user_id = $1 AND p.deleted_at IS NULL"
    " AND p.topic_id NOT IN (SELECT id FROM erase_topics)";
// What moderators wrote down about them, their posts, their topics or the review items on their
// posts may quote their words or name.
constexpr std::string_view kEraseScrubModlog =
    "UPDATE modlog SET before = '', after = '' WHERE (before != '' OR after != '') AND ("
    " (subject_kind = 'user' AND subject_id = $1) OR"
    " (subject_kind = 'post' AND subject_id IN (SELECT id FROM posts WHERE user_id = $1)) OR"
    " (subject_kind = 'topic' AND subject_id IN (SELECT id FROM topics WHERE user_id = $1)) OR"
    " (subject_kind = 'review' AND subject_id IN (SELECT r.id FROM review_items r JOIN posts p ON p.id = r.post_id"
    "   WHERE p.user_id = $1)))";
// Notices to others that lead to one of their posts ("waiting for a reply", "post hidden") may
// quote their name or words.
constexpr std::string_view kEraseDeleteNoticesAboutPosts =
    "DELETE FROM notices WHERE link IN (SELECT '/p/' || id FROM posts WHERE user_id = $1)";
// Notices that name them in bold, as alerts to moderators do ("A post by **name** ..."), even
// when they lead elsewhere (the review queue). $1 is the name as rendered.
constexpr std::string_view kEraseScrubNamedNotices =
    "UPDATE notices SET body_html = replace(body_html, $1, '<strong>a former member</strong>')"
    " WHERE strpos(body_html, $1) > 0";
// The reactions they gave come off the counters of the posts they reacted to.
constexpr std::string_view kEraseUncountReactions =
    "UPDATE posts SET helpful_count = GREATEST(helpful_count - given.helpful, 0),"
    " hug_count = GREATEST(hug_count - given.hug, 0), me_too_count = GREATEST(me_too_count - given.me_too, 0)"
    " FROM (SELECT post_id, count(*) FILTER (WHERE kind = 0) AS helpful, count(*) FILTER (WHERE kind = 1) AS hug,"
    "   count(*) FILTER (WHERE kind = 2) AS me_too FROM reactions WHERE user_id = $1 GROUP BY post_id) given"
    " WHERE posts.id = given.post_id";
constexpr std::string_view kEraseDeleteReactionsGiven = "DELETE FROM reactions WHERE user_id = $1";
constexpr std::string_view kEraseDeleteSessions = "DELETE FROM sessions WHERE user_id = $1";
constexpr std::string_view kEraseDeleteNotices = "DELETE FROM notices WHERE user_id = $1";
constexpr std::string_view kEraseDeleteBlocks = "DELETE FROM blocks WHERE blocker_id = $1 OR blocked_id = $1";
constexpr std::string_view kEraseDeleteWorryReports =
    "DELETE FROM worry_reports WHERE reporter_id = $1 OR writer_id = $1";
// Their flags stay in the queue (the post may still need a look), without who raised them or why.
constexpr std::string_view kEraseAnonymiseFlags =
    "UPDATE review_items SET reporter_id = NULL, note = '' WHERE reporter_id = $1";
// With delete_posts, as DeletePost does for each post, in one statement for all of them. The
// whole topics go first: the cascade then takes their posts (everyone's), revisions, reactions,
// review items and worry reports, and the statements after have less to touch.
constexpr std::string_view kEraseDeleteTopics = "DELETE FROM topics WHERE id IN (SELECT id FROM erase_topics)";
constexpr std::string_view kEraseDeleteReviewItems =
    "DELETE FROM review_items WHERE post_id IN (SELECT id FROM posts WHERE user_id = $1)";
constexpr std::string_view kEraseDeleteRevisions =
    "DELETE FROM revisions WHERE post_id IN (SELECT id FROM posts WHERE user_id = $1)";
constexpr std::string_view kEraseDeletePostReactions =
    "DELETE FROM reactions WHERE post_id IN (SELECT id FROM posts WHERE user_id = $1)";
// The text goes, the place stays; a post deleted before keeps its time, and loses its content
// warning (the writer's words too) if it still had one.
constexpr std::string_view kEraseDeletePosts =
    "UPDATE posts SET deleted_at = COALESCE(deleted_at, $2), body_markdown = '', body_html = '',"
    " content_warning = '', helpful_count = 0, hug_count = 0, me_too_count = 0"
    " WHERE user_id = $1 AND (deleted_at IS NULL OR content_warning != '' OR body_markdown != '')";
constexpr std::string_view kEraseRecountTopics =
    "UPDATE topics SET reply_count = (SELECT count(*) FROM posts p WHERE p.topic_id = topics.id AND p.number > 1"
    "   AND p.deleted_at IS NULL)"
    " WHERE id IN (SELECT topic_id FROM posts WHERE user_id = $1)";
// Every topic they asked that is still there has others' replies: it keeps them, not its title.
constexpr std::string_view kEraseRetitleTopics = "UPDATE topics SET title = $2 WHERE user_id = $1";
// Always: the account itself. The name stays unique (ids are); password, email, settings and
// record go.
constexpr std::string_view kEraseAccount =
    "UPDATE users SET username = 'former-member-' || id, username_key = 'former-member-' || id, email = '',"
    " password_hash = '', muted_words = '', show_warned_posts = FALSE, worry_opt_out = FALSE, flags_upheld = 0,"
    " flags_rejected = 0, suspended_until = NULL, suspended_reason = '', erased_at = $2 WHERE id = $1";
// The events, under the feed lock, in the SQLite backend's order; $1 the kind, $2 the time. The
// last event of the method goes through AppendEvent, whose NOTIFY wakes listeners for them all.
#define KINDRED_ERASE_EVENTS_FROM(table) \
  "INSERT INTO events (kind, subject_id, created_at) SELECT $1::text, id, $2 FROM " table " ORDER BY id"
constexpr std::string_view kEraseReactionEvents = KINDRED_ERASE_EVENTS_FROM("erase_reacted");
constexpr std::string_view kEraseTopicEvents = KINDRED_ERASE_EVENTS_FROM("erase_topics");
constexpr std::string_view kErasePostEvents = KINDRED_ERASE_EVENTS_FROM("erase_posts");
constexpr std::string_view kEraseRetitledEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT $1::text, id, $2 FROM topics WHERE user_id = $3"
    " ORDER BY id";

// --- Rows ----------------------------------------------------------------------------------

UserRow ReadUser(const Row& s) {
  UserRow row;
  row.id = UserId(s.Int64(0));
  row.username = s.Text(1);
  row.email = s.Text(2);
  row.password_hash = s.Text(3);
  row.role = static_cast<Role>(s.Int(4));
  row.created_at = s.Int64(5);
  row.is_demo = s.Bool(6);
  row.worry_opt_out = s.Bool(7);
  row.trust_level = static_cast<TrustLevel>(s.Int(8));
  row.trust_pinned = s.Bool(9);
  row.suspended_until = s.OptionalInt64(10);
  row.suspended_reason = s.Text(11);
  row.flags_upheld = s.Int(12);
  row.flags_rejected = s.Int(13);
  row.muted_words = s.Text(14);
  row.show_warned_posts = s.Bool(15);
  row.erased_at = s.OptionalInt64(16);
  return row;
}

CategoryRow ReadCategory(const Row& s) {
  CategoryRow row;
  row.id = CategoryId(s.Int64(0));
  row.slug = s.Text(1);
  row.name = s.Text(2);
  row.description = s.Text(3);
  row.position = s.Int(4);
  row.archived = s.Bool(5);
  row.is_demo = s.Bool(6);
  row.topic_count = s.Int64(7);
  return row;
}

TopicRow ReadTopic(const Row& s) {
  TopicRow row;
  row.id = TopicId(s.Int64(0));
  row.category_id = CategoryId(s.Int64(1));
  row.user_id = UserId(s.Int64(2));
  row.title = s.Text(3);
  row.created_at = s.Int64(4);
  row.last_post_at = s.Int64(5);
  row.reply_count = s.Int64(6);
  row.pinned = s.Bool(7);
  row.closed = s.Bool(8);
  row.is_demo = s.Bool(9);
  row.anonymous = s.Bool(10);
  row.slow_mode_seconds = s.Int(11);
  row.hidden_at = s.OptionalInt64(12);
  row.author_name = s.Text(13);
  row.author_state = static_cast<AuthorState>(s.Int(14));
  row.category_slug = s.Text(15);
  row.category_name = s.Text(16);
  return row;
}

PostRow ReadPost(const Row& s) {
  PostRow row;
  row.id = PostId(s.Int64(0));
  row.topic_id = TopicId(s.Int64(1));
  row.user_id = UserId(s.Int64(2));
  row.number = s.Int(3);
  if (auto reply_to = s.OptionalInt64(4)) row.reply_to = PostId(*reply_to);
  row.body_markdown = s.Text(5);
  row.body_html = s.Text(6);
  row.created_at = s.Int64(7);
  row.edited_at = s.OptionalInt64(8);
  row.deleted_at = s.OptionalInt64(9);
  for (int kind = 0; kind < kReactionKindCount; ++kind) row.reactions[kind] = s.Int64(10 + kind);
  row.anonymous = s.Bool(13);
  row.content_warning = s.Text(14);
  row.hidden_at = s.OptionalInt64(15);
  row.hidden_reason = s.Text(16);
  row.author_name = s.Text(17);
  row.author_state = static_cast<AuthorState>(s.Int(18));
  return row;
}

RevisionRow ReadRevision(const Row& s) {
  RevisionRow row;
  row.post_id = PostId(s.Int64(0));
  row.revision = s.Int(1);
  row.body_markdown = s.Text(2);
  row.body_html = s.Text(3);
  row.created_at = s.Int64(4);
  return row;
}

template <typename IdType>
std::optional<IdType> OptionalId(const Row& s, int column) {
  std::optional<std::int64_t> value = s.OptionalInt64(column);
  if (!value) return std::nullopt;
  return IdType(*value);
}

ReviewItemRow ReadReviewItem(const Row& s) {
  ReviewItemRow row;
  row.id = s.Int64(0);
  row.kind = static_cast<ReviewKind>(s.Int(1));
  row.post = PostId(s.Int64(2));
  row.topic = TopicId(s.Int64(3));
  row.writer = UserId(s.Int64(4));
  row.priority = s.Int(5);
  row.level = s.Text(6);
  row.reasons = s.Text(7);
  row.suggested_topic = OptionalId<TopicId>(s, 8);
  row.score = s.Double(9);
  row.reporter = OptionalId<UserId>(s, 10);
  row.note = s.Text(11);
  row.status = static_cast<ReviewStatus>(s.Int(12));
  row.created_at = s.Int64(13);
  row.resolved_at = s.OptionalInt64(14);
  row.resolved_by = OptionalId<UserId>(s, 15);
  row.resolution_note = s.Text(16);
  row.waiting_raised_at = s.OptionalInt64(17);
  row.version = s.Int(18);
  row.writer_name = s.Text(19);
  row.reporter_name = s.Text(20);
  row.topic_title = s.Text(21);
  row.post_markdown = s.Text(22);
  row.post_html = s.Text(23);
  row.post_number = s.Int(24);
  row.suggested_title = s.Text(25);
  row.first_reply_at = s.OptionalInt64(26);
  return row;
}

ModlogRow ReadModlog(const Row& s) {
  ModlogRow row;
  row.id = s.Int64(0);
  row.actor = UserId(s.Int64(1));
  row.action = s.Text(2);
  row.subject_kind = s.Text(3);
  row.subject_id = s.Int64(4);
  row.before = s.Text(5);
  row.after = s.Text(6);
  row.reason = s.Text(7);
  row.created_at = s.Int64(8);
  row.actor_name = s.Text(9);
  return row;
}

NoticeRow ReadNotice(const Row& s) {
  NoticeRow row;
  row.id = s.Int64(0);
  row.user = UserId(s.Int64(1));
  row.kind = s.Text(2);
  row.title = s.Text(3);
  row.body_html = s.Text(4);
  row.link = s.Text(5);
  row.created_at = s.Int64(6);
  row.read_at = s.OptionalInt64(7);
  return row;
}

SessionRow ReadSession(const Row& s) {
  SessionRow row;
  row.token_hash = s.Text(0);
  row.user_id = UserId(s.Int64(1));
  row.csrf_token = s.Text(2);
  row.created_at = s.Int64(3);
  row.expires_at = s.Int64(4);
  return row;
}

WatchedWordRow ReadWatchedWord(const Row& s) {
  WatchedWordRow row;
  row.id = s.Int64(0);
  row.pattern = s.Text(1);
  row.action = static_cast<WatchedAction>(s.Int(2));
  row.replacement = s.Text(3);
  row.created_at = s.Int64(4);
  return row;
}

ReactionGivenRow ReadReactionGiven(const Row& s) {
  ReactionGivenRow row;
  row.post = PostId(s.Int64(0));
  row.kind = static_cast<ReactionKind>(s.Int(1));
  row.created_at = s.Int64(2);
  return row;
}

WorryReportRow ReadWorryReport(const Row& s) {
  WorryReportRow row;
  row.reporter = UserId(s.Int64(0));
  row.post = PostId(s.Int64(1));
  row.writer = UserId(s.Int64(2));
  row.created_at = s.Int64(3);
  row.message_sent = s.Bool(4);
  return row;
}

EventRow ReadEvent(const Row& s) { return {s.Int64(0), s.Text(1), s.Int64(2), s.Int64(3)}; }

// Turns every row of a result into a T.
template <typename T>
std::vector<T> ReadAll(const Rows& rows, T (*read)(const Row&)) {
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows[i]));
  return out;
}

// The one row a result is expected to hold; kNotFound with `key` and `message` when it has none.
template <typename T>
Result<T> ReadOne(const Rows& rows, T (*read)(const Row&), const char* key, const char* message) {
  if (rows.empty()) return Error::NotFound(key, message);
  return read(rows[0]);
}

std::int64_t ReadCount(const Rows& rows) { return rows.empty() ? 0 : rows[0].Int64(0); }

Error UserNotFound() { return Error::NotFound("user_not_found", "We could not find that person."); }
Error TopicNotFound() { return Error::NotFound("topic_not_found", "We could not find that topic."); }
Error PostNotFound() { return Error::NotFound("post_not_found", "We could not find that post."); }
Error ReviewItemNotFound() {
  return Error::NotFound("review_item_not_found", "We could not find that item in the review queue.");
}
Error CategoryNotFound() { return Error::NotFound("category_not_found", "We could not find that category."); }
Error PostDeleted() {
  return Error::Conflict("post_deleted", "This post was deleted, so it can no longer be changed.");
}
Error TopicClosed() { return Error::Conflict("topic_closed", "This topic is closed to new replies."); }

int ClampLimit(int limit) { return std::clamp(limit, 0, kMaxListRows); }
int ClampOffset(int offset) { return std::max(offset, 0); }

// --- Row loaders shared by reads and writes (a write returns what it saved, read in its own
// transaction) ----------------------------------------------------------------------------------

Result<UserRow> LoadUser(Connection& db, UserId id) {
  KINDRED_QUERY(rows, db, kSelectUserById, id);
  if (rows.empty()) return UserNotFound();
  return ReadUser(rows[0]);
}

Result<CategoryRow> LoadCategory(Connection& db, CategoryId id) {
  KINDRED_QUERY(rows, db, kSelectCategoryById, id);
  if (rows.empty()) return CategoryNotFound();
  return ReadCategory(rows[0]);
}

Result<TopicRow> LoadTopic(Connection& db, TopicId id) {
  KINDRED_QUERY(rows, db, kSelectTopic, id);
  if (rows.empty()) return TopicNotFound();
  return ReadTopic(rows[0]);
}

Result<PostRow> LoadPost(Connection& db, PostId id) {
  KINDRED_QUERY(rows, db, kSelectPost, id);
  if (rows.empty()) return PostNotFound();
  return ReadPost(rows[0]);
}

Result<ReviewItemRow> LoadReviewItem(Connection& db, std::int64_t id) {
  KINDRED_QUERY(rows, db, kSelectReviewItem, id);
  if (rows.empty()) return ReviewItemNotFound();
  return ReadReviewItem(rows[0]);
}

Result<void> TakeAdvisoryLock(Connection& db, std::int64_t key) { return db.Run(kAdvisoryLock, key); }

// Why the change feed needs a lock. A reader follows the feed by asking for the events after the
// last seq it applied. seq comes from a sequence, handed out when the row is inserted, but
// transactions commit in their own order: if A takes seq 7 and B seq 8, and B commits first, a
// reader can see 8, move its mark past it, and never see 7 when A commits a moment later: the
// search index or a live page would miss that reply for good.
// So every transaction takes one transaction-level advisory lock just before it inserts an event,
// and holds it until it commits or rolls back (PostgreSQL releases such locks only then, after
// the commit is visible). Whoever holds it takes the next seq and commits before the next holder
// takes a higher one, so events become visible in seq order, and a reader that saw seq N has
// already seen every committed event below N. Writers only queue for the short tail of their
// transaction (the event insert and COMMIT), after all their other work; a transaction that
// appends several events takes the lock once and keeps it.
Result<void> AppendEvent(Connection& db, const char* kind, std::int64_t subject, UnixSeconds at) {
  KINDRED_TRY(TakeAdvisoryLock(db, kEventFeedLockKey));
  return db.Run(kInsertEvent, kind, subject, at);
}

Result<void> AppendEventNow(Connection& db, const char* kind, std::int64_t subject) {
  KINDRED_TRY(TakeAdvisoryLock(db, kEventFeedLockKey));
  return db.Run(kInsertEventNow, kind, subject);
}

Result<void> InsertRevision(Connection& db, PostId post, std::string_view markdown, std::string_view html,
                            UnixSeconds at) {
  return db.Run(kInsertRevision, post, markdown, html, at);
}

// How a new post is shown, as NewTopic and NewPost give it. A held post is hidden from its
// creation (reason "held") until a moderator has had a first look.
struct PostShowing {
  bool anonymous = false;
  std::string_view content_warning;
  bool held = false;
};

template <typename New>  // NewTopic or NewPost
PostShowing ShowingOf(const New& post) {
  return {post.anonymous, post.content_warning, post.held};
}

// Inserts one post with its first revision; returns its id.
Result<PostId> InsertPost(Connection& db, TopicId topic, UserId user, int number, std::optional<PostId> reply_to,
                          std::string_view markdown, std::string_view html, UnixSeconds at, PostShowing showing) {
  KINDRED_QUERY(inserted, db, kInsertPost, topic, user, number, reply_to, markdown, html, at, showing.anonymous,
                showing.content_warning, showing.held, showing.held ? kHeldReason : "");
  PostId id(inserted[0].Int64(0));
  KINDRED_TRY(InsertRevision(db, id, markdown, html, at));
  return id;
}

Result<TopicId> InsertTopic(Connection& db, const NewTopic& topic, UnixSeconds last_post_at, std::int64_t reply_count) {
  // A held question keeps its topic out of lists too.
  KINDRED_QUERY(inserted, db, kInsertTopic, topic.category_id, topic.user_id, topic.title, topic.created_at,
                last_post_at, reply_count, topic.is_demo, topic.anonymous, topic.held);
  return TopicId(inserted[0].Int64(0));
}

// The number the next post of `topic` gets. REQUIRES: the topic is locked (kLockTopic).
Result<int> NextPostNumber(Connection& db, TopicId topic) {
  KINDRED_QUERY(next, db, kNextPostNumber, topic);
  return next.empty() ? 1 : next[0].Int(0);
}

// --- The store -------------------------------------------------------------------------------

class PostgresStore final : public Store {
 public:
  PostgresStore(std::vector<std::unique_ptr<Connection>> connections, std::string conninfo)
      : pool_(std::move(connections)), conninfo_(std::move(conninfo)) {}

  // Accounts ----------------------------------------------------------------------------------

  Result<UserRow> CreateUser(const NewUser& user) override {
    return Write([&](Connection& db) -> Result<UserRow> {
      KINDRED_QUERY(inserted, db, kInsertUser, user.username, AsciiLower(user.username), user.email, user.password_hash,
                    static_cast<int>(user.role), user.created_at, user.is_demo);
      return LoadUser(db, UserId(inserted[0].Int64(0)));
    });
  }

  Result<UserRow> FindUserById(UserId id) override {
    return Read([&](Connection& db) { return LoadUser(db, id); });
  }

  Result<UserRow> FindUserByName(std::string_view username) override {
    return Read([&](Connection& db) -> Result<UserRow> {
      KINDRED_QUERY(rows, db, kSelectUserByKey, AsciiLower(username));
      return ReadOne(rows, &ReadUser, "user_not_found", "We could not find that person.");
    });
  }

  Result<void> SetPasswordHash(UserId id, std::string_view password_hash) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(updated, db, kUpdatePasswordHash, id, password_hash);
      if (updated.affected() == 0) return UserNotFound();
      return Ok();
    });
  }

  Result<void> SetRole(UserId id, Role role) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(updated, db, kUpdateRole, id, static_cast<int>(role));
      if (updated.affected() == 0) return UserNotFound();
      return AppendEventNow(db, kMemberChanged, id.value);
    });
  }

  Result<std::int64_t> CountUsers() override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(count, db, kCountUsers);
      return ReadCount(count);
    });
  }

  Result<void> SetWorryOptOut(UserId id, bool worry_opt_out) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(updated, db, kUpdateWorryOptOut, id, worry_opt_out);
      if (updated.affected() == 0) return UserNotFound();
      return Ok();
    });
  }

  Result<std::vector<UserRow>> ListResponders(bool include_trusted_supporters) override {
    return Read([&](Connection& db) -> Result<std::vector<UserRow>> {
      KINDRED_QUERY(rows, db, kSelectResponders, include_trusted_supporters);
      return ReadAll(rows, &ReadUser);
    });
  }

  // kInvalid ("trust_level") for a level that is not one of TrustLevel's.
  Result<void> SetTrust(UserId id, TrustLevel level, bool pinned) override {
    const int value = static_cast<int>(level);
    if (value < static_cast<int>(TrustLevel::kNew) || value > static_cast<int>(TrustLevel::kTrusted)) {
      return Error::Invalid("trust_level", "unknown_trust_level", "That trust level is not one we know.");
    }
    return UpdateUser(kUpdateTrust, id, value, pinned);
  }

  Result<void> SetSuspension(UserId id, std::optional<UnixSeconds> until, std::string_view reason) override {
    return UpdateUser(kUpdateSuspension, id, until, reason);
  }

  Result<void> AddFlagOutcomes(UserId id, int upheld, int rejected) override {
    return UpdateUser(kAddFlagOutcomes, id, upheld, rejected);
  }

  Result<void> SetPersonalControls(UserId id, std::string_view muted_words, bool show_warned_posts) override {
    return UpdateUser(kUpdatePersonalControls, id, muted_words, show_warned_posts);
  }

  // Blocks ------------------------------------------------------------------------------------

  // kNotFound when either member does not exist.
  Result<void> AddBlock(UserId blocker, UserId blocked, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(inserted, db, kInsertBlock, blocker, blocked, at);
      if (inserted.affected() == 0) return Ok();  // blocked already
      return AppendEventNow(db, kMemberChanged, blocker.value);
    });
  }

  Result<void> RemoveBlock(UserId blocker, UserId blocked) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(removed, db, kDeleteBlock, blocker, blocked);
      if (removed.affected() == 0) return Ok();
      return AppendEventNow(db, kMemberChanged, blocker.value);
    });
  }

  Result<std::vector<UserRow>> ListBlocked(UserId blocker) override {
    return Read([&](Connection& db) -> Result<std::vector<UserRow>> {
      KINDRED_QUERY(rows, db, kSelectBlocked, blocker);
      return ReadAll(rows, &ReadUser);
    });
  }

  Result<bool> IsBlocked(UserId blocker, UserId blocked) override {
    return Read([&](Connection& db) -> Result<bool> {
      KINDRED_QUERY(rows, db, kSelectIsBlocked, blocker, blocked);
      return !rows.empty();
    });
  }

  // Watched words -----------------------------------------------------------------------------

  Result<std::vector<WatchedWordRow>> ListWatchedWords() override {
    return Read([&](Connection& db) -> Result<std::vector<WatchedWordRow>> {
      KINDRED_QUERY(rows, db, kSelectWatchedWords);
      return ReadAll(rows, &ReadWatchedWord);
    });
  }

  // The word's id is ignored; the saved row (with its new id) comes back.
  Result<WatchedWordRow> AddWatchedWord(const WatchedWordRow& word) override {
    return Write([&](Connection& db) -> Result<WatchedWordRow> {
      KINDRED_QUERY(inserted, db, kInsertWatchedWord, word.pattern, AsciiLower(word.pattern),
                    static_cast<int>(word.action), word.replacement, word.created_at);
      KINDRED_QUERY(rows, db, kSelectWatchedWord, inserted[0].Int64(0));
      return ReadOne(rows, &ReadWatchedWord, "watched_word_not_found", "We could not find that watched word.");
    });
  }

  Result<void> RemoveWatchedWord(std::int64_t id) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(removed, db, kDeleteWatchedWord, id);
      if (removed.affected() == 0) {
        return Error::NotFound("watched_word_not_found", "We could not find that watched word.");
      }
      return Ok();
    });
  }

  // Leaving -----------------------------------------------------------------------------------

  Result<std::vector<SessionRow>> ListSessionsOfUser(UserId user) override {
    return Read([&](Connection& db) -> Result<std::vector<SessionRow>> {
      KINDRED_QUERY(rows, db, kSelectSessionsOfUser, user);
      return ReadAll(rows, &ReadSession);
    });
  }

  Result<std::vector<ReactionGivenRow>> ListReactionsByUser(UserId user) override {
    return Read([&](Connection& db) -> Result<std::vector<ReactionGivenRow>> {
      KINDRED_QUERY(rows, db, kSelectReactionsByUser, user);
      return ReadAll(rows, &ReadReactionGiven);
    });
  }

  Result<std::vector<ReviewItemRow>> ListFlagsByReporter(UserId reporter) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_QUERY(rows, db, kSelectReviewItemsByReporter, reporter);
      return ReadAll(rows, &ReadReviewItem);
    });
  }

  Result<std::vector<WorryReportRow>> ListWorryReportsBy(UserId reporter) override {
    return Read([&](Connection& db) -> Result<std::vector<WorryReportRow>> {
      KINDRED_QUERY(rows, db, kSelectWorryReportsBy, reporter);
      return ReadAll(rows, &ReadWorryReport);
    });
  }

  // One transaction of set-based statements (see the kErase* constants): the work grows with the
  // rows touched, never with a statement per post. The same choices as the SQLite backend
  // (EraseUser in sqlite_store.cc): modlog entries about the member and their topics lose
  // before/after too; notices to others leading to their posts go, and their bold name in alerts
  // leading elsewhere becomes "a former member"; each post they reacted to gets
  // post.reactions_changed; with delete_posts, a topic of theirs that stays is retitled (event
  // topic.updated); user.erased is written in both modes. Erasing twice succeeds.
  // Concurrency: the member's row is locked first, so two erasures of one account queue; the
  // events are written last, so the feed lock (AppendEvent) is held only for the short tail.
  Result<void> EraseUser(UserId id, bool delete_posts, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      std::string username;
      {
        KINDRED_QUERY(user, db, kEraseLockUser, id);
        if (user.empty()) return UserNotFound();
        username = user[0].Text(0);
      }
      KINDRED_TRY(db.Execute(kEraseCreateWorkTables));
      KINDRED_TRY(db.Run(kEraseCollectReacted, id));
      if (delete_posts) {
        KINDRED_TRY(db.Run(kEraseCollectTopics, id));
        KINDRED_TRY(db.Run(kEraseCollectPosts, id));
      }
      // Before anything that removes posts: these find their rows through them.
      KINDRED_TRY(db.Run(kEraseScrubModlog, id));
      KINDRED_TRY(db.Run(kEraseDeleteNoticesAboutPosts, id));
      KINDRED_TRY(db.Run(kEraseScrubNamedNotices, "<strong>" + username + "</strong>"));
      for (std::string_view sql : {kEraseUncountReactions, kEraseDeleteReactionsGiven, kEraseDeleteSessions,
                                   kEraseDeleteNotices, kEraseDeleteBlocks, kEraseDeleteWorryReports,
                                   kEraseAnonymiseFlags}) {
        KINDRED_TRY(db.Run(sql, id));
      }
      if (delete_posts) {
        KINDRED_TRY(db.Run(kEraseDeleteTopics));
        for (std::string_view sql : {kEraseDeleteReviewItems, kEraseDeleteRevisions, kEraseDeletePostReactions}) {
          KINDRED_TRY(db.Run(sql, id));
        }
        KINDRED_TRY(db.Run(kEraseDeletePosts, id, at));
        KINDRED_TRY(db.Run(kEraseRecountTopics, id));
        KINDRED_TRY(db.Run(kEraseRetitleTopics, id, kRemovedTopicTitle));
      }
      KINDRED_TRY(db.Run(kEraseAccount, id, at));

      KINDRED_TRY(TakeAdvisoryLock(db, kEventFeedLockKey));
      KINDRED_TRY(db.Run(kEraseReactionEvents, kPostReactionsChanged, at));
      if (delete_posts) {
        KINDRED_TRY(db.Run(kEraseTopicEvents, kTopicDeleted, at));
        KINDRED_TRY(db.Run(kErasePostEvents, kPostDeleted, at));
        KINDRED_TRY(db.Run(kEraseRetitledEvents, kTopicUpdated, at, id));
      }
      return AppendEvent(db, kUserErased, id.value, at);
    });
  }

  // Sessions ----------------------------------------------------------------------------------

  Result<void> CreateSession(const SessionRow& session) override {
    return Write([&](Connection& db) -> Result<void> {
      return db.Run(kInsertSession, session.token_hash, session.user_id, session.csrf_token, session.created_at,
                    session.expires_at);
    });
  }

  Result<SessionRow> FindSession(std::string_view token_hash, UnixSeconds now) override {
    return Read([&](Connection& db) -> Result<SessionRow> {
      KINDRED_QUERY(rows, db, kSelectSession, token_hash, now);
      if (rows.empty()) return Error::NotFound("session_not_found", "Your session has ended. Please sign in again.");
      return ReadSession(rows[0]);
    });
  }

  Result<void> DeleteSession(std::string_view token_hash) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(removed, db, kDeleteSession, token_hash);
      if (removed.affected() == 0) return Ok();  // no such session: nothing cached ends
      return AppendEventNow(db, kMemberChanged, 0);
    });
  }

  Result<void> DeleteUserSessions(UserId user_id) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(removed, db, kDeleteUserSessions, user_id);
      if (removed.affected() == 0) return Ok();
      return AppendEventNow(db, kMemberChanged, user_id.value);
    });
  }

  // Categories --------------------------------------------------------------------------------

  Result<std::vector<CategoryRow>> ListCategories(bool include_archived) override {
    return Read([&](Connection& db) -> Result<std::vector<CategoryRow>> {
      KINDRED_QUERY(rows, db, kSelectCategories, include_archived);
      return ReadAll(rows, &ReadCategory);
    });
  }

  Result<CategoryRow> FindCategoryById(CategoryId id) override {
    return Read([&](Connection& db) { return LoadCategory(db, id); });
  }

  Result<CategoryRow> FindCategoryBySlug(std::string_view slug) override {
    return Read([&](Connection& db) -> Result<CategoryRow> {
      KINDRED_QUERY(rows, db, kSelectCategoryBySlug, slug);
      return ReadOne(rows, &ReadCategory, "category_not_found", "We could not find that category.");
    });
  }

  Result<CategoryRow> CreateCategory(const NewCategory& category) override {
    return Write([&](Connection& db) -> Result<CategoryRow> {
      // One category creation at a time, so that the free slug found below is still free at the
      // insert, as it is under SQLite's single writer.
      KINDRED_TRY(TakeAdvisoryLock(db, kCategoryLockKey));
      const std::string name_key = AsciiLower(category.name);
      {
        // Checked before the slug so that the clash reported is the one the person can see.
        KINDRED_QUERY(taken, db, kCategoryNameTaken, name_key);
        if (!taken.empty()) return Error::Conflict("name_taken", "A category with that name already exists.", "name");
      }
      Result<std::string> slug = FreeSlug(db, category);
      if (!slug.ok()) return std::move(slug).error();
      KINDRED_QUERY(inserted, db, kInsertCategory, *slug, category.name, name_key, category.description,
                    category.is_demo);
      CategoryId id(inserted[0].Int64(0));
      KINDRED_TRY(AppendEventNow(db, kCategoryCreated, id.value));
      return LoadCategory(db, id);
    });
  }

  Result<CategoryRow> UpdateCategory(const CategoryRow& category) override {
    return Write([&](Connection& db) -> Result<CategoryRow> {
      KINDRED_QUERY(updated, db, kUpdateCategory, category.id, category.slug, category.name, AsciiLower(category.name),
                    category.description, category.position, category.archived);
      if (updated.affected() == 0) return CategoryNotFound();
      KINDRED_TRY(AppendEventNow(db, kCategoryUpdated, category.id.value));
      return LoadCategory(db, category.id);
    });
  }

  // Topics ------------------------------------------------------------------------------------

  Result<TopicList> ListTopics(std::optional<CategoryId> category, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<TopicList> {
      TopicList list;
      if (category) {
        KINDRED_QUERY(rows, db, kSelectTopicsInCategory, ClampLimit(limit), ClampOffset(offset), *category);
        list.topics = ReadAll(rows, &ReadTopic);
        KINDRED_QUERY(count, db, kCountTopicsInCategory, *category);
        list.total = ReadCount(count);
      } else {
        KINDRED_QUERY(rows, db, kSelectTopicsAll, ClampLimit(limit), ClampOffset(offset));
        list.topics = ReadAll(rows, &ReadTopic);
        KINDRED_QUERY(count, db, kCountTopicsAll);
        list.total = ReadCount(count);
      }
      return list;
    });
  }

  Result<TopicRow> FindTopic(TopicId id) override {
    return Read([&](Connection& db) { return LoadTopic(db, id); });
  }

  Result<std::pair<TopicRow, PostRow>> CreateTopic(const NewTopic& topic) override {
    return Write([&](Connection& db) -> Result<std::pair<TopicRow, PostRow>> {
      Result<TopicId> topic_id = InsertTopic(db, topic, topic.created_at, 0);
      if (!topic_id.ok()) return std::move(topic_id).error();
      Result<PostId> post_id = InsertPost(db, *topic_id, topic.user_id, 1, std::nullopt, topic.body_markdown,
                                          topic.body_html, topic.created_at, ShowingOf(topic));
      if (!post_id.ok()) return std::move(post_id).error();
      KINDRED_TRY(AppendEvent(db, kTopicCreated, topic_id->value, topic.created_at));
      Result<TopicRow> saved_topic = LoadTopic(db, *topic_id);
      if (!saved_topic.ok()) return std::move(saved_topic).error();
      Result<PostRow> saved_post = LoadPost(db, *post_id);
      if (!saved_post.ok()) return std::move(saved_post).error();
      return std::pair(std::move(*saved_topic), std::move(*saved_post));
    });
  }

  // NewPost::topic_id of the replies is ignored (the topic does not exist yet); each reply's
  // reply_to is kept as given and must name an existing post. The events are appended after
  // every post is in, in the order the SQLite backend writes them, so the event lock is held
  // only for the tail of the transaction.
  Result<TopicRow> ImportThread(const NewTopic& topic, const std::vector<NewPost>& replies) override {
    return Write([&](Connection& db) -> Result<TopicRow> {
      UnixSeconds last_post_at = topic.created_at;
      for (const NewPost& reply : replies) last_post_at = std::max(last_post_at, reply.created_at);
      Result<TopicId> topic_id = InsertTopic(db, topic, last_post_at, static_cast<std::int64_t>(replies.size()));
      if (!topic_id.ok()) return std::move(topic_id).error();
      Result<PostId> first = InsertPost(db, *topic_id, topic.user_id, 1, std::nullopt, topic.body_markdown,
                                        topic.body_html, topic.created_at, ShowingOf(topic));
      if (!first.ok()) return std::move(first).error();
      std::vector<PostId> reply_ids;
      reply_ids.reserve(replies.size());
      int number = 1;
      for (const NewPost& reply : replies) {
        Result<PostId> post = InsertPost(db, *topic_id, reply.user_id, ++number, reply.reply_to, reply.body_markdown,
                                         reply.body_html, reply.created_at, ShowingOf(reply));
        if (!post.ok()) return std::move(post).error();
        reply_ids.push_back(*post);
      }
      KINDRED_TRY(AppendEvent(db, kTopicCreated, topic_id->value, topic.created_at));
      for (std::size_t i = 0; i < replies.size(); ++i) {
        KINDRED_TRY(AppendEvent(db, kPostCreated, reply_ids[i].value, replies[i].created_at));
      }
      return LoadTopic(db, *topic_id);
    });
  }

  Result<TopicRow> SetTopicState(TopicId id, bool pinned, bool closed, CategoryId category) override {
    return Write([&](Connection& db) -> Result<TopicRow> {
      KINDRED_QUERY(updated, db, kUpdateTopicState, id, pinned, closed, category);
      if (updated.affected() == 0) return TopicNotFound();
      KINDRED_TRY(AppendEventNow(db, kTopicUpdated, id.value));
      return LoadTopic(db, id);
    });
  }

  // Posts -------------------------------------------------------------------------------------

  Result<PostRow> CreateReply(const NewPost& post) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      // The topic stays locked to the end: a moderator closing it a moment earlier wins, and
      // concurrent replies take numbers one after another.
      {
        KINDRED_QUERY(state, db, kLockTopic, post.topic_id);
        if (state.empty()) return TopicNotFound();
        if (state[0].Bool(0)) return TopicClosed();
      }
      Result<int> number = NextPostNumber(db, post.topic_id);
      if (!number.ok()) return std::move(number).error();
      Result<PostId> id = InsertPost(db, post.topic_id, post.user_id, *number, post.reply_to, post.body_markdown,
                                     post.body_html, post.created_at, ShowingOf(post));
      if (!id.ok()) return std::move(id).error();
      KINDRED_TRY(db.Run(kBumpTopic, post.topic_id, post.created_at));
      KINDRED_TRY(AppendEvent(db, kPostCreated, id->value, post.created_at));
      return LoadPost(db, *id);
    });
  }

  Result<PostRow> FindPost(PostId id) override {
    return Read([&](Connection& db) { return LoadPost(db, id); });
  }

  Result<PostRow> MovePost(PostId id, TopicId to, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      Result<PostState> state = LockPostState(db, id);
      if (!state.ok()) return std::move(state).error();
      auto post = LoadPost(db, id);
      if (!post.ok()) return std::move(post).error();
      if (post->number == 1) return Error::Invalid("post", "question_move", "A question moves with its whole topic.");
      if (post->deleted_at) return PostDeleted();
      if (post->topic_id == to) return post;
      {
        KINDRED_QUERY(topics, db, kLockTopicPair, post->topic_id, to);
        bool found = false;
        for (int i = 0; i < topics.size(); ++i) {
          if (topics[i].Int64(0) != to.value) continue;
          found = true;
          if (topics[i].Bool(1)) return TopicClosed();
        }
        if (!found) return TopicNotFound();
      }
      Result<int> number = NextPostNumber(db, to);
      if (!number.ok()) return std::move(number).error();
      KINDRED_TRY(db.Run(kMovePost, id, to, *number));
      for (TopicId topic : {post->topic_id, to}) KINDRED_TRY(db.Run(kRecountTopic, topic));
      KINDRED_TRY(AppendEvent(db, kPostMoved, id.value, at));
      return LoadPost(db, id);
    });
  }

  Result<std::vector<PostRow>> ListLivePosts(PostId after, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<PostRow>> {
      KINDRED_QUERY(rows, db, kSelectLivePosts, after, ClampLimit(limit));
      return ReadAll(rows, &ReadPost);
    });
  }

  Result<std::vector<PostRow>> ListPosts(TopicId topic, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<PostRow>> {
      KINDRED_QUERY(rows, db, kSelectPostsOfTopic, topic, ClampLimit(limit), ClampOffset(offset));
      return ReadAll(rows, &ReadPost);
    });
  }

  Result<std::int64_t> CountPosts(TopicId topic) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(count, db, kCountPostsOfTopic, topic);
      return ReadCount(count);
    });
  }

  Result<std::vector<PostRow>> ListPostsByUser(UserId user, int offset, int limit, bool include_anonymous) override {
    return Read([&](Connection& db) -> Result<std::vector<PostRow>> {
      KINDRED_QUERY(rows, db, kSelectPostsOfUser, user, ClampLimit(limit), ClampOffset(offset), include_anonymous);
      return ReadAll(rows, &ReadPost);
    });
  }

  Result<std::int64_t> CountPostsByUser(UserId user, bool include_anonymous) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(count, db, kCountPostsOfUser, user, include_anonymous);
      return ReadCount(count);
    });
  }

  Result<std::optional<UnixSeconds>> LastPostTimeIn(TopicId topic, UserId user) override {
    return Read([&](Connection& db) -> Result<std::optional<UnixSeconds>> {
      KINDRED_QUERY(rows, db, kLastPostTimeIn, topic, user);
      // MAX over no rows is one row holding NULL.
      if (rows.empty()) return std::optional<UnixSeconds>();
      return rows[0].OptionalInt64(0);
    });
  }

  // Showing a post that is not hidden succeeds and changes nothing (no event); hiding a hidden
  // one again saves the new reason and time (a held post a moderator then hides for good). A
  // deleted post can be hidden or shown: its writer's delete does not stop a moderator's review.
  // The post row is locked, then its topic's (as MovePost does), so concurrent changes queue.
  Result<PostRow> SetPostHidden(PostId id, std::optional<UnixSeconds> hidden_at, std::string_view reason) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      Result<PostState> state = LockPostState(db, id);
      if (!state.ok()) return std::move(state).error();
      if (!hidden_at) {
        auto post = LoadPost(db, id);
        if (!post.ok() || !post->hidden_at) return post;
      }
      KINDRED_TRY(db.Run(kUpdatePostHidden, id, hidden_at, hidden_at ? reason : std::string_view()));
      if (state->number == 1) KINDRED_TRY(db.Run(kUpdateTopicHidden, state->topic, hidden_at));
      if (hidden_at) {
        KINDRED_TRY(AppendEvent(db, kPostHidden, id.value, *hidden_at));
      } else {
        KINDRED_TRY(AppendEventNow(db, kPostShown, id.value));
      }
      return LoadPost(db, id);
    });
  }

  // kInvalidInput for a negative pause; 0 turns slow mode off.
  Result<TopicRow> SetSlowMode(TopicId id, int seconds) override {
    if (seconds < 0) {
      return Error::Invalid("slow_mode_seconds", "negative_slow_mode",
                            "Slow mode needs a pause of zero or more seconds.");
    }
    return Write([&](Connection& db) -> Result<TopicRow> {
      KINDRED_QUERY(updated, db, kUpdateSlowMode, id, seconds);
      if (updated.affected() == 0) return TopicNotFound();
      KINDRED_TRY(AppendEventNow(db, kTopicUpdated, id.value));
      return LoadTopic(db, id);
    });
  }

  // kConflict ("post_deleted") for a deleted post: its text is gone and stays gone.
  Result<PostRow> EditPost(PostId id, std::string_view body_markdown, std::string_view body_html,
                           UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      Result<PostState> state = LockPostState(db, id);
      if (!state.ok()) return std::move(state).error();
      if (state->deleted) return PostDeleted();
      KINDRED_TRY(InsertRevision(db, id, body_markdown, body_html, at));
      KINDRED_TRY(db.Run(kUpdatePostBody, id, body_markdown, body_html, at));
      KINDRED_TRY(AppendEvent(db, kPostEdited, id.value, at));
      return LoadPost(db, id);
    });
  }

  // Deleting an already deleted post succeeds and changes nothing (no second event).
  // PostgreSQL keeps the old row version until VACUUM reclaims it, as SQLite keeps pages in its
  // write-ahead log until a checkpoint; unlike the SQLite backend this one cannot scrub that at
  // once (VACUUM cannot run inside a transaction and rewrites whole tables), so it is left to
  // autovacuum.
  Result<void> DeletePost(PostId id, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      Result<PostState> state = LockPostState(db, id);
      if (!state.ok()) return std::move(state).error();
      if (state->deleted) return Ok();
      KINDRED_TRY(db.Run(kErasePost, id, at));
      KINDRED_TRY(db.Run(kDeleteRevisions, id));
      KINDRED_TRY(db.Run(kDeletePostReactions, id));
      if (state->number > 1) KINDRED_TRY(db.Run(kDropTopicReply, state->topic));
      return AppendEvent(db, kPostDeleted, id.value, at);
    });
  }

  Result<std::vector<RevisionRow>> ListRevisions(PostId id) override {
    return Read([&](Connection& db) -> Result<std::vector<RevisionRow>> {
      {
        KINDRED_QUERY(state, db, kSelectPostState, id);
        if (state.empty()) return PostNotFound();
      }
      KINDRED_QUERY(rows, db, kSelectRevisions, id);
      return ReadAll(rows, &ReadRevision);
    });
  }

  // Reactions ---------------------------------------------------------------------------------

  Result<void> AddReaction(PostId post, UserId user, ReactionKind kind, UnixSeconds at) override {
    KINDRED_TRY(CheckKind(kind));
    return Write([&](Connection& db) -> Result<void> {
      // Locked, so that a delete running at the same moment cannot erase the post between this
      // check and the insert, leaving a reaction on a deleted post.
      Result<PostState> state = LockPostState(db, post);
      if (!state.ok()) return std::move(state).error();
      if (state->deleted) return PostDeleted();
      {
        KINDRED_QUERY(inserted, db, kInsertReaction, post, user, static_cast<int>(kind), at);
        if (inserted.affected() == 0) return Ok();  // already there: a double click
      }
      KINDRED_TRY(db.Run(kAdjustReactionCount, post, static_cast<int>(kind), 1));
      return AppendEvent(db, kPostReactionsChanged, post.value, at);
    });
  }

  Result<void> RemoveReaction(PostId post, UserId user, ReactionKind kind) override {
    KINDRED_TRY(CheckKind(kind));
    return Write([&](Connection& db) -> Result<void> {
      {
        KINDRED_QUERY(removed, db, kDeleteReaction, post, user, static_cast<int>(kind));
        if (removed.affected() == 0) return Ok();  // was not there
      }
      KINDRED_TRY(db.Run(kAdjustReactionCount, post, static_cast<int>(kind), -1));
      return AppendEventNow(db, kPostReactionsChanged, post.value);
    });
  }

  Result<std::vector<std::pair<PostId, ReactionKind>>> ListOwnReactions(UserId user,
                                                                        const std::vector<PostId>& posts) override {
    using Pairs = std::vector<std::pair<PostId, ReactionKind>>;
    if (posts.empty()) return Pairs{};
    // Integers only, so this array literal is well formed by construction; it is bound, not
    // spliced.
    std::string ids = "{";
    for (PostId post : posts) {
      if (ids.size() > 1) ids += ',';
      ids += std::to_string(post.value);
    }
    ids += '}';
    return Read([&](Connection& db) -> Result<Pairs> {
      KINDRED_QUERY(rows, db, kSelectOwnReactions, user, ids);
      Pairs pairs;
      pairs.reserve(static_cast<std::size_t>(rows.size()));
      for (int i = 0; i < rows.size(); ++i) {
        pairs.emplace_back(PostId(rows[i].Int64(0)), static_cast<ReactionKind>(rows[i].Int(1)));
      }
      return pairs;
    });
  }

  // The review queue --------------------------------------------------------------------------

  // kNotFound when the post (or the suggested topic, or the reporter) does not exist.
  Result<ReviewItemRow> CreateReviewItem(const NewReviewItem& item) override {
    return Write([&](Connection& db) -> Result<ReviewItemRow> {
      KINDRED_QUERY(inserted, db, kInsertReviewItem, static_cast<int>(item.kind), item.post, item.priority, item.level,
                    item.reasons, item.suggested_topic, item.score, item.reporter, item.note, item.created_at);
      const std::int64_t id = inserted[0].Int64(0);
      KINDRED_TRY(AppendEvent(db, kReviewCreated, id, item.created_at));
      return LoadReviewItem(db, id);
    });
  }

  Result<ReviewItemRow> FindReviewItem(std::int64_t id) override {
    return Read([&](Connection& db) { return LoadReviewItem(db, id); });
  }

  Result<std::vector<ReviewItemRow>> ListReviewItems(bool open, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_QUERY(rows, db, open ? kSelectOpenReviewItems : kSelectResolvedReviewItems, ClampLimit(limit),
                    ClampOffset(offset));
      return ReadAll(rows, &ReadReviewItem);
    });
  }

  Result<std::int64_t> CountOpenReviewItems(int min_priority) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(count, db, kCountOpenReviewItems, min_priority);
      return ReadCount(count);
    });
  }

  Result<std::vector<ReviewItemRow>> ListReviewItemsForPost(PostId post) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_QUERY(rows, db, kSelectReviewItemsOfPost, post);
      return ReadAll(rows, &ReadReviewItem);
    });
  }

  // kInvalid ("status") for kOpen or an unknown status: resolving means leaving the open queue.
  // An item already resolved can be resolved again (escalated, then handled) as long as the
  // caller names the version it last saw.
  Result<ReviewItemRow> ResolveReviewItem(std::int64_t id, int expected_version, ReviewStatus status, UserId by,
                                          std::string_view note, UnixSeconds at) override {
    KINDRED_TRY(CheckResolvedStatus(status));
    return Write([&](Connection& db) -> Result<ReviewItemRow> {
      KINDRED_QUERY(updated, db, kResolveReviewItem, id, expected_version, static_cast<int>(status), at, by, note);
      if (updated.affected() == 0) {
        KINDRED_QUERY(exists, db, kReviewItemExists, id);
        if (exists.empty()) return ReviewItemNotFound();
        return Error::Conflict("review_changed",
                               "Another moderator acted on this item a moment ago. Here is how it looks now.");
      }
      KINDRED_TRY(AppendEvent(db, kReviewResolved, id, at));
      return LoadReviewItem(db, id);
    });
  }

  Result<std::vector<ReviewItemRow>> ListUnansweredSafetyItems(UnixSeconds cutoff) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_QUERY(rows, db, kSelectUnansweredSafetyItems, cutoff);
      return ReadAll(rows, &ReadReviewItem);
    });
  }

  // Bumps the version too: a moderator looking at the item before the alert went out acts on
  // what they saw, and gets a conflict showing the raised alert instead of missing it.
  Result<void> MarkWaitingRaised(std::int64_t id, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(updated, db, kMarkWaitingRaised, id, at);
      if (updated.affected() == 0) return ReviewItemNotFound();
      return Ok();
    });
  }

  Result<std::vector<ReviewItemRow>> ListCrisisItemsToRemind(UnixSeconds cutoff) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_QUERY(rows, db, kSelectCrisisItemsToRemind, cutoff);
      return ReadAll(rows, &ReadReviewItem);
    });
  }

  // Two servers may both list the item; the row lock makes the second see it claimed.
  Result<bool> ClaimCrisisReminder(std::int64_t id, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<bool> {
      KINDRED_QUERY(updated, db, kClaimCrisisReminder, id, at);
      return updated.affected() > 0;
    });
  }

  // The modlog ---------------------------------------------------------------------------------

  // kNotFound when the actor does not exist. The entry's id is ignored.
  Result<void> AppendModlog(const ModlogRow& entry) override {
    return Write([&](Connection& db) -> Result<void> {
      return db.Run(kInsertModlog, entry.actor, entry.action, entry.subject_kind, entry.subject_id, entry.before,
                    entry.after, entry.reason, entry.created_at);
    });
  }

  Result<std::vector<ModlogRow>> ListModlog(int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<ModlogRow>> {
      KINDRED_QUERY(rows, db, kSelectModlog, ClampLimit(limit), ClampOffset(offset));
      return ReadAll(rows, &ReadModlog);
    });
  }

  // Notices ------------------------------------------------------------------------------------

  // kNotFound when the member does not exist.
  Result<NoticeRow> CreateNotice(const NewNotice& notice) override {
    return Write([&](Connection& db) -> Result<NoticeRow> {
      KINDRED_QUERY(inserted, db, kInsertNotice, notice.user, notice.kind, notice.title, notice.body_html, notice.link,
                    notice.created_at);
      KINDRED_TRY(AppendEventNow(db, kMemberChanged, notice.user.value));
      KINDRED_QUERY(rows, db, kSelectNotice, inserted[0].Int64(0));
      return ReadOne(rows, &ReadNotice, "notice_not_found", "We could not find that notice.");
    });
  }

  Result<std::vector<NoticeRow>> ListNotices(UserId user, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<NoticeRow>> {
      KINDRED_QUERY(rows, db, kSelectNoticesOfUser, user, ClampLimit(limit), ClampOffset(offset));
      return ReadAll(rows, &ReadNotice);
    });
  }

  Result<std::int64_t> CountUnreadNotices(UserId user) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(count, db, kCountUnreadNotices, user);
      return ReadCount(count);
    });
  }

  // Notices already read keep the time they were first read.
  Result<void> MarkNoticesRead(UserId user, const std::vector<std::int64_t>& ids, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      std::int64_t marked = 0;
      for (std::int64_t id : ids) {
        KINDRED_QUERY(rows, db, kMarkNoticesRead, user, at, id);
        marked += ReadCount(rows);
      }
      // Opening the messages page marks them read every time; only a change moves the feed.
      if (marked == 0) return Ok();
      return AppendEventNow(db, kMemberChanged, user.value);
    });
  }

  // Worry reports ------------------------------------------------------------------------------

  // kNotFound when the reporter, the post or the writer does not exist.
  Result<void> RecordWorryReport(const WorryReportRow& report) override {
    return Write([&](Connection& db) -> Result<void> {
      return db.Run(kInsertWorryReport, report.reporter, report.post, report.writer, report.created_at,
                    report.message_sent);
    });
  }

  Result<std::int64_t> CountWorryReportsBy(UserId reporter, UnixSeconds since) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(count, db, kCountWorryReportsBy, reporter, since);
      return ReadCount(count);
    });
  }

  Result<std::optional<UnixSeconds>> LastWorryMessageTo(UserId writer) override {
    return Read([&](Connection& db) -> Result<std::optional<UnixSeconds>> {
      KINDRED_QUERY(rows, db, kLastWorryMessageTo, writer);
      // MAX over no rows is one row holding NULL.
      if (rows.empty()) return std::optional<UnixSeconds>();
      return rows[0].OptionalInt64(0);
    });
  }

  // Settings -----------------------------------------------------------------------------------

  Result<std::string> GetSetting(std::string_view key) override {
    return Read([&](Connection& db) -> Result<std::string> {
      KINDRED_QUERY(rows, db, kSelectSetting, key);
      if (rows.empty()) return Error::NotFound("setting_not_found", "That setting has not been set yet.");
      return rows[0].Text(0);
    });
  }

  Result<std::string> SettingOr(std::string_view key, std::string_view value, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<std::string> {
      KINDRED_TRY(db.Run(kInsertSettingIfAbsent, key, value, at));
      KINDRED_QUERY(rows, db, kSelectSetting, key);
      if (rows.empty()) return Error::NotFound("setting_not_found", "That setting has not been set yet.");
      return rows[0].Text(0);
    });
  }

  Result<void> PutSetting(std::string_view key, std::string_view value, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> { return db.Run(kUpsertSetting, key, value, at); });
  }

  // Events ------------------------------------------------------------------------------------

  Result<std::int64_t> CountLivePosts() override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(count, db, kCountLivePosts);
      return ReadCount(count);
    });
  }

  Result<void> ForgetIdleRateBuckets(double now) override {
    return Write([&](Connection& db) -> Result<void> { return db.Run(kForgetIdleRateBuckets, now - kIdleRateBucketSeconds); });
  }

  Result<int> TakeRateToken(std::string_view key, int burst, double per_second, double now) override {
    return Write([&](Connection& db) -> Result<int> {
      if (rate_calls_.fetch_add(1, std::memory_order_relaxed) % kRateSweepEvery == 0) {
        KINDRED_TRY(db.Run(kForgetIdleRateBuckets, now - kIdleRateBucketSeconds));
      }
      KINDRED_QUERY(rows, db, kTakeRateToken, key, burst, per_second, now);
      if (rows.empty()) return Error{ErrorCode::kInternal, "rate_limit_failed", "The rate limit could not be read.", {}, 0};
      if (rows[0].Bool(1)) return 0;
      return WaitForToken(rows[0].Double(0), per_second);
    });
  }

  Result<std::int64_t> LatestEventSeq() override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_QUERY(latest, db, kLatestEventSeq);
      return ReadCount(latest);
    });
  }

  // Wakes on NOTIFY kindred_events from any node, this one included.
  std::unique_ptr<EventWaiter> OpenEventWaiter() override { return NewPostgresEventWaiter(conninfo_); }

  Result<std::vector<EventRow>> ReadEvents(std::int64_t after_seq, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<EventRow>> {
      KINDRED_QUERY(rows, db, kSelectEvents, after_seq, ClampLimit(limit));
      return ReadAll(rows, &ReadEvent);
    });
  }

  // Demo content ------------------------------------------------------------------------------

  // The same choices as the SQLite backend (see DeleteDemoContent in sqlite_store.cc): demo
  // topics go whole, demo users' replies and reactions in real topics go with the counters
  // recounted, one event per topic and per post removed, then demo.deleted.
  Result<void> DeleteDemoContent() override {
    return Write([&](Connection& db) -> Result<void> {
      // Events first: they are computed from rows that the deletes below remove. The feed is
      // locked before them, as AppendEvent does.
      KINDRED_TRY(TakeAdvisoryLock(db, kEventFeedLockKey));
      KINDRED_TRY(db.Run(kDemoTopicEvents, kTopicDeleted));
      KINDRED_TRY(db.Run(kDemoPostEvents, kPostDeleted));
      for (std::string_view sql : {kDemoRecountTopics, kDemoRecountReactions, kDemoDeleteTopics, kDemoDeletePosts,
                                   kDemoDeleteCategories, kDemoDeleteModlog, kDemoDeleteUsers}) {
        KINDRED_TRY(db.Run(sql));
      }
      return AppendEventNow(db, kDemoDeleted, 0);
    });
  }

 private:
  // Runs one UPDATE of the users row $1; kNotFound when there is no such row.
  template <typename... Args>
  Result<void> UpdateUser(std::string_view sql, UserId id, const Args&... args) {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_QUERY(updated, db, sql, id, args...);
      if (updated.affected() == 0) return UserNotFound();
      return AppendEventNow(db, kMemberChanged, id.value);
    });
  }

  struct PostState {
    int number = 0;
    TopicId topic;
    bool deleted = false;
  };

  // The post's place and whether it is deleted, locking the row until the transaction ends.
  static Result<PostState> LockPostState(Connection& db, PostId id) {
    KINDRED_QUERY(rows, db, kLockPostState, id);
    if (rows.empty()) return PostNotFound();
    return PostState{rows[0].Int(0), TopicId(rows[0].Int64(1)), !rows[0].IsNull(2)};
  }

  static Result<void> CheckKind(ReactionKind kind) {
    int value = static_cast<int>(kind);
    if (value < 0 || value >= kReactionKindCount) {
      return Error::Invalid("kind", "unknown_reaction", "That reaction is not one we know.");
    }
    return Ok();
  }

  static Result<void> CheckResolvedStatus(ReviewStatus status) {
    switch (status) {
      case ReviewStatus::kHandled:
      case ReviewStatus::kEscalated:
      case ReviewStatus::kDismissed:
        return Ok();
      case ReviewStatus::kOpen:
        break;
    }
    return Error::Invalid("status", "unknown_review_status", "An item can be marked handled, escalated or dismissed.");
  }

  // The given slug (or one made from the name) if free, else the first free "<slug>-N".
  static Result<std::string> FreeSlug(Connection& db, const NewCategory& category) {
    std::string base = category.slug.empty() ? Slugify(category.name) : category.slug;
    if (base.empty()) base = "category";
    for (int suffix = 1; suffix <= kMaxSlugSuffix; ++suffix) {
      std::string candidate = suffix == 1 ? base : base + "-" + std::to_string(suffix);
      KINDRED_QUERY(taken, db, kCategorySlugTaken, candidate);
      if (taken.empty()) return candidate;
    }
    return Error::Conflict("slug_taken", "Another category already uses that address.", "slug");
  }

  // Runs `body` in one read-only transaction on a pooled connection, so that a method reading
  // twice (a page and its total) sees one snapshot.
  template <typename Body>
  auto Read(Body&& body) -> std::invoke_result_t<Body, Connection&> {
    return InTransaction(kBeginRead, /*idempotent=*/true, std::forward<Body>(body));
  }

  // Runs `body` in one read-write transaction: all of it or none, committed (and flushed to the
  // write-ahead log) before this returns.
  template <typename Body>
  auto Write(Body&& body) -> std::invoke_result_t<Body, Connection&> {
    return InTransaction(kBeginWrite, /*idempotent=*/false, std::forward<Body>(body));
  }

  // Runs `body` between `begin` and COMMIT, again from the start when PostgreSQL aborted it to
  // resolve a clash with another transaction (nothing of it was kept). A read is also run again
  // when its connection broke under it; a write is not, since its COMMIT may have gone through.
  template <typename Body>
  auto InTransaction(const char* begin, bool idempotent, Body&& body) -> std::invoke_result_t<Body, Connection&> {
    for (int attempt = 1;; ++attempt) {
      Pool::Lease lease = pool_.Acquire();
      Connection& db = *lease;
      KINDRED_TRY(Begin(db, begin));
      auto result = body(db);
      Error failure;
      if (result.ok()) {
        Result<void> commit = db.Execute(kCommit);
        if (commit.ok()) return result;
        failure = std::move(commit).error();
      } else {
        failure = result.error();
      }
      // Fails harmlessly when the transaction is already over (a lost connection).
      (void)db.Execute(kRollback);
      const bool again = failure.key == kRetryableErrorKey || (idempotent && db.broken());
      if (!again || attempt == kMaxAttempts) return failure;
    }
  }

  // Starts a transaction, connecting again first when the connection is known to be broken, or
  // turns out to be: a connection that sat idle in the pool may have been closed by the server
  // (a restart, a failover, an administrator), and libpq only notices when it next uses it.
  // Nothing has been sent in the transaction yet, so starting over on a new connection is safe.
  static Result<void> Begin(Connection& db, const char* begin) {
    if (db.broken()) KINDRED_TRY(db.Reconnect());
    Result<void> begun = db.Execute(begin);
    if (begun.ok() || !db.broken()) return begun;
    KINDRED_TRY(db.Reconnect());
    return db.Execute(begin);
  }

  Pool pool_;
  const std::string conninfo_;  // for the listener connection of each event waiter
  std::atomic<std::uint64_t> rate_calls_{0};  // TakeRateToken calls, for the idle sweep
};

}  // namespace
}  // namespace postgres

Result<std::unique_ptr<Store>> OpenPostgresStore(std::string_view conninfo) {
  using postgres::Connection;
  const std::string info(conninfo);
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < postgres::kPoolConnections; ++i) {
    Result<std::unique_ptr<Connection>> connection = Connection::Open(info);
    if (!connection.ok()) return std::move(connection).error();
    if (i == 0) KINDRED_TRY(postgres::ApplyMigrations(**connection, postgres::EmbeddedMigrations()));
    connections.push_back(std::move(*connection));
  }
  return std::unique_ptr<Store>(new postgres::PostgresStore(std::move(connections), info));
}

}  // namespace kindred::store
