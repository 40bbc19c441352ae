// Pages: moderation beyond the review queue (issue 5). A member's moderation panel (suspend,
// lift, trust, role), the watched words (admins), slow mode on a topic, the logged reveal of an
// anonymous writer, and the flag form any member uses to ask the moderators to look at a post.
// Permission comes from the forum's guardian: these pages only decide what to show.
#include <algorithm>
#include <array>

#include "core/text.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "web/pages.h"
#include "core/time_format.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

constexpr long long kSecondsPerMinute = 60;

// Slow mode's choices on the topic's moderator tools: a minute calms a quick back-and-forth, an
// hour a heated thread; anything else is "custom" (up to forum's kSlowModeMaxSeconds, a day).
constexpr std::array kSlowModeMinutes = {0, 1, 5, 15, 60};

std::string_view TrustLabel(store::TrustLevel level) {
  switch (level) {
    case store::TrustLevel::kNew:
      return "New member: a few links at most, a slower pace, first posts with links looked at first";
    case store::TrustLevel::kBasic:
      return "Member";
    case store::TrustLevel::kTrusted:
      return "Trusted peer supporter: sees “waiting for a reply” alerts";
  }
  return "Member";
}

// The watched words' actions, explained as the admin page shows them.
struct WatchedActionText {
  store::WatchedAction action;
  std::string_view name;
  std::string_view label;
  std::string_view explanation;
};
constexpr WatchedActionText kWatchedActions[] = {
    {store::WatchedAction::kFlag, "flag", "Flag for review",
     "The post is published as usual and also appears in the review queue, so a moderator can take a look."},
    {store::WatchedAction::kHold, "hold", "Hold for review",
     "The post waits, visible only to its writer, until a moderator approves it. A post that may speak of "
     "risk is never held: the person must be able to reach out."},
    {store::WatchedAction::kReplace, "replace", "Replace",
     "The word is swapped for the words you give (for example a link shortener for its plain address). The "
     "writer sees the change."},
    {store::WatchedAction::kBlock, "block", "Block",
     "The post is refused with a clear message and the writer's text kept, so they can change it. Use this "
     "for spam and slurs only: people here may need to write about hard things in their own words."},
};

std::optional<store::WatchedAction> ParseWatchedAction(std::string_view name) {
  for (const auto& text : kWatchedActions) {
    if (text.name == name) return text.action;
  }
  return std::nullopt;
}

std::string_view WatchedActionLabel(store::WatchedAction action) {
  for (const auto& text : kWatchedActions) {
    if (text.action == action) return text.label;
  }
  return "Flag for review";
}

Result<PostId> PostFromPath(const http::Request& request) {
  long long id = request.IdParam("id");
  if (id <= 0) return Error::NotFound("post_not_found", "We could not find that post.");
  return PostId(id);
}

// ---- A member's moderation panel ----

// What a failed panel form brings back: which form, what was typed, and why.
struct FailedPanelForm {
  std::string form;  // "suspend", "trust", "role"
  std::string days;
  std::string reason;
  Error error;
};

std::string PanelDoneText(std::string_view done) {
  if (done == "suspended") return "Suspended. They have been told privately, with your reason.";
  if (done == "lifted") return "The suspension is lifted: they can post again.";
  if (done == "trust") return "Trust level saved.";
  if (done == "role") return "Role saved.";
  return {};
}

