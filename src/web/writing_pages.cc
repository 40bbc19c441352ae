// Pages: asking, replying, editing, deleting and reacting.
//
// The rule for every form here: whatever goes wrong, the person gets their words back. A failed
// post re-renders the same form with everything they typed and the problem named beside its
// field, with the status for the error. Only when the page around the form cannot be shown any
// more (the topic is gone) does the error go back to the route table as a value.
#include <spdlog/spdlog.h>

#include "core/text.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/markdown.h"
#include "forum/validation.h"
#include "web/pages.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

// The start of a post shown on the delete confirmation: enough to recognise it.
constexpr std::size_t kConfirmExcerptCodepoints = 240;

std::string PostAnchorUrl(const store::PostRow& post) {
  return "/t/" + ToString(post.topic_id.value) + "?page=" + ToString(forum::Forum::PageOfPost(post.number)) + "#p" +
         ToString(post.number);
}

// Where a writer goes after posting: their post on its page, with `posted` so that the topic
// page can offer them support privately. When it will, the fragment lands on that panel:
// "#p{n}" would scroll the browser past it to the post, and without script nothing moves it back.
std::string AfterPostingUrl(const Site& site, const forum::Viewer& viewer, const http::Request& request,
                            const store::PostRow& post) {
  // The page after posting offers to move a reply that reads as belonging elsewhere: its check
  // is waited for here, on the writing lane, and not by the page, which a serving thread makes.
  if (post.number != 1) site.forum.AwaitPlacementCheck(post.id);
  auto offer = site.forum.SupportFor(viewer, post.id, http::PreferredCountry(request));
  bool panel = offer.ok() && offer->has_value();
  std::string url = "/t/" + ToString(post.topic_id.value);
  if (post.number == 1) {
    url += "?posted=" + ToString(post.id.value);
    return panel ? url + "#" + std::string(kSupportPanelId) : url;
  }
  url += "?page=" + ToString(forum::Forum::PageOfPost(post.number)) + "&posted=" + ToString(post.id.value);
  if (panel) return url + "#" + std::string(kSupportPanelId);
  // A reply that may belong elsewhere: land on the note offering to move it, at the top.
  auto misplaced = site.forum.MisplacedFor(viewer, post.id);
  if (misplaced.ok() && misplaced->has_value()) return url + "#" + std::string(kMisplacedNoteId);
  return url + "#p" + ToString(post.number);
}

Result<PostId> PostIdParam(const http::Request& request) {
  PostId id(request.IdParam("id"));
  if (!id.valid()) return Error::NotFound("post_not_found", "We could not find that post.");
  return id;
}

Result<TopicId> TopicIdParam(const http::Request& request) {
  TopicId id(request.IdParam("id"));
  if (!id.valid()) return Error::NotFound("topic_not_found", "We could not find that conversation.");
  return id;
}

// ---- Asking ----

Result<Data> AskData(const Site& site, const forum::Viewer& viewer, std::int64_t selected_category,
                     const std::string& title, const std::string& body) {
  auto categories = site.forum.Categories(viewer, false);
  if (!categories.ok()) return std::move(categories).error();
  Data data = site.Base(viewer);
  Data options{Data::type::list};
  for (const auto& category : *categories) {
    Data option;
    option.set("id", ToString(category.id.value));
    option.set("name", category.name);
    option.set("selected", category.id.value == selected_category);
    options.push_back(option);
  }
  data.set("categories", options);
  data.set("has_categories", !categories->empty());
  data.set("title", title);
  data.set("body", body);
  data.set("title_min", ToString(forum::kTitleMin));
  data.set("title_max", ToString(forum::kTitleMax));
  return data;
}

const PageInfo kAskPage{"Ask a question", "ask", "", 200};

// The similar questions on the new-question page, the same list the script fetches while typing.
Result<std::string> SimilarForAsk(const Site& site, const std::vector<search::SimilarTopic>& topics) {
  return SimilarListHtml(site, topics,
                         {"These questions may already have answers", "h-similar",
                          "They open in a new tab, so your question stays here.", true});
}

