// Pages: the review queue and the moderation log, for moderators and admins.
//
// What moderators need from SAFETY.md (point 9): the most urgent first, how long each person has
// waited, why it was raised, the post's words behind a "Read the post" they choose to open (hard
// content is not pushed at them), templates to start a message from, an escalation path, and a
// record of every human decision. Kindred itself never contacts anyone outside the forum.
#include <algorithm>
#include <cmath>

#include "core/text.h"
#include "forum/guardian.h"
#include "web/pages.h"
#include "core/time_format.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

// forum/review.cc's page sizes: a full page means there may be another after it.
constexpr std::size_t kModlogPerPage = 50;

// The first words of a message template, as its name in the picker.
constexpr std::size_t kTemplateLabelCodepoints = 70;

// A failed form on one item, shown again open, with what the moderator wrote.
struct FailedReviewForm {
  std::int64_t item_id = 0;
  // Which of the item's forms: "action" (the note and quick buttons), "hide", "edit", "delete", "move",
  // "warn", "suspend", "message" or "emergency".
  std::string form = "action";
  std::string text;  // the note, reason or message
  std::string body;  // edit: the new text
  std::string topic;
  std::string days;
  Error error;
};

// Each action's own small form, beside the quick buttons: these need words (or a number) the
// writer or the record will read, so they open on their own instead of sharing one note box.
std::string_view FormFor(forum::ReviewAction action) {
  using A = forum::ReviewAction;
  switch (action) {
    case A::kHide:
      return "hide";
    case A::kEdit:
      return "edit";
    case A::kDelete:
      return "delete";
    case A::kMove:
      return "move";
    case A::kWarn:
      return "warn";
    case A::kSuspend:
      return "suspend";
    case A::kRecordEmergencyContact:
      return "emergency";
    default:
      return "action";
  }
}

// How long a suspension form suggests: a week is a pause, not a punishment, and easy to lift.
constexpr int kDefaultSuspendDays = 7;

// Flag reasons as the flagger chose them (forum::Forum::FlagPost's names).
std::string FlagReasonText(std::string_view reason) {
  if (reason == "unkind") return "unkind or abusive";
  if (reason == "spam") return "spam";
  if (reason == "misplaced") return "off-topic or in the wrong place";
  if (reason == "worried") return "worried about this person";
  if (reason == forum::kUnwantedWorryReason) return "the writer finds the “I'm worried” messages about this post unwanted";
  if (reason == "other") return "something else";
  return std::string(reason);  // a watched word: "watched word \"...\""
}

std::string_view StatusLabel(store::ReviewStatus status) {
  switch (status) {
    case store::ReviewStatus::kOpen:
      return "Open";
    case store::ReviewStatus::kHandled:
      return "Handled";
    case store::ReviewStatus::kEscalated:
      return "Escalated: waiting for an admin";
    case store::ReviewStatus::kDismissed:
      return "Closed, nothing needed";
  }
  return "Open";
}

// The label says what kind of look is needed, calmly: "urgent" is a fact for a moderator on
// duty, not an alarm. The writer never sees any of these.
std::string KindLabel(const store::ReviewItemRow& item) {
  switch (item.kind) {
    case store::ReviewKind::kSafety:
      return item.level == "crisis" ? "Urgent: may be at risk now" : "Gentle look: may be struggling";
    case store::ReviewKind::kFlag:
      if (item.reasons == "worried") return "A member is worried about this person";
      if (forum::IsUnwantedWorryReport(item)) return "Worry messages feel unwanted to the writer";
      return item.reporter ? "Flagged by a member" : "Flagged by a watched word";
    case store::ReviewKind::kMisplaced:
      return "Possibly misplaced";
    case store::ReviewKind::kHeld:
      return "Held for review";
  }
  return "For review";
}

