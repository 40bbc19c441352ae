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
  static Result<void> CanReply(const Viewer& viewer, const store::TopicRow& topic);
  static Result<void> CanEditPost(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanDeletePost(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanSeeRevisions(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanReact(const Viewer& viewer, const store::PostRow& post);
  static Result<void> CanManageCategories(const Viewer& viewer);
  static Result<void> CanModerateTopic(const Viewer& viewer);
  static Result<void> CanReview(const Viewer& viewer);           // the review queue and modlog
  static Result<void> CanEditSafetySettings(const Viewer& viewer);  // helplines, message templates, supporters
  static Result<void> CanReportWorry(const Viewer& viewer, const store::PostRow& post);

  // Non-failing forms for deciding which buttons a page shows.
  static bool MayEdit(const Viewer& viewer, const store::PostRow& post) { return CanEditPost(viewer, post).ok(); }
  static bool MayDelete(const Viewer& viewer, const store::PostRow& post) { return CanDeletePost(viewer, post).ok(); }
  static bool MayReact(const Viewer& viewer, const store::PostRow& post) { return CanReact(viewer, post).ok(); }
};

}  // namespace kindred::forum
