// Moderation: what a post meets before it is saved (watched words, new members' limits, slow
// mode), flags weighed into an automatic hide, trust and suspension, and the logged reveal of an
// anonymous writer. Every moderator or admin action here is written to the modlog.
#include <algorithm>
#include <cmath>
#include <set>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "core/time_format.h"
#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/markdown.h"
#include "forum/validation.h"
#include "forum/watched_words.h"

namespace kindred::forum {
namespace {

constexpr long long kSecondsPerDay = 24 * 3600;

// Links as the reader will meet them: every link in the rendered post, autolinks included.
int CountLinks(std::string_view html) {
  int links = 0;
  for (std::size_t at = html.find("<a "); at != std::string_view::npos; at = html.find("<a ", at + 3)) ++links;
  return links;
}

std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string joined;
  for (const auto& reason : reasons) joined += (joined.empty() ? "" : "; ") + reason;
  return joined;
}

Error UserNotFound() { return Error::Invalid("username", "user_not_found", "We could not find a member with that name."); }

}  // namespace

void Forum::SetModerationRules(const NewMemberRules& new_members, const FlagRules& flags) {
  new_member_rules_ = new_members;
  flag_rules_ = flags;
}

Result<Forum::Screening> Forum::Screen(const Viewer& viewer, std::string_view title, std::string body,
                                       std::string_view content_warning) {
  Screening screening;
  screening.content_warning = std::string(Trim(content_warning));
  if (!IsValidUtf8(screening.content_warning) || CountCodepoints(screening.content_warning) > kContentWarningMax) {
    return Error::Invalid("content_warning", "content_warning_too_long",
                          "Please keep the content warning short: a few words, under 100 characters.");
  }
  // Risk language is never held, blocked or slowed: the person must be able to reach out.
  std::string whole = title.empty() ? body : std::string(title) + "\n\n" + body;
  const bool may_speak_of_risk = detector_.Assess(whole).level != safety::Level::kNone;
  screening.may_speak_of_risk = may_speak_of_risk;

  auto watched = store_.ListWatchedWords();
  if (!watched) return std::move(watched).error();
  for (const auto& match : FindWatchedWords(whole, *watched)) {
    const auto& word = *match.word;
    std::string quoted = "\"" + std::string(std::string_view(whole).substr(match.begin, match.end - match.begin)) + "\"";
    switch (word.action) {
      case store::WatchedAction::kBlock:
        if (may_speak_of_risk) break;
        return Error::Invalid(title.empty() || match.begin >= title.size() ? "body" : "title", "watched_word_blocked",
                              "This community does not allow " + quoted +
                                  ". Please change that part and post again; the rest of your text is kept.");
      case store::WatchedAction::kHold:
        if (may_speak_of_risk) break;
        screening.held = true;
        screening.hold_reasons.push_back("watched word " + quoted);
        break;
      case store::WatchedAction::kFlag:
        screening.flag_reasons.push_back("watched word " + quoted);
        break;
      case store::WatchedAction::kReplace:
        break;
    }
  }
  // Replacements apply to the body; a title with a replaced word is rare enough to leave to review.
  screening.body = ReplaceWatchedWords(body, FindWatchedWords(body, *watched));

  if (viewer.member->trust_level == store::TrustLevel::kNew && !viewer.is_moderator()) {
    const int links = CountLinks(RenderMarkdown(screening.body));
    if (links > new_member_rules_.max_links_per_post) {
      return Error::Invalid("body", "too_many_links",
                            "New members can include up to " + std::to_string(new_member_rules_.max_links_per_post) +
                                " links in a post for now. This keeps spam away; the limit lifts after a few days. "
                                "Your text is kept: please remove a link or two and post again.");
    }
    if (links > 0 && !may_speak_of_risk) {
      auto written = store_.CountPostsByUser(viewer.member->id, true);
      if (!written) return std::move(written).error();
      if (*written < new_member_rules_.held_while_posts_fewer_than) {
        screening.held = true;
        screening.hold_reasons.push_back("a link in one of a new member's first posts");
      }
    }
  }
  return screening;
}

