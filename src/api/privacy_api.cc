// The JSON side of privacy and leaving: "download my data" (GET /api/v1/me/export) and account
// deletion (DELETE /api/v1/me). docs/api.md shows the export's shape.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/request_decoding.h"
#include "api/response_encoding.h"
#include "core/time_format.h"

namespace kindred::api {
namespace {

using nlohmann::json;

// Bumped when a field of the export changes meaning, so a program reading old exports can tell.
constexpr int kExportFormatVersion = 1;

// A post as its writer sees it in their export: everything, including what others are not shown
// (that it was anonymous, hidden, or held).
json EncodeOwnPost(const store::PostRow& post, const store::TopicRow& topic) {
  json reactions = json::object();
  for (int kind = 0; kind < store::kReactionKindCount; ++kind) {
    reactions[std::string(forum::ReactionKindName(static_cast<store::ReactionKind>(kind)))] = post.reactions[kind];
  }
  return {{"id", post.id.value},
          {"url", PostUrl(post.id)},
          {"topic", {{"id", topic.id.value}, {"title", topic.title}, {"url", TopicUrl(topic.id)}}},
          {"number", post.number},
          {"is_question", post.number == 1},
          {"anonymous", post.anonymous},
          {"content_warning", post.content_warning},
          {"body_markdown", post.body_markdown},
          {"created_at", EncodeTime(post.created_at)},
          {"edited_at", EncodeTime(post.edited_at)},
          {"deleted", post.deleted_at.has_value()},
          {"hidden", post.hidden_at.has_value()},
          {"hidden_reason", post.hidden_reason},
          {"reply_to", post.reply_to ? json(post.reply_to->value) : json(nullptr)},
          {"reactions", std::move(reactions)}};
}

json EncodeExport(const forum::AccountExport& data) {
  json posts = json::array();
  for (std::size_t i = 0; i < data.posts.size(); ++i)
    posts.push_back(EncodeOwnPost(data.posts[i], data.topics_of_posts[i]));
  json reactions = json::array();
  for (const auto& reaction : data.reactions) {
    reactions.push_back({{"post_id", reaction.post.value},
                         {"post_url", PostUrl(reaction.post)},
                         {"kind", forum::ReactionKindName(reaction.kind)},
                         {"created_at", EncodeTime(reaction.created_at)}});
  }
  json sessions = json::array();
  for (const auto& session : data.sessions) {
    sessions.push_back(
        {{"started_at", EncodeTime(session.created_at)}, {"expires_at", EncodeTime(session.expires_at)}});
  }
  json notices = json::array();
  for (const auto& notice : data.notices) notices.push_back(EncodeNotice(notice));
  json blocked = json::array();
  for (const auto& member : data.blocked) blocked.push_back({{"username", member.username}});
  json flags = json::array();
  for (const auto& flag : data.flags) {
    flags.push_back({{"post_id", flag.post.value},
                     {"post_url", PostUrl(flag.post)},
                     {"topic_title", flag.topic_title},
                     {"reason", flag.reasons},
                     {"note", flag.note},
                     {"created_at", EncodeTime(flag.created_at)},
                     {"status", forum::ReviewStatusName(flag.status)}});
  }
  json worries = json::array();
  for (const auto& report : data.worry_reports) {
    worries.push_back({{"post_id", report.post.value},
                       {"post_url", PostUrl(report.post)},
                       {"created_at", EncodeTime(report.created_at)},
                       {"message_sent", report.message_sent}});
  }
  return {
      {"format", {{"name", "kindred-account-export"}, {"version", kExportFormatVersion}}},
      {"exported_at", EncodeTime(data.exported_at)},
      {"account", EncodeAccount(data.user)},
      // Secrets are described, never given: a copy of them in a download folder would be a key.
      {"not_included",
       json::array({{{"item", "password"},
                     {"why",
                      "Only a one-way hash of your password is stored (argon2id), to check it when you sign in. "
                      "It is not included: it is not something you wrote, and a copy could help someone guess "
                      "your password."}},
                    {{"item", "session_tokens"},
                     {"why",
                      "Each sign-in has a random token that keeps you signed in; only a hash of it is stored. "
                      "The tokens are not included, because anyone holding one could use your account. "
                      "'sessions' lists when each sign-in began and when it ends."}}})},
      {"posts", std::move(posts)},
      {"reactions", std::move(reactions)},
      {"sessions", std::move(sessions)},
      {"notices", std::move(notices)},
      {"blocked", std::move(blocked)},
      {"flags", std::move(flags)},
      {"worry_reports", std::move(worries)},
  };
}

}  // namespace

Result<http::Response> Api::ExportAccount(const http::Request& request, const forum::Viewer& viewer) const {
  auto data = forum_.ExportAccount(viewer);
  if (!data.ok()) return std::move(data).error();
  http::Response response = JsonResponse(EncodeExport(*data));
  const std::string day = FormatIso8601(data->exported_at).substr(0, 10);
  response.AddHeader("Content-Disposition", "attachment; filename=\"kindred-data-" + day + ".json\"");
  // Personal data: no cache, shared or private, may keep a copy.
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

Result<http::Response> Api::DeleteAccount(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto password = body->RequiredString("password");
  if (!password.ok()) return std::move(password).error();
  auto posts = body->RequiredString("posts");
  if (!posts.ok()) return std::move(posts).error();
  if (*posts != "delete" && *posts != "keep") {
    return Error::Invalid(
        "posts", "posts_choice",
        "Please choose what happens to your posts: \"delete\" or \"keep\" (shown as a former member).");
  }
  KINDRED_TRY(forum_.DeleteAccount(viewer, *password, *posts == "delete"));
  http::Response response = NoContent();
  // The session is gone from the store already; a browser should forget its cookie too.
  response.AddHeader("Set-Cookie", http::SessionCookie("", request.secure, 0));
  return response;
}

}  // namespace kindred::api