Data ItemData(const Site& site, const store::ReviewItemRow& item, bool anonymous, const FailedReviewForm* failed) {
  Data data;
  const bool safety = item.kind == store::ReviewKind::kSafety;
  data.set("id", ToString(item.id));
  data.set("version", ToString(item.version));
  data.set("label", KindLabel(item));
  data.set("urgent", safety && item.level == "crisis");
  data.set("post_id", ToString(item.post.value));
  data.set("post_url", "/p/" + ToString(item.post.value));
  data.set("topic_title", item.topic_title.empty() ? std::string("A conversation") : item.topic_title);
  // An anonymous writer stays anonymous here too: a moderator who must know reveals them, with a
  // reason that goes in the modlog (Forum::RevealAnonymous).
  data.set("anonymous", anonymous);
  data.set("writer", anonymous ? std::string("Anonymous member") : item.writer_name);
  data.set("writer_named", !anonymous);
  data.set("writer_url", http::UrlEncode(item.writer_name));
  data.set("message_to", anonymous ? std::string("the writer") : item.writer_name);
  data.set("age_verb", safety ? "posted" : "reported");
  Data since = site.Time(item.created_at);
  since.set("age", ToString(std::max<std::int64_t>(0, site.Now() - item.created_at)));  // for the script's ticking
  data.set("since", since);
  if (safety) {
    data.set("reply_text", item.first_reply_at
                               ? "first reply after " + FormatDuration(*item.first_reply_at - item.created_at)
                               : std::string("no reply yet"));
  }
  if (item.reporter) {
    data.set("reporter", item.reporter_name);
    data.set("reporter_url", http::UrlEncode(item.reporter_name));
    SetIfPresent(data, "note", item.note);
  } else if (forum::IsUnwantedWorryReport(item)) {
    SetIfPresent(data, "writer_note", item.note);  // the writer's own words, without their name
  }
  if (item.kind == store::ReviewKind::kFlag) {
    data.set("flag_reason", FlagReasonText(item.reasons));
  } else if (item.kind == store::ReviewKind::kMisplaced && item.suggested_topic) {
    // Where it probably belongs, and how sure the index was: a guess for a person to weigh.
    Data suggested;
    suggested.set("url", "/t/" + ToString(item.suggested_topic->value));
    suggested.set("title", item.suggested_title.empty() ? std::string("another conversation") : item.suggested_title);
    suggested.set("score", ToString(std::lround(std::clamp(item.score, 0.0, 1.0) * 100)) + "%");
    data.set("suggested", suggested);
  } else {
    std::string reasons = item.reasons;  // cue names read as words: "suicidal_thoughts" -> "suicidal thoughts"
    std::replace(reasons.begin(), reasons.end(), '_', ' ');
    SetIfPresent(data, "reasons", reasons);
    data.set("reasons_label", item.kind == store::ReviewKind::kHeld ? "Held" : "What was noticed");
    // A safety item's cues quote the post's words ("the pills ... take them all"): they stay
    // folded away with the post, so no one meets them before choosing to read.
    data.set("quotes_the_post", item.kind == store::ReviewKind::kSafety);
  }
  data.set("post_html", item.post_html);  // sanitised by cmark-gfm's safe mode when saved

  // Escalated, it still waits, with its actions: for an admin, or any moderator meanwhile.
  const bool open = item.status == store::ReviewStatus::kOpen || item.status == store::ReviewStatus::kEscalated;
  data.set("open", open);
  if (item.status != store::ReviewStatus::kOpen) {
    Data resolved;
    resolved.set("status_label", std::string(StatusLabel(item.status)));
    if (item.resolved_at) resolved.set("resolved_at", site.Time(*item.resolved_at));
    SetIfPresent(resolved, "resolution_note", item.resolution_note);
    data.set("resolved", resolved);
  }

  // The actions this kind of item offers (forum::ActionsFor), each as a button or a small form.
  // Dismissing means something different for each kind, so its button says which.
  const bool failed_here = failed && failed->item_id == item.id;
  auto failed_form = [&](std::string_view form) -> const FailedReviewForm* {
    return failed_here && failed->form == form ? failed : nullptr;
  };
  auto form_data = [&](std::string_view form) {
    Data fields;
    const FailedReviewForm* kept = failed_form(form);
    fields.set("open", kept != nullptr);
    fields.set("text", kept ? kept->text : std::string());
    if (kept) ShowFormError(fields, kept->error, {}, "", std::nullopt);
    return fields;
  };
  for (forum::ReviewAction action : forum::ActionsFor(item)) {
    using A = forum::ReviewAction;
    switch (action) {
      case A::kHandled:
        data.set("offers_handled", true);
        break;
      case A::kEscalate:
        data.set("offers_escalate", true);
        break;
      case A::kApprove:
        data.set("offers_approve", true);
        break;
      case A::kHide:
        data.set("hide", form_data("hide"));
        break;
      case A::kDismiss:
        data.set("dismiss_label", safety || forum::IsWorryReport(item) || forum::IsUnwantedWorryReport(item)
                                      ? "Nothing needed"
                                  : item.kind == store::ReviewKind::kMisplaced ? "It is in the right place"
                                                                               : "Dismiss the flag: nothing wrong");
        break;
      case A::kRecordEmergencyContact:
        data.set("emergency", form_data("emergency"));
        break;
      case A::kWarn:
        data.set("warn", form_data("warn"));
        break;
      case A::kDelete:
        data.set("delete", form_data("delete"));
        break;
      case A::kEdit: {
        Data edit = form_data("edit");
        const FailedReviewForm* kept = failed_form("edit");
        edit.set("body", kept ? kept->body : item.post_markdown);
        data.set("edit", edit);
        break;
      }
      case A::kMove: {
        Data move = form_data("move");
        const FailedReviewForm* kept = failed_form("move");
        move.set("topic", kept                   ? kept->topic
                          : item.suggested_topic ? ToString(item.suggested_topic->value)
                                                 : std::string());
        data.set("move", move);
        break;
      }
      case A::kSuspend: {
        Data suspend = form_data("suspend");
        const FailedReviewForm* kept = failed_form("suspend");
        suspend.set("days", kept ? kept->days : ToString(kDefaultSuspendDays));
        data.set("suspend", suspend);
        break;
      }
    }
  }
  data.set("action_text", failed_form("action") ? failed->text : std::string());
  if (const FailedReviewForm* kept = failed_form("action")) ShowFormError(data, kept->error, {}, "item_", std::nullopt);
  data.set("message", form_data("message"));
  if (anonymous) data.set("reveal", form_data("reveal"));
  return data;
}

