// Guardian: every permission decision in Kindred, in one place, each returning why not.
// A refusal is kUnauthenticated when signing in would help, otherwise kForbidden
// (or kConflict when the thing's state, not the person, is the reason).
// Thread-safety: stateless.
#pragma once

#include "core/result.h"
#include "forum/viewer.h"
#include "store/rows.h"

namespace kindred::forum {

class Guardian {
 public:
  static Result<void> CanAsk(const Viewer& viewer, const store::CategoryRow& category);
  // `asker_blocked_viewer`: the person who asked the topic blocked the viewer.
  static Result<void> CanReply(const Viewer& viewer, const store::TopicRow& topic, bool asker_blocked_viewer = false);
  static Result<void> CanEditPost(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanDeletePost(const Viewer& viewer, const store::PostRow& post);
  // A post's earlier versions: its writer and the moderators.
  static Result<void> CanSeeRevisions(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanReact(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanManageCategories(const Viewer& viewer);
  static Result<void> CanModerateTopic(const Viewer& viewer);
  static Result<void> CanReview(const Viewer& viewer);           // the review queue and modlog
  static Result<void> CanEditSafetySettings(const Viewer& viewer);  // helplines, message templates, supporters
  static Result<void> CanReportWorry(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanFlag(const Viewer& viewer, const store::PostRow& post);
  // A hidden or held question takes its whole conversation with it, title and all: only its
  // writer and the moderators can open it meanwhile.
  static Result<void> CanReadTopic(const Viewer& viewer, const store::TopicRow& topic);
  // Hidden and held posts: their writer and moderators.
  static Result<void> CanSeeHiddenPost(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanRevealAnonymous(const Viewer& viewer);
  // Undoing a moderator's hide: moderators, for a post a moderator hid that is not their own
  // (flagged and held posts are decided in the review queue).
  static Result<void> CanShowPostAgain(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanSetTrust(const Viewer& viewer);
  // Appointing moderators: admins, for anyone but themselves and other admins (made with
  // `kindred admin create`, so an admin is never demoted by a click).
  static Result<void> CanSetRole(const Viewer& viewer, const store::UserRow& member);
  // Suspending: moderators suspend members; only admins suspend moderators; no one suspends an admin
  // or themselves.
  static Result<void> CanSuspend(const Viewer& viewer, const store::UserRow& member);
  static Result<void> CanManageWatchedWords(const Viewer& viewer);
  // Blocking, muting, export and leaving: every member, suspended or not (their own data is theirs).
  static Result<void> CanBlock(const Viewer& viewer, const store::UserRow& member);
  static Result<void> CanManageOwnAccount(const Viewer& viewer);

  // Non-failing forms for deciding which buttons a page shows.
  static bool MayEdit(const Viewer& viewer, const store::PostRow& post) { return CanEditPost(viewer, post).ok(); }
  static bool MayDelete(const Viewer& viewer, const store::PostRow& post) { return CanDeletePost(viewer, post).ok(); }
  static bool MayReact(const Viewer& viewer, const store::PostRow& post) { return CanReact(viewer, post).ok(); }
  static bool MayFlag(const Viewer& viewer, const store::PostRow& post) { return CanFlag(viewer, post).ok(); }
  // Asked for every post of every page: most posts are not hidden, so that is looked at first.
  static bool MayShowPostAgain(const Viewer& viewer, const store::PostRow& post) {
    return post.hidden_at && CanShowPostAgain(viewer, post).ok();
  }
  static bool MaySeeHiddenPost(const Viewer& viewer, const store::PostRow& post) {
    return CanSeeHiddenPost(viewer, post).ok();
  }
};

// What someone who may not see a hidden post reads in its place: a moderator's decision, or a
// wait for a moderator's look (flags, a first post held).
std::string_view HiddenPostPlaceholder(const store::PostRow& post);

}  // namespace kindred::forum
