#include "forum/guardian.h"

namespace kindred::forum {
namespace {

Result<void> RequireMember(const Viewer& viewer) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to do that.");
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
  if (category.archived && !viewer.is_admin()) {
    return Error::Forbidden("category_archived",
                            "This category is archived and no longer takes new questions. Please choose another.");
  }
  return Ok();
}

Result<void> Guardian::CanReply(const Viewer& viewer, const store::TopicRow& topic) {
  KINDRED_TRY(RequireMember(viewer));
  if (topic.closed) return Error::Conflict("topic_closed", "This topic is closed to new replies.");
  return Ok();
}

Result<void> Guardian::CanEditPost(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
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
  // The history of a live post is as public as the post; a deleted post's history is gone.
  if (post.deleted_at) return Error::NotFound("post_deleted", "This post was deleted by its author.");
  return Ok();
}

Result<void> Guardian::CanReact(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
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
  KINDRED_TRY(RequireMember(viewer));
  if (!viewer.is_moderator()) {
    return Error::Forbidden("moderators_only", "Only moderators can pin, close or move topics.");
  }
  return Ok();
}

Result<void> Guardian::CanReview(const Viewer& viewer) {
  KINDRED_TRY(RequireMember(viewer));
  if (!viewer.is_moderator()) return Error::Forbidden("moderators_only", "Only moderators can see the review queue.");
  return Ok();
}

Result<void> Guardian::CanEditSafetySettings(const Viewer& viewer) {
  KINDRED_TRY(RequireMember(viewer));
  if (!viewer.is_admin()) return Error::Forbidden("admins_only", "Only admins can change these settings.");
  return Ok();
}

Result<void> Guardian::CanReportWorry(const Viewer& viewer, const store::PostRow& post) {
  KINDRED_TRY(RequireMember(viewer));
  if (viewer.is(post.user_id)) {
    return Error::Forbidden("own_post", "This is your own post. If things feel hard, the helplines on the help page are there for you.");
  }
  if (post.deleted_at) return Error::Conflict("post_deleted", "This post was deleted by its author.");
  return Ok();
}

}  // namespace kindred::forum