std::string DoneText(std::string_view done) {
  if (done == "handled") return "Marked handled. Thank you.";
  if (done == "escalate") return "Escalated: the admins have been told.";
  if (done == "dismiss") return "Closed with nothing needed. A post hidden by flags is shown again.";
  if (done == "approve") return "Approved: the post is shown.";
  if (done == "hide") return "Hidden: only its writer and the moderators can see the post now. The writer can read your reason.";
  if (done == "edit") return "Edited. The writer can read your reason.";
  if (done == "delete") return "Removed. The writer can read your reason.";
  if (done == "move") return "Moved to the other topic.";
  if (done == "warn") return "Your word was sent privately to the writer.";
  if (done == "suspend") return "The writer can read but not post until the suspension ends.";
  if (done == "emergency_contacted") return "Recorded in the moderation log. The item stays open for follow-up.";
  if (done == "message") return "Your message was sent privately.";
  return {};
}

struct QueueRequest {
  bool open = true;
  int page = 1;
  std::string done;
  // Another moderator acted on this item first: it is shown at the top as it now is.
  std::int64_t conflict_item = 0;
};

Result<http::Response> QueuePage(const Site& site, const forum::Viewer& viewer, const QueueRequest& query,
                                 const FailedReviewForm* failed) {
  bool more = false;
  auto items = site.forum.ReviewQueue(viewer, query.open, query.page, &more);
  if (!items.ok()) return std::move(items).error();
  // Most urgent first, whatever order the store keeps: crisis above everything else.
  std::stable_sort(items->begin(), items->end(), [](const auto& a, const auto& b) { return a.priority > b.priority; });

  const bool conflict = query.conflict_item > 0;
  if (conflict) {
    auto fresh = site.forum.ReviewItem(viewer, query.conflict_item);
    if (!fresh.ok()) return std::move(fresh).error();
    std::erase_if(*items, [&](const auto& item) { return item.id == fresh->id; });
    items->insert(items->begin(), *std::move(fresh));
  }

  Data data = site.Base(viewer);
  data.set("is_admin", viewer.is_admin());
  data.set("show_open", query.open);
  SetIfPresent(data, "done_text", DoneText(query.done));
  data.set("conflict", conflict);
  Data list{Data::type::list};
  for (const auto& item : *items) {
    // The queue keeps the post's writer; whether they asked to be anonymous is the post's.
    auto post = site.forum.FindPost(item.post);
    if (!post.ok() && post.error().code != ErrorCode::kNotFound) return std::move(post).error();
    Data entry = ItemData(site, item, post.ok() && post->anonymous, failed);
    if (forum::IsUnwantedWorryReport(item)) {
      auto senders = site.forum.WorryReporters(viewer, item.post);
      if (!senders.ok()) return std::move(senders).error();
      Data names{Data::type::list};
      for (const auto& name : *senders) {
        Data sender;
        sender.set("name", name);
        sender.set("panel_url", "/mod/members/" + http::UrlEncode(name));
        sender.set("more", &name != &senders->back());
        names.push_back(sender);
      }
      if (!senders->empty()) {
        entry.set("worry_senders", names);
        entry.set("has_worry_senders", true);
      }
    }
    list.push_back(std::move(entry));
  }
  data.set("items", list);
  data.set("has_items", !items->empty());
  data.set("empty_text", query.open ? "Nothing is waiting. Thank you for looking after people here."
                                    : "Nothing has been resolved yet.");

  Data templates{Data::type::list};
  std::vector<std::string> texts = site.forum.MessageTemplates();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    Data option;
    option.set("index", ToString(static_cast<std::int64_t>(i + 1)));  // 1-based: "" is "my own words"
    option.set("text", texts[i]);
    option.set("excerpt", Excerpt(texts[i], kTemplateLabelCodepoints));
    templates.push_back(option);
  }
  data.set("templates", templates);

  const int count = more ? query.page + 1 : query.page;
  auto pager = site.templates.Render(
      "pager", PagerData(query.open ? "/mod/queue" : "/mod/queue?status=resolved", {query.page, count}));
  if (!pager.ok()) return std::move(pager).error();
  data.set("pager", std::move(pager).value());

  PageInfo info{query.open ? "Review queue" : "Review queue: resolved", "queue", "", 200};
  if (conflict) {
    info.status = 409;
    return site.Render(viewer, info, "review_queue", data);
  }
  if (failed) return site.RenderFailedForm(viewer, info, "review_queue", data, failed->error);
  return site.Render(viewer, info, "review_queue", data);
}