// ---- Replying ----

Data ReplyData(const Site& site, const forum::Viewer& viewer, const store::TopicRow& topic, const std::string& body,
               std::int64_t reply_to) {
  Data data = site.Base(viewer);
  data.set("topic_id", ToString(topic.id.value));
  data.set("topic_title", topic.title);
  data.set("category_slug", topic.category_slug);
  data.set("category_name", topic.category_name);
  data.set("body", body);
  if (reply_to > 0) data.set("reply_to", ToString(reply_to));
  return data;
}

PageInfo ReplyPage(const store::TopicRow& topic) { return {"Reply to " + topic.title, "", "", 200}; }

// ---- Editing ----

Data EditData(const Site& site, const forum::Viewer& viewer, const store::PostRow& post, const std::string& body) {
  Data data = site.Base(viewer);
  data.set("post_id", ToString(post.id.value));
  data.set("post_url", PostAnchorUrl(post));
  data.set("kind", post.number == 1 ? "question" : "reply");
  data.set("body", body);
  return data;
}

const PageInfo kEditPage{"Edit your post", "", "", 200};

}  // namespace

Result<http::Response> Pages::NewTopicForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  auto data = AskData(*impl_, viewer, query->GetInt("category", 0), "", "");
  if (!data.ok()) return std::move(data).error();
  return impl_->Render(viewer, kAskPage, "new_topic", *data);
}

Result<http::Response> Pages::NewTopic(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  forum::AskInput input{CategoryId(form->GetInt("category_id", 0)), form->Get("title"), TextareaValue(*form, "body"),
                        form->Get("anonymous") == "1", std::string(Trim(form->Get("content_warning")))};
  if (form->Get("preview") == "1") return PreviewQuestion(viewer, input);
  // A second look before posting what may be an email address or phone number; nothing is saved.
  const std::string typed = input.title + "\n" + input.body;
  if (viewer.signed_in() && form->Get("overshare_ok") != "1" && forum::LooksLikeContactDetails(typed)) {
    auto data = AskData(*impl_, viewer, input.category_id.value, input.title, input.body);
    if (!data.ok()) return std::move(data).error();
    SetComposeChoices(*data, *form);
    HoldForOvershareLook(*data, *form, typed);
    return impl_->Render(viewer, kAskPage, "new_topic", *data);
  }
  auto asked = forum_.Ask(viewer, input);
  if (asked.ok()) return http::Response::Redirect(AfterPostingUrl(*impl_, viewer, request, asked->second));

  Error error = std::move(asked).error();
  // An unknown or archived category is about the category field, whatever the forum named.
  if ((error.code == ErrorCode::kNotFound || error.code == ErrorCode::kForbidden) && error.field.empty() &&
      viewer.signed_in()) {
    error.field = "category_id";
    if (error.code == ErrorCode::kNotFound) error.message = "Please choose a category for your question.";
  }
  auto data = AskData(*impl_, viewer, input.category_id.value, input.title, input.body);
  if (!data.ok()) return error;
  SetComposeChoices(*data, *form);
  ShowFormError(*data, error, {"category_id", "title", "body", "content_warning"});
  std::vector<Error> more;
  if (input.category_id.value <= 0) {
    more.push_back(Error::Invalid("category_id", "category_not_found", "Please choose a category for your question."));
  }
  if (auto title = forum::ValidateTitle(input.title); !title) more.push_back(title.error());
  if (auto body = forum::ValidateBody(input.body); !body) more.push_back(body.error());
  ShowMoreFieldErrors(*data, error, more, {"category_id", "title", "body"});
  return impl_->RenderFailedForm(viewer, kAskPage, "new_topic", *data, error);
}

