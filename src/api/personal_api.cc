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
  nlohmann::json kept = nlohmann::json::array();
  std::string_view stored = me->muted_words;
  for (std::size_t start = 0; start < stored.size();) {
    std::size_t end = std::min(stored.find('\n', start), stored.size());
    if (end > start) kept.push_back(std::string(stored.substr(start, end - start)));
    start = end + 1;
  }
  return JsonResponse({{"words", std::move(kept)}, {"always_show_content_warnings", me->show_warned_posts}});
}

}  // namespace kindred::api
