#include "forum/forum.h"

#include "forum/limits.h"
#include "forum/passwords.h"

namespace kindred::forum {

Forum::Forum(store::Store& store, const Clock& clock, RateLimits limits, SafetyOptions safety,
             const safety::Detector& detector)
    : store_(store), clock_(clock), limits_(limits), safety_(std::move(safety)), detector_(detector), limiter_(clock) {}

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
