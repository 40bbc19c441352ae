// Care: how the forum looks after people who may be at risk (../shared/SAFETY.md). A post is
// never blocked, delayed or marked because of what it says; its writer is offered help at once
// and privately, and a human is asked to look.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "core/time_format.h"
#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/markdown.h"
#include "forum/validation.h"

namespace kindred::forum {
namespace {

constexpr std::string_view kHelplinesSetting = "helplines";
constexpr std::string_view kCrisisMessageSetting = "support_message_crisis";
constexpr std::string_view kConcernMessageSetting = "support_message_concern";
constexpr std::size_t kSupportMessageMax = 2000;

// Safe-messaging defaults (SAFETY.md): acknowledge, name it plainly, say the post is up.
constexpr std::string_view kDefaultCrisisMessage =
    "Thank you for sharing this. It sounds like things are really hard right now.\n\n"
    "If you are having thoughts of suicide or of hurting yourself, you deserve support right now. Your post is "
    "up, and people here can reply to it.";
constexpr std::string_view kDefaultConcernMessage =
    "Thank you for sharing this. It sounds like you are carrying a lot at the moment.\n\n"
    "If you are having thoughts of suicide or of hurting yourself, you deserve support right now. Your post is "
    "up, and people here can reply to it.";

std::vector<std::string> Paragraphs(std::string_view text) {
  std::vector<std::string> paragraphs;
  std::string normalized = NormalizeNewlines(text);
  std::size_t from = 0;
  while (from < normalized.size()) {
    std::size_t blank = normalized.find("\n\n", from);
    std::string_view piece = std::string_view(normalized).substr(from, blank == std::string::npos ? std::string::npos : blank - from);
    if (!Trim(piece).empty()) paragraphs.emplace_back(Trim(piece));
    if (blank == std::string::npos) break;
    from = blank + 2;
  }
  return paragraphs;
}
constexpr long long kDaySeconds = 24 * 3600;

std::string DescribeCues(const safety::Assessment& assessment) {
  std::string reasons;
  for (const auto& cue : assessment.cues) {
    if (!reasons.empty()) reasons += "; ";
    reasons += (cue.raises ? "" : "lowered by ") + cue.name;
    if (!cue.evidence.empty()) reasons += ": \"" + cue.evidence + "\"";
  }
  return reasons;
}

// The helplines as Markdown list items with one-tap links (tel:, sms:), for notices.
std::string HelplinesMarkdown(const SupportOffer& offer) {
  std::string text;
  for (const auto& helpline : offer.helplines) {
    text += "- **" + helpline.name + "**";
    for (const auto& contact : helpline.contacts) text += " · [" + contact.label + "](" + contact.href + ")";
    text += "\n";
  }
  if (!offer.emergency_number.empty()) {
    text += "\nIf you are in danger right now, call " + offer.emergency_number + ".\n";
  }
  return text;
}

}  // namespace

safety::HelplineDirectory Forum::Helplines() {
  auto saved = store_.GetSetting(kHelplinesSetting);
  if (saved) {
    auto parsed = safety::HelplineDirectory::Parse(*saved);
    if (parsed) return std::move(parsed).value();
    spdlog::warn("the saved helpline directory does not parse ({}); showing the defaults", parsed.error().message);
  }
  return safety::HelplineDirectory::Default();
}

Result<void> Forum::SaveHelplines(const Viewer& viewer, std::string_view tsv) {
  KINDRED_TRY(Guardian::CanEditSafetySettings(viewer));
  auto parsed = safety::HelplineDirectory::Parse(tsv);
  if (!parsed) {
    Error error = std::move(parsed).error();
    error.field = "helplines";
    return error;
  }
  std::string before = store_.GetSetting(kHelplinesSetting).ok() ? "edited directory" : "default directory";
  KINDRED_TRY(store_.PutSetting(kHelplinesSetting, parsed->ToTsv(), clock_.Now()));
  return store_.AppendModlog({0, viewer.member->id, "helplines.edited", "settings", 0, before, "edited directory", "",
                              clock_.Now(), ""});
}

SupportOffer Forum::HelplinesFor(std::string_view country) {
  safety::HelplineDirectory directory = Helplines();
  std::string code(Trim(country));
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (code.empty() || !directory.FindCountry(code)) code = safety_.default_country;
  SupportOffer offer;
  offer.country = code;
  offer.helplines = directory.ForCountry(code);
  if (const safety::Country* found = directory.FindCountry(code)) offer.emergency_number = found->emergency_number;
  return offer;
}

Forum::SupportMessages Forum::SupportMessageTexts() {
  auto crisis = store_.GetSetting(kCrisisMessageSetting);
  auto concern = store_.GetSetting(kConcernMessageSetting);
  return {crisis ? *crisis : std::string(kDefaultCrisisMessage), concern ? *concern : std::string(kDefaultConcernMessage)};
}

Result<void> Forum::SaveSupportMessages(const Viewer& viewer, const SupportMessages& messages) {
  KINDRED_TRY(Guardian::CanEditSafetySettings(viewer));
  for (const auto& [field, text] : {std::pair{"support_crisis", &messages.crisis}, std::pair{"support_concern", &messages.concern}}) {
    if (!IsValidUtf8(*text) || CountCodepoints(*text) > kSupportMessageMax || Trim(*text).empty()) {
      return Error::Invalid(field, "support_message", "Please write a message of up to 2,000 characters.");
    }
  }
  KINDRED_TRY(store_.PutSetting(kCrisisMessageSetting, NormalizeNewlines(messages.crisis), clock_.Now()));
  KINDRED_TRY(store_.PutSetting(kConcernMessageSetting, NormalizeNewlines(messages.concern), clock_.Now()));
  return store_.AppendModlog({0, viewer.member->id, "support_message.edited", "settings", 0, "", "", "", clock_.Now(), ""});
}

Result<std::optional<SupportOffer>> Forum::SupportFor(const Viewer& viewer, PostId post_id, std::string_view country) {
  if (!viewer.signed_in()) return std::optional<SupportOffer>();
  auto post = FindPost(post_id);
  if (!post) return std::move(post).error();
  if (!viewer.is(post->user_id)) return std::optional<SupportOffer>();
  auto items = store_.ListReviewItemsForPost(post_id);
  if (!items) return std::move(items).error();
  for (const auto& item : *items) {
    if (item.kind != store::ReviewKind::kSafety) continue;
    SupportOffer offer = HelplinesFor(country);
    offer.level = item.level == "crisis" ? safety::Level::kCrisis : safety::Level::kConcern;
    SupportMessages texts = SupportMessageTexts();
    offer.message = Paragraphs(offer.level == safety::Level::kCrisis ? texts.crisis : texts.concern);
    return std::optional<SupportOffer>(std::move(offer));
  }
  return std::optional<SupportOffer>();
}

Result<std::pair<safety::Assessment, SupportOffer>> Forum::CheckDraft(const Viewer& viewer, std::string_view text,
                                                                      std::string_view country) {
  if (int wait = limiter_.Take("draft:addr:" + viewer.client_address, safety_.draft_checks_per_address)) {
    return Error::RateLimited(wait);
  }
  if (!IsValidUtf8(text)) return Error::Invalid("text", "invalid_utf8", "Some of the text could not be read.");
  if (CountCodepoints(text) > 20000 + 150) {
    return Error::Invalid("text", "text_too_long", "That is longer than a post can be.");
  }
  safety::Assessment assessment = detector_.Assess(text);
  SupportOffer offer;
  if (assessment.level != safety::Level::kNone) {
    offer = HelplinesFor(country);
    offer.level = assessment.level;
    SupportMessages texts = SupportMessageTexts();
    offer.message = Paragraphs(offer.level == safety::Level::kCrisis ? texts.crisis : texts.concern);
  }
  return std::pair{std::move(assessment), std::move(offer)};
}

void Forum::Notify(const std::vector<store::UserRow>& people, const store::NewNotice& notice) {
  for (const auto& person : people) {
    store::NewNotice copy = notice;
    copy.user = person.id;
    if (auto created = store_.CreateNotice(copy); !created) {
      spdlog::error("could not notify {}: {}", person.username, created.error().message);
    }
  }
}

Result<void> Forum::TellWriter(UserId writer, std::string title, const std::string& markdown, std::string link) {
  store::NewNotice notice;
  notice.user = writer;
  notice.kind = "moderation";
  notice.title = std::move(title);
  notice.body_html = RenderMarkdown(markdown);
  notice.link = std::move(link);
  notice.created_at = clock_.Now();
  auto sent = store_.CreateNotice(notice);
  if (!sent) return std::move(sent).error();
  return Ok();
}

void Forum::AfterPostSaved(const store::PostRow& post, std::string_view title) {
  std::string text = title.empty() ? post.body_markdown : std::string(title) + "\n\n" + post.body_markdown;
  safety::Assessment assessment = detector_.Assess(text);
  if (assessment.level == safety::Level::kNone) return;
  const bool crisis = assessment.level == safety::Level::kCrisis;

  // An edit that still reads the same way does not queue the post twice.
  if (auto existing = store_.ListReviewItemsForPost(post.id); existing) {
    for (const auto& item : *existing) {
      const bool waiting = item.status == store::ReviewStatus::kOpen || item.status == store::ReviewStatus::kEscalated;
      if (item.kind == store::ReviewKind::kSafety && waiting &&
          (item.level == "crisis" || !crisis)) {
        return;
      }
    }
  }
  store::NewReviewItem item;
  item.kind = store::ReviewKind::kSafety;
  item.post = post.id;
  item.priority = crisis ? 2 : 1;
  item.level = std::string(safety::LevelName(assessment.level));
  item.reasons = DescribeCues(assessment);
  item.created_at = clock_.Now();
  auto created = store_.CreateReviewItem(item);
  if (!created) {
    spdlog::error("could not queue post {} for a moderator: {}", post.id.value, created.error().message);
    return;
  }
  auto responders = store_.ListResponders(false);
  if (!responders) return;
  // A moderator who writes such a post is its writer here, not its responder: the others look.
  std::erase_if(*responders, [&](const store::UserRow& person) { return person.id == post.user_id; });
  store::NewNotice notice;
  notice.kind = "safety_alert";
  notice.title = crisis ? "A post may need a moderator now" : "A post may need a gentle look";
  // Notices hold no words from the post, its title or its writer's name: the queue shows those
  // to whoever may see them, and an erased account leaves nothing behind in anyone's inbox.
  notice.body_html = RenderMarkdown(std::string("A post may speak of ") +
                                    (crisis ? "suicide or self-harm now" : "feeling hopeless") +
                                    ". It is in the review queue" + (crisis ? ", at the top." : "."));
  notice.link = "/mod/queue";
  notice.created_at = clock_.Now();
  Notify(*responders, notice);
}

Result<void> Forum::ReportWorry(const Viewer& viewer, PostId post_id, std::string_view note) {
  auto post = ReadPost(viewer, post_id);
  if (!post) return std::move(post).error();
  KINDRED_TRY(Guardian::CanReportWorry(viewer, *post));
  const UnixSeconds now = clock_.Now();
  // The day is the last 24 hours: a report exactly a day old no longer counts.
  auto sent_today = store_.CountWorryReportsBy(viewer.member->id, now - kDaySeconds + 1);
  if (!sent_today) return std::move(sent_today).error();
  if (*sent_today >= safety_.worry_reports_per_reporter_per_day) {
    return Error{ErrorCode::kRateLimited, "worry_limit",
                 "Thank you for looking out for people. You have sent as many of these as we allow in a day; a "
                 "moderator can still be reached with a flag, and the help page lists services for anyone.",
                 {}, static_cast<int>(kDaySeconds)};
  }
  auto writer = store_.FindUserById(post->user_id);
  if (!writer) return std::move(writer).error();
  auto last_message = store_.LastWorryMessageTo(writer->id);
  if (!last_message) return std::move(last_message).error();
  const bool send = !writer->worry_opt_out &&
                    (!*last_message || now - **last_message >= safety_.worry_message_interval_seconds);

  // Moderators see every report, with the reporter, whatever is sent to the writer.
  KINDRED_TRY(store_.CreateReviewItem(
      MemberReport(post_id, "worried", viewer.member->id, std::string(Trim(note)).substr(0, 1000), now)));
  KINDRED_TRY(store_.RecordWorryReport({viewer.member->id, post_id, writer->id, now, send}));
  if (send) {
    SupportOffer offer = HelplinesFor(safety_.default_country);
    store::NewNotice notice;
    notice.user = writer->id;
    notice.kind = "worry";
    notice.title = "Someone here is thinking of you";
    // Never says who: the reporter stays anonymous to the writer.
    notice.body_html = RenderMarkdown(
        "Someone who read your post wanted to check that you are okay. You don't have to reply, and your post "
        "stays up as it is.\n\nIf things feel hard right now, you can talk to someone, free and in confidence:\n\n" +
        HelplinesMarkdown(offer) +
        "\nThe [help page](/help) lists services for other countries. You can turn these messages off on your "
        "[account page](/account). If they feel unwanted or unkind, you can [tell the moderators privately](/p/" +
        std::to_string(post_id.value) + "/worry-unwanted).");
    notice.link = "/help";
    notice.created_at = now;
    KINDRED_TRY(store_.CreateNotice(notice));
  }
  return Ok();
}

Result<void> Forum::ReportUnwantedWorry(const Viewer& viewer, PostId post_id, std::string_view note_text) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in first.");
  auto post = FindPost(post_id);
  if (!post) return std::move(post).error();
  if (!viewer.is(post->user_id)) {
    return Error::Forbidden("not_your_post", "Only the person who wrote this post can send this.");
  }
  auto note = ValidateReason(note_text, false, {}, "note");
  if (!note) return std::move(note).error();
  auto items = store_.ListReviewItemsForPost(post_id);
  if (!items) return std::move(items).error();
  if (std::none_of(items->begin(), items->end(), [](const auto& item) { return IsWorryReport(item); })) {
    return Error::Conflict("no_worry_reports",
                           "Nobody has sent a worried message about this post, so there is nothing here for the "
                           "moderators to look at.");
  }
  // Each note reaches the moderators ("it happened again"); a report without one, while another
  // waits, adds nothing. A handful waiting is enough for them to act on.
  int waiting = 0;
  for (const auto& item : *items) {
    waiting += IsUnwantedWorryReport(item) &&
               (item.status == store::ReviewStatus::kOpen || item.status == store::ReviewStatus::kEscalated);
  }
  if (waiting > 0 && note->empty()) return Ok();
  if (waiting >= kUnwantedWorryReportsWaitingMax) {
    return Error::Invalid("note", "notes_waiting",
                          "The moderators already have several notes from you about this post, and will read them "
                          "soon. Your words are still here if you would like to keep them.");
  }
  // No reporter: the writer of an anonymous post is revealed only through the logged reveal.
  KINDRED_TRY(store_.CreateReviewItem(
      MemberReport(post_id, kUnwantedWorryReason, std::nullopt, std::move(*note), clock_.Now())));
  return Ok();
}

