// The JSON side of safety and moderation: checking a draft, the helplines, flags (including
// "I'm worried about this person"), the review queue and a member's notices.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/request_decoding.h"
#include "api/response_encoding.h"
#include "forum/validation.h"

namespace kindred::api {
namespace {

using nlohmann::json;

// A review item as the queue answers it, its writer left out when they posted anonymously.
Result<json> ReviewItemJson(forum::Forum& forum, const forum::Viewer& viewer, const store::ReviewItemRow& item) {
  auto post = forum.FindPost(item.post);
  if (!post.ok() && post.error().code != ErrorCode::kNotFound) return std::move(post).error();
  json encoded = EncodeReviewItem(item, post.ok() && post->anonymous);
  if (forum::IsUnwantedWorryReport(item)) {
    auto senders = forum.WorryReporters(viewer, item.post);
    if (!senders.ok()) return std::move(senders).error();
    encoded["worry_reporters"] = *senders;
  }
  return encoded;
}

}  // namespace

Result<http::Response> Api::CheckSafety(const http::Request& request, const forum::Viewer& viewer) const {
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto text = body->RequiredString("text");
  if (!text.ok()) return std::move(text).error();
  auto checked = forum_.CheckDraft(viewer, *text, http::PreferredCountry(request));
  if (!checked.ok()) return std::move(checked).error();
  const auto& [assessment, offer] = *checked;
  json answer = EncodeSupport(offer);
  answer["level"] = safety::LevelName(assessment.level);
  answer["reasons"] = EncodeCues(assessment.cues);
  // A gentle second look for what may be an email address or phone number (issue 5); a hint for
  // the compose form, never a reason to refuse the post.
  answer["contact_details"] = forum::LooksLikeContactDetails(*text);
  return JsonResponse(answer);
}

Result<http::Response> Api::Helplines(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  std::string country = query->Get("country");
  if (country.empty()) country = http::PreferredCountry(request);
  json answer = EncodeSupport(forum_.HelplinesFor(country));
  answer.erase("level");
  json countries = json::array();
  // Held by name: a range-for over a member of a temporary would outlive the temporary.
  const auto directory = forum_.Helplines();
  for (const auto& known : directory.countries()) {
    countries.push_back({{"code", known.code}, {"name", known.name}, {"emergency_number", known.emergency_number}});
  }
  answer["countries"] = std::move(countries);
  return JsonResponse(answer);
}

Result<http::Response> Api::FlagPost(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("post_not_found", "We could not find that post.");
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto reason = body->RequiredString("reason");
  if (!reason.ok()) return std::move(reason).error();
  auto note = body->OptionalString("note");
  if (!note.ok()) return std::move(note).error();
  KINDRED_TRY(forum_.FlagPost(viewer, PostId(id), *reason, note->value_or("")));
  // The same answer whatever happened next (a message sent or not): it reveals nothing about the writer.
  return JsonResponse({{"flag", {{"post_id", id}, {"reason", *reason}}}}, 201);
}

Result<http::Response> Api::ReportUnwantedWorry(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("post_not_found", "We could not find that post.");
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto note = body->OptionalString("note");
  if (!note.ok()) return std::move(note).error();
  KINDRED_TRY(forum_.ReportUnwantedWorry(viewer, PostId(id), note->value_or("")));
  return JsonResponse({{"post_id", id}, {"sent_to_moderators", true}}, 201);
}

Result<http::Response> Api::ReviewQueue(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  bool open = query->Get("status") != "resolved";
  bool more = false;
  auto items = forum_.ReviewQueue(viewer, open, *page, &more);
  if (!items.ok()) return std::move(items).error();
  json list = json::array();
  for (const auto& item : *items) {
    auto encoded = ReviewItemJson(forum_, viewer, item);
    if (!encoded.ok()) return std::move(encoded).error();
    list.push_back(std::move(encoded).value());
  }
  return JsonResponse({{"items", std::move(list)}, {"page", *page}, {"more", more}});
}

Result<http::Response> Api::ActOnReview(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("review_not_found", "We could not find that review item.");
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto action_name = body->RequiredString("action");
  if (!action_name.ok()) return std::move(action_name).error();
  auto reason = body->OptionalString("reason");
  if (!reason.ok()) return std::move(reason).error();
  auto version = body->RequiredId<struct VersionTag>("version");
  if (!version.ok()) return std::move(version).error();
  if (*action_name == "message") {
    // The message travels as `reason` here; an error names the field the request has.
    if (auto sent = forum_.MessageWriter(viewer, id, reason->value_or("")); !sent.ok()) {
      Error error = std::move(sent).error();
      if (error.field == "message") error.field = "reason";
      return error;
    }
    auto item = forum_.ReviewItem(viewer, id);
    if (!item.ok()) return std::move(item).error();
    auto encoded = ReviewItemJson(forum_, viewer, *item);
    if (!encoded.ok()) return std::move(encoded).error();
    return JsonResponse({{"item", std::move(encoded).value()}});
  }
  auto action = forum::ParseReviewAction(*action_name);
  if (!action) {
    return Error::Invalid("action", "review_action",
                          "Please choose an action: handled, escalate, emergency_contacted, dismiss, approve, hide, "
                          "edit, delete, move, warn, suspend or message.");
  }
  auto new_body = body->OptionalString("body");
  if (!new_body.ok()) return std::move(new_body).error();
  auto topic = body->OptionalId<TopicTag>("topic");
  if (!topic.ok()) return std::move(topic).error();
  auto days = body->OptionalId<struct SuspendDaysTag>("suspend_days");
  if (!days.ok()) return std::move(days).error();
  forum::ReviewActionInput input{*action, static_cast<int>(version->value), reason->value_or(""),
                                 new_body->value_or(""), *topic, *days ? static_cast<int>((*days)->value) : 0};
  auto item = forum_.ActOnReview(viewer, id, input);
  if (!item.ok()) return std::move(item).error();
  auto encoded = ReviewItemJson(forum_, viewer, *item);
  if (!encoded.ok()) return std::move(encoded).error();
  return JsonResponse({{"item", std::move(encoded).value()}});
}

Result<http::Response> Api::MyNotices(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  auto notices = forum_.Notices(viewer, *page);
  if (!notices.ok()) return std::move(notices).error();
  json list = json::array();
  for (const auto& notice : *notices) list.push_back(EncodeNotice(notice));
  // As the messages page does: the ones listed are now read (each says whether it was before).
  if (auto marked = forum_.MarkNoticesRead(viewer, *notices); !marked.ok()) return std::move(marked).error();
  auto unread = forum_.UnreadNoticeCount(viewer);
  if (!unread.ok()) return std::move(unread).error();
  return JsonResponse({{"notices", std::move(list)}, {"unread", *unread}, {"page", *page}});
}

}  // namespace kindred::api
