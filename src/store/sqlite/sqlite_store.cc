// SqliteStore: store::Store on one SQLite file. The SQL lives here as named constants with bound
// parameters; connections, statements and error mapping are in sqlite_connection_internal.h,
// the schema in sqlite_migrations_internal.h and src/store/migrations/sqlite/.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/text.h"
#include "store/rate_buckets_internal.h"
#include "store/sqlite/sqlite_checkpointer_internal.h"
#include "store/sqlite/sqlite_connection_internal.h"
#include "store/sqlite/sqlite_latest_seq_internal.h"
#include "store/sqlite/sqlite_migrations_internal.h"

// Borrows a statement or returns its error from the enclosing function.
#define KINDRED_SQL(name, connection, sql)                              \
  auto name##_or_error = (connection).Prepare(sql);                     \
  if (!name##_or_error.ok()) return std::move(name##_or_error).error(); \
  Statement& name = *name##_or_error

// Steps a statement once, returning its error from the enclosing function; `has_row` says
// whether a row came back.
#define KINDRED_STEP(has_row, statement)                                      \
  auto has_row##_or_error = (statement).Step();                               \
  if (!has_row##_or_error.ok()) return std::move(has_row##_or_error).error(); \
  const bool has_row = *has_row##_or_error

namespace kindred::store {

namespace sqlite {
namespace {

// Read connections kept open. Page views are short and mostly wait on the CPU, so on this
// 2-core target four lets readers overlap a writer and each other without idle file handles.
constexpr int kReaderConnections = 4;

// The most writes one batch commits together (group commit, SqliteStore::Submit). A batch is
// only as large as the writes that queued while the previous one committed, which is at most
// the server's request threads (4 by default, tens at the most); the cap only bounds how long
// one batch holds the write lock if many more ever queue.
constexpr std::size_t kMaxWritesPerBatch = 64;

// The most rows one list call returns, whatever it asks: guards against a negative or huge
// limit (SQLite reads a negative LIMIT as "no limit"). Pages show 20-50; exports page through.
constexpr int kMaxListRows = 1000;

// How far CreateCategory counts when the slug is taken ("support", "support-2", ...). A forum
// does not have a thousand categories of one name; the bound only stops a runaway loop.
constexpr int kMaxSlugSuffix = 1000;

using namespace events;  // the event kinds, spelled once in rows.h

// PostRow::hidden_reason of a post waiting for a moderator's first look.
constexpr const char* kHeldReason = "held";

// The title a topic keeps when its asker erased their account with their posts but others'
// replies still stand: the thread stays readable without the asker's words.
constexpr const char* kRemovedTitle = "Removed by its author";

// --- SQL -----------------------------------------------------------------------------------
// Column lists are macros so that each statement below is still one constant string.

#define KINDRED_USER_SELECT                                                                      \
  "SELECT id, username, email, password_hash, role, created_at, is_demo, worry_opt_out,"         \
  " trust_level, trust_pinned, suspended_until, suspended_reason, flags_upheld, flags_rejected," \
  " muted_words, show_warned_posts, erased_at FROM users "
#define KINDRED_CATEGORY_SELECT                                                    \
  "SELECT c.id, c.slug, c.name, c.description, c.position, c.archived, c.is_demo," \
  " (SELECT count(*) FROM topics t WHERE t.category_id = c.id) FROM categories c "
// Who wrote something, as readers may see it: AuthorState (0 named, 1 anonymous, 2 former
// member) and the name only for a named author. Decided here, in the one place every read
// passes, so that no page, feed or index can show a name by mistake.
#define KINDRED_AUTHOR_STATE(anonymous, u) \
  "CASE WHEN " anonymous " != 0 THEN 1 WHEN " u ".erased_at IS NOT NULL THEN 2 ELSE 0 END"
#define KINDRED_AUTHOR_NAME(anonymous, u) \
  "CASE WHEN " anonymous " != 0 OR " u ".erased_at IS NOT NULL THEN '' ELSE " u ".username END"
// (clang-format would split the macro calls inside these column lists mid-list.)
// clang-format off
#define KINDRED_TOPIC_SELECT                                                                       \
  "SELECT t.id, t.category_id, t.user_id, t.title, t.created_at, t.last_post_at,"                  \
  " t.reply_count, t.pinned, t.closed, t.is_demo, t.anonymous, t.slow_mode_seconds, t.hidden_at, " \
  KINDRED_AUTHOR_NAME("t.anonymous", "u") ", " KINDRED_AUTHOR_STATE("t.anonymous", "u")            \
  ", c.slug, c.name FROM topics t JOIN users u ON u.id = t.user_id JOIN categories c ON c.id = t.category_id "
// clang-format on
#define KINDRED_TOPIC_ORDER " ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC "
// clang-format off
#define KINDRED_POST_SELECT                                                                 \
  "SELECT p.id, p.topic_id, p.user_id, p.number, p.reply_to, p.body_markdown, p.body_html," \
  " p.created_at, p.edited_at, p.deleted_at, p.helpful_count, p.hug_count, p.me_too_count," \
  " p.anonymous, p.content_warning, p.hidden_at, p.hidden_reason, "                         \
  KINDRED_AUTHOR_NAME("p.anonymous", "u") ", " KINDRED_AUTHOR_STATE("p.anonymous", "u")     \
  " FROM posts p JOIN users u ON u.id = p.user_id "
// clang-format on
// The first reply to post `p` by someone other than its writer that is still there: what turns
// a waiting post into an answered one.
#define KINDRED_FIRST_REPLY_AT                                                                   \
  "(SELECT MIN(q.created_at) FROM posts q WHERE q.topic_id = p.topic_id AND q.number > p.number" \
  " AND q.user_id != p.user_id AND q.deleted_at IS NULL)"
// clang-format off
#define KINDRED_REVIEW_SELECT                                                                  \
  "SELECT r.id, r.kind, r.post_id, p.topic_id, p.user_id, r.priority, r.level, r.reasons,"     \
  " r.suggested_topic, r.score, r.reporter_id, r.note, r.status, r.created_at, r.resolved_at," \
  " r.resolved_by, r.resolution_note, r.waiting_raised_at, r.version, "                        \
  KINDRED_AUTHOR_NAME("p.anonymous", "w") ","                                                  \
  " COALESCE(rep.username, ''), t.title, p.body_markdown, p.body_html, p.number,"              \
  " COALESCE(st.title, ''), " KINDRED_FIRST_REPLY_AT                                           \
  " FROM review_items r JOIN posts p ON p.id = r.post_id JOIN users w ON w.id = p.user_id"     \
  " JOIN topics t ON t.id = p.topic_id LEFT JOIN users rep ON rep.id = r.reporter_id"          \
  " LEFT JOIN topics st ON st.id = r.suggested_topic "
// clang-format on
#define KINDRED_MODLOG_SELECT                                                                     \
  "SELECT m.id, m.actor_id, m.action, m.subject_kind, m.subject_id, m.before, m.after, m.reason," \
  " m.created_at, u.username FROM modlog m JOIN users u ON u.id = m.actor_id "
#define KINDRED_NOTICE_SELECT "SELECT id, user_id, kind, title, body_html, link, created_at, read_at FROM notices "
#define KINDRED_DEMO_USERS "(SELECT id FROM users WHERE is_demo = 1)"
// A topic goes with the demo content when it is demo itself, sits in a demo category, or was
// started by a demo user (its first post is theirs, and the thread makes no sense without it).
#define KINDRED_DOOMED_TOPIC(t)                                   \
  "(" t ".is_demo = 1 OR " t                                      \
  ".category_id IN (SELECT id FROM categories WHERE is_demo = 1)" \
  " OR " t ".user_id IN " KINDRED_DEMO_USERS ")"

constexpr std::string_view kBegin = "BEGIN";
constexpr std::string_view kBeginImmediate = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
// Each body of a batched write runs inside this savepoint, so that it can be undone alone.
constexpr std::string_view kSavepoint = "SAVEPOINT batched_write";
constexpr std::string_view kReleaseSavepoint = "RELEASE batched_write";
constexpr std::string_view kRollbackToSavepoint = "ROLLBACK TO batched_write";

constexpr std::string_view kInsertEvent = "INSERT INTO events (kind, subject_id, created_at) VALUES (?1, ?2, ?3)";
// For changes whose method is given no time: the database's clock.
constexpr std::string_view kInsertEventNow =
    "INSERT INTO events (kind, subject_id, created_at) VALUES (?1, ?2, unixepoch())";
constexpr std::string_view kSelectEvents =
    "SELECT seq, kind, subject_id, created_at FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";

constexpr std::string_view kInsertUser =
    "INSERT INTO users (username, username_key, email, password_hash, role, created_at, is_demo)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kSelectUserById = KINDRED_USER_SELECT "WHERE id = ?1";
constexpr std::string_view kSelectUserByKey = KINDRED_USER_SELECT "WHERE username_key = ?1";
constexpr std::string_view kUpdatePasswordHash = "UPDATE users SET password_hash = ?2 WHERE id = ?1";
constexpr std::string_view kUpdateRole = "UPDATE users SET role = ?2 WHERE id = ?1";
constexpr std::string_view kCountUsers = "SELECT count(*) FROM users";
constexpr std::string_view kUpdateWorryOptOut = "UPDATE users SET worry_opt_out = ?2 WHERE id = ?1";
constexpr std::string_view kSelectResponders =
    KINDRED_USER_SELECT "WHERE erased_at IS NULL AND (role >= 1 /* moderator or admin */ OR (?1 AND trust_level = 2))"
    " ORDER BY id";

constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kSelectSession =
    "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions"
    " WHERE token_hash = ?1 AND expires_at > ?2";
constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE token_hash = ?1";
constexpr std::string_view kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = ?1";

constexpr std::string_view kSelectCategories =
    KINDRED_CATEGORY_SELECT "WHERE ?1 OR c.archived = 0 ORDER BY c.position, c.id";
constexpr std::string_view kSelectCategoryById = KINDRED_CATEGORY_SELECT "WHERE c.id = ?1";
constexpr std::string_view kSelectCategoryBySlug = KINDRED_CATEGORY_SELECT "WHERE c.slug = ?1";
constexpr std::string_view kCategoryNameTaken = "SELECT 1 FROM categories WHERE name_key = ?1";
constexpr std::string_view kCategorySlugTaken = "SELECT 1 FROM categories WHERE slug = ?1";
// A new category goes last on the home page, after any reordering done so far.
constexpr std::string_view kInsertCategory =
    "INSERT INTO categories (slug, name, name_key, description, position, is_demo)"
    " VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(position) + 1, 0) FROM categories), ?5)";
constexpr std::string_view kUpdateCategory =
    "UPDATE categories SET slug = ?2, name = ?3, name_key = ?4, description = ?5, position = ?6,"
    " archived = ?7 WHERE id = ?1";

// Lists leave out topics whose question is hidden or held; FindTopic still finds them, for their
// writer and the moderators.
constexpr std::string_view kSelectTopicsAll =
    KINDRED_TOPIC_SELECT "WHERE t.hidden_at IS NULL" KINDRED_TOPIC_ORDER "LIMIT ?1 OFFSET ?2";
constexpr std::string_view kSelectTopicsInCategory =
    KINDRED_TOPIC_SELECT "WHERE t.category_id = ?3 AND t.hidden_at IS NULL" KINDRED_TOPIC_ORDER "LIMIT ?1 OFFSET ?2";
constexpr std::string_view kCountTopicsAll = "SELECT count(*) FROM topics WHERE hidden_at IS NULL";
constexpr std::string_view kCountTopicsInCategory =
    "SELECT count(*) FROM topics WHERE category_id = ?1 AND hidden_at IS NULL";
constexpr std::string_view kSelectTopic = KINDRED_TOPIC_SELECT "WHERE t.id = ?1";
constexpr std::string_view kInsertTopic =
    "INSERT INTO topics (category_id, user_id, title, created_at, last_post_at, reply_count, is_demo, anonymous,"
    " hidden_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, CASE WHEN ?9 THEN ?4 END)";  // ?9: held
constexpr std::string_view kUpdateTopicState =
    "UPDATE topics SET pinned = ?2, closed = ?3, category_id = ?4 WHERE id = ?1";
constexpr std::string_view kSelectTopicClosed = "SELECT closed FROM topics WHERE id = ?1";
constexpr std::string_view kBumpTopic =
    "UPDATE topics SET reply_count = reply_count + 1, last_post_at = MAX(last_post_at, ?2)"
    " WHERE id = ?1";
constexpr std::string_view kDropTopicReply = "UPDATE topics SET reply_count = MAX(reply_count - 1, 0) WHERE id = ?1";

constexpr std::string_view kInsertPost =
    "INSERT INTO posts (topic_id, user_id, number, reply_to, body_markdown, body_html, created_at, anonymous,"
    " content_warning, hidden_at, hidden_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, CASE WHEN ?10 THEN ?7 END,"
    " ?11)";  // ?10: held
constexpr std::string_view kNextPostNumber = "SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE topic_id = ?1";
constexpr std::string_view kSelectPost = KINDRED_POST_SELECT "WHERE p.id = ?1";
constexpr std::string_view kSelectPostsOfTopic =
    KINDRED_POST_SELECT "WHERE p.topic_id = ?1 ORDER BY p.number LIMIT ?2 OFFSET ?3";
constexpr std::string_view kCountPostsOfTopic = "SELECT count(*) FROM posts WHERE topic_id = ?1";
// `own`: the member's own view (or export), which also shows what they posted anonymously and
// what is hidden; anyone else's leaves both out, so a profile never ties a name to an anonymous
// post.
#define KINDRED_POSTS_OF_USER(own)                                                                   \
  "p.user_id = ?1 AND p.deleted_at IS NULL AND (" own " OR (p.anonymous = 0 AND p.hidden_at IS NULL" \
  " AND p.topic_id IN (SELECT id FROM topics WHERE hidden_at IS NULL)))"
constexpr std::string_view kSelectPostsOfUser = KINDRED_POST_SELECT
    "WHERE " KINDRED_POSTS_OF_USER("?4") " ORDER BY p.created_at DESC, p.id DESC LIMIT ?2 OFFSET ?3";
constexpr std::string_view kSelectLivePosts =
    KINDRED_POST_SELECT "WHERE p.id > ?1 AND p.deleted_at IS NULL ORDER BY p.id LIMIT ?2";
constexpr std::string_view kMovePost = "UPDATE posts SET topic_id = ?2, number = ?3, reply_to = NULL WHERE id = ?1";
// After a reply leaves a topic: its count and last activity from what is still there.
constexpr std::string_view kRecountTopic =
    "UPDATE topics SET"
    " reply_count = (SELECT count(*) FROM posts p WHERE p.topic_id = topics.id AND p.number > 1"
    "   AND p.deleted_at IS NULL),"
    " last_post_at = COALESCE((SELECT MAX(p.created_at) FROM posts p WHERE p.topic_id = topics.id),"
    "   topics.created_at)"
    " WHERE id = ?1";
constexpr std::string_view kCountLivePosts = "SELECT count(*) FROM posts WHERE deleted_at IS NULL";
constexpr std::string_view kLatestEventSeq = "SELECT COALESCE(MAX(seq), 0) FROM events";
constexpr std::string_view kCountPostsOfUser = "SELECT count(*) FROM posts p WHERE " KINDRED_POSTS_OF_USER("?2");
constexpr std::string_view kSelectPostState = "SELECT number, topic_id, deleted_at FROM posts WHERE id = ?1";
constexpr std::string_view kUpdatePostBody =
    "UPDATE posts SET body_markdown = ?2, body_html = ?3, edited_at = ?4 WHERE id = ?1";
constexpr std::string_view kErasePost =
    "UPDATE posts SET deleted_at = ?2, body_markdown = '', body_html = '', content_warning = '',"
    " helpful_count = 0, hug_count = 0, me_too_count = 0 WHERE id = ?1";

constexpr std::string_view kInsertRevision =
    "INSERT INTO revisions (post_id, revision, body_markdown, body_html, created_at)"
    " VALUES (?1, (SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions WHERE post_id = ?1), ?2, ?3, ?4)";
constexpr std::string_view kSelectRevisions =
    "SELECT post_id, revision, body_markdown, body_html, created_at FROM revisions"
    " WHERE post_id = ?1 ORDER BY revision";
constexpr std::string_view kDeleteRevisions = "DELETE FROM revisions WHERE post_id = ?1";

constexpr std::string_view kInsertReaction =
    "INSERT OR IGNORE INTO reactions (post_id, user_id, kind, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kDeleteReaction = "DELETE FROM reactions WHERE post_id = ?1 AND user_id = ?2 AND kind = ?3";
constexpr std::string_view kDeletePostReactions = "DELETE FROM reactions WHERE post_id = ?1";
// ?2 is the kind, ?3 is +1 or -1: one statement keeps the three counters without splicing a
// column name into SQL.
constexpr std::string_view kAdjustReactionCount =
    "UPDATE posts SET helpful_count = helpful_count + (CASE WHEN ?2 = 0 THEN ?3 ELSE 0 END),"
    " hug_count = hug_count + (CASE WHEN ?2 = 1 THEN ?3 ELSE 0 END),"
    " me_too_count = me_too_count + (CASE WHEN ?2 = 2 THEN ?3 ELSE 0 END) WHERE id = ?1";
// ?2 is a JSON array of post ids: one statement for any number of posts.
// A join, not `post_id IN (SELECT ...)`: an IN list is built into a temporary b-tree on every
// call, which cost more than the lookups themselves on each signed-in topic page. CROSS JOIN keeps
// the page's few ids outside, so each is one index lookup however many reactions the member gave.
constexpr std::string_view kSelectOwnReactions =
    "SELECT r.post_id, r.kind FROM json_each(?2) j CROSS JOIN reactions r"
    " ON r.user_id = ?1 AND r.post_id = j.value ORDER BY r.post_id, r.kind";

constexpr std::string_view kInsertReviewItem =
    "INSERT INTO review_items (kind, post_id, priority, level, reasons, suggested_topic, score, reporter_id,"
    " note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr std::string_view kSelectReviewItem = KINDRED_REVIEW_SELECT "WHERE r.id = ?1";
// Escalated items wait for an admin: still open, at their priority (status 2, ReviewStatus).
constexpr std::string_view kSelectOpenReviewItems =
    KINDRED_REVIEW_SELECT "WHERE r.status IN (0, 2) ORDER BY r.priority DESC, r.created_at, r.id LIMIT ?1 OFFSET ?2";
constexpr std::string_view kSelectResolvedReviewItems =
    KINDRED_REVIEW_SELECT "WHERE r.status NOT IN (0, 2) ORDER BY r.resolved_at DESC, r.id DESC LIMIT ?1 OFFSET ?2";
constexpr std::string_view kCountOpenReviewItems =
    "SELECT count(*) FROM review_items WHERE status IN (0, 2) AND priority >= ?1";
constexpr std::string_view kSelectReviewItemsOfPost =
    KINDRED_REVIEW_SELECT "WHERE r.post_id = ?1 ORDER BY r.created_at, r.id";
constexpr std::string_view kReviewItemExists = "SELECT 1 FROM review_items WHERE id = ?1";
// Changes the item only if nobody else has since it was read: the version is the guard.
constexpr std::string_view kResolveReviewItem =
    "UPDATE review_items SET status = ?3, resolved_at = ?4, resolved_by = ?5, resolution_note = ?6,"
    " version = version + 1 WHERE id = ?1 AND version = ?2";
constexpr std::string_view kSelectUnansweredSafetyItems = KINDRED_REVIEW_SELECT
    "WHERE r.kind = 0 AND r.status IN (0, 2) AND r.waiting_raised_at IS NULL AND r.created_at <= ?1"
    " AND " KINDRED_FIRST_REPLY_AT " IS NULL ORDER BY r.priority DESC, r.created_at, r.id";
constexpr std::string_view kMarkWaitingRaised =
    "UPDATE review_items SET waiting_raised_at = ?2, version = version + 1 WHERE id = ?1";
constexpr std::string_view kSelectCrisisItemsToRemind = KINDRED_REVIEW_SELECT
    "WHERE r.kind = 0 AND r.level = 'crisis' AND r.status IN (0, 2) AND r.reminded_at IS NULL"
    " AND r.created_at <= ?1 ORDER BY r.created_at, r.id";
constexpr std::string_view kClaimCrisisReminder =
    "UPDATE review_items SET reminded_at = ?2 WHERE id = ?1 AND reminded_at IS NULL AND status IN (0, 2)";

constexpr std::string_view kInsertModlog =
    "INSERT INTO modlog (actor_id, action, subject_kind, subject_id, before, after, reason, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kSelectModlog =
    KINDRED_MODLOG_SELECT "ORDER BY m.created_at DESC, m.id DESC LIMIT ?1 OFFSET ?2";

constexpr std::string_view kInsertNotice =
    "INSERT INTO notices (user_id, kind, title, body_html, link, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kSelectNotice = KINDRED_NOTICE_SELECT "WHERE id = ?1";
constexpr std::string_view kSelectNoticesOfUser =
    KINDRED_NOTICE_SELECT "WHERE user_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3";
constexpr std::string_view kCountUnreadNotices = "SELECT count(*) FROM notices WHERE user_id = ?1 AND read_at IS NULL";
constexpr std::string_view kMarkNoticesRead =
    "UPDATE notices SET read_at = ?2 WHERE user_id = ?1 AND id = ?3 AND read_at IS NULL";

constexpr std::string_view kInsertWorryReport =
    "INSERT INTO worry_reports (reporter_id, post_id, writer_id, created_at, message_sent)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kCountWorryReportsBy =
    "SELECT count(*) FROM worry_reports WHERE reporter_id = ?1 AND created_at >= ?2";
constexpr std::string_view kLastWorryMessageTo =
    "SELECT MAX(created_at) FROM worry_reports WHERE writer_id = ?1 AND message_sent = 1";

constexpr std::string_view kSelectSetting = "SELECT value FROM settings WHERE key = ?1";
constexpr std::string_view kInsertSettingIfAbsent =
    "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO NOTHING";
constexpr std::string_view kUpsertSetting =
    "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";

// One token bucket step as one statement: the refill is computed from the stored row, so two
// writers cannot both spend the last token. Clocks that step back refill nothing.
constexpr std::string_view kTakeRateToken =
    "INSERT INTO rate_buckets (key, tokens, updated_at, granted) VALUES (?1, ?2 - 1, ?4, 1)"
    " ON CONFLICT (key) DO UPDATE SET"
    "  granted = (MIN(?2, tokens + MAX(0, ?4 - updated_at) * ?3) >= 1),"
    "  tokens = MIN(?2, tokens + MAX(0, ?4 - updated_at) * ?3)"
    "           - (MIN(?2, tokens + MAX(0, ?4 - updated_at) * ?3) >= 1),"
    "  updated_at = MAX(updated_at, ?4)"
    " RETURNING tokens, granted";
constexpr std::string_view kForgetIdleRateBuckets = "DELETE FROM rate_buckets WHERE updated_at < ?1";

// DeleteDemoContent, in the order it runs. See the method for why.
constexpr std::string_view kDemoTopicEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT ?1, t.id, unixepoch() FROM topics t"
    " WHERE " KINDRED_DOOMED_TOPIC("t") " ORDER BY t.id";
constexpr std::string_view kDemoPostEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT ?1, p.id, unixepoch()"
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
constexpr std::string_view kDemoDeleteCategories = "DELETE FROM categories WHERE is_demo = 1";
// The log entries of a demo user made moderator: a demo person's actions are demo content too,
// and the entries' foreign key would otherwise refuse the user's deletion.
constexpr std::string_view kDemoDeleteModlog = "DELETE FROM modlog WHERE actor_id IN " KINDRED_DEMO_USERS;
constexpr std::string_view kDemoDeleteUsers = "DELETE FROM users WHERE is_demo = 1";

// Trust, suspension, the flagger's record, personal controls.
constexpr std::string_view kUpdateTrust = "UPDATE users SET trust_level = ?2, trust_pinned = ?3 WHERE id = ?1";
// Lifting a suspension (?2 NULL) clears its reason too: it no longer applies to anything.
constexpr std::string_view kUpdateSuspension =
    "UPDATE users SET suspended_until = ?2, suspended_reason = CASE WHEN ?2 IS NULL THEN '' ELSE ?3 END"
    " WHERE id = ?1";
constexpr std::string_view kAddFlagOutcomes =
    "UPDATE users SET flags_upheld = flags_upheld + ?2, flags_rejected = flags_rejected + ?3 WHERE id = ?1";
constexpr std::string_view kUpdatePersonalControls =
    "UPDATE users SET muted_words = ?2, show_warned_posts = ?3 WHERE id = ?1";

// Blocks. A foreign-key failure (an unknown member) is not ignored by OR IGNORE: it stays kNotFound.
constexpr std::string_view kInsertBlock =
    "INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?1, ?2, ?3)";
constexpr std::string_view kDeleteBlock = "DELETE FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2";
// Joined rather than `id IN (SELECT ...)`, which builds a temporary b-tree on every call (see
// kSelectOwnReactions); the subquery exposes only blocked_id, so the user columns stay unambiguous.
constexpr std::string_view kSelectBlocked =
    KINDRED_USER_SELECT "JOIN (SELECT blocked_id FROM blocks WHERE blocker_id = ?1) b ON b.blocked_id = users.id"
    " ORDER BY username_key, id";
constexpr std::string_view kSelectIsBlocked = "SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2";

// Watched words. pattern_key is the pattern lower-cased: one rule per word whatever its case, and
// its unique constraint turns a second one into kConflict ("pattern").
#define KINDRED_WATCHED_SELECT "SELECT id, pattern, action, replacement, created_at FROM watched_words "
constexpr std::string_view kSelectWatchedWords = KINDRED_WATCHED_SELECT "ORDER BY pattern_key, id";
constexpr std::string_view kSelectWatchedWord = KINDRED_WATCHED_SELECT "WHERE id = ?1";
constexpr std::string_view kInsertWatchedWord =
    "INSERT INTO watched_words (pattern, pattern_key, action, replacement, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kDeleteWatchedWord = "DELETE FROM watched_words WHERE id = ?1";

// A member's own data, for their export.
constexpr std::string_view kSelectSessionsOfUser =
    "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions WHERE user_id = ?1"
    " ORDER BY created_at, token_hash";
constexpr std::string_view kSelectReactionsByUser =
    "SELECT post_id, kind, created_at FROM reactions WHERE user_id = ?1 ORDER BY created_at, post_id, kind";
constexpr std::string_view kSelectFlagsByReporter =
    KINDRED_REVIEW_SELECT "WHERE r.reporter_id = ?1 ORDER BY r.created_at, r.id";
constexpr std::string_view kSelectWorryReportsBy =
    "SELECT reporter_id, post_id, writer_id, created_at, message_sent FROM worry_reports WHERE reporter_id = ?1"
    " ORDER BY created_at, id";

// Slow mode and moderation of single posts. Deleted replies count for slow mode too: deleting a
// reply and posting again at once should not get round the pause.
constexpr std::string_view kLastPostTimeIn = "SELECT MAX(created_at) FROM posts WHERE topic_id = ?1 AND user_id = ?2";
constexpr std::string_view kUpdatePostHidden =
    "UPDATE posts SET hidden_at = ?2, hidden_reason = CASE WHEN ?2 IS NULL THEN '' ELSE ?3 END WHERE id = ?1";
constexpr std::string_view kUpdateTopicHidden = "UPDATE topics SET hidden_at = ?2 WHERE id = ?1";
constexpr std::string_view kUpdateSlowMode = "UPDATE topics SET slow_mode_seconds = ?2 WHERE id = ?1";

// EraseUser, in the order it runs; see the method for why. ?1 is the member, ?2 the time. Every
// statement is set-based over posts_by_user / topics_by_user and the other per-user indexes, so
// a member with a hundred thousand posts costs a handful of statements, not a loop.
//
// A topic they asked that goes whole (with delete_posts): no one else's reply is still there.
// clang-format off
#define KINDRED_ERASED_WHOLE_TOPIC(t)                                                       \
  t ".user_id = ?1 AND NOT EXISTS (SELECT 1 FROM posts q WHERE q.topic_id = " t ".id" \
    " AND q.user_id != ?1 AND q.deleted_at IS NULL)"
// clang-format on
// What moderators wrote down about them, their posts, their topics or the review items on their
// posts may quote their words or name.
constexpr std::string_view kEraseScrubModlog =
    "UPDATE modlog SET before = '', after = '' WHERE (before != '' OR after != '') AND ("
    " (subject_kind = 'user' AND subject_id = ?1) OR"
    " (subject_kind = 'post' AND subject_id IN (SELECT id FROM posts WHERE user_id = ?1)) OR"
    " (subject_kind = 'topic' AND subject_id IN (SELECT id FROM topics WHERE user_id = ?1)) OR"
    " (subject_kind = 'review' AND subject_id IN (SELECT r.id FROM review_items r JOIN posts p ON p.id = r.post_id"
    "   WHERE p.user_id = ?1)))";
// Notices to others that lead to one of their posts ("waiting for a reply", "post hidden") may
// quote their name or words.
constexpr std::string_view kEraseDeleteNoticesAboutPosts =
    "DELETE FROM notices WHERE link IN (SELECT '/p/' || id FROM posts WHERE user_id = ?1)";
// Notices that name them in bold, as alerts to moderators do ("A post by **name** ..."), even
// when they lead elsewhere (the review queue). ?1 is the name as rendered.
constexpr std::string_view kEraseScrubNamedNotices =
    "UPDATE notices SET body_html = replace(body_html, ?1, '<strong>a former member</strong>')"
    " WHERE instr(body_html, ?1) > 0";
// The reactions they gave: one event per post they reacted to, then off its counters.
constexpr std::string_view kEraseReactionEvents =
    "INSERT INTO events (kind, subject_id, created_at)"
    " SELECT ?3, post_id, ?2 FROM reactions WHERE user_id = ?1 GROUP BY post_id ORDER BY post_id";
constexpr std::string_view kEraseUncountReactions =
    "UPDATE posts SET"
    " helpful_count = MAX(helpful_count - (SELECT count(*) FROM reactions r WHERE r.post_id = posts.id"
    "   AND r.user_id = ?1 AND r.kind = 0), 0),"
    " hug_count = MAX(hug_count - (SELECT count(*) FROM reactions r WHERE r.post_id = posts.id"
    "   AND r.user_id = ?1 AND r.kind = 1), 0),"
    " me_too_count = MAX(me_too_count - (SELECT count(*) FROM reactions r WHERE r.post_id = posts.id"
    "   AND r.user_id = ?1 AND r.kind = 2), 0)"
    " WHERE id IN (SELECT post_id FROM reactions WHERE user_id = ?1)";
constexpr std::string_view kEraseDeleteReactionsGiven = "DELETE FROM reactions WHERE user_id = ?1";
constexpr std::string_view kEraseDeleteSessions = "DELETE FROM sessions WHERE user_id = ?1";
constexpr std::string_view kEraseDeleteNotices = "DELETE FROM notices WHERE user_id = ?1";
constexpr std::string_view kEraseDeleteBlocks = "DELETE FROM blocks WHERE blocker_id = ?1 OR blocked_id = ?1";
constexpr std::string_view kEraseDeleteWorryReports =
    "DELETE FROM worry_reports WHERE reporter_id = ?1 OR writer_id = ?1";
// Their flags stay in the queue (the post may still need a look), without who raised them or why.
constexpr std::string_view kEraseAnonymiseFlags =
    "UPDATE review_items SET reporter_id = NULL, note = '' WHERE reporter_id = ?1";
// With delete_posts. Events first: they are computed from rows the statements after remove.
constexpr std::string_view kEraseTopicEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT ?3, t.id, ?2 FROM topics t"
    " WHERE " KINDRED_ERASED_WHOLE_TOPIC("t") " ORDER BY t.id";
constexpr std::string_view kErasePostEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT ?3, p.id, ?2 FROM posts p"
    " WHERE p.user_id = ?1 AND p.deleted_at IS NULL AND p.topic_id NOT IN"
    " (SELECT t.id FROM topics t WHERE " KINDRED_ERASED_WHOLE_TOPIC("t") ") ORDER BY p.id";
constexpr std::string_view kEraseRetitledEvents =
    "INSERT INTO events (kind, subject_id, created_at) SELECT ?3, t.id, ?2 FROM topics t"
    " WHERE t.user_id = ?1 AND NOT (" KINDRED_ERASED_WHOLE_TOPIC("t") ") ORDER BY t.id";
// Cascades to the posts in them (everyone's), their revisions, reactions, review items and worry
// reports; replies elsewhere that answered one of those posts lose the link.
constexpr std::string_view kEraseDeleteTopics =
    "DELETE FROM topics WHERE id IN (SELECT t.id FROM topics t WHERE " KINDRED_ERASED_WHOLE_TOPIC("t") ")";
constexpr std::string_view kEraseRetitleTopics = "UPDATE topics SET title = ?2 WHERE user_id = ?1";
constexpr std::string_view kEraseDeleteReviewItems =
    "DELETE FROM review_items WHERE post_id IN (SELECT id FROM posts WHERE user_id = ?1)";
constexpr std::string_view kEraseDeleteRevisions =
    "DELETE FROM revisions WHERE post_id IN (SELECT id FROM posts WHERE user_id = ?1)";
constexpr std::string_view kEraseDeletePostReactions =
    "DELETE FROM reactions WHERE post_id IN (SELECT id FROM posts WHERE user_id = ?1)";
// As DeletePost does: the text goes, the place stays; a post deleted before keeps its time.
constexpr std::string_view kEraseDeletePosts =
    "UPDATE posts SET deleted_at = COALESCE(deleted_at, ?2), body_markdown = '', body_html = '',"
    " content_warning = '', helpful_count = 0, hug_count = 0, me_too_count = 0 WHERE user_id = ?1";
constexpr std::string_view kEraseRecountTopics =
    "UPDATE topics SET reply_count = (SELECT count(*) FROM posts p WHERE p.topic_id = topics.id AND p.number > 1"
    "   AND p.deleted_at IS NULL)"
    " WHERE id IN (SELECT topic_id FROM posts WHERE user_id = ?1)";
// Always, last: the account itself. The name stays unique (ids are), and the password, email,
// settings and record go.
constexpr std::string_view kEraseAccount =
    "UPDATE users SET username = 'former-member-' || id, username_key = 'former-member-' || id, email = '',"
    " password_hash = '', muted_words = '', show_warned_posts = 0, worry_opt_out = 0, flags_upheld = 0,"
    " flags_rejected = 0, suspended_until = NULL, suspended_reason = '', erased_at = ?2 WHERE id = ?1";

// --- Rows ----------------------------------------------------------------------------------

UserRow ReadUser(const Statement& s) {
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

CategoryRow ReadCategory(const Statement& s) {
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

TopicRow ReadTopic(const Statement& s) {
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

PostRow ReadPost(const Statement& s) {
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

RevisionRow ReadRevision(const Statement& s) {
  RevisionRow row;
  row.post_id = PostId(s.Int64(0));
  row.revision = s.Int(1);
  row.body_markdown = s.Text(2);
  row.body_html = s.Text(3);
  row.created_at = s.Int64(4);
  return row;
}

template <typename IdType>
std::optional<IdType> OptionalId(const Statement& s, int column) {
  std::optional<std::int64_t> value = s.OptionalInt64(column);
  if (!value) return std::nullopt;
  return IdType(*value);
}

ReviewItemRow ReadReviewItem(const Statement& s) {
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

ModlogRow ReadModlog(const Statement& s) {
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

NoticeRow ReadNotice(const Statement& s) {
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

SessionRow ReadSession(const Statement& s) {
  SessionRow row;
  row.token_hash = s.Text(0);
  row.user_id = UserId(s.Int64(1));
  row.csrf_token = s.Text(2);
  row.created_at = s.Int64(3);
  row.expires_at = s.Int64(4);
  return row;
}

WatchedWordRow ReadWatchedWord(const Statement& s) {
  WatchedWordRow row;
  row.id = s.Int64(0);
  row.pattern = s.Text(1);
  row.action = static_cast<WatchedAction>(s.Int(2));
  row.replacement = s.Text(3);
  row.created_at = s.Int64(4);
  return row;
}

ReactionGivenRow ReadReactionGiven(const Statement& s) {
  return {PostId(s.Int64(0)), static_cast<ReactionKind>(s.Int(1)), s.Int64(2)};
}

WorryReportRow ReadWorryReport(const Statement& s) {
  return {UserId(s.Int64(0)), PostId(s.Int64(1)), UserId(s.Int64(2)), s.Int64(3), s.Bool(4)};
}

// Runs a borrowed statement to its end, turning each row into a T.
template <typename T>
Result<std::vector<T>> ReadAll(Statement& statement, T (*read)(const Statement&)) {
  std::vector<T> rows;
  while (true) {
    Result<bool> row = statement.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return rows;
    rows.push_back(read(statement));
  }
}

// Runs a borrowed statement expected to give one row; kNotFound with `key` and `message` when
// it gives none.
template <typename T>
Result<T> ReadOne(Statement& statement, T (*read)(const Statement&), const char* key, const char* message) {
  Result<bool> row = statement.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return Error::NotFound(key, message);
  return read(statement);
}

Result<std::int64_t> ReadCount(Statement& statement) {
  Result<bool> row = statement.Step();
  if (!row.ok()) return std::move(row).error();
  return *row ? statement.Int64(0) : 0;
}

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

int ClampLimit(int limit) { return std::clamp(limit, 0, kMaxListRows); }
int ClampOffset(int offset) { return std::max(offset, 0); }

// --- Row loaders shared by reads and writes (a write returns what it saved, read in its own
// transaction) ----------------------------------------------------------------------------------

Result<UserRow> LoadUser(Connection& db, UserId id) {
  KINDRED_SQL(select, db, kSelectUserById);
  select.Bind(id);
  Result<bool> row = select.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return UserNotFound();
  return ReadUser(select);
}

Result<CategoryRow> LoadCategory(Connection& db, CategoryId id) {
  KINDRED_SQL(select, db, kSelectCategoryById);
  select.Bind(id);
  Result<bool> row = select.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return CategoryNotFound();
  return ReadCategory(select);
}

Result<TopicRow> LoadTopic(Connection& db, TopicId id) {
  KINDRED_SQL(select, db, kSelectTopic);
  select.Bind(id);
  Result<bool> row = select.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return TopicNotFound();
  return ReadTopic(select);
}

Result<PostRow> LoadPost(Connection& db, PostId id) {
  KINDRED_SQL(select, db, kSelectPost);
  select.Bind(id);
  Result<bool> row = select.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return PostNotFound();
  return ReadPost(select);
}

Result<ReviewItemRow> LoadReviewItem(Connection& db, std::int64_t id) {
  KINDRED_SQL(select, db, kSelectReviewItem);
  select.Bind(id);
  Result<bool> row = select.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return ReviewItemNotFound();
  return ReadReviewItem(select);
}

Result<void> AppendEvent(Connection& db, const char* kind, std::int64_t subject, UnixSeconds at) {
  KINDRED_SQL(insert, db, kInsertEvent);
  return insert.Bind(kind, subject, at).Run();
}

Result<void> AppendEventNow(Connection& db, const char* kind, std::int64_t subject) {
  KINDRED_SQL(insert, db, kInsertEventNow);
  return insert.Bind(kind, subject).Run();
}

Result<void> InsertRevision(Connection& db, PostId post, std::string_view markdown, std::string_view html,
                            UnixSeconds at) {
  KINDRED_SQL(insert, db, kInsertRevision);
  return insert.Bind(post, markdown, html, at).Run();
}

// How a new post is shown, as NewTopic and NewPost give it. A held post is hidden from its
// creation (reason "held") until a moderator has had a first look.
struct Showing {
  bool anonymous = false;
  std::string_view content_warning;
  bool held = false;
};

template <typename New>
Showing ShowingOf(const New& post) {
  return {post.anonymous, post.content_warning, post.held};
}

// Inserts one post with its first revision; returns its id.
Result<PostId> InsertPost(Connection& db, TopicId topic, UserId user, int number, std::optional<PostId> reply_to,
                          std::string_view markdown, std::string_view html, UnixSeconds at, const Showing& showing) {
  {
    KINDRED_SQL(insert, db, kInsertPost);
    KINDRED_TRY(insert
                    .Bind(topic, user, number, reply_to, markdown, html, at, showing.anonymous, showing.content_warning,
                          showing.held, showing.held ? kHeldReason : "")
                    .Run());
  }
  PostId id(db.LastInsertRowId());
  KINDRED_TRY(InsertRevision(db, id, markdown, html, at));
  return id;
}

Result<TopicId> InsertTopic(Connection& db, const NewTopic& topic, UnixSeconds last_post_at, std::int64_t reply_count) {
  KINDRED_SQL(insert, db, kInsertTopic);
  // A held question keeps its topic out of lists too.
  KINDRED_TRY(insert
                  .Bind(topic.category_id, topic.user_id, topic.title, topic.created_at, last_post_at, reply_count,
                        topic.is_demo, topic.anonymous, topic.held)
                  .Run());
  return TopicId(db.LastInsertRowId());
}

// --- The store -------------------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers,
              std::unique_ptr<Connection> checkpointing)
      : writer_(std::move(writer)),
        checkpointer_(std::make_unique<WalCheckpointer>(writer_->raw(), std::move(checkpointing))),
        readers_(std::move(readers)) {}

  ~SqliteStore() override {
    checkpointer_.reset();  // its connection closes before the writer's last checkpoint below
    // Readers close first so that the writer is the last connection: it folds the WAL back into
    // the main file and truncates it, leaving one self-contained file (with erased text erased).
    std::lock_guard lock(writer_mutex_);
    (void)writer_->Execute("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  // Accounts ----------------------------------------------------------------------------------

  Result<UserRow> CreateUser(const NewUser& user) override {
    return Write([&](Connection& db) -> Result<UserRow> {
      KINDRED_SQL(insert, db, kInsertUser);
      KINDRED_TRY(insert
                      .Bind(user.username, AsciiLower(user.username), user.email, user.password_hash,
                            static_cast<int>(user.role), user.created_at, user.is_demo)
                      .Run());
      return LoadUser(db, UserId(db.LastInsertRowId()));
    });
  }

  Result<UserRow> FindUserById(UserId id) override {
    return Read([&](Connection& db) { return LoadUser(db, id); });
  }

  Result<UserRow> FindUserByName(std::string_view username) override {
    return Read([&](Connection& db) -> Result<UserRow> {
      KINDRED_SQL(select, db, kSelectUserByKey);
      select.Bind(AsciiLower(username));
      return ReadOne(select, &ReadUser, "user_not_found", "We could not find that person.");
    });
  }

  Result<void> SetPasswordHash(UserId id, std::string_view password_hash) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(update, db, kUpdatePasswordHash);
      KINDRED_TRY(update.Bind(id, password_hash).Run());
      if (db.Changes() == 0) return UserNotFound();
      return Ok();
    });
  }

  Result<void> SetRole(UserId id, Role role) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(update, db, kUpdateRole);
      KINDRED_TRY(update.Bind(id, static_cast<int>(role)).Run());
      if (db.Changes() == 0) return UserNotFound();
      return AppendEventNow(db, kMemberChanged, id.value);
    });
  }

  Result<std::int64_t> CountUsers() override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_SQL(count, db, kCountUsers);
      return ReadCount(count);
    });
  }

  Result<void> SetWorryOptOut(UserId id, bool worry_opt_out) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(update, db, kUpdateWorryOptOut);
      KINDRED_TRY(update.Bind(id, worry_opt_out).Run());
      if (db.Changes() == 0) return UserNotFound();
      return Ok();
    });
  }

  Result<std::vector<UserRow>> ListResponders(bool include_trusted_supporters) override {
    return Read([&](Connection& db) -> Result<std::vector<UserRow>> {
      KINDRED_SQL(select, db, kSelectResponders);
      select.Bind(include_trusted_supporters);
      return ReadAll(select, &ReadUser);
    });
  }

  // Sessions ----------------------------------------------------------------------------------

  Result<void> CreateSession(const SessionRow& session) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(insert, db, kInsertSession);
      return insert
          .Bind(session.token_hash, session.user_id, session.csrf_token, session.created_at, session.expires_at)
          .Run();
    });
  }

  Result<SessionRow> FindSession(std::string_view token_hash, UnixSeconds now) override {
    return Read([&](Connection& db) -> Result<SessionRow> {
      KINDRED_SQL(select, db, kSelectSession);
      select.Bind(token_hash, now);
      return ReadOne(select, &ReadSession, "session_not_found", "Your session has ended. Please sign in again.");
    });
  }

  Result<void> DeleteSession(std::string_view token_hash) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(remove, db, kDeleteSession);
      KINDRED_TRY(remove.Bind(token_hash).Run());
      if (db.Changes() == 0) return Ok();  // no such session: nothing cached ends
      return AppendEventNow(db, kMemberChanged, 0);
    });
  }

  Result<void> DeleteUserSessions(UserId user_id) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(remove, db, kDeleteUserSessions);
      KINDRED_TRY(remove.Bind(user_id).Run());
      if (db.Changes() == 0) return Ok();
      return AppendEventNow(db, kMemberChanged, user_id.value);
    });
  }

  // Categories --------------------------------------------------------------------------------

  Result<std::vector<CategoryRow>> ListCategories(bool include_archived) override {
    return Read([&](Connection& db) -> Result<std::vector<CategoryRow>> {
      KINDRED_SQL(select, db, kSelectCategories);
      select.Bind(include_archived);
      return ReadAll(select, &ReadCategory);
    });
  }

  Result<CategoryRow> FindCategoryById(CategoryId id) override {
    return Read([&](Connection& db) { return LoadCategory(db, id); });
  }

  Result<CategoryRow> FindCategoryBySlug(std::string_view slug) override {
    return Read([&](Connection& db) -> Result<CategoryRow> {
      KINDRED_SQL(select, db, kSelectCategoryBySlug);
      select.Bind(slug);
      return ReadOne(select, &ReadCategory, "category_not_found", "We could not find that category.");
    });
  }

  Result<CategoryRow> CreateCategory(const NewCategory& category) override {
    return Write([&](Connection& db) -> Result<CategoryRow> {
      const std::string name_key = AsciiLower(category.name);
      {
        // Checked before the slug so that the clash reported is the one the person can see.
        KINDRED_SQL(taken, db, kCategoryNameTaken);
        KINDRED_STEP(name_taken, taken.Bind(name_key));
        if (name_taken) {
          return Error::Conflict("name_taken", "A category with that name already exists.", "name");
        }
      }
      Result<std::string> slug = FreeSlug(db, category);
      if (!slug.ok()) return std::move(slug).error();
      KINDRED_SQL(insert, db, kInsertCategory);
      KINDRED_TRY(insert.Bind(*slug, category.name, name_key, category.description, category.is_demo).Run());
      CategoryId id(db.LastInsertRowId());
      KINDRED_TRY(AppendEventNow(db, kCategoryCreated, id.value));
      return LoadCategory(db, id);
    });
  }

  Result<CategoryRow> UpdateCategory(const CategoryRow& category) override {
    return Write([&](Connection& db) -> Result<CategoryRow> {
      KINDRED_SQL(update, db, kUpdateCategory);
      KINDRED_TRY(update
                      .Bind(category.id, category.slug, category.name, AsciiLower(category.name), category.description,
                            category.position, category.archived)
                      .Run());
      if (db.Changes() == 0) return CategoryNotFound();
      KINDRED_TRY(AppendEventNow(db, kCategoryUpdated, category.id.value));
      return LoadCategory(db, category.id);
    });
  }

  // Topics ------------------------------------------------------------------------------------

  Result<TopicList> ListTopics(std::optional<CategoryId> category, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<TopicList> {
      TopicList list;
      {
        KINDRED_SQL(select, db, category ? kSelectTopicsInCategory : kSelectTopicsAll);
        if (category) {
          select.Bind(ClampLimit(limit), ClampOffset(offset), *category);
        } else {
          select.Bind(ClampLimit(limit), ClampOffset(offset));
        }
        Result<std::vector<TopicRow>> topics = ReadAll(select, &ReadTopic);
        if (!topics.ok()) return std::move(topics).error();
        list.topics = std::move(*topics);
      }
      KINDRED_SQL(count, db, category ? kCountTopicsInCategory : kCountTopicsAll);
      if (category) count.Bind(*category);
      Result<std::int64_t> total = ReadCount(count);
      if (!total.ok()) return std::move(total).error();
      list.total = *total;
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
  // reply_to is kept as given and must name an existing post.
  Result<TopicRow> ImportThread(const NewTopic& topic, const std::vector<NewPost>& replies) override {
    return Write([&](Connection& db) -> Result<TopicRow> {
      UnixSeconds last_post_at = topic.created_at;
      for (const NewPost& reply : replies) last_post_at = std::max(last_post_at, reply.created_at);
      Result<TopicId> topic_id = InsertTopic(db, topic, last_post_at, static_cast<std::int64_t>(replies.size()));
      if (!topic_id.ok()) return std::move(topic_id).error();
      Result<PostId> first = InsertPost(db, *topic_id, topic.user_id, 1, std::nullopt, topic.body_markdown,
                                        topic.body_html, topic.created_at, ShowingOf(topic));
      if (!first.ok()) return std::move(first).error();
      KINDRED_TRY(AppendEvent(db, kTopicCreated, topic_id->value, topic.created_at));
      int number = 1;
      for (const NewPost& reply : replies) {
        Result<PostId> post = InsertPost(db, *topic_id, reply.user_id, ++number, reply.reply_to, reply.body_markdown,
                                         reply.body_html, reply.created_at, ShowingOf(reply));
        if (!post.ok()) return std::move(post).error();
        KINDRED_TRY(AppendEvent(db, kPostCreated, post->value, reply.created_at));
      }
      return LoadTopic(db, *topic_id);
    });
  }

  Result<TopicRow> SetTopicState(TopicId id, bool pinned, bool closed, CategoryId category) override {
    return Write([&](Connection& db) -> Result<TopicRow> {
      KINDRED_SQL(update, db, kUpdateTopicState);
      KINDRED_TRY(update.Bind(id, pinned, closed, category).Run());
      if (db.Changes() == 0) return TopicNotFound();
      KINDRED_TRY(AppendEventNow(db, kTopicUpdated, id.value));
      return LoadTopic(db, id);
    });
  }

  // Posts -------------------------------------------------------------------------------------

  Result<PostRow> CreateReply(const NewPost& post) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      // Inside the write transaction, so a moderator closing the topic a moment earlier wins.
      {
        KINDRED_SQL(state, db, kSelectTopicClosed);
        KINDRED_STEP(exists, state.Bind(post.topic_id));
        if (!exists) return TopicNotFound();
        if (state.Bool(0)) {
          return Error::Conflict("topic_closed", "This topic is closed to new replies.");
        }
      }
      int number = 0;
      {
        KINDRED_SQL(next, db, kNextPostNumber);
        KINDRED_STEP(has_row, next.Bind(post.topic_id));
        number = has_row ? next.Int(0) : 1;
      }
      Result<PostId> id = InsertPost(db, post.topic_id, post.user_id, number, post.reply_to, post.body_markdown,
                                     post.body_html, post.created_at, ShowingOf(post));
      if (!id.ok()) return std::move(id).error();
      {
        KINDRED_SQL(bump, db, kBumpTopic);
        KINDRED_TRY(bump.Bind(post.topic_id, post.created_at).Run());
      }
      KINDRED_TRY(AppendEvent(db, kPostCreated, id->value, post.created_at));
      return LoadPost(db, *id);
    });
  }

  Result<PostRow> FindPost(PostId id) override {
    return Read([&](Connection& db) { return LoadPost(db, id); });
  }

  Result<PostRow> MovePost(PostId id, TopicId to, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      auto post = LoadPost(db, id);
      if (!post.ok()) return std::move(post).error();
      if (post->number == 1) return Error::Invalid("post", "question_move", "A question moves with its whole topic.");
      if (post->deleted_at) return PostDeleted();
      if (post->topic_id == to) return post;
      {
        KINDRED_SQL(state, db, kSelectTopicClosed);
        KINDRED_STEP(exists, state.Bind(to));
        if (!exists) return TopicNotFound();
        if (state.Bool(0)) return Error::Conflict("topic_closed", "This topic is closed to new replies.");
      }
      int number = 1;
      {
        KINDRED_SQL(next, db, kNextPostNumber);
        KINDRED_STEP(has_row, next.Bind(to));
        number = has_row ? next.Int(0) : 1;
      }
      {
        KINDRED_SQL(move, db, kMovePost);
        KINDRED_TRY(move.Bind(id, to, number).Run());
      }
      for (TopicId topic : {post->topic_id, to}) {
        KINDRED_SQL(recount, db, kRecountTopic);
        KINDRED_TRY(recount.Bind(topic).Run());
      }
      KINDRED_TRY(AppendEvent(db, kPostMoved, id.value, at));
      return LoadPost(db, id);
    });
  }

  Result<std::vector<PostRow>> ListLivePosts(PostId after, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<PostRow>> {
      KINDRED_SQL(select, db, kSelectLivePosts);
      select.Bind(after, ClampLimit(limit));
      return ReadAll(select, &ReadPost);
    });
  }

  Result<std::vector<PostRow>> ListPosts(TopicId topic, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<PostRow>> {
      KINDRED_SQL(select, db, kSelectPostsOfTopic);
      select.Bind(topic, ClampLimit(limit), ClampOffset(offset));
      return ReadAll(select, &ReadPost);
    });
  }

  Result<std::int64_t> CountPosts(TopicId topic) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_SQL(count, db, kCountPostsOfTopic);
      count.Bind(topic);
      return ReadCount(count);
    });
  }

  Result<std::vector<PostRow>> ListPostsByUser(UserId user, int offset, int limit, bool include_anonymous) override {
    return Read([&](Connection& db) -> Result<std::vector<PostRow>> {
      KINDRED_SQL(select, db, kSelectPostsOfUser);
      select.Bind(user, ClampLimit(limit), ClampOffset(offset), include_anonymous);
      return ReadAll(select, &ReadPost);
    });
  }

  Result<std::int64_t> CountPostsByUser(UserId user, bool include_anonymous) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_SQL(count, db, kCountPostsOfUser);
      count.Bind(user, include_anonymous);
      return ReadCount(count);
    });
  }

  // kConflict ("post_deleted") for a deleted post: its text is gone and stays gone.
  Result<PostRow> EditPost(PostId id, std::string_view body_markdown, std::string_view body_html,
                           UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      Result<PostState> state = LoadPostState(db, id);
      if (!state.ok()) return std::move(state).error();
      if (state->deleted) return PostDeleted();
      KINDRED_TRY(InsertRevision(db, id, body_markdown, body_html, at));
      {
        KINDRED_SQL(update, db, kUpdatePostBody);
        KINDRED_TRY(update.Bind(id, body_markdown, body_html, at).Run());
      }
      KINDRED_TRY(AppendEvent(db, kPostEdited, id.value, at));
      return LoadPost(db, id);
    });
  }

  // Deleting an already deleted post succeeds and changes nothing (no second event).
  Result<void> DeletePost(PostId id, UnixSeconds at) override {
    KINDRED_TRY(Write([&](Connection& db) -> Result<void> {
      Result<PostState> state = LoadPostState(db, id);
      if (!state.ok()) return std::move(state).error();
      if (state->deleted) return Ok();
      {
        KINDRED_SQL(erase, db, kErasePost);
        KINDRED_TRY(erase.Bind(id, at).Run());
      }
      {
        KINDRED_SQL(revisions, db, kDeleteRevisions);
        KINDRED_TRY(revisions.Bind(id).Run());
      }
      {
        KINDRED_SQL(reactions, db, kDeletePostReactions);
        KINDRED_TRY(reactions.Bind(id).Run());
      }
      if (state->number > 1) {
        KINDRED_SQL(drop, db, kDropTopicReply);
        KINDRED_TRY(drop.Bind(state->topic).Run());
      }
      return AppendEvent(db, kPostDeleted, id.value, at);
    }));
    ScrubLog();
    return Ok();
  }

  Result<std::vector<RevisionRow>> ListRevisions(PostId id) override {
    return Read([&](Connection& db) -> Result<std::vector<RevisionRow>> {
      Result<PostState> state = LoadPostState(db, id);
      if (!state.ok()) return std::move(state).error();
      KINDRED_SQL(select, db, kSelectRevisions);
      select.Bind(id);
      return ReadAll(select, &ReadRevision);
    });
  }

  // Reactions ---------------------------------------------------------------------------------

  Result<void> AddReaction(PostId post, UserId user, ReactionKind kind, UnixSeconds at) override {
    KINDRED_TRY(CheckKind(kind));
    return Write([&](Connection& db) -> Result<void> {
      Result<PostState> state = LoadPostState(db, post);
      if (!state.ok()) return std::move(state).error();
      if (state->deleted) return PostDeleted();
      {
        KINDRED_SQL(insert, db, kInsertReaction);
        KINDRED_TRY(insert.Bind(post, user, static_cast<int>(kind), at).Run());
      }
      if (db.Changes() == 0) return Ok();  // already there: a double click
      {
        KINDRED_SQL(adjust, db, kAdjustReactionCount);
        KINDRED_TRY(adjust.Bind(post, static_cast<int>(kind), 1).Run());
      }
      return AppendEvent(db, kPostReactionsChanged, post.value, at);
    });
  }

  Result<void> RemoveReaction(PostId post, UserId user, ReactionKind kind) override {
    KINDRED_TRY(CheckKind(kind));
    return Write([&](Connection& db) -> Result<void> {
      {
        KINDRED_SQL(remove, db, kDeleteReaction);
        KINDRED_TRY(remove.Bind(post, user, static_cast<int>(kind)).Run());
      }
      if (db.Changes() == 0) return Ok();  // was not there
      {
        KINDRED_SQL(adjust, db, kAdjustReactionCount);
        KINDRED_TRY(adjust.Bind(post, static_cast<int>(kind), -1).Run());
      }
      return AppendEventNow(db, kPostReactionsChanged, post.value);
    });
  }

  Result<std::vector<std::pair<PostId, ReactionKind>>> ListOwnReactions(UserId user,
                                                                        const std::vector<PostId>& posts) override {
    using Pairs = std::vector<std::pair<PostId, ReactionKind>>;
    if (posts.empty()) return Pairs{};
    // Integers only, so this JSON is well formed by construction; it is bound, not spliced.
    std::string ids = "[";
    for (PostId post : posts) {
      if (ids.size() > 1) ids += ',';
      ids += std::to_string(post.value);
    }
    ids += ']';
    return Read([&](Connection& db) -> Result<Pairs> {
      KINDRED_SQL(select, db, kSelectOwnReactions);
      select.Bind(user, ids);
      Pairs pairs;
      while (true) {
        KINDRED_STEP(has_row, select);
        if (!has_row) return pairs;
        pairs.emplace_back(PostId(select.Int64(0)), static_cast<ReactionKind>(select.Int(1)));
      }
    });
  }

  // The review queue --------------------------------------------------------------------------

  // kNotFound when the post (or the suggested topic, or the reporter) does not exist.
  Result<ReviewItemRow> CreateReviewItem(const NewReviewItem& item) override {
    return Write([&](Connection& db) -> Result<ReviewItemRow> {
      {
        KINDRED_SQL(insert, db, kInsertReviewItem);
        KINDRED_TRY(insert
                        .Bind(static_cast<int>(item.kind), item.post, item.priority, item.level, item.reasons,
                              item.suggested_topic, item.score, item.reporter, item.note, item.created_at)
                        .Run());
      }
      const std::int64_t id = db.LastInsertRowId();
      KINDRED_TRY(AppendEvent(db, kReviewCreated, id, item.created_at));
      return LoadReviewItem(db, id);
    });
  }

  Result<ReviewItemRow> FindReviewItem(std::int64_t id) override {
    return Read([&](Connection& db) { return LoadReviewItem(db, id); });
  }

  Result<std::vector<ReviewItemRow>> ListReviewItems(bool open, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_SQL(select, db, open ? kSelectOpenReviewItems : kSelectResolvedReviewItems);
      select.Bind(ClampLimit(limit), ClampOffset(offset));
      return ReadAll(select, &ReadReviewItem);
    });
  }

  Result<std::int64_t> CountOpenReviewItems(int min_priority) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_SQL(count, db, kCountOpenReviewItems);
      count.Bind(min_priority);
      return ReadCount(count);
    });
  }

  Result<std::vector<ReviewItemRow>> ListReviewItemsForPost(PostId post) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_SQL(select, db, kSelectReviewItemsOfPost);
      select.Bind(post);
      return ReadAll(select, &ReadReviewItem);
    });
  }

  // kInvalid ("status") for kOpen or an unknown status: resolving means leaving the open queue.
  // An item already resolved can be resolved again (escalated, then handled) as long as the
  // caller names the version it last saw.
  Result<ReviewItemRow> ResolveReviewItem(std::int64_t id, int expected_version, ReviewStatus status, UserId by,
                                          std::string_view note, UnixSeconds at) override {
    KINDRED_TRY(CheckResolvedStatus(status));
    return Write([&](Connection& db) -> Result<ReviewItemRow> {
      {
        KINDRED_SQL(update, db, kResolveReviewItem);
        KINDRED_TRY(update.Bind(id, expected_version, static_cast<int>(status), at, by, note).Run());
      }
      if (db.Changes() == 0) {
        KINDRED_SQL(exists, db, kReviewItemExists);
        KINDRED_STEP(found, exists.Bind(id));
        if (!found) return ReviewItemNotFound();
        return Error::Conflict("review_changed",
                               "Another moderator acted on this item a moment ago. Here is how it looks now.");
      }
      KINDRED_TRY(AppendEvent(db, kReviewResolved, id, at));
      return LoadReviewItem(db, id);
    });
  }

  Result<std::vector<ReviewItemRow>> ListUnansweredSafetyItems(UnixSeconds cutoff) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_SQL(select, db, kSelectUnansweredSafetyItems);
      select.Bind(cutoff);
      return ReadAll(select, &ReadReviewItem);
    });
  }

  // Bumps the version too: a moderator looking at the item before the alert went out acts on
  // what they saw, and gets a conflict showing the raised alert instead of missing it.
  Result<void> MarkWaitingRaised(std::int64_t id, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(update, db, kMarkWaitingRaised);
      KINDRED_TRY(update.Bind(id, at).Run());
      if (db.Changes() == 0) return ReviewItemNotFound();
      return Ok();
    });
  }

  Result<std::vector<ReviewItemRow>> ListCrisisItemsToRemind(UnixSeconds cutoff) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_SQL(select, db, kSelectCrisisItemsToRemind);
      select.Bind(cutoff);
      return ReadAll(select, &ReadReviewItem);
    });
  }

  Result<bool> ClaimCrisisReminder(std::int64_t id, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<bool> {
      KINDRED_SQL(update, db, kClaimCrisisReminder);
      KINDRED_TRY(update.Bind(id, at).Run());
      return db.Changes() > 0;
    });
  }

  // The modlog ---------------------------------------------------------------------------------

  // kNotFound when the actor does not exist. The entry's id is ignored.
  Result<void> AppendModlog(const ModlogRow& entry) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(insert, db, kInsertModlog);
      return insert
          .Bind(entry.actor, entry.action, entry.subject_kind, entry.subject_id, entry.before, entry.after,
                entry.reason, entry.created_at)
          .Run();
    });
  }

  Result<std::vector<ModlogRow>> ListModlog(int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<ModlogRow>> {
      KINDRED_SQL(select, db, kSelectModlog);
      select.Bind(ClampLimit(limit), ClampOffset(offset));
      return ReadAll(select, &ReadModlog);
    });
  }

  // Notices ------------------------------------------------------------------------------------

  // kNotFound when the member does not exist.
  Result<NoticeRow> CreateNotice(const NewNotice& notice) override {
    return Write([&](Connection& db) -> Result<NoticeRow> {
      {
        KINDRED_SQL(insert, db, kInsertNotice);
        KINDRED_TRY(
            insert.Bind(notice.user, notice.kind, notice.title, notice.body_html, notice.link, notice.created_at)
                .Run());
      }
      const std::int64_t id = db.LastInsertRowId();
      KINDRED_TRY(AppendEventNow(db, kMemberChanged, notice.user.value));
      KINDRED_SQL(select, db, kSelectNotice);
      select.Bind(id);
      return ReadOne(select, &ReadNotice, "notice_not_found", "We could not find that notice.");
    });
  }

  Result<std::vector<NoticeRow>> ListNotices(UserId user, int offset, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<NoticeRow>> {
      KINDRED_SQL(select, db, kSelectNoticesOfUser);
      select.Bind(user, ClampLimit(limit), ClampOffset(offset));
      return ReadAll(select, &ReadNotice);
    });
  }

  Result<std::int64_t> CountUnreadNotices(UserId user) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_SQL(count, db, kCountUnreadNotices);
      count.Bind(user);
      return ReadCount(count);
    });
  }

  // Notices already read keep the time they were first read.
  Result<void> MarkNoticesRead(UserId user, const std::vector<std::int64_t>& ids, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      int marked = 0;
      for (std::int64_t id : ids) {
        KINDRED_SQL(update, db, kMarkNoticesRead);
        KINDRED_TRY(update.Bind(user, at, id).Run());
        marked += db.Changes();
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
      KINDRED_SQL(insert, db, kInsertWorryReport);
      return insert.Bind(report.reporter, report.post, report.writer, report.created_at, report.message_sent).Run();
    });
  }

  Result<std::int64_t> CountWorryReportsBy(UserId reporter, UnixSeconds since) override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_SQL(count, db, kCountWorryReportsBy);
      count.Bind(reporter, since);
      return ReadCount(count);
    });
  }

  Result<std::optional<UnixSeconds>> LastWorryMessageTo(UserId writer) override {
    return Read([&](Connection& db) -> Result<std::optional<UnixSeconds>> {
      KINDRED_SQL(select, db, kLastWorryMessageTo);
      KINDRED_STEP(has_row, select.Bind(writer));
      // MAX over no rows is one row holding NULL.
      if (!has_row) return std::optional<UnixSeconds>();
      return select.OptionalInt64(0);
    });
  }

  // Settings -----------------------------------------------------------------------------------

  Result<std::string> GetSetting(std::string_view key) override {
    return Read([&](Connection& db) -> Result<std::string> {
      KINDRED_SQL(select, db, kSelectSetting);
      KINDRED_STEP(found, select.Bind(key));
      if (!found) return Error::NotFound("setting_not_found", "That setting has not been set yet.");
      return select.Text(0);
    });
  }

  Result<std::string> SettingOr(std::string_view key, std::string_view value, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<std::string> {
      KINDRED_SQL(insert, db, kInsertSettingIfAbsent);
      KINDRED_TRY(insert.Bind(key, value, at).Run());
      KINDRED_SQL(select, db, kSelectSetting);
      KINDRED_STEP(found, select.Bind(key));
      if (!found) return Error::NotFound("setting_not_found", "That setting has not been set yet.");
      return select.Text(0);
    });
  }

  Result<void> PutSetting(std::string_view key, std::string_view value, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(upsert, db, kUpsertSetting);
      return upsert.Bind(key, value, at).Run();
    });
  }

  // Events ------------------------------------------------------------------------------------

  Result<std::int64_t> CountLivePosts() override {
    return Read([&](Connection& db) -> Result<std::int64_t> {
      KINDRED_SQL(count, db, kCountLivePosts);
      return ReadCount(count);
    });
  }

  Result<void> ForgetIdleRateBuckets(double now) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(forget, db, kForgetIdleRateBuckets);
      return forget.Bind(now - kIdleRateBucketSeconds).Run();
    });
  }

  Result<int> TakeRateToken(std::string_view key, int burst, double per_second, double now) override {
    return Write([&](Connection& db) -> Result<int> {
      if (rate_calls_.fetch_add(1, std::memory_order_relaxed) % kRateSweepEvery == 0) {
        KINDRED_SQL(forget, db, kForgetIdleRateBuckets);
        KINDRED_TRY(forget.Bind(now - kIdleRateBucketSeconds).Run());
      }
      KINDRED_SQL(take, db, kTakeRateToken);
      KINDRED_STEP(row, take.Bind(key, burst, per_second, now));
      if (!row) return Error{ErrorCode::kInternal, "rate_limit_failed", "The rate limit could not be read.", {}, 0};
      if (take.Int(1) != 0) return 0;
      return WaitForToken(take.Double(0), per_second);
    });
  }

  Result<std::int64_t> LatestEventSeq() override {
    auto read = [&] {
      return Read([&](Connection& db) -> Result<std::int64_t> {
        KINDRED_SQL(select, db, kLatestEventSeq);
        return ReadCount(select);
      });
    };
    // Inside a shared read the position must be that snapshot's: rows read next come from it.
    // Inside a shared read whose transaction has begun, the position must be that snapshot's: rows
    // read next come from it, and a newer position would label them as newer than they are. Before
    // it begins, the kept position serves: the snapshot the scope's first read begins is at least
    // as new, and rows newer than their label are only fetched again sooner. A signed-in topic
    // page whose parts are all kept then opens no read transaction at all (issue 7).
    if (SharedRead* shared = SharedReadOf(this); shared != nullptr && shared->in_transaction) return read();
    return latest_seq_.Get(read);
  }

  // Wakes on this process's commits; another process writing the same file (an import while
  // serving) is seen when the follower's wait times out.
  std::unique_ptr<EventWaiter> OpenEventWaiter() override { return committed_.NewWaiter(); }

  Result<std::vector<EventRow>> ReadEvents(std::int64_t after_seq, int limit) override {
    return Read([&](Connection& db) -> Result<std::vector<EventRow>> {
      KINDRED_SQL(select, db, kSelectEvents);
      select.Bind(after_seq, ClampLimit(limit));
      std::vector<EventRow> events;
      while (true) {
        KINDRED_STEP(has_row, select);
        if (!has_row) return events;
        events.push_back({select.Int64(0), select.Text(1), select.Int64(2), select.Int64(3)});
      }
    });
  }

  // Demo content ------------------------------------------------------------------------------

  // Removes demo categories, topics and users and everything that hangs off them. Two choices:
  // - A topic goes whole when it is demo, lies in a demo category, or was started by a demo user,
  //   even if real people replied in it: its replies answer a question that is no longer there.
  // - A demo user's replies in a real topic are deleted outright (rows, revisions, reactions),
  //   not reassigned: no real person wrote them, and passing them off under another name would
  //   mislead. Their place in the thread is not kept (a placeholder needs an author), the topic's
  //   reply count and last activity are recounted, and replies pointing at them lose the link.
  // - Review items and worry reports on removed posts go with the posts, and demo users' notices
  //   and worry reports with the users (the foreign keys cascade); a real item a demo user
  //   reported or resolved stays, without that name. A demo user's modlog entries are deleted.
  // Demo users' reactions on real posts go too, with the counters corrected. One event per topic
  // and per post removed lets the search index and caches forget them.
  std::unique_ptr<ReadScope> ShareReads() override {
    if (shared_read_ != nullptr) return std::make_unique<ReadScope>();  // the outer scope shares
    return std::make_unique<SharedReadScope>(*this);
  }

  Result<void> DeleteDemoContent() override {
    KINDRED_TRY(Write([&](Connection& db) -> Result<void> {
      // Events first: they are computed from rows that the deletes below remove.
      KINDRED_TRY(RunWith(db, kDemoTopicEvents, kTopicDeleted));
      KINDRED_TRY(RunWith(db, kDemoPostEvents, kPostDeleted));
      for (std::string_view sql : {kDemoRecountTopics, kDemoRecountReactions, kDemoDeleteTopics, kDemoDeletePosts,
                                   kDemoDeleteCategories, kDemoDeleteModlog, kDemoDeleteUsers}) {
        KINDRED_SQL(statement, db, sql);
        KINDRED_TRY(statement.Run());
      }
      return AppendEventNow(db, kDemoDeleted, 0);
    }));
    ScrubLog();
    return Ok();
  }

  // Trust, suspension, record, personal controls ----------------------------------------------

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

  Result<void> AddBlock(UserId blocker, UserId blocked, UnixSeconds at) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(insert, db, kInsertBlock);
      KINDRED_TRY(insert.Bind(blocker, blocked, at).Run());
      if (db.Changes() == 0) return Ok();  // blocked already
      return AppendEventNow(db, kMemberChanged, blocker.value);
    });
  }

  Result<void> RemoveBlock(UserId blocker, UserId blocked) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(remove, db, kDeleteBlock);
      KINDRED_TRY(remove.Bind(blocker, blocked).Run());
      if (db.Changes() == 0) return Ok();
      return AppendEventNow(db, kMemberChanged, blocker.value);
    });
  }

  Result<std::vector<UserRow>> ListBlocked(UserId blocker) override {
    return Read([&](Connection& db) -> Result<std::vector<UserRow>> {
      KINDRED_SQL(select, db, kSelectBlocked);
      select.Bind(blocker);
      return ReadAll(select, &ReadUser);
    });
  }

  Result<bool> IsBlocked(UserId blocker, UserId blocked) override {
    return Read([&](Connection& db) -> Result<bool> {
      KINDRED_SQL(select, db, kSelectIsBlocked);
      KINDRED_STEP(found, select.Bind(blocker, blocked));
      return found;
    });
  }

  // Watched words -----------------------------------------------------------------------------

  Result<std::vector<WatchedWordRow>> ListWatchedWords() override {
    return Read([&](Connection& db) -> Result<std::vector<WatchedWordRow>> {
      KINDRED_SQL(select, db, kSelectWatchedWords);
      return ReadAll(select, &ReadWatchedWord);
    });
  }

  // The row's id is ignored. Patterns are matched ignoring ASCII case, like usernames.
  Result<WatchedWordRow> AddWatchedWord(const WatchedWordRow& word) override {
    return Write([&](Connection& db) -> Result<WatchedWordRow> {
      {
        KINDRED_SQL(insert, db, kInsertWatchedWord);
        KINDRED_TRY(insert
                        .Bind(word.pattern, AsciiLower(word.pattern), static_cast<int>(word.action), word.replacement,
                              word.created_at)
                        .Run());
      }
      KINDRED_SQL(select, db, kSelectWatchedWord);
      select.Bind(db.LastInsertRowId());
      return ReadOne(select, &ReadWatchedWord, "watched_word_not_found", "We could not find that watched word.");
    });
  }

  Result<void> RemoveWatchedWord(std::int64_t id) override {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(remove, db, kDeleteWatchedWord);
      KINDRED_TRY(remove.Bind(id).Run());
      if (db.Changes() == 0) return Error::NotFound("watched_word_not_found", "We could not find that watched word.");
      return Ok();
    });
  }

  // A member's own data ------------------------------------------------------------------------

  Result<std::vector<SessionRow>> ListSessionsOfUser(UserId user) override {
    return Read([&](Connection& db) -> Result<std::vector<SessionRow>> {
      KINDRED_SQL(select, db, kSelectSessionsOfUser);
      select.Bind(user);
      return ReadAll(select, &ReadSession);
    });
  }

  Result<std::vector<ReactionGivenRow>> ListReactionsByUser(UserId user) override {
    return Read([&](Connection& db) -> Result<std::vector<ReactionGivenRow>> {
      KINDRED_SQL(select, db, kSelectReactionsByUser);
      select.Bind(user);
      return ReadAll(select, &ReadReactionGiven);
    });
  }

  Result<std::vector<ReviewItemRow>> ListFlagsByReporter(UserId reporter) override {
    return Read([&](Connection& db) -> Result<std::vector<ReviewItemRow>> {
      KINDRED_SQL(select, db, kSelectFlagsByReporter);
      select.Bind(reporter);
      return ReadAll(select, &ReadReviewItem);
    });
  }

  Result<std::vector<WorryReportRow>> ListWorryReportsBy(UserId reporter) override {
    return Read([&](Connection& db) -> Result<std::vector<WorryReportRow>> {
      KINDRED_SQL(select, db, kSelectWorryReportsBy);
      select.Bind(reporter);
      return ReadAll(select, &ReadWorryReport);
    });
  }

  // Erasing an account -------------------------------------------------------------------------

  // One write transaction of set-based statements (see the kErase* constants): the work grows
  // with the rows touched, never with a statement per post. Choices beyond store.h:
  // - Modlog entries about the member themselves, and about their topics, lose before/after too:
  //   a suspension's or a move's record may quote them as much as a post's.
  // - Notices to others are deleted when they lead to one of the member's posts, and the bold
  //   name in alerts that lead elsewhere (the review queue) becomes "a former member".
  // - With delete_posts, each topic the member asked that stays is retitled, with event
  //   topic.updated so that the search index forgets the old title.
  // - Event user.erased is written in both modes: posts deleted before (their place kept under
  //   the name) must lose the name too.
  // Erasing twice succeeds; the second time has little left to do.
  Result<void> EraseUser(UserId id, bool delete_posts, UnixSeconds at) override {
    KINDRED_TRY(Write([&](Connection& db) -> Result<void> {
      Result<UserRow> user = LoadUser(db, id);
      if (!user.ok()) return std::move(user).error();
      // Before anything that removes posts: these find their rows through them.
      for (std::string_view sql : {kEraseScrubModlog, kEraseDeleteNoticesAboutPosts}) {
        KINDRED_SQL(statement, db, sql);
        KINDRED_TRY(statement.Bind(id).Run());
      }
      {
        KINDRED_SQL(scrub, db, kEraseScrubNamedNotices);
        KINDRED_TRY(scrub.Bind("<strong>" + user->username + "</strong>").Run());
      }
      {
        KINDRED_SQL(events, db, kEraseReactionEvents);
        KINDRED_TRY(events.Bind(id, at, kPostReactionsChanged).Run());
      }
      for (std::string_view sql :
           {kEraseUncountReactions, kEraseDeleteReactionsGiven, kEraseDeleteSessions, kEraseDeleteNotices,
            kEraseDeleteBlocks, kEraseDeleteWorryReports, kEraseAnonymiseFlags}) {
        KINDRED_SQL(statement, db, sql);
        KINDRED_TRY(statement.Bind(id).Run());
      }
      if (delete_posts) {
        for (auto [sql, kind] : {std::pair{kEraseTopicEvents, kTopicDeleted}, std::pair{kErasePostEvents, kPostDeleted},
                                 std::pair{kEraseRetitledEvents, kTopicUpdated}}) {
          KINDRED_SQL(events, db, sql);
          KINDRED_TRY(events.Bind(id, at, kind).Run());
        }
        {
          KINDRED_SQL(remove, db, kEraseDeleteTopics);
          KINDRED_TRY(remove.Bind(id).Run());
        }
        {
          KINDRED_SQL(retitle, db, kEraseRetitleTopics);
          KINDRED_TRY(retitle.Bind(id, kRemovedTitle).Run());
        }
        for (std::string_view sql : {kEraseDeleteReviewItems, kEraseDeleteRevisions, kEraseDeletePostReactions}) {
          KINDRED_SQL(statement, db, sql);
          KINDRED_TRY(statement.Bind(id).Run());
        }
        {
          KINDRED_SQL(erase, db, kEraseDeletePosts);
          KINDRED_TRY(erase.Bind(id, at).Run());
        }
        KINDRED_SQL(recount, db, kEraseRecountTopics);
        KINDRED_TRY(recount.Bind(id).Run());
      }
      {
        KINDRED_SQL(account, db, kEraseAccount);
        KINDRED_TRY(account.Bind(id, at).Run());
      }
      return AppendEvent(db, kUserErased, id.value, at);
    }));
    ScrubLog();
    return Ok();
  }

  // Slow mode and hiding -----------------------------------------------------------------------

  Result<std::optional<UnixSeconds>> LastPostTimeIn(TopicId topic, UserId user) override {
    return Read([&](Connection& db) -> Result<std::optional<UnixSeconds>> {
      KINDRED_SQL(select, db, kLastPostTimeIn);
      KINDRED_STEP(has_row, select.Bind(topic, user));
      // MAX over no rows is one row holding NULL.
      if (!has_row) return std::optional<UnixSeconds>();
      return select.OptionalInt64(0);
    });
  }

  // Showing a post that is not hidden succeeds and changes nothing (no event); hiding a hidden
  // one again saves the new reason and time (a held post a moderator then hides for good).
  Result<PostRow> SetPostHidden(PostId id, std::optional<UnixSeconds> hidden_at, std::string_view reason) override {
    return Write([&](Connection& db) -> Result<PostRow> {
      Result<PostRow> post = LoadPost(db, id);
      if (!post.ok()) return std::move(post).error();
      if (!hidden_at && !post->hidden_at) return post;
      {
        KINDRED_SQL(update, db, kUpdatePostHidden);
        KINDRED_TRY(update.Bind(id, hidden_at, reason).Run());
      }
      if (post->number == 1) {
        KINDRED_SQL(update, db, kUpdateTopicHidden);
        KINDRED_TRY(update.Bind(post->topic_id, hidden_at).Run());
      }
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
      KINDRED_SQL(update, db, kUpdateSlowMode);
      KINDRED_TRY(update.Bind(id, seconds).Run());
      if (db.Changes() == 0) return TopicNotFound();
      KINDRED_TRY(AppendEventNow(db, kTopicUpdated, id.value));
      return LoadTopic(db, id);
    });
  }

 private:
  // One UPDATE of the users row `id` (bound as ?1, then `values`); kNotFound when there is none.
  template <typename... Values>
  Result<void> UpdateUser(std::string_view sql, UserId id, const Values&... values) {
    return Write([&](Connection& db) -> Result<void> {
      KINDRED_SQL(update, db, sql);
      KINDRED_TRY(update.Bind(id, values...).Run());
      if (db.Changes() == 0) return UserNotFound();
      return AppendEventNow(db, kMemberChanged, id.value);
    });
  }

  struct PostState {
    int number = 0;
    TopicId topic;
    bool deleted = false;
  };

  static Result<PostState> LoadPostState(Connection& db, PostId id) {
    KINDRED_SQL(select, db, kSelectPostState);
    KINDRED_STEP(found, select.Bind(id));
    if (!found) return PostNotFound();
    return PostState{select.Int(0), TopicId(select.Int64(1)), !select.IsNull(2)};
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

  static Result<void> RunWith(Connection& db, std::string_view sql, const char* kind) {
    KINDRED_SQL(statement, db, sql);
    return statement.Bind(kind).Run();
  }

  // The given slug (or one made from the name) if free, else the first free "<slug>-N".
  static Result<std::string> FreeSlug(Connection& db, const NewCategory& category) {
    std::string base = category.slug.empty() ? Slugify(category.name) : category.slug;
    if (base.empty()) base = "category";
    for (int suffix = 1; suffix <= kMaxSlugSuffix; ++suffix) {
      std::string candidate = suffix == 1 ? base : base + "-" + std::to_string(suffix);
      KINDRED_SQL(taken, db, kCategorySlugTaken);
      KINDRED_STEP(is_taken, taken.Bind(candidate));
      if (!is_taken) return candidate;
    }
    return Error::Conflict("slug_taken", "Another category already uses that address.", "slug");
  }

  // secure_delete zeroes erased text in the database pages, but the write-ahead log still holds
  // the pages as they were before, until a checkpoint copies them back and the log is truncated.
  // Text a person deleted should not wait for that, so deletes checkpoint at once. Deletes are
  // rare next to reads and replies, so the extra sync is affordable. Best effort: the delete is
  // already committed, and if a long read holds the log this time, the next checkpoint (at the
  // latest when the store closes) scrubs it.
  void ScrubLog() {
    // The checkpoint waits for every reader: not for this thread's own.
    if (SharedRead* shared = SharedReadOf(this)) EndSharedRead(*shared);
    std::lock_guard lock(writer_mutex_);
    checkpointer_->Exclusively([&] { (void)writer_->Execute("PRAGMA wal_checkpoint(TRUNCATE)"); });
  }

  // Runs `body` on a read connection inside one read transaction, so that a method reading
  // twice (a page and its total) sees one snapshot. Inside this thread's ReadScope the
  // transaction is the scope's, begun by its first read and kept for the next.
  template <typename Body>
  auto Read(Body&& body) -> std::invoke_result_t<Body, Connection&> {
    if (SharedRead* shared = SharedReadOf(this)) {
      if (!shared->in_transaction) {
        if (!shared->lease) shared->lease.emplace(readers_.Acquire());
        KINDRED_TRY(RunSimple(**shared->lease, kBegin));
        shared->in_transaction = true;
      }
      auto result = body(**shared->lease);
      // SQLite ends a transaction itself on some errors; the next read begins afresh rather than
      // guess whether this one still stands.
      if (!result.ok()) EndSharedRead(*shared);
      return result;
    }
    ReaderPool::Lease lease = readers_.Acquire();
    return InTransaction(*lease, kBegin, std::forward<Body>(body));
  }

  // The read transaction that one thread's ReadScope shares: leased and begun at the scope's
  // first read, ended (and the connection returned) when the scope ends or this thread writes.
  struct SharedRead {
    const SqliteStore* store = nullptr;
    std::optional<ReaderPool::Lease> lease = {};
    bool in_transaction = false;
  };

  class SharedReadScope final : public ReadScope {
   public:
    explicit SharedReadScope(const SqliteStore& store) {
      shared_.store = &store;
      shared_read_ = &shared_;
    }
    ~SharedReadScope() override {
      EndSharedRead(shared_);
      shared_read_ = nullptr;
    }
    SharedReadScope(const SharedReadScope&) = delete;
    SharedReadScope& operator=(const SharedReadScope&) = delete;

   private:
    SharedRead shared_;
  };

  static SharedRead* SharedReadOf(const SqliteStore* store) {
    return shared_read_ != nullptr && shared_read_->store == store ? shared_read_ : nullptr;
  }

  // Nothing was written in a read transaction, so its COMMIT only lets go of the snapshot; should
  // it fail, the ROLLBACK does the same.
  static void EndSharedRead(SharedRead& shared) {
    if (shared.in_transaction && !RunSimple(**shared.lease, kCommit).ok()) (void)RunSimple(**shared.lease, kRollback);
    shared.in_transaction = false;
    shared.lease.reset();
  }

  // Runs `body` on the write connection inside a write transaction: all of it or none, and
  // committed to disk (synchronous=FULL) before this returns. Writes that arrive while another
  // batch is being committed share the next COMMIT, and so its one fsync (group commit: the
  // sync, not the SQL, is what a reply waits for); see RunBatch for how a batch keeps each body
  // apart. Followers of the change feed in this process are woken once it has committed.
  template <typename Body>
  auto Write(Body&& body) -> std::invoke_result_t<Body, Connection&> {
    // This thread's reads after the write must see it: let go of the older snapshot first.
    if (SharedRead* shared = SharedReadOf(this)) EndSharedRead(*shared);
    using Outcome = std::invoke_result_t<Body, Connection&>;
    std::optional<Outcome> outcome;  // written by whichever thread runs the batch
    PendingWrite pending;
    pending.run = [&](Connection& db) -> bool {
      outcome.emplace(body(db));
      return outcome->ok();
    };
    Result<void> committed = Submit(pending);
    if (!committed.ok()) return std::move(committed).error();
    return std::move(*outcome);
  }

  // One body waiting for its batch. Lives on the waiting caller's stack; the leader runs the
  // body on its own thread (bodies touch only the connection and what they captured) and fills
  // in `committed` before it sets `done`; the caller reads it after seeing `done`.
  struct PendingWrite {
    std::function<bool(Connection&)> run;  // runs the body, keeps its result, says whether it succeeded
    Result<void> committed;  // an error when the body's own success was lost (its COMMIT failed)
    bool done = false;       // GUARDED_BY(batch_mutex_)
  };

  // Queues `pending` and returns once its batch has been committed or has failed. The first
  // writer to find no batch in progress leads: it takes everything queued so far (its own body
  // included), runs it, hands each waiter its outcome, and wakes the next leader if more queued
  // meanwhile. No one waits for company: a lone write commits at once, and a batch is only as
  // large as the writes that arrived during the previous commit.
  Result<void> Submit(PendingWrite& pending) {
    std::unique_lock lock(batch_mutex_);
    queue_.push_back(&pending);
    while (true) {
      batch_changed_.wait(lock, [&] { return pending.done || !leading_; });
      if (pending.done) return std::move(pending.committed);
      leading_ = true;
      // Oldest first; past the cap, the rest (perhaps this writer's own) go in the next batch.
      const auto taken = static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxWritesPerBatch));
      std::vector<PendingWrite*> batch(queue_.begin(), queue_.begin() + taken);
      queue_.erase(queue_.begin(), queue_.begin() + taken);
      lock.unlock();

      if (RunBatch(batch)) {
        latest_seq_.WriteCommitted();
        committed_.Notify();
      }

      lock.lock();
      for (PendingWrite* write : batch) write->done = true;
      leading_ = false;
      // Every waiter rechecks: those in this batch leave, and one of the rest (if any) leads next.
      batch_changed_.notify_all();
    }
  }

  // Runs `batch` in one BEGIN IMMEDIATE ... COMMIT, each body inside its own SAVEPOINT: a body
  // that fails is rolled back to its savepoint alone, so the others' changes stand and it has
  // no effect on them (each body sees the ones before it, exactly as if they had run one after
  // another). One COMMIT then makes all the successful ones durable together; if that COMMIT
  // fails, every one of them fails with its error, and none was acknowledged before it. Sets
  // each write's `committed`; returns whether anything was committed.
  bool RunBatch(std::span<PendingWrite* const> batch) {
    std::lock_guard lock(writer_mutex_);
    bool any_committed = false;
    while (!batch.empty()) {
      const std::size_t ran = RunTransaction(batch, any_committed);
      batch = batch.subspan(ran);
    }
    return any_committed;
  }

  // One transaction over the front of `batch`; returns how many writes it settled. That is all
  // of them unless SQLite gave up the whole transaction under a body (a full disk, an I/O error):
  // then the writes up to that body fail, since their changes went with it, and the rest are
  // left for a fresh transaction. REQUIRES: writer_mutex_ is held.
  std::size_t RunTransaction(std::span<PendingWrite* const> batch, bool& any_committed) {
    Connection& db = *writer_;
    if (Result<void> begun = RunSimple(db, kBeginImmediate); !begun.ok()) {
      for (PendingWrite* write : batch) write->committed = begun.error();
      return batch.size();
    }
    std::vector<PendingWrite*> succeeded;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      PendingWrite* write = batch[i];
      if (Result<void> saved = RunSimple(db, kSavepoint); !saved.ok()) {
        write->committed = std::move(saved).error();
        continue;
      }
      bool ok = false;
      try {
        ok = write->run(db);
      } catch (const std::exception& e) {
        // A body throwing (out of memory, say) must not leave the other waiters hanging.
        write->committed = Error::Internal(std::string("A write failed unexpectedly: ") + e.what());
      }
      if (sqlite3_get_autocommit(db.raw()) != 0) {
        Error lost{ErrorCode::kUnavailable,
                   "store_unavailable",
                   "The forum could not save this just now. Please try again shortly.",
                   {},
                   0};
        for (PendingWrite* earlier : succeeded) earlier->committed = lost;
        if (ok) write->committed = lost;
        return i + 1;
      }
      if (ok) {
        (void)RunSimple(db, kReleaseSavepoint);
        succeeded.push_back(write);
      } else {
        // Undo this body alone; ROLLBACK TO keeps the savepoint open, so RELEASE ends it.
        (void)RunSimple(db, kRollbackToSavepoint);
        (void)RunSimple(db, kReleaseSavepoint);
      }
    }
    if (succeeded.empty()) {
      (void)RunSimple(db, kRollback);
      return batch.size();
    }
    Result<void> commit = RunSimple(db, kCommit);
    if (!commit.ok()) {
      // SQLite may have rolled back already (a full disk, say); then this fails harmlessly.
      (void)RunSimple(db, kRollback);
      for (PendingWrite* write : succeeded) write->committed = commit.error();
      return batch.size();
    }
    any_committed = true;
    return batch.size();
  }

  template <typename Body>
  static auto InTransaction(Connection& db, std::string_view begin, Body&& body)
      -> std::invoke_result_t<Body, Connection&> {
    KINDRED_TRY(RunSimple(db, begin));
    auto result = body(db);
    if (result.ok()) {
      Result<void> commit = RunSimple(db, kCommit);
      if (commit.ok()) return result;
      (void)RunSimple(db, kRollback);
      return std::move(commit).error();
    }
    // SQLite may have rolled back already (a full disk, say); then this fails harmlessly.
    (void)RunSimple(db, kRollback);
    return result;
  }

  static Result<void> RunSimple(Connection& db, std::string_view sql) {
    KINDRED_SQL(statement, db, sql);
    return statement.Run();
  }

  // Writes waiting for their batch, oldest first, and whether a leader is running one. Writers
  // in this process queue here instead of spinning on SQLITE_BUSY.
  std::mutex batch_mutex_;
  std::condition_variable batch_changed_;
  std::deque<PendingWrite*> queue_;  // GUARDED_BY(batch_mutex_)
  bool leading_ = false;             // GUARDED_BY(batch_mutex_)
  // The one connection that writes. A batch holds writer_mutex_ from BEGIN to COMMIT (and the
  // checkpoints the writer runs hold it too; the usual ones run on checkpointer_'s connection).
  std::mutex writer_mutex_;
  std::atomic<std::uint64_t> rate_calls_{0};  // TakeRateToken calls, for the idle sweep
  std::unique_ptr<Connection> writer_;  // GUARDED_BY(writer_mutex_)
  std::unique_ptr<WalCheckpointer> checkpointer_;
  ReaderPool readers_;                  // thread-safe itself
  EventSignal committed_;               // thread-safe itself
  // Another process's writes (an import while serving) show within this; the live hub reads the
  // feed as often anyway.
  static constexpr std::chrono::seconds kOtherWritersLag{1};
  LatestSeqCache latest_seq_{kOtherWritersLag};  // thread-safe itself
  // This thread's ReadScope, of whichever store made it (SharedReadOf checks which).
  inline static thread_local SharedRead* shared_read_ = nullptr;
};

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& file) {
  using sqlite::Connection;
  std::error_code ignored;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ignored);

  Result<std::unique_ptr<Connection>> writer = Connection::Open(file, Connection::Mode::kReadWrite);
  if (!writer.ok()) return std::move(writer).error();
  KINDRED_TRY(sqlite::ApplyMigrations(**writer, sqlite::EmbeddedMigrations()));

  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < sqlite::kReaderConnections; ++i) {
    Result<std::unique_ptr<Connection>> reader = Connection::Open(file, Connection::Mode::kReadOnly);
    if (!reader.ok()) return std::move(reader).error();
    readers.push_back(std::move(*reader));
  }
  Result<std::unique_ptr<Connection>> checkpointing = Connection::Open(file, Connection::Mode::kReadWrite);
  if (!checkpointing.ok()) return std::move(checkpointing).error();
  return std::unique_ptr<Store>(
      new sqlite::SqliteStore(std::move(*writer), std::move(readers), std::move(*checkpointing)));
}

}  // namespace kindred::store
