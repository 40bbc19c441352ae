// The review queue: one list of everything moderators should look at, crisis first. Every action
// is written to the modlog, and acts only on the version of the item the moderator saw.
#include <algorithm>

#include "core/text.h"
#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/markdown.h"

namespace kindred::forum {
namespace {

constexpr std::string_view kTemplatesSetting = "message_templates";
constexpr int kReviewItemsPerPage = 50;
constexpr int kModlogPerPage = 50;
constexpr int kNoticesPerPage = 30;
constexpr std::size_t kMessageMax = 5000;
constexpr std::size_t kNoteMax = 2000;

// Starting points a moderator edits before sending; safe-messaging wording (SAFETY.md point 8).
constexpr std::string_view kDefaultTemplates =
    "Hi, I'm one of the moderators here. I read your post and wanted to check in with you. How are you doing "
    "right now? You don't have to reply, but I'm here if you'd like to.\n"
    "---\n"
    "Thank you for sharing this. It takes courage, and you are not alone. If you feel you might act on these "
    "thoughts, please call a crisis line or your local emergency number now: the help page (/help) lists them, "
    "and they are free and confidential.\n"
    "---\n"
    "Your post is still up and people can reply to it. If it would help, I can point you to support near you.";

std::string_view ActionName(ReviewAction action) {
  switch (action) {
    case ReviewAction::kHandled: return "review.handled";
    case ReviewAction::kEscalate: return "review.escalated";
    case ReviewAction::kRecordEmergencyContact: return "emergency.contacted";
    case ReviewAction::kDismiss: return "review.dismissed";
  }
  return "review.handled";
}

std::string_view StatusName(store::ReviewStatus status) {
  switch (status) {
    case store::ReviewStatus::kOpen: return "open";
    case store::ReviewStatus::kHandled: return "handled";
    case store::ReviewStatus::kEscalated: return "escalated";
    case store::ReviewStatus::kDismissed: return "dismissed";
  }
  return "open";
}

}  // namespace

Result<std::vector<store::ReviewItemRow>> Forum::ReviewQueue(const Viewer& viewer, bool open, int page) {
  KINDRED_TRY(Guardian::CanReview(viewer));
  int offset = (std::clamp(page, 1, kMaxPage) - 1) * kReviewItemsPerPage;
  return store_.ListReviewItems(open, offset, kReviewItemsPerPage);
}

Result<store::ReviewItemRow> Forum::ReviewItem(const Viewer& viewer, std::int64_t id) {
  KINDRED_TRY(Guardian::CanReview(viewer));
  auto item = store_.FindReviewItem(id);
  if (!item && item.error().code == ErrorCode::kNotFound) {
    return Error::NotFound("review_not_found", "We could not find that review item.");
  }
  return item;
}

Result<store::ReviewItemRow> Forum::ActOnReview(const Viewer& viewer, std::int64_t id, ReviewAction action,
                                                int version, std::string_view note) {
  auto item = ReviewItem(viewer, id);
  if (!item) return std::move(item).error();
  std::string reason(Trim(note));
  if (!IsValidUtf8(reason) || CountCodepoints(reason) > kNoteMax) {
    return Error::Invalid("reason", "note_too_long", "Please keep the note under 2,000 characters.");
  }
  store::ReviewStatus status = action == ReviewAction::kEscalate  ? store::ReviewStatus::kEscalated
                               : action == ReviewAction::kDismiss ? store::ReviewStatus::kDismissed
                                                                  : store::ReviewStatus::kHandled;
  // Recording an emergency contact is a note on the record, not a closing of the item: the person
  // still needs following up, so it stays open unless the moderator also marks it handled.
  const UnixSeconds now = clock_.Now();
  if (action == ReviewAction::kRecordEmergencyContact) {
    if (reason.empty()) {
      return Error::Invalid("reason", "note_required", "Please note who decided this, and what was done.");
    }
    KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, std::string(ActionName(action)), "review", id,
                                     std::string(StatusName(item->status)), std::string(StatusName(item->status)),
                                     reason, now, ""}));
    return item;
  }
  auto resolved = store_.ResolveReviewItem(id, version, status, viewer.member->id, reason, now);
  if (!resolved) return std::move(resolved).error();
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, std::string(ActionName(action)), "review", id,
                                   std::string(StatusName(item->status)), std::string(StatusName(status)), reason,
                                   now, ""}));
  if (action == ReviewAction::kEscalate) {
    auto responders = store_.ListResponders(false);
    if (responders) {
      std::vector<store::UserRow> admins;
      for (const auto& person : *responders) {
        if (person.role == store::Role::kAdmin && person.id != viewer.member->id) admins.push_back(person);
      }
      store::NewNotice notice;
      notice.kind = "escalation";
      notice.title = "A moderator asked for an admin";
      notice.body_html = RenderMarkdown(viewer.member->username + " escalated a review item in \"" +
                                        item->topic_title + "\"" + (reason.empty() ? "." : ": " + reason));
      notice.link = "/mod/queue?status=resolved";
      notice.created_at = now;
      Notify(admins, notice);
    }
  }
  return resolved;
}