Result<http::Response> MemberPanelPage(const Site& site, const forum::Viewer& viewer, std::string_view username,
                                       std::string_view done, const FailedPanelForm* failed) {
  KINDRED_TRY(forum::Guardian::CanReview(viewer));
  auto profile = site.forum.Profile(viewer, username, 1);
  if (!profile.ok()) return std::move(profile).error();
  const store::UserRow& user = profile->user;
  const UnixSeconds now = site.Now();

  Data data = site.Base(viewer);
  data.set("username", user.username);
  data.set("url", "/mod/members/" + http::UrlEncode(user.username));
  data.set("profile_url", "/u/" + http::UrlEncode(user.username));
  data.set("role_label", user.role == store::Role::kAdmin       ? "Admin"
                         : user.role == store::Role::kModerator ? "Moderator"
                                                                : "Member");
  data.set("trust_label", std::string(TrustLabel(user.trust_level)));
  data.set("trust_pinned", user.trust_pinned);
  data.set("since", site.Time(user.created_at));
  data.set("posts_text", Plural(profile->post_count, "post", "posts"));
  data.set("flags_text",
           Plural(user.flags_upheld, "flag", "flags") + " upheld, " + ToString(user.flags_rejected) + " turned down");
  SetIfPresent(data, "done_text", PanelDoneText(done));
  if (user.suspended_at(now)) {
    Data suspended;
    suspended.set("until", site.Time(*user.suspended_until));
    SetIfPresent(suspended, "reason", user.suspended_reason);
    data.set("suspended", suspended);
  }

  auto kept = [&](std::string_view form) { return failed && failed->form == form ? failed : nullptr; };
  if (forum::Guardian::CanSuspend(viewer, user).ok()) {
    Data suspend;
    const FailedPanelForm* form = kept("suspend");
    suspend.set("days", form ? form->days : std::string("7"));
    suspend.set("reason", form ? form->reason : std::string());
    if (form) ShowFormError(suspend, form->error, {"days", "reason"}, "", "suspend-");
    suspend.set("lift", user.suspended_at(now));
    data.set("can_suspend", suspend);
  }
  if (forum::Guardian::CanSetTrust(viewer).ok()) {
    Data options{Data::type::list};
    for (store::TrustLevel level : forum::kTrustLevels) {
      Data option;
      option.set("value", std::string(forum::TrustLevelName(level)));
      option.set("label", std::string(TrustLabel(level)));
      option.set("selected", level == user.trust_level);
      options.push_back(option);
    }
    Data trust;
    trust.set("options", options);
    if (const FailedPanelForm* form = kept("trust")) ShowFormError(trust, form->error, {}, "", std::nullopt);
    data.set("can_set_trust", trust);
  }
  if (forum::Guardian::CanSetRole(viewer, user).ok()) {
    Data role;
    role.set("moderator", user.role == store::Role::kModerator);
    if (const FailedPanelForm* form = kept("role")) ShowFormError(role, form->error, {}, "", std::nullopt);
    data.set("can_set_role", role);
  }
  PageInfo info{"Moderation: " + user.username, "queue", "", 200};
  if (failed) return site.RenderFailedForm(viewer, info, "mod_member", data, failed->error);
  return site.Render(viewer, info, "mod_member", data);
}

http::Response BackToPanel(std::string_view username, std::string_view done) {
  return http::Response::Redirect("/mod/members/" + http::UrlEncode(username) + "?done=" + std::string(done));
}

// ---- Watched words ----

struct FailedWatchedWord {
  std::string pattern;
  std::string action;
  std::string replacement;
  Error error;
};

Result<http::Response> WatchedWordsPage(const Site& site, const forum::Viewer& viewer, std::string_view done,
                                        const FailedWatchedWord* failed) {
  auto words = site.forum.WatchedWords(viewer);
  if (!words.ok()) return std::move(words).error();
  Data data = site.Base(viewer);
  Data list{Data::type::list};
  for (const auto& word : *words) {
    Data item;
    item.set("id", ToString(word.id));
    item.set("pattern", word.pattern);
    item.set("action_label", std::string(WatchedActionLabel(word.action)));
    SetIfPresent(item, "replacement", word.replacement);
    item.set("added", site.Time(word.created_at));
    list.push_back(item);
  }
  data.set("words", list);
  data.set("has_words", !words->empty());
  const std::string chosen = failed ? failed->action : std::string("flag");
  Data actions{Data::type::list};
  for (const auto& text : kWatchedActions) {
    Data action;
    action.set("value", std::string(text.name));
    action.set("label", std::string(text.label));
    action.set("explanation", std::string(text.explanation));
    action.set("checked", text.name == chosen);
    actions.push_back(action);
  }
  data.set("actions", actions);
  data.set("pattern", failed ? failed->pattern : std::string());
  data.set("replacement", failed ? failed->replacement : std::string());
  if (done == "added") data.set("done_text", "Added. It applies to every post written from now on.");
  if (done == "removed") data.set("done_text", "Removed. Posts are no longer checked for it.");
  if (failed) ShowFormError(data, failed->error, {"pattern", "action", "replacement"}, "", "ww-");
  PageInfo info{"Watched words", "admin", "", 200};
  if (failed) return site.RenderFailedForm(viewer, info, "watched_words", data, failed->error);
  return site.Render(viewer, info, "watched_words", data);
}

