// The JSON side of personal controls (issue 5): blocking a member and muted words.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/request_decoding.h"
#include "api/response_encoding.h"

namespace kindred::api {

Result<http::Response> Api::BlockUser(const http::Request& request, const forum::Viewer& viewer) const {
  auto blocked = forum_.Block(viewer, request.Param("name"));
  if (!blocked.ok()) return std::move(blocked).error();
  return JsonResponse({{"blocked", {{"username", blocked->username}, {"url", UserUrl(blocked->username)}}}}, 201);
}

Result<http::Response> Api::UnblockUser(const http::Request& request, const forum::Viewer& viewer) const {
  KINDRED_TRY(forum_.Unblock(viewer, request.Param("name")));
  return NoContent();
}

Result<http::Response> Api::SetMutedWords(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto words = body->OptionalStringList("words");
  if (!words.ok()) return std::move(words).error();
  if (!words->has_value()) return JsonBody::MissingField("words");
  auto show = body->OptionalBool("always_show_content_warnings");
  if (!show.ok()) return std::move(show).error();
  KINDRED_TRY(forum_.SetMutedWords(viewer, **words));
  if (show->has_value()) KINDRED_TRY(forum_.SetShowWarnedPosts(viewer, **show));
  auto me = forum_.Me(viewer);
  if (!me.ok()) return std::move(me).error();
  // The list as kept (trimmed, repeats dropped), so a client can show exactly what applies.
  return JsonResponse({{"words", EncodeLines(me->muted_words)}, {"always_show_content_warnings", me->show_warned_posts}});
}

// The account as its member reads it, with whom they blocked: what the account page shows.
Result<http::Response> Api::ShowMe(const http::Request& request, const forum::Viewer& viewer) const {
  auto me = forum_.Me(viewer);
  if (!me.ok()) return std::move(me).error();
  auto blocked = forum_.BlockedMembers(viewer);
  if (!blocked.ok()) return std::move(blocked).error();
  nlohmann::json names = nlohmann::json::array();
  for (const auto& member : *blocked) names.push_back({{"username", member.username}, {"url", UserUrl(member.username)}});
  return JsonResponse({{"account", EncodeAccount(*me)}, {"blocked", std::move(names)}});
}

Result<http::Response> Api::UpdateMe(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto worry_off = body->OptionalBool("worry_messages_off");
  if (!worry_off.ok()) return std::move(worry_off).error();
  auto show_warned = body->OptionalBool("show_posts_with_content_warnings");
  if (!show_warned.ok()) return std::move(show_warned).error();
  if (*worry_off) KINDRED_TRY(forum_.SetWorryOptOut(viewer, **worry_off));
  if (*show_warned) KINDRED_TRY(forum_.SetShowWarnedPosts(viewer, **show_warned));
  return ShowMe(request, viewer);
}

// "Sign out everywhere": every session of the member ends, this one too.
Result<http::Response> Api::DeleteAllSessions(const http::Request& request, const forum::Viewer& viewer) const {
  KINDRED_TRY(forum_.LogOutEverywhere(viewer));
  return NoContent();
}

}  // namespace kindred::api
