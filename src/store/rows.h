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

struct UserRow {
  UserId id;
  std::string username;  // as the person typed it; uniqueness ignores ASCII case
  std::string email;     // empty when not given
  // argon2id string from libsodium; empty for imported authors who cannot log in yet.
  std::string password_hash;
  Role role = Role::kMember;
  UnixSeconds created_at = 0;
  bool is_demo = false;
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
  // Joined for display.
  std::string author_name;
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
  // Joined for display.
  std::string author_name;
};

struct NewTopic {
  CategoryId category_id;
  UserId user_id;
  std::string title;
  std::string body_markdown;
  std::string body_html;
  UnixSeconds created_at = 0;
  bool is_demo = false;
};

struct NewPost {
  TopicId topic_id;
  UserId user_id;
  std::optional<PostId> reply_to;
  std::string body_markdown;
  std::string body_html;
  UnixSeconds created_at = 0;
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

// What changed, in the order it was committed. Written in the same transaction as the change,
// so a reader of the feed never misses or invents one.
namespace events {
// Event kinds: every backend writes these and every consumer of the feed reads them.
inline constexpr const char* kTopicCreated = "topic.created";
inline constexpr const char* kTopicUpdated = "topic.updated";  // pinned, closed or moved
inline constexpr const char* kTopicDeleted = "topic.deleted";
inline constexpr const char* kPostCreated = "post.created";
inline constexpr const char* kPostEdited = "post.edited";
inline constexpr const char* kPostDeleted = "post.deleted";
inline constexpr const char* kPostReactionsChanged = "post.reactions_changed";
inline constexpr const char* kCategoryCreated = "category.created";
inline constexpr const char* kCategoryUpdated = "category.updated";
inline constexpr const char* kDemoDeleted = "demo.deleted";
}  // namespace events

struct EventRow {
  std::int64_t seq = 0;
  std::string kind;  // "topic.created", "post.created", "post.edited", "post.deleted", ...
  std::int64_t subject_id = 0;
  UnixSeconds created_at = 0;
};

}  // namespace kindred::store
