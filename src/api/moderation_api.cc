// The JSON side of moderation (issue 5): revealing an anonymous writer, suspending and trusting
// members, appointing moderators, and the watched words. Every call here is a moderator's or an
// admin's, decided by the guardian inside the forum and written to the modlog there.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/request_decoding.h"
#include "api/response_encoding.h"
#include "forum/guardian.h"

namespace kindred::api {
namespace {

using nlohmann::json;

// A member as moderators see them: their standing, never their email or anything else private.
json EncodeStanding(const store::UserRow& user, UnixSeconds now) {
  json encoded = {{"id", user.id.value},
                  {"username", user.username},
                  {"role", forum::RoleName(user.role)},
                  {"trust_level", forum::TrustLevelName(user.trust_level)},
                  {"trust_pinned", user.trust_pinned},
                  {"suspended", user.suspended_at(now)},
                  {"suspended_until", user.suspended_at(now) ? EncodeTime(user.suspended_until) : json(nullptr)},
                  {"url", UserUrl(user.username)}};
  if (user.suspended_at(now) && !user.suspended_reason.empty()) encoded["suspended_reason"] = user.suspended_reason;
  return encoded;
}

json EncodeWatchedWord(const store::WatchedWordRow& word) {
  json encoded = {{"id", word.id},
                  {"pattern", word.pattern},
                  {"action", forum::WatchedActionName(word.action)},
                  {"created_at", EncodeTime(word.created_at)}};
  if (word.action == store::WatchedAction::kReplace) encoded["replacement"] = word.replacement;
  return encoded;
}

}  // namespace

Result<http::Response> Api::RevealAnonymous(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("post_not_found", "We could not find that post.");
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto reason = body->RequiredString("reason");
  if (!reason.ok()) return std::move(reason).error();
  auto writer = forum_.RevealAnonymous(viewer, PostId(id), *reason);
  if (!writer.ok()) return std::move(writer).error();
  return JsonResponse({{"post_id", id}, {"writer", EncodeUserRef(writer->id, writer->username)}});
}

Result<http::Response> Api::ShowPostAgain(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("post_not_found", "We could not find that post.");
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto reason = body->OptionalString("reason");
  if (!reason.ok()) return std::move(reason).error();
  auto shown = forum_.ShowPostAgain(viewer, PostId(id), reason->value_or(""));
  if (!shown.ok()) return std::move(shown).error();
  return JsonResponse({{"post_id", id}, {"hidden", false}});
}

Result<http::Response> Api::Modlog(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  auto entries = forum_.Modlog(viewer, *page);
  if (!entries.ok()) return std::move(entries).error();
  json list = json::array();
  for (const auto& entry : *entries) {
    list.push_back({{"id", entry.id},
                    {"actor", EncodeUserRef(entry.actor, entry.actor_name)},
                    {"action", entry.action},
                    {"subject", {{"kind", entry.subject_kind}, {"id", entry.subject_id}}},
                    {"before", entry.before},
                    {"after", entry.after},
                    {"reason", entry.reason},
                    {"created_at", EncodeTime(entry.created_at)}});
  }
  return JsonResponse({{"entries", std::move(list)}, {"page", *page}});
}

// What the member's moderation panel shows: standing, and the record of their flags.
Result<http::Response> Api::UserStanding(const http::Request& request, const forum::Viewer& viewer) const {
  KINDRED_TRY(forum::Guardian::CanReview(viewer));
  auto profile = forum_.Profile(viewer, request.Param("name"), 1);
  if (!profile.ok()) return std::move(profile).error();
  json standing = EncodeStanding(profile->user, forum_.clock().Now());
  standing["created_at"] = EncodeTime(profile->user.created_at);
  standing["post_count"] = profile->post_count;
  standing["flags_upheld"] = profile->user.flags_upheld;
  standing["flags_rejected"] = profile->user.flags_rejected;
  return JsonResponse({{"user", std::move(standing)}});
}

Result<http::Response> Api::SuspendUser(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto days = body->OptionalInt("days");
  if (!days.ok()) return std::move(days).error();
  if (!*days) return JsonBody::MissingField("days");
  auto reason = body->RequiredString("reason");
  if (!reason.ok()) return std::move(reason).error();
  auto user = forum_.Suspend(viewer, request.Param("name"), **days, *reason);
  if (!user.ok()) return std::move(user).error();
  return JsonResponse({{"user", EncodeStanding(*user, forum_.clock().Now())}});
}

Result<http::Response> Api::LiftSuspension(const http::Request& request, const forum::Viewer& viewer) const {
  auto user = forum_.LiftSuspension(viewer, request.Param("name"));
  if (!user.ok()) return std::move(user).error();
  return JsonResponse({{"user", EncodeStanding(*user, forum_.clock().Now())}});
}

Result<http::Response> Api::SetTrust(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto level_name = body->RequiredString("level");
  if (!level_name.ok()) return std::move(level_name).error();
  auto level = forum::ParseTrustLevel(*level_name);
  if (!level) return Error::Invalid("level", "trust_level", "Please choose a trust level: new, basic or trusted.");
  auto user = forum_.SetTrustLevel(viewer, request.Param("name"), *level);
  if (!user.ok()) return std::move(user).error();
  return JsonResponse({{"user", EncodeStanding(*user, forum_.clock().Now())}});
}

Result<http::Response> Api::SetRole(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto role_name = body->RequiredString("role");
  if (!role_name.ok()) return std::move(role_name).error();
  if (*role_name != "member" && *role_name != "moderator") {
    return Error::Invalid("role", "role", "Please choose a role: member or moderator.");
  }
  auto user = forum_.SetRole(viewer, request.Param("name"),
                             *role_name == "moderator" ? store::Role::kModerator : store::Role::kMember);
  if (!user.ok()) return std::move(user).error();
  return JsonResponse({{"user", EncodeStanding(*user, forum_.clock().Now())}});
}

Result<http::Response> Api::ListWatchedWords(const http::Request&, const forum::Viewer& viewer) const {
  auto words = forum_.WatchedWords(viewer);
  if (!words.ok()) return std::move(words).error();
  json list = json::array();
  for (const auto& word : *words) list.push_back(EncodeWatchedWord(word));
  return JsonResponse({{"watched_words", std::move(list)}});
}

Result<http::Response> Api::AddWatchedWord(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto pattern = body->RequiredString("pattern");
  if (!pattern.ok()) return std::move(pattern).error();
  auto action_name = body->RequiredString("action");
  if (!action_name.ok()) return std::move(action_name).error();
  auto replacement = body->OptionalString("replacement");
  if (!replacement.ok()) return std::move(replacement).error();
  auto action = forum::ParseWatchedAction(*action_name);
  if (!action) {
    return Error::Invalid("action", "watched_action", "Please choose what happens: flag, hold, replace or block.");
  }
  auto word = forum_.AddWatchedWord(viewer, *pattern, *action, replacement->value_or(""));
  if (!word.ok()) return std::move(word).error();
  return JsonResponse({{"watched_word", EncodeWatchedWord(*word)}}, 201);
}

Result<http::Response> Api::RemoveWatchedWord(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("watched_word_not_found", "That word is no longer watched.");
  KINDRED_TRY(forum_.RemoveWatchedWord(viewer, id));
  return NoContent();
}

}  // namespace kindred::api