// The step before posting without script: the same form, everything typed kept, and the
// questions that may already have answers. Nothing is saved. A failure to look is logged and
// shows nothing: the person can still post.
Result<http::Response> Pages::PreviewQuestion(const forum::Viewer& viewer, const forum::AskInput& input) const {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to ask a question.");
  auto data = AskData(*impl_, viewer, input.category_id.value, input.title, input.body);
  if (!data.ok()) return std::move(data).error();
  data->set("anonymous", input.anonymous);
  data->set("content_warning", input.content_warning);
  std::vector<search::SimilarTopic> similar;
  if (!Trim(input.title).empty() || !Trim(input.body).empty()) {
    auto found = forum_.SimilarQuestions(viewer, input.title, input.body);
    if (found.ok()) {
      similar = std::move(found).value();
    } else {
      spdlog::warn("similar questions for a preview not shown: {}", found.error().message);
    }
  }
  auto list = SimilarForAsk(*impl_, similar);
  if (!list.ok()) return std::move(list).error();
  SetIfPresent(*data, "similar", *list);
  data->set("previewed", similar.empty()
                             ? "Your question is not posted yet. We did not find others quite like it, so it is "
                               "good to ask. Post it when you are ready."
                             : "Your question is not posted yet. Have a look at these, then post yours when you "
                               "are ready: a new question is always welcome.");
  return impl_->Render(viewer, kAskPage, "new_topic", *data);
}

Result<http::Response> Pages::ReplyForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto id = TopicIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  auto view = forum_.ShowTopic(viewer, *id, 1);
  if (!view.ok()) return std::move(view).error();
  auto may = forum::Guardian::CanReply(viewer, view->topic);
  if (!may.ok()) return std::move(may).error();

  std::string body;
  std::int64_t reply_to = 0;
  if (long long quote_id = query->GetInt("quote", 0); quote_id > 0) {
    // A quote of a post elsewhere, of a deleted one, or of one the reader is not shown (hidden,
    // held, or from someone they blocked) is quietly left out: the reply still works.
    std::vector<store::PostRow> quoted;
    if (auto found = forum_.FindPost(PostId(quote_id)); found.ok() && found->topic_id == *id && !found->deleted_at) {
      quoted.push_back(std::move(found).value());
    }
    auto display = forum_.DisplayFor(viewer, quoted);
    if (!display.ok()) return std::move(display).error();
    if (!quoted.empty() && !display->front().hidden && !display->front().blocked_author) {
      const store::PostRow& post = quoted.front();
      body = forum::QuoteMarkdown(AuthorPlain(post.author_state, post.author_name), post.body_markdown);
      reply_to = post.id.value;
    }
  }
  return impl_->Render(viewer, ReplyPage(view->topic), "reply", ReplyData(*impl_, viewer, view->topic, body, reply_to));
}

Result<http::Response> Pages::Reply(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = TopicIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  forum::ReplyInput input{TextareaValue(*form, "body"), std::nullopt, form->Get("anonymous") == "1",
                          std::string(Trim(form->Get("content_warning")))};
  std::int64_t reply_to = form->GetInt("reply_to", 0);
  if (reply_to > 0) input.reply_to = PostId(reply_to);

  // A second look before posting what may be an email address or phone number; nothing is saved.
  if (viewer.signed_in() && form->Get("overshare_ok") != "1" && forum::LooksLikeContactDetails(input.body)) {
    auto view = forum_.ShowTopic(viewer, *id, 1);
    if (!view.ok()) return std::move(view).error();
    Data data = ReplyData(*impl_, viewer, view->topic, input.body, reply_to);
    SetComposeChoices(data, *form);
    HoldForOvershareLook(data, *form, input.body);
    return impl_->Render(viewer, ReplyPage(view->topic), "reply", data);
  }
  auto reply = forum_.Reply(viewer, *id, input);
  if (reply.ok()) return http::Response::Redirect(AfterPostingUrl(*impl_, viewer, request, *reply));

  Error error = std::move(reply).error();
  auto view = forum_.ShowTopic(viewer, *id, 1);
  if (!view.ok()) return error;
  Data data = ReplyData(*impl_, viewer, view->topic, input.body, reply_to);
  SetComposeChoices(data, *form);
  ShowFormError(data, error, {"body", "content_warning"});
  return impl_->RenderFailedForm(viewer, ReplyPage(view->topic), "reply", data, error);
}

