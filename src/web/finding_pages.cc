// Pages: finding what is already there (docs/search.md). The search page, the similar-questions
// list on the new-question page (shared with its no-script preview step), "People also asked" at
// the foot of a topic, and the private note offering a writer to move a reply that reads as
// belonging to another conversation.
//
// The index's title_html and snippet_html come escaped, with only <mark> added; they are the one
// thing here inserted unescaped. Everything else goes through the templates' escaping.
//
// Suggestions are a help, never a gate: when the index cannot answer, the page around them still
// opens (a warning is logged) and nothing is suggested.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "core/text.h"
#include "forum/limits.h"
#include "web/pages.h"
#include "core/time_format.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

struct SearchForm {
  std::string q;
  std::string category;  // a slug, "" for every category
  std::string author;
  // Set by the "Search instead for" link: the person asked for their own spelling.
  bool exact = false;
  int page = 1;
};

std::string SearchUrl(const SearchForm& form, bool with_filters = true) {
  std::string url = "/search?q=" + http::UrlEncode(form.q);
  if (with_filters && !form.category.empty()) url += "&category=" + http::UrlEncode(form.category);
  if (with_filters && !form.author.empty()) url += "&author=" + http::UrlEncode(form.author);
  if (form.exact) url += "&exact=1";
  return url;
}

struct CategoryName {
  std::string slug;
  std::string name;
};

Data HitData(const Site& site, const search::SearchHit& hit, const std::map<std::int64_t, CategoryName>& categories) {
  Data item;
  item.set("post_id", ToString(hit.post.value));
  item.set("title_html", hit.title_html);                // escaped by the index, matched words in <mark>
  SetIfPresent(item, "snippet_html", hit.snippet_html);  // likewise
  // The index keeps no name for an anonymous post or a former member's (the store gives none):
  // either shows unnamed, without a link.
  SetAuthor(item, hit.author_name.empty() ? store::AuthorState::kAnonymous : store::AuthorState::kNamed,
            hit.author_name, false);
  if (auto found = categories.find(hit.category.value); found != categories.end()) {
    item.set("category_slug", found->second.slug);
    item.set("category_name", found->second.name);
  }
  item.set("replies_text", Plural(hit.reply_count, "reply", "replies"));
  item.set("created", site.Time(hit.created_at));
  return item;
}

// The search page with the form filled from `form`; `view` is empty before anything is searched.
Data SearchData(const Site& site, const forum::Viewer& viewer, const SearchForm& form,
                const std::vector<store::CategoryRow>& categories) {
  Data data = site.Base(viewer);
  data.set("q", form.q);
  data.set("author", form.author);
  data.set("filtered", !form.category.empty() || !form.author.empty());
  Data options{Data::type::list};
  for (const auto& category : categories) {
    Data option;
    option.set("slug", category.slug);
    option.set("name", category.name);
    option.set("selected", category.slug == form.category);
    options.push_back(option);
  }
  data.set("categories", options);
  return data;
}

PageInfo SearchPage(const SearchForm& form) {
  return {form.q.empty() ? "Search" : "Search: " + form.q, "search", "", 200};
}

}  // namespace

// ---- Shared with the topic and new-question pages ----

Result<std::string> SimilarListHtml(const Site& site, const std::vector<search::SimilarTopic>& topics,
                                    const SimilarListText& text) {
  if (topics.empty()) return std::string();
  // The list under every topic page: a function of these inputs alone, so the fragment cache keeps it.
  constexpr std::size_t kPerTopicBytes = 100;
  internal::FragmentKey key("similar", topics.size() * kPerTopicBytes);
  key.Text(text.heading).Text(text.heading_id).Text(text.hint).Number(text.new_tab);
  for (const auto& topic : topics) key.Number(topic.topic.value).Text(topic.title).Number(topic.reply_count);
  std::string made_key = std::move(key).Take();
  if (auto known = site.fragments.Find(made_key)) return *known;

  Data data;
  data.set("has_topics", true);
  data.set("heading", std::string(text.heading));
  data.set("heading_id", std::string(text.heading_id));
  SetIfPresent(data, "hint", std::string(text.hint));
  Data list{Data::type::list};
  for (const auto& topic : topics) {
    Data item;
    item.set("id", ToString(topic.topic.value));
    item.set("title", topic.title);
    item.set("replies_text", Plural(topic.reply_count, "reply", "replies"));
    item.set("new_tab", text.new_tab);
    list.push_back(item);
  }
  data.set("topics", list);
  auto html = site.templates.Render("similar_list", data);
  if (!html.ok()) return std::move(html).error();
  site.fragments.Put(std::move(made_key), std::make_shared<const std::string>(*html));
  return html;
}

Result<std::string> RelatedTopicsHtml(const Site& site, TopicId topic, std::optional<std::int64_t> feed_position) {
  auto related = site.forum.RelatedTopics(topic, feed_position);
  if (!related.ok()) {
    spdlog::warn("related topics for {} not shown: {}", topic.value, related.error().message);
    return std::string();
  }
  return SimilarListHtml(site, *related, {"People also asked", "h-related", "", false});
}