Result<std::vector<std::string>> Forum::WorryReporters(const Viewer& viewer, PostId post) {
  KINDRED_TRY(Guardian::CanReview(viewer));
  auto items = store_.ListReviewItemsForPost(post);  // oldest first
  if (!items) return std::move(items).error();
  std::vector<std::string> names;
  for (const auto& item : *items) {
    if (!IsWorryReport(item) || item.reporter_name.empty()) continue;
    if (std::find(names.begin(), names.end(), item.reporter_name) == names.end()) names.push_back(item.reporter_name);
  }
  return names;
}

Result<void> Forum::SetWorryOptOut(const Viewer& viewer, bool opt_out) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to change your settings.");
  auto user = store_.FindUserById(viewer.member->id);
  if (!user) return std::move(user).error();
  return store_.SetWorryOptOut(user->id, opt_out);
}

Result<int> Forum::RaiseWaitingForReply() {
  const UnixSeconds now = clock_.Now();
  auto waiting = store_.ListUnansweredSafetyItems(now - safety_.waiting_for_reply_seconds);
  if (!waiting) return std::move(waiting).error();
  if (waiting->empty()) return 0;
  auto responders = store_.ListResponders(true);
  if (!responders) return std::move(responders).error();
  int raised = 0;
  for (const auto& item : *waiting) {
    KINDRED_TRY(store_.MarkWaitingRaised(item.id, now));
    std::vector<store::UserRow> others;
    for (const auto& person : *responders) {
      if (person.id != item.writer) others.push_back(person);
    }
    store::NewNotice notice;
    notice.kind = "waiting_for_reply";
    notice.title = "Waiting for a reply";
    notice.body_html = RenderMarkdown("A post that may need support has had no reply for " +
                                      FormatDuration(std::max<long long>(60, safety_.waiting_for_reply_seconds)) +
                                      ". A kind word from someone who has been there can help.");
    notice.link = "/p/" + std::to_string(item.post.value);
    notice.created_at = now;
    Notify(others, notice);
    ++raised;
  }
  return raised;
}

