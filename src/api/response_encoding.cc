#include "api/response_encoding.h"

#include "core/time_format.h"
#include "forum/guardian.h"

namespace kindred::api {

using nlohmann::json;

json EncodeTime(UnixSeconds at) { return at > 0 ? json(FormatIso8601(at)) : json(nullptr); }

json EncodeTime(std::optional<UnixSeconds> at) { return at ? EncodeTime(*at) : json(nullptr); }

std::string TopicUrl(TopicId id) { return "/t/" + std::to_string(id.value); }
std::string PostUrl(PostId id) { return "/p/" + std::to_string(id.value); }
std::string CategoryUrl(std::string_view slug) { return "/c/" + http::UrlEncode(slug); }
std::string UserUrl(std::string_view username) { return "/u/" + http::UrlEncode(username); }

json EncodeUserRef(UserId id, std::string_view username) { return {{"id", id.value}, {"username", username}}; }

json EncodeLines(std::string_view text) {
  json lines = json::array();
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) lines.push_back(std::string(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

json EncodeAccount(const store::UserRow& user) {
  return {{"id", user.id.value},
          {"username", user.username},
          {"email", user.email},
          {"role", forum::RoleName(user.role)},
          {"created_at", EncodeTime(user.created_at)},
          {"trust_level", forum::TrustLevelName(user.trust_level)},
          {"suspended_until", EncodeTime(user.suspended_until)},
          {"suspended_reason", user.suspended_reason},
          {"worry_messages_off", user.worry_opt_out},
          {"muted_words", EncodeLines(user.muted_words)},
          {"show_posts_with_content_warnings", user.show_warned_posts},
          {"flags_upheld", user.flags_upheld},
          {"flags_rejected", user.flags_rejected}};
}

json EncodeSelf(const store::UserRow& user) {
  return {{"id", user.id.value}, {"username", user.username}, {"role", forum::RoleName(user.role)}};
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

std::string_view AuthorStateName(store::AuthorState state) {
  switch (state) {
    case store::AuthorState::kAnonymous:
      return "anonymous";
    case store::AuthorState::kFormerMember:
      return "former_member";
    case store::AuthorState::kNamed:
      break;
  }
  return "named";
}

namespace {

json EncodeAuthor(store::AuthorState state, UserId id, std::string_view name) {
  return state == store::AuthorState::kNamed ? EncodeUserRef(id, name) : json(nullptr);
}


}  // namespace

json EncodeTopic(const store::TopicRow& topic) {
  return {{"id", topic.id.value},
          {"title", topic.title},
          {"url", TopicUrl(topic.id)},
          {"category", {{"id", topic.category_id.value}, {"slug", topic.category_slug}, {"name", topic.category_name}}},
          {"author", EncodeAuthor(topic.author_state, topic.user_id, topic.author_name)},
          {"anonymous", topic.author_state == store::AuthorState::kAnonymous},
          {"author_state", AuthorStateName(topic.author_state)},
          {"reply_count", topic.reply_count},
          {"created_at", EncodeTime(topic.created_at)},
          {"last_post_at", EncodeTime(topic.last_post_at)},
          {"pinned", topic.pinned},
          {"closed", topic.closed},
          {"slow_mode_seconds", topic.slow_mode_seconds}};
}

json EncodePost(const store::PostRow& post, const OwnReactions* own, const forum::PostDisplay* display) {
  const bool deleted = post.deleted_at.has_value();
  // Without the reader's view, a hidden post is a placeholder: the safe side.
  const bool placeholder = !deleted && (display ? display->hidden || display->blocked_author : post.hidden_at.has_value());
  json reactions = json::object();
  for (int kind = 0; kind < store::kReactionKindCount; ++kind) {
    reactions[std::string(forum::ReactionKindName(static_cast<store::ReactionKind>(kind)))] = post.reactions[kind];
  }
  json answer = {
      {"id", post.id.value},
      {"topic_id", post.topic_id.value},
      {"number", post.number},
      {"url", PostUrl(post.id)},
      {"author", EncodeAuthor(post.author_state, post.user_id, post.author_name)},
      {"anonymous", post.author_state == store::AuthorState::kAnonymous},
      {"author_state", AuthorStateName(post.author_state)},
      {"content_warning",
       post.content_warning.empty() || deleted || placeholder ? json(nullptr) : json(post.content_warning)},
      // The store erases a deleted post's text; this keeps the promise even if a row still had it.
      {"body_markdown", deleted || placeholder ? std::string() : post.body_markdown},
      {"body_html", deleted || placeholder ? std::string() : post.body_html},
      {"hidden", placeholder},
      {"collapsed", display && !placeholder && (!display->muted_word.empty() || display->collapsed_warning)},
      {"created_at", EncodeTime(post.created_at)},
      {"edited_at", EncodeTime(post.edited_at)},
      {"deleted", deleted},
      {"reply_to", post.reply_to ? json(post.reply_to->value) : json(nullptr)},
      {"reactions", std::move(reactions)},
  };
  if (placeholder && display && display->blocked_author) {
    answer["blocked_author"] = true;
    answer["placeholder"] = "This post is from someone you blocked.";
  } else if (placeholder) {
    answer["placeholder"] = forum::HiddenPostPlaceholder(post);
  }
  if (!placeholder && post.hidden_at) {
    answer["hidden_from_others"] = true;
    answer["hidden_reason"] = post.hidden_reason;
  }
  if (display && display->own) answer["own"] = true;
  if (display && !display->muted_word.empty()) answer["muted"] = true;
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

json EncodeReviewItem(const store::ReviewItemRow& item, bool anonymous_writer) {
  json encoded = {{"id", item.id},
                  {"kind", forum::ReviewKindName(item.kind)},
                  {"status", forum::ReviewStatusName(item.status)},
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
  // An anonymous writer stays anonymous to moderators too, until one reveals them with a reason
  // (POST /api/v1/posts/{id}/reveal, logged).
  encoded["anonymous"] = anonymous_writer;
  if (anonymous_writer) encoded["writer"] = nullptr;
  if (item.reporter) encoded["reporter"] = EncodeUserRef(*item.reporter, item.reporter_name);
  if (!item.note.empty()) encoded["note"] = item.note;
  // What a moderator may do with this kind of item, in the API's names for POST .../actions.
  json actions = json::array();
  for (forum::ReviewAction action : forum::ActionsFor(item)) actions.push_back(forum::ReviewActionName(action));
  encoded["actions"] = std::move(actions);
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