Result<void> Forum::FlagPost(const Viewer& viewer, PostId post_id, std::string_view reason, std::string_view note) {
  if (reason == "worried") return ReportWorry(viewer, post_id, note);
  if (reason != "unkind" && reason != "spam" && reason != "misplaced" && reason != "other") {
    return Error::Invalid("reason", "flag_reason",
                          "Please choose why: unkind, spam, misplaced, worried or other.");
  }
  auto post = FindPost(post_id);
  if (!post) return std::move(post).error();
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to flag a post.");
  if (viewer.is(post->user_id)) return Error::Forbidden("own_post", "This is your own post: you can edit or delete it.");
  std::string text(Trim(note));
  if (reason == "other" && text.empty()) {
    return Error::Invalid("note", "note_required", "Please say a few words about what is wrong, so a moderator can help.");
  }
  if (!IsValidUtf8(text) || CountCodepoints(text) > kNoteMax) {
    return Error::Invalid("note", "note_too_long", "Please keep the note under 2,000 characters.");
  }
  store::NewReviewItem item;
  item.kind = store::ReviewKind::kFlag;
  item.post = post_id;
  item.priority = 1;
  item.reasons = std::string(reason);
  item.reporter = viewer.member->id;
  item.note = text;
  item.created_at = clock_.Now();
  KINDRED_TRY(store_.CreateReviewItem(item));
  return Ok();
}

Result<void> Forum::MessageWriter(const Viewer& viewer, std::int64_t id, std::string_view text) {
  auto item = ReviewItem(viewer, id);
  if (!item) return std::move(item).error();
  std::string message = NormalizeNewlines(Trim(text));
  if (message.empty()) return Error::Invalid("message", "message_empty", "Please write a message before sending.");
  if (!IsValidUtf8(message) || CountCodepoints(message) > kMessageMax) {
    return Error::Invalid("message", "message_too_long", "Please keep the message under 5,000 characters.");
  }
  store::NewNotice notice;
  notice.user = item->writer;
  notice.kind = "moderator_message";
  notice.title = "A message from the moderators";
  notice.body_html = RenderMarkdown(message);
  notice.link = "/p/" + std::to_string(item->post.value);
  notice.created_at = clock_.Now();
  KINDRED_TRY(store_.CreateNotice(notice));
  return store_.AppendModlog({0, viewer.member->id, "message.sent", "review", id, "", "", message, clock_.Now(), ""});
}

Result<std::vector<store::ModlogRow>> Forum::Modlog(const Viewer& viewer, int page) {
  KINDRED_TRY(Guardian::CanReview(viewer));
  return store_.ListModlog((std::clamp(page, 1, kMaxPage) - 1) * kModlogPerPage, kModlogPerPage);
}

Result<std::int64_t> Forum::UrgentReviewCount(const Viewer& viewer) {
  if (!Guardian::CanReview(viewer).ok()) return std::int64_t{0};
  return store_.CountOpenReviewItems(2);
}

Result<void> Forum::SetTrustedSupporter(const Viewer& viewer, std::string_view username, bool trusted) {
  KINDRED_TRY(Guardian::CanEditSafetySettings(viewer));
  auto user = store_.FindUserByName(username);
  if (!user) return Error::Invalid("username", "user_not_found", "We could not find a member with that name.");
  KINDRED_TRY(store_.SetUserFlags(user->id, trusted, user->worry_opt_out));
  return store_.AppendModlog({0, viewer.member->id, trusted ? "supporter.added" : "supporter.removed", "user",
                              user->id.value, user->trusted_supporter ? "trusted" : "member",
                              trusted ? "trusted" : "member", "", clock_.Now(), ""});
}

std::vector<std::string> Forum::MessageTemplates() {
  auto saved = store_.GetSetting(kTemplatesSetting);
  std::string text = saved ? *saved : std::string(kDefaultTemplates);
  std::vector<std::string> templates;
  std::size_t from = 0;
  while (from <= text.size()) {
    std::size_t separator = text.find("\n---\n", from);
    std::string piece(Trim(std::string_view(text).substr(from, separator == std::string::npos ? std::string::npos
                                                                                               : separator - from)));
    if (!piece.empty()) templates.push_back(std::move(piece));
    if (separator == std::string::npos) break;
    from = separator + 5;
  }
  return templates;
}

Result<void> Forum::SaveMessageTemplates(const Viewer& viewer, std::string_view text) {
  KINDRED_TRY(Guardian::CanEditSafetySettings(viewer));
  std::string normalized = NormalizeNewlines(text);
  if (!IsValidUtf8(normalized) || CountCodepoints(normalized) > 20000) {
    return Error::Invalid("templates", "templates_too_long", "Please keep the templates under 20,000 characters.");
  }
  KINDRED_TRY(store_.PutSetting(kTemplatesSetting, normalized, clock_.Now()));
  return store_.AppendModlog(
      {0, viewer.member->id, "templates.edited", "settings", 0, "", "", "", clock_.Now(), ""});
}

Result<std::vector<store::NoticeRow>> Forum::Notices(const Viewer& viewer, int page) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to see your messages.");
  return store_.ListNotices(viewer.member->id, (std::clamp(page, 1, kMaxPage) - 1) * kNoticesPerPage, kNoticesPerPage);
}

Result<std::int64_t> Forum::UnreadNoticeCount(const Viewer& viewer) {
  if (!viewer.signed_in()) return std::int64_t{0};
  return store_.CountUnreadNotices(viewer.member->id);
}

Result<void> Forum::MarkNoticesRead(const Viewer& viewer) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to see your messages.");
  return store_.MarkNoticesRead(viewer.member->id, clock_.Now());
}

}  // namespace kindred::forum