Result<http::Response> Pages::EditForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto id = PostIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return std::move(post).error();
  auto may = forum::Guardian::CanEditPost(viewer, *post);
  if (!may.ok()) return std::move(may).error();
  return impl_->Render(viewer, kEditPage, "edit", EditData(*impl_, viewer, *post, post->body_markdown));
}

Result<http::Response> Pages::Edit(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  std::string body = TextareaValue(*form, "body");
  // The same second look as when posting, unless the details were there already.
  if (viewer.signed_in() && form->Get("overshare_ok") != "1" && forum::LooksLikeContactDetails(body)) {
    auto post = forum_.FindPost(*id);
    if (!post.ok()) return std::move(post).error();
    if (forum::Guardian::MayEdit(viewer, *post) && !forum::LooksLikeContactDetails(post->body_markdown)) {
      Data data = EditData(*impl_, viewer, *post, body);
      HoldForOvershareLook(data, *form, body);
      return impl_->Render(viewer, kEditPage, "edit", data);
    }
  }
  auto edited = forum_.EditPost(viewer, *id, body);
  if (edited.ok()) return http::Response::Redirect(AfterPostingUrl(*impl_, viewer, request, *edited));

  Error error = std::move(edited).error();
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return error;
  Data data = EditData(*impl_, viewer, *post, body);
  ShowFormError(data, error, {"body"});
  return impl_->RenderFailedForm(viewer, kEditPage, "edit", data, error);
}

Result<http::Response> Pages::DeleteForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto id = PostIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return std::move(post).error();
  auto may = forum::Guardian::CanDeletePost(viewer, *post);
  if (!may.ok()) return std::move(may).error();

  Data data = impl_->Base(viewer);
  data.set("post_id", ToString(post->id.value));
  data.set("post_url", PostAnchorUrl(*post));
  data.set("kind", post->number == 1 ? "question" : "reply");
  data.set("excerpt", Excerpt(PlainTextOfHtml(post->body_html), kConfirmExcerptCodepoints));
  return impl_->Render(viewer, {"Delete your post?", "", "", 200}, "delete", data);
}

Result<http::Response> Pages::Delete(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return std::move(post).error();
  auto deleted = forum_.DeletePost(viewer, *id);
  if (!deleted.ok()) return std::move(deleted).error();
  return http::Response::Redirect(PostAnchorUrl(*post));
}

Result<http::Response> Pages::React(const http::Request& request, const forum::Viewer& viewer) const {
  auto id = PostIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  // The page's buttons send react=KIND:ACTION; "kind" and "action" fields are accepted as well.
  std::string kind_name = form->Get("kind");
  std::string action = form->Get("action");
  if (const std::string& pressed = form->Get("react"); !pressed.empty()) {
    const std::size_t colon = pressed.find(':');
    kind_name = pressed.substr(0, colon);
    action = colon == std::string::npos ? "" : pressed.substr(colon + 1);
  }
  auto kind = forum::ParseReactionKind(kind_name);
  if (!kind) return Error::Invalid("kind", "unknown_reaction", "That reaction is not one we know.");
  Result<store::PostRow> result = Error::Invalid("action", "unknown_action", "Please choose to add or remove.");
  if (action == "add") {
    result = forum_.React(viewer, *id, *kind);
  } else if (action == "remove") {
    result = forum_.Unreact(viewer, *id, *kind);
  }
  if (!result.ok()) return std::move(result).error();
  return http::Response::Redirect("/p/" + ToString(id->value));
}

}  // namespace kindred::web