void Forum::AfterScreenedPostSaved(const Viewer& viewer, const store::PostRow& post, const Screening& screening) {
  const UnixSeconds now = clock_.Now();
  auto queue = [&](store::ReviewKind kind, const std::vector<std::string>& reasons) {
    if (reasons.empty()) return;
    store::NewReviewItem item;
    item.kind = kind;
    item.post = post.id;
    item.priority = 1;
    item.reasons = JoinReasons(reasons);
    item.created_at = now;
    if (auto created = store_.CreateReviewItem(item); !created) {
      spdlog::error("could not queue post {} for review: {}", post.id.value, created.error().message);
    }
  };
  if (screening.held) queue(store::ReviewKind::kHeld, screening.hold_reasons);
  queue(store::ReviewKind::kFlag, screening.flag_reasons);

  // Trust grows by itself with time and a few posts in good standing; an admin's setting stays.
  if (viewer.member->trust_level != store::TrustLevel::kNew) return;
  auto user = store_.FindUserById(viewer.member->id);
  if (!user || user->trust_pinned || user->trust_level != store::TrustLevel::kNew || user->suspended_at(now)) return;
  if (now - user->created_at < new_member_rules_.basic_after_seconds) return;
  auto written = store_.CountPostsByUser(user->id, true);
  if (!written || *written < new_member_rules_.basic_after_posts) return;
  if (auto raised = store_.SetTrust(user->id, store::TrustLevel::kBasic, false); !raised) {
    spdlog::error("could not raise the trust of member {}: {}", user->id.value, raised.error().message);
  }
}

Result<void> Forum::CheckSlowMode(const Viewer& viewer, const store::TopicRow& topic) {
  if (topic.slow_mode_seconds <= 0 || viewer.is_moderator()) return Ok();
  auto last = store_.LastPostTimeIn(topic.id, viewer.member->id);
  if (!last) return std::move(last).error();
  if (!*last) return Ok();
  const long long wait = **last + topic.slow_mode_seconds - clock_.Now();
  if (wait <= 0) return Ok();
  const long long minutes = (wait + 59) / 60;
  return Error{ErrorCode::kRateLimited, "slow_mode",
               "This topic is in slow mode, so everyone has time to read and reply. You can reply again in " +
                   (minutes <= 1 ? std::string("a minute") : std::to_string(minutes) + " minutes") +
                   "; your text is kept.",
               {}, static_cast<int>(wait)};
}

void Forum::ConsiderAutoHide(PostId post_id) {
  auto post = store_.FindPost(post_id);
  if (!post || post->hidden_at || post->deleted_at) return;
  auto items = store_.ListReviewItemsForPost(post_id);
  if (!items) return;
  std::set<std::int64_t> flaggers;
  for (const auto& item : *items) {
    // A post that may speak of risk, or that someone is worried about, is never hidden by
    // members' flags: a moderator decides.
    if (item.kind == store::ReviewKind::kSafety || (IsWorryReport(item) && item.status == store::ReviewStatus::kOpen)) {
      return;
    }
    if (IsFaultFlag(item) && item.status == store::ReviewStatus::kOpen) flaggers.insert(item.reporter->value);
  }
  double weight = 0;
  for (std::int64_t id : flaggers) {
    auto flagger = store_.FindUserById(UserId{id});
    if (!flagger) continue;
    double by_trust = flagger->role != store::Role::kMember                     ? flag_rules_.weight_trusted
                      : flagger->trust_level == store::TrustLevel::kTrusted ? flag_rules_.weight_trusted
                      : flagger->trust_level == store::TrustLevel::kBasic   ? flag_rules_.weight_basic
                                                                             : flag_rules_.weight_new;
    // Past accuracy, smoothed so a first flag counts fully: (upheld + 1) / (decided + 2), doubled.
    double accuracy = 2.0 * (flagger->flags_upheld + 1) / (flagger->flags_upheld + flagger->flags_rejected + 2);
    weight += by_trust * std::clamp(accuracy, 0.25, 1.5);
  }
  if (weight < flag_rules_.hide_threshold) return;
  auto hidden = store_.SetPostHidden(post_id, clock_.Now(), "flags");
  if (!hidden) {
    spdlog::error("could not hide flagged post {}: {}", post_id.value, hidden.error().message);
    return;
  }
  store::NewNotice notice;
  notice.user = post->user_id;
  notice.kind = "post_hidden";
  notice.title = "Your post is hidden for now";
  notice.body_html = RenderMarkdown(
      "A few members asked the moderators to look at one of your posts, so it is hidden until a moderator "
      "has read it. This is not a decision about you: many posts are shown again after a look. You can still see "
      "it, and edit it if you would like to.");
  notice.link = "/p/" + std::to_string(post_id.value);
  notice.created_at = clock_.Now();
  if (auto sent = store_.CreateNotice(notice); !sent) {
    spdlog::error("could not tell the writer of post {} it is hidden: {}", post_id.value, sent.error().message);
  }
}

