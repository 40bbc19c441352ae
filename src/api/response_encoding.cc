#include "api/response_encoding.h"

#include "core/time_format.h"

namespace kindred::api {

using nlohmann::json;

json EncodeTime(UnixSeconds at) { return at > 0 ? json(FormatIso8601(at)) : json(nullptr); }

json EncodeTime(std::optional<UnixSeconds> at) { return at ? EncodeTime(*at) : json(nullptr); }

std::string_view RoleName(store::Role role) {
  switch (role) {
    case store::Role::kMember:
      return "member";
    case store::Role::kModerator:
      return "moderator";
    case store::Role::kAdmin:
      return "admin";
  }
  return "member";
}

std::string TopicUrl(TopicId id) { return "/t/" + std::to_string(id.value); }
std::string PostUrl(PostId id) { return "/p/" + std::to_string(id.value); }
std::string CategoryUrl(std::string_view slug) { return "/c/" + http::UrlEncode(slug); }
std::string UserUrl(std::string_view username) { return "/u/" + http::UrlEncode(username); }

json EncodeUserRef(UserId id, std::string_view username) { return {{"id", id.value}, {"username", username}}; }

json EncodeSelf(const store::UserRow& user) {
  return {{"id", user.id.value}, {"username", user.username}, {"role", RoleName(user.role)}};
}

json EncodeProfileUser(const store::UserRow& user, std::int64_t post_count) {
  return {{"id", user.id.value},
          {"username", user.username},
          {"url", UserUrl(user.username)},
          {"created_at", EncodeTime(user.created_at)},
          {"post_count", post_count}};
}

json EncodeCategory(const store::CategoryRow& category) {
  return {{"id", category.id.value},       {"slug", category.slug},
          {"name", category.name},         {"description", category.description},
          {"position", category.position}, {"topic_count", category.topic_count},
          {"archived", category.archived}, {"url", CategoryUrl(category.slug)}};
}

json EncodeTopic(const store::TopicRow& topic) {
  return {{"id", topic.id.value},
          {"title", topic.title},
          {"url", TopicUrl(topic.id)},
          {"category", {{"id", topic.category_id.value}, {"slug", topic.category_slug}, {"name", topic.category_name}}},
          {"author", EncodeUserRef(topic.user_id, topic.author_name)},
          {"reply_count", topic.reply_count},
          {"created_at", EncodeTime(topic.created_at)},
          {"last_post_at", EncodeTime(topic.last_post_at)},
          {"pinned", topic.pinned},
          {"closed", topic.closed}};
}

json EncodePost(const store::PostRow& post, const OwnReactions* own) {
  const bool deleted = post.deleted_at.has_value();
  json reactions = json::object();
  for (int kind = 0; kind < store::kReactionKindCount; ++kind) {
    reactions[std::string(forum::ReactionKindName(static_cast<store::ReactionKind>(kind)))] = post.reactions[kind];
  }
  json answer = {
      {"id", post.id.value},
      {"topic_id", post.topic_id.value},
      {"number", post.number},
      {"url", PostUrl(post.id)},
      {"author", EncodeUserRef(post.user_id, post.author_name)},
      // The store erases a deleted post's text; this keeps the promise even if a row still had it.
      {"body_markdown", deleted ? std::string() : post.body_markdown},
      {"body_html", deleted ? std::string() : post.body_html},
      {"created_at", EncodeTime(post.created_at)},
      {"edited_at", EncodeTime(post.edited_at)},
      {"deleted", deleted},
      {"reply_to", post.reply_to ? json(post.reply_to->value) : json(nullptr)},
      {"reactions", std::move(reactions)},
  };
  if (own != nullptr) {
    json kinds = json::array();
    for (int kind = 0; kind < store::kReactionKindCount; ++kind) {
      if ((*own)[kind]) kinds.push_back(forum::ReactionKindName(static_cast<store::ReactionKind>(kind)));
    }
    answer["own_reactions"] = std::move(kinds);
  }
  return answer;
}

json EncodeRevision(const store::RevisionRow& revision) {
  return {{"revision", revision.revision},
          {"body_markdown", revision.body_markdown},
          {"body_html", revision.body_html},
          {"created_at", EncodeTime(revision.created_at)}};
}

void AddPage(json& answer, const forum::Page& page) {
  answer["page"] = page.number;
  answer["pages"] = page.count;
}

http::Response JsonResponse(const json& answer, int status) {
  return http::Response::Json(answer.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

http::Response NoContent() { return http::Response::Json("", 204); }

std::string EncodeError(const Error& error) {
  json body = {{"code", error.key}, {"message", error.message}};
  if (!error.field.empty()) body["field"] = error.field;
  return json{{"error", std::move(body)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

json EncodeSupport(const forum::SupportOffer& offer) {
  json resources = json::array();
  for (const auto& helpline : offer.helplines) {
    json contacts = json::array();
    for (const auto& contact : helpline.contacts) {
      static constexpr const char* kKinds[] = {"call", "text", "chat", "email", "web"};
      contacts.push_back({{"kind", kKinds[static_cast<int>(contact.kind)]}, {"label", contact.label}, {"href", contact.href}});
    }
    resources.push_back({{"name", helpline.name},
                         {"description", helpline.description},
                         {"country", helpline.country},
                         {"checked_on", helpline.checked_on},
                         {"contacts", std::move(contacts)}});
  }
  return {{"level", safety::LevelName(offer.level)},
          {"message", offer.message},
          {"country", offer.country},
          {"emergency_number", offer.emergency_number},
          {"resources", std::move(resources)}};
}

json EncodeCues(const std::vector<safety::Cue>& cues) {
  json list = json::array();
  for (const auto& cue : cues) list.push_back({{"cue", cue.name}, {"evidence", cue.evidence}, {"raises", cue.raises}});
  return list;
}

json EncodeReviewItem(const store::ReviewItemRow& item) {
  static constexpr const char* kKinds[] = {"safety", "misplaced", "flag", "held"};
  static constexpr const char* kStatuses[] = {"open", "handled", "escalated", "dismissed"};
  json encoded = {{"id", item.id},
                  {"kind", kKinds[static_cast<int>(item.kind)]},
                  {"status", kStatuses[static_cast<int>(item.status)]},
                  {"priority", item.priority},
                  {"level", item.level},
                  {"reasons", item.reasons},
                  {"version", item.version},
                  {"created_at", EncodeTime(item.created_at)},
                  {"first_reply_at", EncodeTime(item.first_reply_at)},
                  {"waiting_raised_at", EncodeTime(item.waiting_raised_at)},
                  {"resolved_at", EncodeTime(item.resolved_at)},
                  {"resolution_note", item.resolution_note},
                  {"post", {{"id", item.post.value}, {"number", item.post_number}, {"body_markdown", item.post_markdown},
                            {"url", "/p/" + std::to_string(item.post.value)}}},
                  {"topic", {{"id", item.topic.value}, {"title", item.topic_title}, {"url", TopicUrl(item.topic)}}},
                  {"writer", EncodeUserRef(item.writer, item.writer_name)}};
  if (item.reporter) encoded["reporter"] = EncodeUserRef(*item.reporter, item.reporter_name);
  if (!item.note.empty()) encoded["note"] = item.note;
  if (item.suggested_topic) {
    encoded["suggested_topic"] = {{"id", item.suggested_topic->value}, {"title", item.suggested_title},
                                  {"url", TopicUrl(*item.suggested_topic)}};
    encoded["score"] = item.score;
  }
  return encoded;
}

json EncodeNotice(const store::NoticeRow& notice) {
  return {{"id", notice.id},
          {"kind", notice.kind},
          {"title", notice.title},
          {"body_html", notice.body_html},
          {"link", notice.link},
          {"created_at", EncodeTime(notice.created_at)},
          {"read", notice.read_at.has_value()}};
}

}  // namespace kindred::api
