#include "api/api.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <string>
#include <utility>
#include <vector>

#include "api/request_decoding.h"
#include "api/response_encoding.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "live/hub.h"

namespace kindred::api {
namespace {

using nlohmann::json;

// Status codes the API answers with besides 200 and the error statuses.
constexpr int kCreated = 201;

Error TopicNotFound() {
  return Error::NotFound("topic_not_found", "We could not find that topic. It may have been moved or deleted.");
}
Error PostNotFound() {
  return Error::NotFound("post_not_found", "We could not find that post. It may have been moved or deleted.");
}

// An id from the path ("/topics/{id}"). Anything that is not a positive number names nothing
// that could exist, so it is a plain 404 like an id that is not there.
Result<TopicId> TopicFromPath(const http::Request& request) {
  long long id = request.IdParam("id");
  if (id == 0) return TopicNotFound();
  return TopicId(id);
}
Result<PostId> PostFromPath(const http::Request& request) {
  long long id = request.IdParam("id");
  if (id == 0) return PostNotFound();
  return PostId(id);
}

// The reaction kinds the viewer gave `post`, for answers about one post; nullopt for visitors
// (own_reactions is then left out, as on a topic page).
Result<std::optional<OwnReactions>> OwnReactionsOf(forum::Forum& forum, const forum::Viewer& viewer,
                                                   const store::PostRow& post) {
  if (!viewer.signed_in()) return std::optional<OwnReactions>();
  auto own = forum.OwnReactionsTo(viewer, {post.id});
  if (!own.ok()) return std::move(own).error();
  return std::optional<OwnReactions>(own->front());
}

// {post} with own_reactions when signed in.
Result<http::Response> PostAnswer(forum::Forum& forum, const forum::Viewer& viewer, const store::PostRow& post,
                                  int status) {
  auto own = OwnReactionsOf(forum, viewer, post);
  if (!own.ok()) return std::move(own).error();
  const OwnReactions* own_ptr = own.value() ? &*own.value() : nullptr;
  // As this reader may see it: a hidden post's text only for its writer and the moderators.
  std::vector<store::PostRow> posts{post};
  auto display = forum.DisplayFor(viewer, posts);
  if (!display.ok()) return std::move(display).error();
  return JsonResponse({{"post", EncodePost(posts.front(), own_ptr, &display->front())}}, status);
}

// The writer of a post that may speak of risk gets helplines in the same answer (SAFETY.md: at
// once and privately); nobody else ever sees this field.
Result<void> AddSupport(forum::Forum& forum, const http::Request& request, const forum::Viewer& viewer, PostId post,
                        json& answer) {
  auto offer = forum.SupportFor(viewer, post, http::PreferredCountry(request));
  if (!offer.ok()) return std::move(offer).error();
  if (offer.value()) answer["safety"] = EncodeSupport(**offer);
  return Ok();
}

http::Response TopicListAnswer(const forum::TopicListView& view) {
  json topics = json::array();
  for (const auto& topic : view.topics) topics.push_back(EncodeTopic(topic));
  json answer = {{"topics", std::move(topics)}};
  AddPage(answer, view.page);
  return JsonResponse(answer);
}

}  // namespace

http::Response Api::ErrorJson(const Error& error) {
  // The forum reports a value it cannot accept (a title too short) as kInvalidInput, which is
  // 422 Unprocessable Content. A body that could not be read as the request at all (not JSON,
  // a field missing or of the wrong JSON type) is the client's encoding, not its content: that is
  // 400 Bad Request. Both travel as kInvalidInput; only their keys tell them apart.
  int status = error.code == ErrorCode::kInvalidInput && IsRequestShapeError(error) ? 400 : http::StatusFor(error.code);
  http::Response response = http::Response::Json(EncodeError(error), status);
  if (error.code == ErrorCode::kRateLimited) {
    response.AddHeader("Retry-After", std::to_string(error.retry_after_seconds < 1 ? 1 : error.retry_after_seconds));
  }
  return response;
}

// Accounts.

Result<http::Response> Api::CreateUser(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto username = body->RequiredString("username");
  if (!username.ok()) return std::move(username).error();
  auto password = body->RequiredString("password");
  if (!password.ok()) return std::move(password).error();
  auto email = body->OptionalString("email");
  if (!email.ok()) return std::move(email).error();

  forum::RegisterInput input{std::move(*username), std::move(*password), email->value_or("")};
  auto user = forum_.Register(viewer, input);
  if (!user.ok()) return std::move(user).error();
  return JsonResponse({{"user", EncodeUserRef(user->id, user->username)}}, kCreated);
}

Result<http::Response> Api::CreateSession(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto username = body->RequiredString("username");
  if (!username.ok()) return std::move(username).error();
  auto password = body->RequiredString("password");
  if (!password.ok()) return std::move(password).error();

  auto signed_in = forum_.LogIn(viewer, *username, *password);
  if (!signed_in.ok()) return std::move(signed_in).error();
  return JsonResponse({{"token", signed_in->token},
                       {"expires_at", EncodeTime(signed_in->session.expires_at)},
                       {"user", EncodeSelf(signed_in->user)}},
                      kCreated);
}

Result<http::Response> Api::ChangePassword(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto current = body->RequiredString("current_password");
  if (!current.ok()) return std::move(current).error();
  auto fresh = body->RequiredString("new_password");
  if (!fresh.ok()) return std::move(fresh).error();
  auto changed = forum_.ChangePassword(viewer, *current, *fresh);
  if (!changed.ok()) return std::move(changed).error();
  // Every session ended, the caller's too: the answer carries its new one.
  return JsonResponse({{"token", changed->token}, {"expires_at", EncodeTime(changed->session.expires_at)}});
}

Result<http::Response> Api::DeleteSession(const http::Request& request, const forum::Viewer& viewer) const {
  KINDRED_TRY(forum_.LogOut(viewer));
  return NoContent();
}

// Categories.

Result<http::Response> Api::ListCategories(const http::Request& request, const forum::Viewer& viewer) const {
  auto categories = forum_.Categories(viewer, /*include_archived=*/false);
  if (!categories.ok()) return std::move(categories).error();
  json list = json::array();
  for (const auto& category : *categories) list.push_back(EncodeCategory(category));
  return JsonResponse({{"categories", std::move(list)}});
}

Result<http::Response> Api::CreateCategory(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto name = body->RequiredString("name");
  if (!name.ok()) return std::move(name).error();
  auto description = body->OptionalString("description");
  if (!description.ok()) return std::move(description).error();

  forum::CategoryInput input{std::move(*name), description->value_or("")};
  auto category = forum_.CreateCategory(viewer, input);
  if (!category.ok()) return std::move(category).error();
  return JsonResponse({{"category", EncodeCategory(*category)}}, kCreated);
}

Result<http::Response> Api::UpdateCategory(const http::Request& request, const forum::Viewer& viewer) const {
  KINDRED_TRY(forum::Guardian::CanManageCategories(viewer));
  const CategoryId id(request.IdParam("id"));
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto name = body->OptionalString("name");
  if (!name.ok()) return std::move(name).error();
  auto description = body->OptionalString("description");
  if (!description.ok()) return std::move(description).error();
  auto archived = body->OptionalBool("archived");
  if (!archived.ok()) return std::move(archived).error();
  auto move = body->OptionalString("move");
  if (!move.ok()) return std::move(move).error();
  if (*move && **move != "up" && **move != "down") {
    return Error::Invalid("move", "category_move", "Please say \"up\" or \"down\" to move a category.");
  }
  // Everything is checked before anything changes, so a refused request changes nothing.
  auto current = [&]() -> Result<store::CategoryRow> {
    auto all = forum_.Categories(viewer, /*include_archived=*/true);
    if (!all.ok()) return std::move(all).error();
    for (auto& category : *all) {
      if (category.id == id) return std::move(category);
    }
    return Error::NotFound("category_not_found", "We could not find that category.");
  };
  auto before = current();
  if (!before.ok()) return std::move(before).error();
  if (*name || *description) {
    forum::CategoryInput input{name->value_or(before->name), description->value_or(before->description)};
    KINDRED_TRY(forum_.UpdateCategory(viewer, id, input));
  }
  if (*archived) KINDRED_TRY(forum_.SetCategoryArchived(viewer, id, **archived));
  if (*move) KINDRED_TRY(forum_.MoveCategory(viewer, id, **move == "up" ? -1 : 1));
  auto after = current();
  if (!after.ok()) return std::move(after).error();
  return JsonResponse({{"category", EncodeCategory(*after)}});
}

// Reading.

Result<http::Response> Api::CategoryTopics(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  auto category = forum_.CategoryBySlug(request.Param("slug"));
  if (!category.ok()) return std::move(category).error();
  auto view = forum_.CategoryTopics(category->id, *page);
  if (!view.ok()) return std::move(view).error();
  return TopicListAnswer(*view);
}

Result<http::Response> Api::LatestTopics(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  auto view = forum_.LatestTopics(*page, forum::kTopicsPerPage);
  if (!view.ok()) return std::move(view).error();
  return TopicListAnswer(*view);
}

Result<http::Response> Api::ShowTopic(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = TopicFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  const std::int64_t live_position = live_ ? live_->cursor() : 0;  // before the posts are read
  auto view = forum_.ShowTopic(viewer, *id, *page);
  if (!view.ok()) return std::move(view).error();

  json posts = json::array();
  std::int64_t blocked = 0;
  for (std::size_t i = 0; i < view->posts.size(); ++i) {
    const forum::PostDisplay* display = i < view->display.size() ? &view->display[i] : nullptr;
    // Left out for the reader who blocked their writer, as on the page; the count says so.
    if (display && display->blocked_author) {
      ++blocked;
      continue;
    }
    const bool have_own = viewer.signed_in() && i < view->own_reactions.size();
    posts.push_back(EncodePost(view->posts[i], have_own ? &view->own_reactions[i] : nullptr, display));
  }
  json answer = {{"topic", EncodeTopic(view->topic)}, {"posts", std::move(posts)}};
  if (blocked > 0) answer["blocked_posts_left_out"] = blocked;
  if (viewer.signed_in()) answer["can_reply"] = forum::Guardian::CanReply(viewer, view->topic, view->reply_blocked).ok();
  AddPage(answer, view->page);
  // Where to open the topic's event stream from (?last_event_id=) to miss nothing after this.
  if (live_) answer["last_event_id"] = live_position;
  return JsonResponse(answer);
}

Result<http::Response> Api::TopicEvents(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = TopicFromPath(request);
  if (!id.ok()) return std::move(id).error();
  if (!live_) {
    return Error{ErrorCode::kUnavailable, "live_updates_off", "Live updates are not switched on here.", {}, 0};
  }
  // The same read as GET /api/v1/topics/{id}, so the same rules decide who may follow it.
  auto view = forum_.ShowTopic(viewer, *id, 1);
  if (!view.ok()) return std::move(view).error();
  // The same for every client (no own_reactions), so one rendering serves all of them: each post
  // as a visitor sees it, so a hidden or held reply is never pushed (and a post hidden later goes
  // out as its placeholder). A client that wants its own view reads the topic again.
  auto render = [this, topic = *id](const live::PostChange& change) -> std::optional<live::StreamEvent> {
    // A topic hidden after the stream opened sends nothing more.
    if (auto visitor = forum_.StreamViewerNow(forum::Viewer{}, topic); !visitor.ok()) {
      if (visitor.error().code != ErrorCode::kNotFound) {
        spdlog::error("a live reply could not be checked for its readers: {}", visitor.error().message);
      }
      return std::nullopt;
    }
    std::vector<store::PostRow> posts{change.post};
    auto display = forum_.DisplayFor(forum::Viewer{}, posts);
    if (!display.ok() || (display->front().hidden && change.kind == live::PostChange::Kind::kCreated)) {
      return std::nullopt;
    }
    json data = {{"post", EncodePost(posts.front(), nullptr, &display->front())}};
    return live::StreamEvent{std::string(live::EventName(change.kind)),
                             data.dump(-1, ' ', false, json::error_handler_t::replace)};
  };
  return live_->OpenStream(*id, request, std::move(render), "api");
}

Result<http::Response> Api::ShowPost(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto post = forum_.ReadPost(viewer, *id);
  if (!post.ok()) return std::move(post).error();
  auto answer = PostAnswer(forum_, viewer, *post, 200);
  if (!answer.ok()) return answer;
  // Moderators see how likely the reply is to belong in another thread, and where.
  auto misplaced = forum_.MisplacedScoreForModerator(viewer, *id);
  if (!misplaced.ok()) return std::move(misplaced).error();
  if (*misplaced) {
    json body = json::parse(answer->body);
    body["post"]["misplaced"] = {{"score", (*misplaced)->score},
                                 {"likely_topic", {{"id", (*misplaced)->topic.value}, {"title", (*misplaced)->title},
                                                   {"url", TopicUrl((*misplaced)->topic)}}}};
    return JsonResponse(body);
  }
  return answer;
}

Result<http::Response> Api::ListRevisions(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto revisions = forum_.Revisions(viewer, *id);
  if (!revisions.ok()) return std::move(revisions).error();
  json list = json::array();
  for (const auto& revision : *revisions) list.push_back(EncodeRevision(revision));
  return JsonResponse({{"revisions", std::move(list)}});
}

Result<http::Response> Api::ShowUser(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  auto profile = forum_.Profile(viewer, request.Param("name"), *page);
  if (!profile.ok()) return std::move(profile).error();

  json posts = json::array();
  for (std::size_t i = 0; i < profile->posts.size(); ++i) {
    json post = EncodePost(profile->posts[i], nullptr, i < profile->display.size() ? &profile->display[i] : nullptr);
    // A list of someone's posts is read out of context; the topic's title gives it back.
    if (i < profile->topics_of_posts.size()) {
      const store::TopicRow& topic = profile->topics_of_posts[i];
      post["topic"] = {{"id", topic.id.value}, {"title", topic.title}, {"url", TopicUrl(topic.id)}};
    }
    posts.push_back(std::move(post));
  }
  json answer = {{"user", EncodeProfileUser(profile->user, profile->post_count)}, {"posts", std::move(posts)}};
  AddPage(answer, profile->page);
  return JsonResponse(answer);
}

// Writing.

Result<http::Response> Api::CreateTopic(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto category_id = body->RequiredId<CategoryTag>("category_id");
  if (!category_id.ok()) return std::move(category_id).error();
  auto title = body->RequiredString("title");
  if (!title.ok()) return std::move(title).error();
  auto text = body->RequiredString("body");
  if (!text.ok()) return std::move(text).error();
  auto anonymous = body->OptionalBool("anonymous");
  if (!anonymous.ok()) return std::move(anonymous).error();
  auto warning = body->OptionalString("content_warning");
  if (!warning.ok()) return std::move(warning).error();

  forum::AskInput input{*category_id, std::move(*title), std::move(*text), anonymous->value_or(false),
                        warning->value_or("")};
  auto asked = forum_.Ask(viewer, input);
  if (!asked.ok()) return std::move(asked).error();
  const auto& [topic, post] = *asked;
  // A brand-new question has no reactions yet, so own_reactions is known without asking.
  OwnReactions none{};
  forum::PostDisplay writer;  // the writer's own view: held or not, their words come back
  writer.own = true;
  json answer = {{"topic", EncodeTopic(topic)}, {"post", EncodePost(post, &none, &writer)}};
  KINDRED_TRY(AddSupport(forum_, request, viewer, post.id, answer));
  return JsonResponse(answer, kCreated);
}

Result<http::Response> Api::ModerateTopic(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = TopicFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto pinned = body->OptionalBool("pinned");
  if (!pinned.ok()) return std::move(pinned).error();
  auto closed = body->OptionalBool("closed");
  if (!closed.ok()) return std::move(closed).error();
  auto category_id = body->OptionalId<CategoryTag>("category_id");
  if (!category_id.ok()) return std::move(category_id).error();

  auto slow_mode = body->OptionalInt("slow_mode_seconds");
  if (!slow_mode.ok()) return std::move(slow_mode).error();
  auto reason = body->OptionalString("reason");
  if (!reason.ok()) return std::move(reason).error();

  forum::TopicStateInput input{*pinned, *closed, *category_id, reason->value_or("")};
  // Slow mode alone leaves the rest as it is (and out of the modlog); both are one request.
  if (*slow_mode && !*pinned && !*closed && !*category_id) {
    auto slowed = forum_.SetSlowMode(viewer, *id, **slow_mode);
    if (!slowed.ok()) return std::move(slowed).error();
    return JsonResponse({{"topic", EncodeTopic(*slowed)}});
  }
  auto topic = forum_.ModerateTopic(viewer, *id, input);
  if (!topic.ok()) return std::move(topic).error();
  if (*slow_mode) {
    topic = forum_.SetSlowMode(viewer, *id, **slow_mode);
    if (!topic.ok()) return std::move(topic).error();
  }
  return JsonResponse({{"topic", EncodeTopic(*topic)}});
}

Result<http::Response> Api::CreatePost(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = TopicFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto text = body->RequiredString("body");
  if (!text.ok()) return std::move(text).error();
  auto reply_to = body->OptionalId<PostTag>("reply_to");
  if (!reply_to.ok()) return std::move(reply_to).error();
  auto anonymous = body->OptionalBool("anonymous");
  if (!anonymous.ok()) return std::move(anonymous).error();
  auto warning = body->OptionalString("content_warning");
  if (!warning.ok()) return std::move(warning).error();

  forum::ReplyInput input{std::move(*text), *reply_to, anonymous->value_or(false), warning->value_or("")};
  auto post = forum_.Reply(viewer, *id, input);
  if (!post.ok()) return std::move(post).error();
  OwnReactions none{};
  forum::PostDisplay writer;  // the writer's own view: held or not, their words come back
  writer.own = true;
  json answer = {{"post", EncodePost(*post, &none, &writer)}};
  KINDRED_TRY(AddSupport(forum_, request, viewer, post->id, answer));
  return JsonResponse(answer, kCreated);
}

Result<http::Response> Api::EditPost(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto text = body->RequiredString("body");
  if (!text.ok()) return std::move(text).error();

  auto post = forum_.EditPost(viewer, *id, *text);
  if (!post.ok()) return std::move(post).error();
  return PostAnswer(forum_, viewer, *post, 200);
}

Result<http::Response> Api::DeletePost(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  KINDRED_TRY(forum_.DeletePost(viewer, *id));
  return NoContent();
}

Result<http::Response> Api::AddReaction(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto kind_name = body->RequiredString("kind");
  if (!kind_name.ok()) return std::move(kind_name).error();
  // A string that names no reaction was read fine but cannot be accepted: 422, like any value.
  auto kind = forum::ParseReactionKind(*kind_name);
  if (!kind) {
    return Error::Invalid("kind", "unknown_reaction", "A reaction is one of \"helpful\", \"hug\" or \"me_too\".");
  }

  auto post = forum_.React(viewer, *id, *kind);
  if (!post.ok()) return std::move(post).error();
  return PostAnswer(forum_, viewer, *post, kCreated);
}

Result<http::Response> Api::RemoveReaction(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostFromPath(request);
  if (!id.ok()) return std::move(id).error();
  // In the path, an unknown kind is an address that names nothing: 404.
  auto kind = forum::ParseReactionKind(request.Param("kind"));
  if (!kind) {
    return Error::NotFound("reaction_not_found",
                           "There is no reaction of that kind. They are helpful, hug and me_too.");
  }

  auto post = forum_.Unreact(viewer, *id, *kind);
  if (!post.ok()) return std::move(post).error();
  return PostAnswer(forum_, viewer, *post, 200);
}

}  // namespace kindred::api
