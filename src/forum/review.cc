// The review queue: one list of everything moderators should look at, crisis first. Every action
// is written to the modlog, and acts only on the version of the item the moderator saw.
#include <algorithm>
#include <array>
#include <set>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/markdown.h"
#include "forum/validation.h"

namespace kindred::forum {
namespace {

constexpr std::string_view kTemplatesSetting = "message_templates";
constexpr int kReviewItemsPerPage = 50;
constexpr int kModlogPerPage = 50;
constexpr int kNoticesPerPage = 30;
constexpr std::size_t kMessageMax = 5000;

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

constexpr std::array kActionNames = {
    std::pair{ReviewAction::kHandled, "handled"}, std::pair{ReviewAction::kEscalate, "escalate"},
    std::pair{ReviewAction::kRecordEmergencyContact, "emergency_contacted"},
    std::pair{ReviewAction::kDismiss, "dismiss"},  std::pair{ReviewAction::kApprove, "approve"},
    std::pair{ReviewAction::kHide, "hide"},        std::pair{ReviewAction::kEdit, "edit"},
    std::pair{ReviewAction::kDelete, "delete"},    std::pair{ReviewAction::kMove, "move"},
    std::pair{ReviewAction::kWarn, "warn"},        std::pair{ReviewAction::kSuspend, "suspend"},
};

// The modlog's name for an action: what happened, in the past tense.
std::string ModlogAction(ReviewAction action) {
  switch (action) {
    case ReviewAction::kHandled: return "review.handled";
    case ReviewAction::kEscalate: return "review.escalated";
    case ReviewAction::kRecordEmergencyContact: return "emergency.contacted";
    case ReviewAction::kDismiss: return "review.dismissed";
    case ReviewAction::kApprove: return "review.approved";
    case ReviewAction::kHide: return "review.hidden";
    case ReviewAction::kEdit: return "review.edited";
    case ReviewAction::kDelete: return "review.deleted";
    case ReviewAction::kMove: return "review.moved";
    case ReviewAction::kWarn: return "review.warned";
    case ReviewAction::kSuspend: return "review.suspended";
  }
  return "review.handled";
}

// Actions that agree with the flaggers (the flag was right) and those that turn them down.
bool UpholdsFlags(ReviewAction action) {
  return action == ReviewAction::kHide || action == ReviewAction::kEdit || action == ReviewAction::kDelete ||
         action == ReviewAction::kWarn || action == ReviewAction::kSuspend;
}

}  // namespace

std::optional<ReviewAction> ParseReviewAction(std::string_view name) {
  for (const auto& [action, action_name] : kActionNames) {
    if (name == action_name) return action;
  }
  return std::nullopt;
}

std::string_view ReviewActionName(ReviewAction action) {
  for (const auto& [known, action_name] : kActionNames) {
    if (known == action) return action_name;
  }
  return "handled";
}

bool IsWorryReport(const store::ReviewItemRow& item) {
  return item.kind == store::ReviewKind::kFlag && item.reasons == "worried";
}

bool IsUnwantedWorryReport(const store::ReviewItemRow& item) {
  return item.kind == store::ReviewKind::kFlag && item.reasons == kUnwantedWorryReason;
}

namespace {

// Flags about a fault in the post (unkind, spam, a watched word...) and holds, as against the
// reports about care: a decision settles only items of its own family, and only fault flags
// count towards hiding a post and weigh on their flagger's record.
enum class FlagFamily { kFault, kWorry, kUnwantedWorry };

FlagFamily FamilyOf(const store::ReviewItemRow& item) {
  if (IsWorryReport(item)) return FlagFamily::kWorry;
  if (IsUnwantedWorryReport(item)) return FlagFamily::kUnwantedWorry;
  return FlagFamily::kFault;
}

}  // namespace

bool IsFaultFlag(const store::ReviewItemRow& item) {
  return item.kind == store::ReviewKind::kFlag && item.reporter && FamilyOf(item) == FlagFamily::kFault;
}

std::vector<ReviewAction> ActionsFor(const store::ReviewItemRow& item) {
  using A = ReviewAction;
  if (IsWorryReport(item)) return {A::kHandled, A::kEscalate, A::kRecordEmergencyContact, A::kDismiss};
  // About the people who worried, not the post: the moderators look at them (their member panels).
  if (IsUnwantedWorryReport(item)) return {A::kHandled, A::kEscalate, A::kDismiss};
  switch (item.kind) {
    // Risk is never a reason to hide, edit or suspend: a person reaching out gets a human.
    case store::ReviewKind::kSafety: return {A::kHandled, A::kEscalate, A::kRecordEmergencyContact, A::kDismiss};
    case store::ReviewKind::kMisplaced: return {A::kMove, A::kDismiss, A::kEscalate};
    case store::ReviewKind::kFlag:
      return {A::kDismiss, A::kHide, A::kApprove, A::kEdit, A::kDelete, A::kWarn, A::kSuspend, A::kEscalate};
    case store::ReviewKind::kHeld: return {A::kApprove, A::kEdit, A::kDelete, A::kWarn, A::kSuspend, A::kEscalate};
  }
  return {};
}

Result<void> Forum::ApplyReviewAction(const Viewer& viewer, const store::ReviewItemRow& item,
                                      const ReviewActionInput& input) {
  const ReviewAction action = input.action;
  const UnixSeconds now = clock_.Now();
  const std::string reason(Trim(input.reason));
  // The decision is already taken when its writer is told: a notice that cannot be written is
  // logged, and the other items on the post are still settled. A warning is the notice itself.
  auto tell_writer = [&](std::string title, const std::string& text) -> Result<void> {
    auto told = TellWriter(item.writer, std::move(title), text, "/p/" + std::to_string(item.post.value));
    if (!told && action != ReviewAction::kWarn) {
      spdlog::error("could not tell the writer of post {} about review item {}: {}", item.post.value, item.id,
                    told.error().message);
      return Ok();
    }
    return told;
  };
  const std::string where = "your post in \"" + item.topic_title + "\"";
  switch (action) {
    case ReviewAction::kHandled:
    case ReviewAction::kRecordEmergencyContact:
      break;
    case ReviewAction::kEscalate: {
      auto responders = store_.ListResponders(false);
      if (!responders) break;
      std::vector<store::UserRow> admins;
      for (const auto& person : *responders) {
        if (person.role != store::Role::kAdmin || person.id == viewer.member->id) continue;
        // A complaint about worry messages never reaches an admin who sent one of them.
        if (IsUnwantedWorryReport(item)) {
          auto sent = SentWorryAbout(person.id, item.post);
          if (!sent) return std::move(sent).error();
          if (*sent) continue;
        }
        admins.push_back(person);
      }
      store::NewNotice notice;
      notice.kind = "escalation";
      notice.title = item.level == "crisis" ? "A moderator asked for an admin: a post may need someone now"
                                            : "A moderator asked for an admin";
      notice.body_html = RenderMarkdown(viewer.member->username + " escalated a review item" +
                                        (reason.empty() ? "." : ": " + reason) +
                                        " It waits in the review queue, at its place, until someone decides.");
      notice.link = "/mod/queue#r" + std::to_string(item.id);
      notice.created_at = now;
      Notify(admins, notice);
      break;
    }
    case ReviewAction::kDismiss: {
      // A post hidden by members' flags comes back when a moderator finds nothing wrong.
      auto post = store_.FindPost(item.post);
      if (item.kind == store::ReviewKind::kFlag && FamilyOf(item) == FlagFamily::kFault && post && post->hidden_at &&
          post->hidden_reason == "flags") {
        KINDRED_TRY(store_.SetPostHidden(item.post, std::nullopt, ""));
        KINDRED_TRY(tell_writer("Your post is shown again",
                                "A moderator read " + where + " and it is shown again, as it was. Thank you for "
                                "your patience."));
      }
      break;
    }
    case ReviewAction::kApprove: {
      auto post = store_.FindPost(item.post);
      if (post && post->hidden_at) {
        KINDRED_TRY(store_.SetPostHidden(item.post, std::nullopt, ""));
        KINDRED_TRY(tell_writer(post->hidden_reason == "held" ? "Your post is up" : "Your post is shown again",
                                post->hidden_reason == "held"
                                    ? "A moderator has looked at " + where + ", and everyone can read it now."
                                    : "A moderator read " + where + " and it is shown again, as it was."));
      }
      break;
    }
    case ReviewAction::kHide:
      KINDRED_TRY(store_.SetPostHidden(item.post, now, "moderator"));
      KINDRED_TRY(tell_writer("A moderator hid one of your posts",
                              "A moderator hid " + where + ". Only you and the moderators can see it now. Their reason: " +
                                  reason));
      break;
    case ReviewAction::kEdit: {
      auto body = ValidateBody(input.body);
      if (!body) return std::move(body).error();
      auto edited = store_.EditPost(item.post, *body, RenderMarkdown(*body), now);
      if (!edited) return std::move(edited).error();
      if (edited->hidden_at) KINDRED_TRY(store_.SetPostHidden(item.post, std::nullopt, ""));
      KINDRED_TRY(tell_writer("A moderator edited one of your posts",
                              "A moderator changed " + where + ". Their reason: " + reason +
                                  "\n\nThe earlier text is kept in the post's history, which only you and the moderators can see."));
      break;
    }
    case ReviewAction::kDelete:
      KINDRED_TRY(store_.DeletePost(item.post, now));
      KINDRED_TRY(tell_writer("A moderator removed one of your posts",
                              "A moderator removed " + where + ". Their reason: " + reason));
      break;
    case ReviewAction::kMove: {
      TopicId to = input.topic.value_or(item.suggested_topic.value_or(TopicId{0}));
      auto moved = store_.MovePost(item.post, to, now);
      if (!moved) return std::move(moved).error();
      break;
    }
    case ReviewAction::kWarn:
      KINDRED_TRY(tell_writer("A word from the moderators", "About " + where + ": " + reason));
      break;
    case ReviewAction::kSuspend: {
      auto writer = store_.FindUserById(item.writer);
      if (!writer) return std::move(writer).error();
      auto suspended = Suspend(viewer, writer->username, input.suspend_days, reason);
      if (!suspended) return std::move(suspended).error();
      break;
    }
  }

  // The other open flags and holds on the same post are settled by the same decision.
  auto siblings = store_.ListReviewItemsForPost(item.post);
  if (!siblings) return std::move(siblings).error();
  std::set<std::int64_t> flaggers;
  if (IsFaultFlag(item)) flaggers.insert(item.reporter->value);
  for (const auto& sibling : *siblings) {
    if (sibling.id == item.id || sibling.status != store::ReviewStatus::kOpen) continue;
    if (sibling.kind != store::ReviewKind::kFlag && sibling.kind != store::ReviewKind::kHeld) continue;
    // A worry is settled only with worries: hiding an unkind post does not answer it.
    if (FamilyOf(sibling) != FamilyOf(item)) continue;
    if (action == ReviewAction::kEscalate || action == ReviewAction::kHandled) continue;
    if (IsFaultFlag(sibling)) flaggers.insert(sibling.reporter->value);
    auto settled = store_.ResolveReviewItem(sibling.id, sibling.version,
                                            action == ReviewAction::kDismiss ? store::ReviewStatus::kDismissed
                                                                             : store::ReviewStatus::kHandled,
                                            viewer.member->id, "settled with item " + std::to_string(item.id), now);
    if (!settled && settled.error().code != ErrorCode::kConflict) return std::move(settled).error();
  }
  // Each flagger's record weighs their next flags (FlagRules).
  if (item.kind == store::ReviewKind::kFlag && (UpholdsFlags(action) || action == ReviewAction::kDismiss ||
                                                action == ReviewAction::kApprove)) {
    for (std::int64_t flagger : flaggers) {
      KINDRED_TRY(store_.AddFlagOutcomes(UserId{flagger}, UpholdsFlags(action) ? 1 : 0, UpholdsFlags(action) ? 0 : 1));
    }
  }
  return Ok();
}

Result<std::vector<store::ReviewItemRow>> Forum::ReviewQueue(const Viewer& viewer, bool open, int page, bool* more) {
  KINDRED_TRY(Guardian::CanReview(viewer));
  int offset = (std::clamp(page, 1, kMaxPage) - 1) * kReviewItemsPerPage;
  auto items = store_.ListReviewItems(open, offset, kReviewItemsPerPage);
  if (!items) return items;
  if (more) *more = static_cast<int>(items->size()) >= kReviewItemsPerPage;
  // About a moderator's own post: another moderator decides, and flags on it never show who
  // raised them to the person they were about.
  std::erase_if(*items, [&](const store::ReviewItemRow& item) { return viewer.is(item.writer); });
  // A complaint about worry messages is not for a moderator who sent one of them.
  for (auto it = items->begin(); it != items->end();) {
    if (!IsUnwantedWorryReport(*it)) {
      ++it;
      continue;
    }
    auto sent = SentWorryAbout(viewer.member->id, it->post);
    if (!sent) return std::move(sent).error();
    it = *sent ? items->erase(it) : it + 1;
  }
  return items;
}

Result<bool> Forum::SentWorryAbout(UserId person, PostId post) {
  auto items = store_.ListReviewItemsForPost(post);
  if (!items) return std::move(items).error();
  return std::any_of(items->begin(), items->end(), [&](const store::ReviewItemRow& item) {
    return IsWorryReport(item) && item.reporter == person;
  });
}

Result<store::ReviewItemRow> Forum::ReviewItem(const Viewer& viewer, std::int64_t id) {
  KINDRED_TRY(Guardian::CanReview(viewer));
  auto item = store_.FindReviewItem(id);
  if (!item && item.error().code == ErrorCode::kNotFound) {
    return Error::NotFound("review_not_found", "We could not find that review item.");
  }
  if (item && viewer.is(item->writer)) {
    return Error::Forbidden("own_post",
                            "This is about a post of yours, so another moderator will look at it. If things feel "
                            "hard, the help page lists people you can talk to now.");
  }
  if (item && IsUnwantedWorryReport(*item)) {
    auto sent = SentWorryAbout(viewer.member->id, item->post);
    if (!sent) return std::move(sent).error();
    // As if it were not there: saying why would tell someone who sent the worries of the complaint.
    if (*sent) return Error::NotFound("review_not_found", "We could not find that review item.");
  }
  return item;
}

Result<store::ReviewItemRow> Forum::ActOnReview(const Viewer& viewer, std::int64_t id, const ReviewActionInput& input) {
  auto item = ReviewItem(viewer, id);
  if (!item) return std::move(item).error();
  const ReviewAction action = input.action;
  auto offered = ActionsFor(*item);
  if (std::find(offered.begin(), offered.end(), action) == offered.end()) {
    return Error::Invalid("action", "action_not_offered",
                          "That action does not apply to this kind of item. Please choose one of those shown.");
  }
  auto checked_reason = ValidateReason(input.reason);
  if (!checked_reason) return std::move(checked_reason).error();
  const std::string reason = std::move(*checked_reason);
  const bool writer_reads_reason = action == ReviewAction::kHide || action == ReviewAction::kEdit ||
                                   action == ReviewAction::kDelete || action == ReviewAction::kWarn ||
                                   action == ReviewAction::kSuspend;
  if (reason.empty() && (writer_reads_reason || action == ReviewAction::kRecordEmergencyContact)) {
    return Error::Invalid("reason", "note_required",
                          action == ReviewAction::kRecordEmergencyContact
                              ? "Please note who decided this, and what was done."
                              : "Please write a short reason: the writer will read it, so kind and plain words help.");
  }
  if (action == ReviewAction::kEdit) {
    auto body = ValidateBody(input.body);
    if (!body) return std::move(body).error();
  }
  if (action == ReviewAction::kSuspend && (input.suspend_days < 1 || input.suspend_days > kSuspendDaysMax)) {
    return Error::Invalid("suspend_days", "suspend_days", "Please choose between 1 and 365 days.");
  }
  // What could fail after the item is resolved is checked first, so a refused action leaves the
  // item open as it was.
  if (action == ReviewAction::kMove) {
    if (!input.topic && !item->suggested_topic) {
      return Error::Invalid("topic", "topic_required", "Please choose the topic to move this reply to.");
    }
    auto target = store_.FindTopic(input.topic.value_or(item->suggested_topic.value_or(TopicId{0})));
    if (!target) return Error::Invalid("topic", "topic_not_found", "We could not find that topic. Please check its number.");
    if (target->closed) return Error::Conflict("topic_closed", "That topic is closed, so replies cannot be moved into it.", "topic");
    if (item->post_number == 1) return Error::Invalid("action", "question_not_movable", "A question cannot be moved; move its topic to another category instead.");
  }
  if (action == ReviewAction::kSuspend) {
    auto post = store_.FindPost(item->post);
    if (!post) return std::move(post).error();
    // Suspending names a person: an anonymous writer is identified only by a logged reveal.
    if (post->anonymous) {
      return Error::Conflict("reveal_first",
                             "This post is anonymous. To suspend its writer, first reveal who wrote it; the reveal "
                             "and its reason are kept in the modlog.");
    }
  }
  const UnixSeconds now = clock_.Now();
  // Recording an emergency contact is a note on the record, not a closing of the item: the person
  // still needs following up, so it stays open unless the moderator also marks it handled.
  if (action == ReviewAction::kRecordEmergencyContact) {
    KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, "emergency.contacted", "review", id,
                                     std::string(ReviewStatusName(item->status)), std::string(ReviewStatusName(item->status)),
                                     reason, now, ""}));
    return item;
  }
  store::ReviewStatus status = action == ReviewAction::kEscalate  ? store::ReviewStatus::kEscalated
                               : action == ReviewAction::kDismiss ? store::ReviewStatus::kDismissed
                                                                  : store::ReviewStatus::kHandled;
  // The version check inside the store decides which of two moderators acts; the loser gets a
  // conflict before anything else changes.
  auto resolved = store_.ResolveReviewItem(id, input.version, status, viewer.member->id, reason, now);
  if (!resolved) return std::move(resolved).error();
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, ModlogAction(action), "review", id,
                                   std::string(ReviewStatusName(item->status)), std::string(ReviewStatusName(status)), reason,
                                   now, ""}));
  KINDRED_TRY(ApplyReviewAction(viewer, *item, input));
  return resolved;
}

