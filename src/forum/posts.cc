// Posts: replying, editing with history, deleting, and reacting.
#include <spdlog/spdlog.h>

#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/markdown.h"
#include "forum/validation.h"

namespace kindred::forum {
namespace {

Error PostNotFound() {
  return Error::NotFound("post_not_found", "We could not find that post. It may have been moved or deleted.");
}

}  // namespace

Result<store::PostRow> Forum::FindPost(PostId id) {
  auto post = store_.FindPost(id);
  if (!post && post.error().code == ErrorCode::kNotFound) return PostNotFound();
  return post;
}

Result<store::PostRow> Forum::ReadPost(const Viewer& viewer, PostId id) {
  auto post = FindPost(id);
  if (!post) return post;
  auto topic = store_.FindTopic(post->topic_id);
  if (!topic) return std::move(topic).error();
  // Outside its conversation a post is as findable as the conversation: not at all when hidden.
  if (!Guardian::CanReadTopic(viewer, *topic).ok()) return PostNotFound();
  return post;
}

Result<std::vector<Forum::OwnReactions>> Forum::OwnReactionsTo(const Viewer& viewer, const std::vector<PostId>& posts) {
  std::vector<OwnReactions> own(posts.size());
  if (!viewer.signed_in() || posts.empty()) return own;
  auto given = store_.ListOwnReactions(viewer.member->id, posts);
  if (!given) return std::move(given).error();
  for (const auto& [post_id, kind] : *given) {
    for (std::size_t i = 0; i < posts.size(); ++i) {
      if (posts[i] == post_id) own[i][static_cast<int>(kind)] = true;
    }
  }
  return own;
}

Result<store::PostRow> Forum::Reply(const Viewer& viewer, TopicId topic_id, const ReplyInput& input) {
  auto topic = store_.FindTopic(topic_id);
  if (!topic) {
    if (topic.error().code == ErrorCode::kNotFound) {
      return Error::NotFound("topic_not_found", "We could not find that topic. It may have been moved or deleted.");
    }
    return std::move(topic).error();
  }
  auto blocked = AskerBlocked(viewer, *topic);
  if (!blocked) return std::move(blocked).error();
  KINDRED_TRY(Guardian::CanReply(viewer, *topic, *blocked));
  auto body = ValidateBody(input.body);
  if (!body) return std::move(body).error();
  if (input.reply_to) {
    auto parent = store_.FindPost(*input.reply_to);
    if (!parent || parent->topic_id != topic_id) {
      return Error::Invalid("reply_to", "reply_to_elsewhere", "The post you are replying to is not in this topic.");
    }
  }
  auto screening = Screen(viewer, "", std::move(body).value(), input.content_warning);
  if (!screening) return std::move(screening).error();
  // Someone reaching out is never told to wait (SAFETY.md): limits are for everything else.
  if (!screening->may_speak_of_risk) {
    KINDRED_TRY(CheckSlowMode(viewer, *topic));
    KINDRED_TRY(TakePostingToken(viewer));
  }
  store::NewPost post{topic_id, viewer.member->id, input.reply_to, screening->body, RenderMarkdown(screening->body),
                      clock_.Now()};
  post.anonymous = input.anonymous;
  post.content_warning = screening->content_warning;
  post.held = screening->held;
  auto reply = store_.CreateReply(post);
  if (reply) {
    AfterPostSaved(*reply, "");
    AfterScreenedPostSaved(viewer, *reply, *screening);
    // After the response, not before it: the check is most of a reply's cost (placement_checker.h).
    if (!reply->hidden_at && placement_) placement_->Enqueue(*reply);
  }
  return reply;
}

Result<store::PostRow> Forum::EditPost(const Viewer& viewer, PostId id, std::string_view body_text) {
  auto post = FindPost(id);
  if (!post) return std::move(post).error();
  KINDRED_TRY(Guardian::CanEditPost(viewer, *post));
  auto body = ValidateBody(body_text);
  if (!body) return std::move(body).error();
  if (*body == post->body_markdown) return post;  // nothing changed: no empty revision
  auto edited = store_.EditPost(id, *body, RenderMarkdown(*body), clock_.Now());
  if (!edited) return edited;
  AfterPostSaved(*edited, "");
  // A moderator changing someone else's words is a moderation decision: on the record, and the
  // writer is told (the earlier text stays in the history only they and the moderators see).
  if (!viewer.is(post->user_id)) {
    const UnixSeconds now = clock_.Now();
    if (auto logged = store_.AppendModlog({0, viewer.member->id, "post.edited_by_moderator", "post", id.value, "", "",
                                           "", now, ""});
        !logged) {
      spdlog::error("could not log a moderator's edit of post {}: {}", id.value, logged.error().message);
    }
    if (auto told = TellWriter(post->user_id, "A moderator edited one of your posts",
                               "A moderator changed the words of your post. The earlier text is kept in the post's "
                               "history, which only you and the moderators can see. If you would like to know why, "
                               "you can ask them.",
                               "/p/" + std::to_string(id.value));
        !told) {
      spdlog::error("could not tell the writer of post {} about an edit: {}", id.value, told.error().message);
    }
  }
  return edited;
}

Result<void> Forum::ShowPostAgain(const Viewer& viewer, PostId id, std::string_view reason_text) {
  KINDRED_TRY(Guardian::CanReview(viewer));
  auto post = FindPost(id);
  if (!post) return std::move(post).error();
  KINDRED_TRY(Guardian::CanShowPostAgain(viewer, *post));
  auto reason = ValidateReason(reason_text);
  if (!reason) return std::move(reason).error();
  const UnixSeconds now = clock_.Now();
  KINDRED_TRY(store_.SetPostHidden(id, std::nullopt, ""));
  KINDRED_TRY(store_.AppendModlog(
      {0, viewer.member->id, "post.shown_again", "post", id.value, "hidden by a moderator", "shown", *reason, now, ""}));
  if (auto told = TellWriter(post->user_id, "Your post is shown again",
                             "A moderator has shown your post again, so everyone who reads the topic can see it." +
                                 (reason->empty() ? std::string() : "\n\nTheir note: " + *reason),
                             "/p/" + std::to_string(id.value));
      !told) {
    spdlog::error("could not tell the writer of post {} it is shown again: {}", id.value, told.error().message);
  }
  return Ok();
}

Result<void> Forum::DeletePost(const Viewer& viewer, PostId id) {
  auto post = FindPost(id);
  if (!post) return std::move(post).error();
  KINDRED_TRY(Guardian::CanDeletePost(viewer, *post));
  return store_.DeletePost(id, clock_.Now());
}

Result<std::vector<store::RevisionRow>> Forum::Revisions(const Viewer& viewer, PostId id) {
  auto post = ReadPost(viewer, id);
  if (!post) return std::move(post).error();
  KINDRED_TRY(Guardian::CanSeeRevisions(viewer, *post));
  return store_.ListRevisions(id);
}

Result<store::PostRow> Forum::React(const Viewer& viewer, PostId id, store::ReactionKind kind) {
  auto post = ReadPost(viewer, id);
  if (!post) return std::move(post).error();
  KINDRED_TRY(Guardian::CanReact(viewer, *post));
  KINDRED_TRY(store_.AddReaction(id, viewer.member->id, kind, clock_.Now()));
  return FindPost(id);
}

Result<store::PostRow> Forum::Unreact(const Viewer& viewer, PostId id, store::ReactionKind kind) {
  auto post = ReadPost(viewer, id);
  if (!post) return std::move(post).error();
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to do that.");
  // Taking a reaction back is always allowed, even on a post deleted since.
  KINDRED_TRY(store_.RemoveReaction(id, viewer.member->id, kind));
  return FindPost(id);
}

}  // namespace kindred::forum
