#include "forum/guardian.h"

#include "core/time_format.h"

namespace kindred::forum {
namespace {

Result<void> RequireMember(const Viewer& viewer) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to do that.");
  return Ok();
}

// Suspended members keep reading, and keep every control over their own data; they do not write
// where others read.
Result<void> RequireNotSuspended(const Viewer& viewer) {
  if (!viewer.is_suspended()) return Ok();
  std::string message = "Your account is paused until " + FormatHuman(*viewer.member->suspended_until) +
                        ", so you can read but not post for now.";
  if (!viewer.member->suspended_reason.empty()) message += " The moderators' note: " + viewer.member->suspended_reason;
  // A pause in posting is no pause in support.
  message += " If things feel hard, the help page lists people you can talk to now, at any hour.";
  return Error::Forbidden("suspended", std::move(message));
}

Result<void> RequireModerator(const Viewer& viewer, std::string_view what) {
  KINDRED_TRY(RequireMember(viewer));
  if (!viewer.is_moderator()) return Error::Forbidden("moderators_only", "Only moderators can " + std::string(what) + ".");
  return Ok();
}

Result<void> RequireAdmin(const Viewer& viewer, std::string_view what) {
  KINDRED_TRY(RequireMember(viewer));
  if (!viewer.is_admin()) return Error::Forbidden("admins_only", "Only admins can " + std::string(what) + ".");
  return Ok();
}

Result<void> RequireLivePost(const store::PostRow& post) {
  if (post.deleted_at) {
    return Error::Conflict("post_deleted", "This post was deleted, so it can no longer be changed.");
  }
  return Ok();
}

}  // namespace

Result<void> Guardian::CanAsk(const Viewer& viewer, const store::CategoryRow& category) {
  KINDRED_TRY(RequireMember(viewer));
  KINDRED_TRY(RequireNotSuspended(viewer));
  if (category.archived && !viewer.is_admin()) {
    return Error::Forbidden("category_archived",
                            "This category is archived and no longer takes new questions. Please choose another.");
  }
  return Ok();
}

Result<void> Guardian::CanReply(const Viewer& viewer, const store::TopicRow& topic, bool asker_blocked_viewer) {
  KINDRED_TRY(RequireMember(viewer));
  KINDRED_TRY(RequireNotSuspended(viewer));
  if (topic.closed) return Error::Conflict("topic_closed", "This topic is closed to new replies.");
  if (topic.hidden_at && !viewer.is(topic.user_id) && !viewer.is_moderator()) {
    return Error::NotFound("topic_not_found", "We could not find that topic. It may have been moved or deleted.");
  }
  // Moderators reach everyone; a block keeps members out of the blocker's own topics.
  if (asker_blocked_viewer && !viewer.is_moderator()) {
    return Error::Forbidden("blocked", "The person who asked this has chosen not to receive replies from you.");
  }
  return Ok();
}

Result<void> Guardian::CanEditPost(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
  KINDRED_TRY(RequireNotSuspended(viewer));
  if (!viewer.is(post.user_id) && !viewer.is_moderator()) {
    return Error::Forbidden("not_your_post", "Only the person who wrote this can edit it.");
  }
  return RequireLivePost(post);
}

Result<void> Guardian::CanDeletePost(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
  // Deleting is the author's choice; moderators remove posts through moderation, which keeps a record.
  if (!viewer.is(post.user_id)) {
    return Error::Forbidden("not_your_post", "Only the person who wrote this can delete it.");
  }
  return RequireLivePost(post);
}

Result<void> Guardian::CanSeeRevisions(const Viewer& viewer, const store::PostRow& post) {
  // People edit to take back what they should not have shared: a name, a place, a number. Earlier
  // versions are for the writer and the moderators (who need them to see what an edit removed).
  if (post.deleted_at) return Error::NotFound("post_deleted", "This post was deleted by its author.");
  KINDRED_TRY(RequireMember(viewer));
  if (!viewer.is(post.user_id) && !viewer.is_moderator()) {
    return Error::Forbidden("not_your_post", "Earlier versions of a post are for the person who wrote it.");
  }
  return Ok();
}

Result<void> Guardian::CanReact(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
  KINDRED_TRY(RequireNotSuspended(viewer));
  if (viewer.is(post.user_id)) {
    return Error::Forbidden("own_post", "Reactions are for other people's posts.");
  }
  return RequireLivePost(post);
}

Result<void> Guardian::CanManageCategories(const Viewer& viewer) {
  KINDRED_TRY(RequireMember(viewer));
  if (!viewer.is_admin()) return Error::Forbidden("admins_only", "Only admins can change categories.");
  return Ok();
}

