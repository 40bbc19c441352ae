// The limits people meet when they write, each with where its number comes from.
// Every limit has a boundary test in forum_test.
#pragma once

#include <cstddef>

namespace kindred::forum {

// Usernames: short enough for a reply header on a phone, long enough for a real name.
inline constexpr std::size_t kUsernameMin = 3;
inline constexpr std::size_t kUsernameMax = 30;
// NIST SP 800-63B asks for length rather than composition rules; 10 is our floor.
inline constexpr std::size_t kPasswordMin = 10;
// argon2 hashes any length, but an unbounded password is a free CPU-burning request.
inline constexpr std::size_t kPasswordMax = 1024;
inline constexpr std::size_t kEmailMax = 254;  // RFC 5321's path limit

// A question title says what it is about in one line.
inline constexpr std::size_t kTitleMin = 8;
inline constexpr std::size_t kTitleMax = 150;
// About 3,000 words: room for a long story, short of a pasted book.
inline constexpr std::size_t kBodyMax = 20000;
inline constexpr std::size_t kBodyMin = 1;

inline constexpr std::size_t kCategoryNameMin = 2;
inline constexpr std::size_t kCategoryNameMax = 60;
inline constexpr std::size_t kCategoryDescriptionMax = 500;

// A moderator's or flagger's note: a paragraph or two, not a report.
inline constexpr std::size_t kNoteMax = 2000;
// A content warning names a subject ("self-harm", "grief, a parent's death"), it is not a post.
inline constexpr std::size_t kContentWarningMax = 100;
// Slow mode up to a day between replies: longer is closing the topic, which moderators can do.
inline constexpr int kSlowModeMaxSeconds = 24 * 3600;
// A suspension up to a year; longer is a ban, which is an admin's decision about the account.
inline constexpr int kSuspendDaysMax = 365;

// Pages.
inline constexpr int kPostsPerPage = 20;   // the "20 a page"
inline constexpr int kTopicsPerPage = 30;  // a category page a phone can scroll through
inline constexpr int kLatestOnHome = 10;
// What the forum keeps of the store between changes (Forum's FeedCaches): a few hundred pages of
// posts, and for each of some thousands of signed-in members their session, their reading
// controls and their reactions on the pages they read. The age bounds only what the feed does
// not carry, such as a suspension running out; a session's own expiry is checked on every use.
inline constexpr std::size_t kTopicPageCacheBytes = 8u << 20;
inline constexpr std::size_t kMemberCacheBytes = 2u << 20;  // each of Forum's per-member caches
inline constexpr int kForumCacheMaxAgeSeconds = 30;
// A page number past this is refused before it reaches the database (OFFSET cost grows).
inline constexpr int kMaxPage = 100000;

// A writer may move their own misplaced reply for this long after posting (the 30 minutes):
// long enough to notice the note, short enough that a conversation has not built on it.
inline constexpr long long kMoveWindowSeconds = 30 * 60;
inline constexpr int kSimilarShown = 5;
// "People also asked" is reworked at most this often per topic: a new thread joins the list within
// five minutes, and a busy topic page costs one index query per five minutes instead of per view.
inline constexpr long long kRelatedFreshSeconds = 5 * 60;
// Answers kept at once (a few hundred bytes each); past this the cache starts over.
inline constexpr std::size_t kRelatedCachedTopics = 20000;
inline constexpr int kSearchPerPage = 20;

// Personal controls. 200 muted words is past any list people keep by hand (Mastodon users
// report dozens) and keeps matching a topic page's posts to microseconds; a phrase of 100
// characters is a sentence, not a paragraph.
inline constexpr std::size_t kMaxMutedWords = 200;
inline constexpr std::size_t kMutedWordMax = 100;

// Sessions last 30 days from sign-in: people on a support forum come back irregularly.
inline constexpr long long kSessionLifetimeSeconds = 30LL * 24 * 3600;

// A writer's notes that worry messages feel unwanted, waiting at once on one post: enough for a
// moderator to act on, and no way to fill the queue.
inline constexpr int kUnwantedWorryReportsWaitingMax = 5;

}  // namespace kindred::forum