Result<store::UserRow> Forum::SetTrustLevel(const Viewer& viewer, std::string_view username, store::TrustLevel level) {
  KINDRED_TRY(Guardian::CanSetTrust(viewer));
  auto user = store_.FindUserByName(username);
  if (!user) return UserNotFound();
  KINDRED_TRY(store_.SetTrust(user->id, level, true));
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, "trust.set", "user", user->id.value,
                                   std::string(TrustLevelName(user->trust_level)), std::string(TrustLevelName(level)), "",
                                   clock_.Now(), ""}));
  return store_.FindUserById(user->id);
}

Result<void> Forum::SetTrustedSupporter(const Viewer& viewer, std::string_view username, bool trusted) {
  auto user = store_.FindUserByName(username);
  if (!user) return UserNotFound();
  // Taking away "trusted" leaves a member basic: they were in good standing to be trusted.
  auto set = SetTrustLevel(viewer, username, trusted ? store::TrustLevel::kTrusted : store::TrustLevel::kBasic);
  if (!set) return std::move(set).error();
  return Ok();
}

Result<store::UserRow> Forum::SetRole(const Viewer& viewer, std::string_view username, store::Role role) {
  auto user = store_.FindUserByName(username);
  if (!user) return UserNotFound();
  KINDRED_TRY(Guardian::CanSetRole(viewer, *user));
  if (role == store::Role::kAdmin) {
    return Error::Invalid("role", "role", "Please choose member or moderator. Admins are made with `kindred admin create`.");
  }
  auto role_name = [](store::Role r) { return std::string(r == store::Role::kModerator ? "moderator" : "member"); };
  KINDRED_TRY(store_.SetRole(user->id, role));
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, "role.set", "user", user->id.value, role_name(user->role),
                                   role_name(role), "", clock_.Now(), ""}));
  return store_.FindUserById(user->id);
}

Result<store::UserRow> Forum::Suspend(const Viewer& viewer, std::string_view username, int days, std::string_view reason_text) {
  auto user = store_.FindUserByName(username);
  if (!user) return UserNotFound();
  KINDRED_TRY(Guardian::CanSuspend(viewer, *user));
  if (days < 1 || days > kSuspendDaysMax) {
    return Error::Invalid("days", "suspend_days", "Please choose between 1 and 365 days.");
  }
  auto reason = ValidateReason(reason_text, true, "Please give the member a reason: they will read it.");
  if (!reason) return std::move(reason).error();
  const UnixSeconds now = clock_.Now();
  const UnixSeconds until = now + days * kSecondsPerDay;
  KINDRED_TRY(store_.SetSuspension(user->id, until, *reason));
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, "user.suspended", "user", user->id.value,
                                   user->suspended_at(now) ? "suspended until " + FormatIso8601(*user->suspended_until)
                                                           : "active",
                                   "suspended until " + FormatIso8601(until), *reason, now, ""}));
  store::NewNotice notice;
  notice.user = user->id;
  notice.kind = "suspended";
  notice.title = "Your account is paused for a while";
  notice.body_html = RenderMarkdown("The moderators have paused your account until " + FormatHuman(until) +
                                    ". You can still read, download your data or delete your account, but not "
                                    "post until then.\n\nTheir note: " + *reason +
                                    "\n\nIf you are finding things hard, the help page (/help) lists people you can "
                                    "talk to at any time.");
  notice.created_at = now;
  KINDRED_TRY(store_.CreateNotice(notice));
  return store_.FindUserById(user->id);
}

Result<store::UserRow> Forum::LiftSuspension(const Viewer& viewer, std::string_view username) {
  auto user = store_.FindUserByName(username);
  if (!user) return UserNotFound();
  KINDRED_TRY(Guardian::CanSuspend(viewer, *user));
  KINDRED_TRY(store_.SetSuspension(user->id, std::nullopt, ""));
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, "user.unsuspended", "user", user->id.value,
                                   user->suspended_until ? "suspended until " + FormatIso8601(*user->suspended_until)
                                                         : "active",
                                   "active", "", clock_.Now(), ""}));
  return store_.FindUserById(user->id);
}