// ---- Reveal and flag, one post each ----

Result<http::Response> RevealPage(const Site& site, const forum::Viewer& viewer, const store::PostRow& post,
                                  const store::UserRow* writer, const std::string& reason, const Error* error) {
  Data data = site.Base(viewer);
  data.set("post_id", ToString(post.id.value));
  data.set("post_url", "/p/" + ToString(post.id.value));
  data.set("reason", reason);
  if (writer) {
    Data revealed;
    revealed.set("username", writer->username);
    revealed.set("profile_url", "/u/" + http::UrlEncode(writer->username));
    revealed.set("panel_url", "/mod/members/" + http::UrlEncode(writer->username));
    data.set("revealed", revealed);
  }
  if (error) ShowFormError(data, *error, {"reason"}, "", "reveal-");
  PageInfo info{"Who wrote this anonymous post", "queue", "", 200};
  if (error) return site.RenderFailedForm(viewer, info, "reveal", data, *error);
  return site.Render(viewer, info, "reveal", data);
}

constexpr std::pair<std::string_view, std::string_view> kFlagReasons[] = {
    {"unkind", "Unkind or abusive"},
    {"spam", "Spam or advertising"},
    {"misplaced", "Off-topic, or in the wrong place"},
    {"worried", "I'm worried about this person"},
    {"other", "Something else (please say what in the note)"},
};

Result<http::Response> FlagPage(const Site& site, const forum::Viewer& viewer, const store::PostRow& post, bool sent,
                                std::string_view reason, const std::string& note, const Error* error) {
  Data data = site.Base(viewer);
  data.set("post_id", ToString(post.id.value));
  data.set("post_url", "/p/" + ToString(post.id.value));
  data.set("sent", sent);
  Data reasons{Data::type::list};
  for (const auto& [value, label] : kFlagReasons) {
    Data option;
    option.set("value", std::string(value));
    option.set("label", std::string(label));
    option.set("checked", value == reason);
    reasons.push_back(option);
  }
  data.set("reasons", reasons);
  data.set("note", note);
  if (error) ShowFormError(data, *error, {"reason", "note"}, "", "flag-");
  PageInfo info{"Ask the moderators to look at a post", "", "", 200};
  if (error) return site.RenderFailedForm(viewer, info, "flag", data, *error);
  return site.Render(viewer, info, "flag", data);
}

}  // namespace

// ---- Hooks the topic page calls (declared in pages_internal.h) ----

void SetSlowModeControls(Data& data, const store::TopicRow& topic) {
  const int minutes = static_cast<int>(topic.slow_mode_seconds / kSecondsPerMinute);
  const bool preset = topic.slow_mode_seconds % kSecondsPerMinute == 0 &&
                      std::find(kSlowModeMinutes.begin(), kSlowModeMinutes.end(), minutes) != kSlowModeMinutes.end();
  Data options{Data::type::list};
  for (int choice : kSlowModeMinutes) {
    Data option;
    option.set("value", ToString(choice));
    option.set("label", choice == 0 ? std::string("Off") : "One reply every " + Plural(choice, "minute", "minutes"));
    option.set("selected", preset && choice == minutes);
    options.push_back(option);
  }
  data.set("slow_mode_options", options);
  data.set("slow_mode_custom", !preset);
  data.set("slow_mode_custom_minutes", preset ? std::string() : ToString((topic.slow_mode_seconds + 59) / 60));
}