// A modlog action as words: "marked a review item handled".
std::string ActionText(std::string_view action) {
  static constexpr std::pair<std::string_view, std::string_view> kActions[] = {
      {"review.handled", "marked a review item handled"},
      {"review.escalated", "escalated a review item to the admins"},
      {"review.dismissed", "closed a review item with nothing needed"},
      {"emergency.contacted", "recorded that emergency services were contacted"},
      {"message.sent", "sent a private message to a writer"},
      {"review.approved", "approved a post"},
      {"review.hidden", "hid a post, with a reason for its writer"},
      {"post.shown_again", "showed a post a moderator had hidden"},
      {"review.edited", "edited a post, with a reason for its writer"},
      {"post.edited_by_moderator", "edited a member's post from the post itself"},
      {"support_message.edited", "edited the support message"},
      {"review.deleted", "removed a post, with a reason for its writer"},
      {"review.moved", "moved a reply to another topic"},
      {"review.warned", "sent a writer a warning"},
      {"review.suspended", "suspended a writer from a review item"},
      {"user.suspended", "suspended a member"},
      {"user.unsuspended", "lifted a member's suspension"},
      {"trust.set", "set a member's trust level"},
      {"role.set", "changed a member's role"},
      {"topic.slow_mode", "changed a topic's slow mode"},
      {"topic.moderated", "pinned, closed or moved a topic"},
      {"watched_word.added", "added a watched word"},
      {"watched_word.removed", "removed a watched word"},
      {"anonymous.revealed", "revealed who wrote an anonymous post"},
      {"helplines.edited", "edited the helpline directory"},
      {"templates.edited", "edited the message templates"},
      {"supporter.added", "marked a member as a trusted supporter"},
      {"supporter.removed", "removed a trusted supporter"},
  };
  for (const auto& [key, text] : kActions) {
    if (key == action) return std::string(text);
  }
  return std::string(action);
}

}  // namespace

