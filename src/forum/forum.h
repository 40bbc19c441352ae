// Forum: the domain. Each method is one thing a person does (ask, reply, react...): it asks the
// guardian, validates, applies limits, and makes one atomic change in the store.
// Failure contract: errors come back as values with a stable key and calm words; invalid input
// names the field; nothing is half-saved.
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "forum/rate_limiter.h"
#include "forum/viewer.h"
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

struct ProfileView {
  store::UserRow user;
  std::vector<store::PostRow> posts;
  std::vector<store::TopicRow> topics_of_posts;  // the topic of posts[i], for titles and links
  std::int64_t post_count = 0;
  Page page;
};

class Forum {
 public:
  Forum(store::Store& store, const Clock& clock, RateLimits limits = {});

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

  // The page a post is on in its topic, for links that jump to it.
  static int PageOfPost(int post_number);

  const Clock& clock() const { return clock_; }

 private:
  Result<void> TakePostingToken(const Viewer& viewer);

  store::Store& store_;
  const Clock& clock_;
  RateLimits limits_;
  RateLimiter limiter_;
};

// Reaction kinds by their API names ("helpful", "hug", "me_too").
std::optional<store::ReactionKind> ParseReactionKind(std::string_view name);
std::string_view ReactionKindName(store::ReactionKind kind);

}  // namespace kindred::forum