void SetSlowModeNote(Data& data, const store::TopicRow& topic) {
  if (topic.slow_mode_seconds <= 0) return;
  data.set("slow_mode_text", "This topic is in slow mode: everyone can reply once every " +
                                 FormatDuration(topic.slow_mode_seconds) +
                                 ", so there is time to read and think before answering.");
}

bool ShowsRevealControl(const forum::Viewer& viewer, const store::PostRow& post) {
  return post.anonymous && !viewer.is(post.user_id) && forum::Guardian::CanRevealAnonymous(viewer).ok();
}

// ---- Member panel ----

Result<http::Response> Pages::MemberPanel(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  return MemberPanelPage(*impl_, viewer, request.Param("name"), query->Get("done"), nullptr);
}

Result<http::Response> Pages::SuspendMember(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& name = request.Param("name");
  std::string reason = TextareaValue(*form, "reason");
  auto suspended = forum_.Suspend(viewer, name, static_cast<int>(form->GetInt("days", 0)), reason);
  if (suspended.ok()) return BackToPanel(suspended->username, "suspended");
  Error error = std::move(suspended).error();
  if (!IsFormError(error.code)) return error;
  FailedPanelForm failed{"suspend", form->Get("days"), reason, std::move(error)};
  return MemberPanelPage(*impl_, viewer, name, "", &failed);
}

Result<http::Response> Pages::LiftSuspension(const http::Request& request, const forum::Viewer& viewer) const {
  auto lifted = forum_.LiftSuspension(viewer, request.Param("name"));
  if (!lifted.ok()) return std::move(lifted).error();
  return BackToPanel(lifted->username, "lifted");
}

Result<http::Response> Pages::SetMemberTrust(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& name = request.Param("name");
  std::optional<store::TrustLevel> level = forum::ParseTrustLevel(form->Get("level"));
  Result<store::UserRow> set =
      level ? forum_.SetTrustLevel(viewer, name, *level)
            : Result<store::UserRow>(Error::Invalid("level", "trust_level", "Please choose a trust level."));
  if (set.ok()) return BackToPanel(set->username, "trust");
  Error error = std::move(set).error();
  if (!IsFormError(error.code)) return error;
  FailedPanelForm failed{"trust", "", "", std::move(error)};
  return MemberPanelPage(*impl_, viewer, name, "", &failed);
}

Result<http::Response> Pages::SetMemberRole(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& name = request.Param("name");
  const std::string& role = form->Get("role");
  Result<store::UserRow> set =
      role == "moderator" || role == "member"
          ? forum_.SetRole(viewer, name, role == "moderator" ? store::Role::kModerator : store::Role::kMember)
          : Result<store::UserRow>(Error::Invalid("role", "role", "Please choose member or moderator."));
  if (set.ok()) return BackToPanel(set->username, "role");
  Error error = std::move(set).error();
  if (!IsFormError(error.code)) return error;
  FailedPanelForm failed{"role", "", "", std::move(error)};
  return MemberPanelPage(*impl_, viewer, name, "", &failed);
}

// ---- Watched words ----

Result<http::Response> Pages::WatchedWords(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  return WatchedWordsPage(*impl_, viewer, query->Get("done"), nullptr);
}

Result<http::Response> Pages::AddWatchedWord(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  FailedWatchedWord typed{form->Get("pattern"), form->Get("action"), form->Get("replacement"), {}};
  auto action = ParseWatchedAction(typed.action);
  Result<store::WatchedWordRow> added =
      action ? forum_.AddWatchedWord(viewer, typed.pattern, *action, typed.replacement)
             : Result<store::WatchedWordRow>(
                   Error::Invalid("action", "watched_action", "Please choose what happens to a post with this word."));
  if (added.ok()) return http::Response::Redirect("/admin/watched-words?done=added");
  typed.error = std::move(added).error();
  if (!IsFormError(typed.error.code)) return typed.error;
  return WatchedWordsPage(*impl_, viewer, "", &typed);
}