Result<http::Response> Pages::ReviewQueue(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto page = PageParam(request);
  if (!page.ok()) return std::move(page).error();
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  QueueRequest queue{query->Get("status") != "resolved", *page, query->Get("done"), 0};
  return QueuePage(*impl_, viewer, queue, nullptr);
}

Result<http::Response> Pages::ActOnReview(const http::Request& request, const forum::Viewer& viewer) const {
  std::int64_t id = request.IdParam("id");
  if (id <= 0) return Error::NotFound("review_not_found", "We could not find that review item.");
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& action_name = form->Get("action");
  auto action = forum::ParseReviewAction(action_name);
  if (!action) return Error::Invalid("action", "unknown_action", "Please choose what to do with this item.");
  forum::ReviewActionInput input;
  input.action = *action;
  input.version = static_cast<int>(form->GetInt("version", 0));
  input.reason = TextareaValue(*form, "reason");
  input.body = TextareaValue(*form, "body");
  input.suspend_days = static_cast<int>(form->GetInt("suspend_days", 0));
  if (long long topic = form->GetInt("topic", 0); topic > 0) input.topic = TopicId{topic};
  auto done = forum_.ActOnReview(viewer, id, input);
  if (done.ok()) return http::Response::Redirect("/mod/queue?done=" + action_name + "#r" + ToString(id));

  Error error = std::move(done).error();
  if (error.code == ErrorCode::kConflict) return QueuePage(*impl_, viewer, {true, 1, "", id}, nullptr);
  if (!IsFormError(error.code)) return error;
  FailedReviewForm failed{id,
                          std::string(FormFor(*action)),
                          input.reason,
                          input.body,
                          form->Get("topic"),
                          form->Get("suspend_days"),
                          std::move(error)};
  return QueuePage(*impl_, viewer, {}, &failed);
}

Result<http::Response> Pages::MessageWriter(const http::Request& request, const forum::Viewer& viewer) const {
  std::int64_t id = request.IdParam("id");
  if (id <= 0) return Error::NotFound("review_not_found", "We could not find that review item.");
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  std::string message = TextareaValue(*form, "message");
  // Without script, choosing a starting point cannot fill the box: an empty box with a chosen
  // template sends that template as it is.
  if (long long number = form->GetInt("template", 0); Trim(message).empty() && number > 0) {
    std::vector<std::string> templates = forum_.MessageTemplates();
    if (static_cast<std::size_t>(number) <= templates.size()) message = templates[number - 1];
  }
  auto sent = forum_.MessageWriter(viewer, id, message);
  if (sent.ok()) return http::Response::Redirect("/mod/queue?done=message#r" + ToString(id));
  Error error = std::move(sent).error();
  if (!IsFormError(error.code)) return error;
  FailedReviewForm failed{id, "message", message, "", "", "", std::move(error)};
  return QueuePage(*impl_, viewer, {}, &failed);
}

Result<http::Response> Pages::Modlog(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto page = PageParam(request);
  if (!page.ok()) return std::move(page).error();
  auto entries = forum_.Modlog(viewer, *page);
  if (!entries.ok()) return std::move(entries).error();

  Data data = impl_->Base(viewer);
  Data list{Data::type::list};
  for (const auto& entry : *entries) {
    Data item;
    item.set("actor", entry.actor_name);
    item.set("action", ActionText(entry.action));
    item.set("subject", entry.subject_kind + (entry.subject_id > 0 ? " " + ToString(entry.subject_id) : ""));
    item.set("at", impl_->Time(entry.created_at));
    if (!entry.before.empty() || !entry.after.empty()) {
      item.set("change", (entry.before.empty() ? std::string("—") : entry.before) + " → " +
                             (entry.after.empty() ? std::string("—") : entry.after));
    }
    SetIfPresent(item, "reason", entry.reason);
    list.push_back(item);
  }
  data.set("entries", list);
  data.set("has_entries", !entries->empty());
  const int count = entries->size() >= kModlogPerPage ? *page + 1 : *page;
  auto pager = impl_->templates.Render("pager", PagerData("/mod/log", {*page, count}));
  if (!pager.ok()) return std::move(pager).error();
  data.set("pager", std::move(pager).value());
  return impl_->Render(viewer, {"Moderation log", "queue", "", 200}, "modlog", data);
}

}  // namespace kindred::web