Result<int> Forum::RemindOfWaitingCrisisItems() {
  const UnixSeconds now = clock_.Now();
  auto waiting = store_.ListCrisisItemsToRemind(now - safety_.crisis_reminder_seconds);
  if (!waiting) return std::move(waiting).error();
  if (waiting->empty()) return 0;
  auto responders = store_.ListResponders(false);
  if (!responders) return std::move(responders).error();
  int reminded = 0;
  for (const auto& item : *waiting) {
    auto claimed = store_.ClaimCrisisReminder(item.id, now);
    if (!claimed) return std::move(claimed).error();
    if (!*claimed) continue;
    // Their own post: the others look. An escalated item waits for an admin, unless there is none.
    std::vector<store::UserRow> people, admins;
    for (const auto& person : *responders) {
      if (person.id == item.writer) continue;
      people.push_back(person);
      if (person.role == store::Role::kAdmin) admins.push_back(person);
    }
    const bool escalated = item.status == store::ReviewStatus::kEscalated && !admins.empty();
    if (escalated) people = std::move(admins);
    store::NewNotice notice;
    notice.kind = "crisis_reminder";
    notice.title = escalated ? "Still waiting for an admin: a post may need someone now"
                             : "Still waiting for a moderator: a post may need someone now";
    // Like the first alert, it holds no words from the post and no name.
    notice.body_html = RenderMarkdown(
        "A post that may speak of suicide or self-harm now has waited " +
        FormatDuration(std::max<long long>(60, now - item.created_at)) + " in the review queue" +
        (escalated ? ", escalated, without an admin's decision." : " without a moderator's decision.") +
        " If you can, please look now. If you can't, that's okay: this reminder went to every " +
        (escalated ? "admin." : "moderator and admin."));
    notice.link = "/mod/queue#r" + std::to_string(item.id);
    notice.created_at = now;
    Notify(people, notice);
    ++reminded;
  }
  return reminded;
}

}  // namespace kindred::forum