Result<void> Guardian::CanModerateTopic(const Viewer& viewer) {
  return RequireModerator(viewer, "pin, close, move or slow down topics");
}

Result<void> Guardian::CanReview(const Viewer& viewer) { return RequireModerator(viewer, "see the review queue"); }

Result<void> Guardian::CanShowPostAgain(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireModerator(viewer, "show hidden posts again"));
  if (viewer.is(post.user_id)) {
    return Error::Forbidden("own_post", "This is your own post, so another moderator decides whether it is shown.");
  }
  if (!post.hidden_at || post.deleted_at) {
    return Error::Conflict("not_hidden", "This post is not hidden: everyone who may read the topic can see it.");
  }
  if (post.hidden_reason != "moderator") {
    return Error::Conflict("decided_in_queue",
                           "This post waits in the review queue: please decide there, where its flags are.");
  }
  return Ok();
}

Result<void> Guardian::CanEditSafetySettings(const Viewer& viewer) { return RequireAdmin(viewer, "change these settings"); }

Result<void> Guardian::CanReportWorry(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
  if (viewer.is(post.user_id)) {
    return Error::Forbidden("own_post", "This is your own post. If things feel hard, the helplines on the help page are there for you.");
  }
  if (post.deleted_at) return Error::Conflict("post_deleted", "This post was deleted by its author.");
  return Ok();
}

Result<void> Guardian::CanFlag(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
  KINDRED_TRY(RequireNotSuspended(viewer));
  if (viewer.is(post.user_id)) return Error::Forbidden("own_post", "This is your own post: you can edit or delete it.");
  return RequireLivePost(post);
}

Result<void> Guardian::CanReadTopic(const Viewer& viewer, const store::TopicRow& topic) {
  if (!topic.hidden_at || viewer.is(topic.user_id) || viewer.is_moderator()) return Ok();
  return Error::NotFound("topic_hidden", "This conversation is hidden while a moderator looks at it.");
}

Result<void> Guardian::CanSeeHiddenPost(const Viewer& viewer, const store::PostRow& post) {
  if (viewer.is(post.user_id) || viewer.is_moderator()) return Ok();
  return Error::NotFound("post_hidden", std::string(HiddenPostPlaceholder(post)));
}

std::string_view HiddenPostPlaceholder(const store::PostRow& post) {
  return post.hidden_reason == "moderator" ? "A moderator has hidden this post."
                                           : "This post is hidden while a moderator looks at it.";
}

Result<void> Guardian::CanRevealAnonymous(const Viewer& viewer) {
  return RequireModerator(viewer, "see who wrote an anonymous post");
}

Result<void> Guardian::CanSetTrust(const Viewer& viewer) { return RequireAdmin(viewer, "set trust levels"); }

Result<void> Guardian::CanSetRole(const Viewer& viewer, const store::UserRow& member) {
  KINDRED_TRY(RequireAdmin(viewer, "appoint moderators"));
  if (viewer.is(member.id) || member.role == store::Role::kAdmin) {
    return Error::Forbidden("admins_only", "An admin's role is set with `kindred admin create`, not here.");
  }
  return Ok();
}

Result<void> Guardian::CanSuspend(const Viewer& viewer, const store::UserRow& member) {
  KINDRED_TRY(RequireModerator(viewer, "suspend members"));
  if (viewer.is(member.id)) return Error::Forbidden("own_account", "You cannot suspend your own account.");
  if (member.role == store::Role::kAdmin) return Error::Forbidden("admins_only", "Admins cannot be suspended.");
  if (member.role == store::Role::kModerator && !viewer.is_admin()) {
    return Error::Forbidden("admins_only", "Only admins can suspend a moderator.");
  }
  return Ok();
}

Result<void> Guardian::CanManageWatchedWords(const Viewer& viewer) {
  return RequireAdmin(viewer, "change the watched words");
}

Result<void> Guardian::CanBlock(const Viewer& viewer, const store::UserRow& member) {
  KINDRED_TRY(RequireMember(viewer));
  if (viewer.is(member.id)) return Error::Invalid("username", "own_account", "That is your own account.");
  if (member.role != store::Role::kMember) {
    return Error::Forbidden("staff", "Moderators need to be able to reach everyone, so they cannot be blocked. "
                                     "You can mute words, or tell another moderator if something is wrong.");
  }
  return Ok();
}

Result<void> Guardian::CanManageOwnAccount(const Viewer& viewer) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to manage your account.");
  return Ok();
}

}  // namespace kindred::forum
