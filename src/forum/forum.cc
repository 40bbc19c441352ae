#include "forum/forum.h"

#include "forum/limits.h"
#include "forum/passwords.h"

namespace kindred::forum {

Forum::Forum(store::Store& store, const Clock& clock, RateLimits limits, SafetyOptions safety,
             const safety::Detector& detector)
    : store_(store),
      clock_(clock),
      limits_(limits),
      safety_(std::move(safety)),
      detector_(detector),
      limiter_(clock),
      topic_pages_(kTopicPageCacheBytes, std::chrono::seconds(kForumCacheMaxAgeSeconds)),
      sessions_(kMemberCacheBytes, std::chrono::seconds(kForumCacheMaxAgeSeconds)),
      reading_controls_(kMemberCacheBytes, std::chrono::seconds(kForumCacheMaxAgeSeconds)),
      own_reactions_(kMemberCacheBytes, std::chrono::seconds(kForumCacheMaxAgeSeconds)),
      unread_notices_(kMemberCacheBytes, std::chrono::seconds(kForumCacheMaxAgeSeconds)),
      asker_blocks_(kMemberCacheBytes, std::chrono::seconds(kForumCacheMaxAgeSeconds)) {}

Result<void> Forum::ShareRateLimitsThroughStore() {
  auto secret = store_.SettingOr("rate_limit_key_secret", NewToken(), clock_.Now());
  if (!secret) return std::move(secret).error();
  limiter_.ShareThrough(store_, std::move(secret).value());
  return Ok();
}

int Forum::PageOfPost(int post_number) { return (post_number - 1) / kPostsPerPage + 1; }

Result<void> Forum::TakePostingToken(const Viewer& viewer) {
  const std::string account = std::to_string(viewer.member->id.value);
  int wait = limiter_.Take("post:user:" + account, limits_.post_per_account);
  // New members also post more slowly until trust grows: the limit spammers meet, not people talking.
  if (wait == 0 && viewer.member->trust_level == store::TrustLevel::kNew && !viewer.is_moderator()) {
    wait = limiter_.Take("post:new:" + account, new_member_rules_.posts);
  }
  if (wait == 0) wait = limiter_.Take("post:addr:" + viewer.client_address, limits_.post_per_address);
  if (wait > 0) return Error::RateLimited(wait);
  return Ok();
}

std::optional<store::ReactionKind> ParseReactionKind(std::string_view name) {
  if (name == "helpful") return store::ReactionKind::kHelpful;
  if (name == "hug") return store::ReactionKind::kHug;
  if (name == "me_too") return store::ReactionKind::kMeToo;
  return std::nullopt;
}

namespace {

template <typename Enum, std::size_t N>
std::string_view NameIn(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return names[0].second;
}

template <typename Enum, std::size_t N>
std::optional<Enum> ParseIn(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<store::Role, std::string_view>, 3> kRoleNames{
    {{store::Role::kMember, "member"}, {store::Role::kModerator, "moderator"}, {store::Role::kAdmin, "admin"}}};
constexpr std::array<std::pair<store::TrustLevel, std::string_view>, 3> kTrustNames{
    {{store::TrustLevel::kNew, "new"}, {store::TrustLevel::kBasic, "basic"}, {store::TrustLevel::kTrusted, "trusted"}}};
constexpr std::array<std::pair<store::WatchedAction, std::string_view>, 4> kWatchedActionNames{
    {{store::WatchedAction::kFlag, "flag"},
     {store::WatchedAction::kHold, "hold"},
     {store::WatchedAction::kReplace, "replace"},
     {store::WatchedAction::kBlock, "block"}}};
constexpr std::array<std::pair<store::ReviewStatus, std::string_view>, 4> kReviewStatusNames{
    {{store::ReviewStatus::kOpen, "open"},
     {store::ReviewStatus::kHandled, "handled"},
     {store::ReviewStatus::kEscalated, "escalated"},
     {store::ReviewStatus::kDismissed, "dismissed"}}};
constexpr std::array<std::pair<store::ReviewKind, std::string_view>, 4> kReviewKindNames{
    {{store::ReviewKind::kSafety, "safety"},
     {store::ReviewKind::kMisplaced, "misplaced"},
     {store::ReviewKind::kFlag, "flag"},
     {store::ReviewKind::kHeld, "held"}}};

}  // namespace

std::string_view RoleName(store::Role role) { return NameIn(kRoleNames, role); }
std::optional<store::Role> ParseRole(std::string_view name) { return ParseIn(kRoleNames, name); }
std::string_view TrustLevelName(store::TrustLevel level) { return NameIn(kTrustNames, level); }
std::optional<store::TrustLevel> ParseTrustLevel(std::string_view name) { return ParseIn(kTrustNames, name); }
std::string_view WatchedActionName(store::WatchedAction action) { return NameIn(kWatchedActionNames, action); }
std::optional<store::WatchedAction> ParseWatchedAction(std::string_view name) {
  return ParseIn(kWatchedActionNames, name);
}
std::string_view ReviewStatusName(store::ReviewStatus status) { return NameIn(kReviewStatusNames, status); }
std::string_view ReviewKindName(store::ReviewKind kind) { return NameIn(kReviewKindNames, kind); }

std::string_view ReactionKindName(store::ReactionKind kind) {
  switch (kind) {
    case store::ReactionKind::kHelpful:
      return "helpful";
    case store::ReactionKind::kHug:
      return "hug";
    case store::ReactionKind::kMeToo:
      return "me_too";
  }
  return "helpful";
}

}  // namespace kindred::forum