Result<http::Response> Pages::RemoveWatchedWord(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id <= 0) return Error::NotFound("watched_word_not_found", "That word is no longer watched.");
  KINDRED_TRY(forum_.RemoveWatchedWord(viewer, id));
  return http::Response::Redirect("/admin/watched-words?done=removed");
}

// ---- Slow mode ----

Result<http::Response> Pages::SetSlowMode(const http::Request& request, const forum::Viewer& viewer) const {
  TopicId id(request.IdParam("id"));
  if (!id.valid()) return Error::NotFound("topic_not_found", "We could not find that topic.");
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  // "custom" takes the number typed beside it; a preset is its own number of minutes.
  const std::string& choice = form->Get("minutes");
  long long minutes = choice == "custom" ? form->GetInt("custom_minutes", -1) : form->GetInt("minutes", -1);
  if (choice == "0") minutes = 0;
  if (minutes < 0 || minutes > forum::kSlowModeMaxSeconds / kSecondsPerMinute) {
    return Error::Invalid("slow_mode_seconds", "slow_mode_range",
                          "Please choose a time between none and one day (1,440 minutes) between replies.");
  }
  auto slowed = forum_.SetSlowMode(viewer, id, static_cast<int>(minutes * kSecondsPerMinute));
  if (!slowed.ok()) return std::move(slowed).error();
  return http::Response::Redirect("/t/" + ToString(id.value) + "#h-mod");
}

// ---- Reveal an anonymous writer ----

Result<http::Response> Pages::RevealForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  KINDRED_TRY(forum::Guardian::CanRevealAnonymous(viewer));
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return std::move(post).error();
  return RevealPage(*impl_, viewer, *post, nullptr, "", nullptr);
}

// The name is shown on the page this POST answers, never put in an address: a redirect would
// leave it in the history, and reloading it must not reveal again without a new reason.
Result<http::Response> Pages::Reveal(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  std::string reason = TextareaValue(*form, "reason");
  auto writer = forum_.RevealAnonymous(viewer, *id, reason);
  Error error;
  if (!writer.ok()) {
    error = std::move(writer).error();
    if (!IsFormError(error.code)) return error;
  }
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return std::move(post).error();
  if (!writer.ok()) return RevealPage(*impl_, viewer, *post, nullptr, reason, &error);
  auto response = RevealPage(*impl_, viewer, *post, &*writer, reason, nullptr);
  if (response.ok()) response->AddHeader("Cache-Control", "no-store");
  return response;
}

// A moderator's hide undone from the post itself, where the moderator finds it.
Result<http::Response> Pages::ShowPostAgain(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  auto shown = forum_.ShowPostAgain(viewer, *id, TextareaValue(*form, "reason"));
  if (!shown.ok()) return std::move(shown).error();
  return http::Response::Redirect("/p/" + ToString(id->value));
}

// ---- Flag a post ----

Result<http::Response> Pages::FlagForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  auto post = forum_.ReadPost(viewer, *id);
  if (!post.ok()) return std::move(post).error();
  KINDRED_TRY(forum::Guardian::CanFlag(viewer, *post));
  return FlagPage(*impl_, viewer, *post, query->Get("sent") == "1", "", "", nullptr);
}

Result<http::Response> Pages::Flag(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& reason = form->Get("reason");
  std::string note = TextareaValue(*form, "note");
  auto flagged = forum_.FlagPost(viewer, *id, reason, note);
  if (flagged.ok()) return http::Response::Redirect("/p/" + ToString(id->value) + "/flag?sent=1");
  Error error = std::move(flagged).error();
  if (!IsFormError(error.code)) return error;
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return error;
  return FlagPage(*impl_, viewer, *post, false, reason, note, &error);
}

}  // namespace kindred::web