store::NewReviewItem Forum::MemberReport(PostId post, std::string_view reason, std::optional<UserId> reporter,
                                        std::string note, UnixSeconds at) {
  store::NewReviewItem item;
  item.kind = store::ReviewKind::kFlag;
  item.post = post;
  item.priority = 1;
  item.reasons = std::string(reason);
  item.reporter = reporter;
  item.note = std::move(note);
  item.created_at = at;
  return item;
}

Result<void> Forum::FlagPost(const Viewer& viewer, PostId post_id, std::string_view reason, std::string_view note) {
  if (reason == "worried") return ReportWorry(viewer, post_id, note);
  if (reason != "unkind" && reason != "spam" && reason != "misplaced" && reason != "other") {
    return Error::Invalid("reason", "flag_reason",
                          "Please choose why: unkind, spam, misplaced, worried or other.");
  }
  auto post = ReadPost(viewer, post_id);
  if (!post) return std::move(post).error();
  KINDRED_TRY(Guardian::CanFlag(viewer, *post));
  std::string text(Trim(note));
  if (reason == "other" && text.empty()) {
    return Error::Invalid("note", "note_required", "Please say a few words about what is wrong, so a moderator can help.");
  }
  if (!IsValidUtf8(text) || CountCodepoints(text) > kNoteMax) {
    return Error::Invalid("note", "note_too_long", "Please keep the note under 2,000 characters.");
  }
  store::NewReviewItem item = MemberReport(post_id, reason, viewer.member->id, text, clock_.Now());
  // One open flag per member per post: a second click is not a second voice.
  auto existing = store_.ListReviewItemsForPost(post_id);
  if (!existing) return std::move(existing).error();
  for (const auto& open : *existing) {
    if (IsFaultFlag(open) && open.status == store::ReviewStatus::kOpen && *open.reporter == viewer.member->id) {
      return Ok();
    }
  }
  KINDRED_TRY(store_.CreateReviewItem(item));
  ConsiderAutoHide(post_id);
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
  // In every signed-in page's header: kept while the feed stays where it is (a notice sent or read
  // moves it, events::kMemberChanged). Read before the count, as TopicPage reads its rows.
  std::optional<std::int64_t> position;
  if (auto latest = store_.LatestEventSeq()) position = *latest;
  auto read = [&]() -> Result<std::shared_ptr<const std::int64_t>> {
    auto count = store_.CountUnreadNotices(viewer.member->id);
    if (!count) return std::move(count).error();
    return std::make_shared<const std::int64_t>(*count);
  };
  auto count = unread_notices_.FindOrMake(std::to_string(viewer.member->id.value), position, read,
                                          [](std::int64_t) { return sizeof(std::int64_t); });
  if (!count) return std::move(count).error();
  return **count;
}

Result<void> Forum::MarkNoticesRead(const Viewer& viewer, const std::vector<store::NoticeRow>& shown) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to see your messages.");
  std::vector<std::int64_t> ids;
  for (const auto& notice : shown) {
    if (!notice.read_at) ids.push_back(notice.id);
  }
  if (ids.empty()) return Ok();
  return store_.MarkNoticesRead(viewer.member->id, ids, clock_.Now());
}

}  // namespace kindred::forum