Result<store::TopicRow> Forum::SetSlowMode(const Viewer& viewer, TopicId topic_id, int seconds) {
  KINDRED_TRY(Guardian::CanModerateTopic(viewer));
  if (seconds < 0 || seconds > kSlowModeMaxSeconds) {
    return Error::Invalid("slow_mode_seconds", "slow_mode_range",
                          "Please choose a time between none and one day between replies.");
  }
  auto topic = store_.FindTopic(topic_id);
  if (!topic) {
    if (topic.error().code == ErrorCode::kNotFound) {
      return Error::NotFound("topic_not_found", "We could not find that topic. It may have been moved or deleted.");
    }
    return std::move(topic).error();
  }
  auto updated = store_.SetSlowMode(topic_id, seconds);
  if (!updated) return std::move(updated).error();
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, "topic.slow_mode", "topic", topic_id.value,
                                   std::to_string(topic->slow_mode_seconds) + " s", std::to_string(seconds) + " s", "",
                                   clock_.Now(), ""}));
  return updated;
}

Result<std::vector<store::WatchedWordRow>> Forum::WatchedWords(const Viewer& viewer) {
  KINDRED_TRY(Guardian::CanManageWatchedWords(viewer));
  return store_.ListWatchedWords();
}

Result<store::WatchedWordRow> Forum::AddWatchedWord(const Viewer& viewer, std::string_view pattern_text,
                                                    store::WatchedAction action, std::string_view replacement_text) {
  KINDRED_TRY(Guardian::CanManageWatchedWords(viewer));
  auto pattern = ValidateWatchedPattern(pattern_text);
  if (!pattern) return std::move(pattern).error();
  std::string replacement(Trim(replacement_text));
  if (action == store::WatchedAction::kReplace && (replacement.empty() || CountCodepoints(replacement) > 100)) {
    return Error::Invalid("replacement", "replacement_required",
                          "Please give the words to put in its place (up to 100 characters).");
  }
  if (action != store::WatchedAction::kReplace) replacement.clear();
  store::WatchedWordRow word{0, *pattern, action, replacement, clock_.Now()};
  auto added = store_.AddWatchedWord(word);
  if (!added) {
    if (added.error().code == ErrorCode::kConflict) {
      return Error::Conflict("pattern_taken", "That word is already watched. Remove it first to change its action.",
                             "pattern");
    }
    return std::move(added).error();
  }
  KINDRED_TRY(store_.AppendModlog({0, viewer.member->id, "watched_word.added", "watched_word", added->id, "",
                                   added->pattern + " (" + std::string(WatchedActionName(action)) + ")", "",
                                   clock_.Now(), ""}));
  return added;
}

Result<void> Forum::RemoveWatchedWord(const Viewer& viewer, std::int64_t id) {
  KINDRED_TRY(Guardian::CanManageWatchedWords(viewer));
  auto words = store_.ListWatchedWords();
  if (!words) return std::move(words).error();
  auto found = std::find_if(words->begin(), words->end(), [&](const auto& word) { return word.id == id; });
  if (found == words->end()) return Error::NotFound("watched_word_not_found", "That word is no longer watched.");
  KINDRED_TRY(store_.RemoveWatchedWord(id));
  return store_.AppendModlog({0, viewer.member->id, "watched_word.removed", "watched_word", id,
                              found->pattern + " (" + std::string(WatchedActionName(found->action)) + ")", "", "",
                              clock_.Now(), ""});
}

Result<store::UserRow> Forum::RevealAnonymous(const Viewer& viewer, PostId post_id, std::string_view reason_text) {
  KINDRED_TRY(Guardian::CanRevealAnonymous(viewer));
  auto reason = ValidateReason(reason_text, true,
                               "Please note why you need to know who wrote this. The reveal is kept in the modlog.");
  if (!reason) return std::move(reason).error();
  auto post = FindPost(post_id);
  if (!post) return std::move(post).error();
  if (!post->anonymous) {
    return Error::Invalid("post", "not_anonymous", "This post is not anonymous: its writer's name is shown with it.");
  }
  auto writer = store_.FindUserById(post->user_id);
  if (!writer) return std::move(writer).error();
  KINDRED_TRY(store_.AppendModlog(
      {0, viewer.member->id, "anonymous.revealed", "post", post_id.value, "", "", *reason, clock_.Now(), ""}));
  return writer;
}

}  // namespace kindred::forum
