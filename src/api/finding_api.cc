// The JSON side of finding what is already there: search, similar questions while asking,
// related topics, and moving a reply the writer posted in the wrong thread.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/request_decoding.h"
#include "api/response_encoding.h"

namespace kindred::api {
namespace {

using nlohmann::json;

json EncodeSimilar(const std::vector<search::SimilarTopic>& topics) {
  json list = json::array();
  for (const auto& topic : topics) {
    list.push_back({{"id", topic.topic.value},
                    {"title", topic.title},
                    {"url", TopicUrl(topic.topic)},
                    {"reply_count", topic.reply_count},
                    {"score", topic.score}});
  }
  return list;
}

// Someone typing a question asks again at every pause, often the same: a serving thread answers
// what is at hand (`kept()`) and hands the rest to the searching lane, where `ranked()` runs.
template <typename Kept, typename Ranked>
Result<http::Response> SimilarTopicsResponse(const http::Request& request, Kept&& kept, Ranked&& ranked) {
  if (request.lane == http::Lane::kServing) {
    std::optional<std::vector<search::SimilarTopic>> at_hand = kept();
    if (!at_hand) return http::Response::AnswerOn(http::Lane::kSearching);
    return JsonResponse({{"topics", EncodeSimilar(*at_hand)}});
  }
  Result<std::vector<search::SimilarTopic>> topics = ranked();
  if (!topics.ok()) return std::move(topics).error();
  return JsonResponse({{"topics", EncodeSimilar(*topics)}});
}

}  // namespace

Result<http::Response> Api::Search(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  auto page = PageFromQuery(request.query);
  if (!page.ok()) return std::move(page).error();
  forum::SearchInput input{query->Get("q"), query->Get("category"), query->Get("author"), *page,
                           query->Get("exact") == "1"};
  auto view = forum_.Search(viewer, input);
  if (!view.ok()) return std::move(view).error();
  json results = json::array();
  for (const auto& hit : view->hits) {
    results.push_back({{"topic", {{"id", hit.topic.value}, {"title", hit.topic_title}, {"url", TopicUrl(hit.topic)},
                                  {"reply_count", hit.reply_count}}},
                       {"post", {{"id", hit.post.value}, {"number", hit.post_number},
                                 {"url", "/p/" + std::to_string(hit.post.value)}}},
                       // No name is kept for an anonymous post or a former member's: null, never "".
                       {"author", hit.author_name.empty() ? json(nullptr) : json(hit.author_name)},
                       {"title_html", hit.title_html},
                       {"snippet_html", hit.snippet_html},
                       {"created_at", EncodeTime(hit.created_at)},
                       {"score", hit.score}});
  }
  json answer = {{"results", std::move(results)}, {"total", view->total}, {"query", input.query}};
  if (!view->corrected_query.empty()) {
    answer["corrected_query"] = view->corrected_query;
    answer["original_query"] = view->original_query;
  }
  AddPage(answer, view->page);
  return JsonResponse(answer);
}

Result<http::Response> Api::Similar(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  const std::string& title = query->Get("title");
  const std::string& body = query->Get("body");
  return SimilarTopicsResponse(
      request, [&] { return forum_.KeptSimilarQuestions(viewer, title, body); },
      [&] { return forum_.SimilarQuestions(viewer, title, body); });
}

Result<http::Response> Api::Related(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("topic_not_found", "We could not find that topic.");
  return SimilarTopicsResponse(
      request,
      [&]() -> std::optional<std::vector<search::SimilarTopic>> {
        if (!forum_.RelatedTopicsAtHand(TopicId(id))) return std::nullopt;
        auto topics = forum_.RelatedTopics(TopicId(id));
        if (!topics.ok()) return std::nullopt;  // the searching lane will say what failed
        return std::move(topics).value();
      },
      [&] { return forum_.RelatedTopics(TopicId(id)); });
}

Result<http::Response> Api::MovePost(const http::Request& request, const forum::Viewer& viewer) const {
  long long id = request.IdParam("id");
  if (id == 0) return Error::NotFound("post_not_found", "We could not find that post.");
  auto body = JsonBody::Parse(request.body);
  if (!body.ok()) return std::move(body).error();
  auto topic = body->RequiredId<TopicTag>("topic_id");
  if (!topic.ok()) return std::move(topic).error();
  auto moved = forum_.MoveOwnReply(viewer, PostId(id), *topic);
  if (!moved.ok()) return std::move(moved).error();
  return JsonResponse({{"post", EncodePost(*moved)}});
}

}  // namespace kindred::api