Result<std::string> MisplacedNoteForPost(const Site& site, const forum::Viewer& viewer, const forum::TopicView& view,
                                         PostId post, std::string_view move_error) {
  auto suggestion = site.forum.MisplacedFor(viewer, post);
  if (!suggestion.ok()) {
    spdlog::warn("misplaced-reply note for post {} not shown: {}", post.value, suggestion.error().message);
    return std::string();
  }
  if (!suggestion->has_value()) return std::string();
  const forum::MisplacedSuggestion& where = **suggestion;

  Data data = site.Base(viewer);
  data.set("post_id", ToString(post.value));
  data.set("topic_id", ToString(where.topic.value));
  data.set("title", where.title.empty() ? std::string("another conversation") : where.title);
  data.set("window_text", FormatDuration(forum::kMoveWindowSeconds));
  SetIfPresent(data, "move_error", std::string(move_error));
  // "No, it belongs here" is the same page without `posted`, at the reply when it is on this page.
  std::string close_url = "/t/" + ToString(view.topic.id.value);
  if (view.page.number > 1) close_url += "?page=" + ToString(view.page.number);
  auto own = std::find_if(view.posts.begin(), view.posts.end(), [&](const auto& p) { return p.id == post; });
  if (own != view.posts.end()) close_url += "#p" + ToString(own->number);
  data.set("close_url", close_url);
  return site.templates.Render("misplaced_note", data);
}

// ---- /search ----

Result<http::Response> Pages::Search(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  auto page = PageParam(request);
  if (!page.ok()) return std::move(page).error();
  SearchForm form{std::string(Trim(query->Get("q"))), std::string(Trim(query->Get("category"))),
                  std::string(Trim(query->Get("author"))), query->Get("exact") == "1", *page};

  auto categories = forum_.Categories(viewer, false);
  if (!categories.ok()) return std::move(categories).error();
  Data data = SearchData(*impl_, viewer, form, *categories);
  PageInfo info = SearchPage(form);
  if (form.q.empty()) return impl_->Render(viewer, info, "search", data);

  auto view = forum_.Search(viewer, {form.q, form.category, form.author, form.page, form.exact});
  if (!view.ok()) {
    Error error = std::move(view).error();
    if (error.code == ErrorCode::kUnavailable) {
      data.set("unavailable",
               "Search is getting ready. Please try again in a minute; the categories on the "
               "home page work in the meantime.");
      info.status = http::StatusFor(error.code);
      return impl_->Render(viewer, info, "search", data);
    }
    if (error.code == ErrorCode::kNotFound && !form.category.empty()) {
      error = Error::Invalid("category", "category_not_found",
                             "We could not find that category. Please choose another, or search all of them.");
    }
    if (!IsFormError(error.code)) return error;
    ShowFormError(data, error, {"q", "category"});
    return impl_->RenderFailedForm(viewer, info, "search", data, error);
  }

  std::map<std::int64_t, CategoryName> names;
  for (const auto& category : *categories) names[category.id.value] = {category.slug, category.name};
  Data hits{Data::type::list};
  for (const auto& hit : view->hits) hits.push_back(HitData(*impl_, hit, names));
  data.set("searched", true);
  data.set("hits", hits);
  data.set("has_hits", !view->hits.empty());
  std::string total = Plural(std::max<std::int64_t>(view->total, static_cast<std::int64_t>(view->hits.size())),
                             "conversation found", "conversations found");
  if (view->page.number > 1) total += ", page " + ToString(view->page.number);
  data.set("total_text", total);

  std::string shown_query = form.q;
  if (!view->corrected_query.empty()) {
    shown_query = view->corrected_query;
    data.set("corrected_query", view->corrected_query);
    if (!form.exact) {
      SearchForm original = form;
      original.q = view->original_query.empty() ? form.q : view->original_query;
      original.exact = true;
      original.page = 1;
      Data corrected;
      corrected.set("corrected_query", view->corrected_query);
      corrected.set("original_query", original.q);
      corrected.set("original_url", SearchUrl(original));
      data.set("corrected", corrected);
    }
  }
  data.set("shown_query", shown_query);
  SearchForm unfiltered = form;
  unfiltered.page = 1;
  data.set("unfiltered_url", SearchUrl(unfiltered, false));

  auto pager = impl_->templates.Render("pager", PagerData(SearchUrl(form), view->page));
  if (!pager.ok()) return std::move(pager).error();
  data.set("pager", std::move(pager).value());
  if (view->page.number > 1) info.title += " (page " + ToString(view->page.number) + ")";
  return impl_->Render(viewer, info, "search", data);
}

// ---- POST /p/{id}/move ----

Result<http::Response> Pages::MoveReply(const http::Request& request, const forum::Viewer& viewer) const {
  PostId id(request.IdParam("id"));
  if (!id.valid()) return Error::NotFound("post_not_found", "We could not find that post.");
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  TopicId to(form->GetInt("topic_id", 0));
  auto moved = forum_.MoveOwnReply(viewer, id, to);
  if (moved.ok()) return http::Response::Redirect("/p/" + ToString(id.value));

  Error error = std::move(moved).error();
  if (error.code != ErrorCode::kForbidden) return error;
  // Too late, or no longer offered: nothing is lost, the reply simply stays; say so plainly.
  Data data = impl_->Base(viewer);
  data.set("post_url", "/p/" + ToString(id.value));
  data.set("message", error.message);
  return impl_->Render(viewer, {"Your reply stays where it is", "", "", http::StatusFor(error.code)}, "move_result",
                       data);
}

}  // namespace kindred::web
