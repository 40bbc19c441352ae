// Pages: construction, the layout, the reading pages, static files and the error page.
// Forms live in account_pages.cc, writing_pages.cc and admin_pages.cc.
#include "web/pages.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "core/text.h"
#include "core/time_format.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "live/hub.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

// A year: the longest lifetime RFC 9111 caches are expected to honour; static URLs carry a
// content hash, so a changed file gets a new URL instead of waiting for this to run out.
constexpr std::string_view kStaticCacheControl = "public, max-age=31536000, immutable";

// Profile excerpts: about two lines on a phone.
constexpr std::size_t kExcerptCodepoints = 180;

struct ReactionLabel {
  store::ReactionKind kind;
  std::string_view label;
};
constexpr ReactionLabel kReactionLabels[] = {
    {store::ReactionKind::kHelpful, "Helpful"},
    {store::ReactionKind::kHug, "Hug"},
    {store::ReactionKind::kMeToo, "Me too"},
};

Error PageNotFound() {
  return Error::NotFound("page_not_found", "We could not find that page. It may have been moved or deleted.");
}

}  // namespace

// ---- Site: layout and rendering ----

Data Site::Base(const forum::Viewer& viewer) const {
  Data data;
  data.set("site_name", options.site_name);
  data.set("site_description", options.site_description);
  data.set("csrf", viewer.csrf_token);
  data.set("signed_in", viewer.signed_in());
  return data;
}

Data Site::Time(UnixSeconds at) const {
  Data data;
  data.set("iso", FormatIso8601(at));
  data.set("human", FormatHuman(at));
  data.set("relative", FormatRelative(at, Now()));
  return data;
}

Result<http::Response> Site::Render(const forum::Viewer& viewer, const PageInfo& info, std::string_view template_name,
                                    const Data& data, std::string_view content) const {
  // The page's own template, whole, or in halves around `content`.
  std::pair<std::string, std::string> page;
  if (templates.HasSlot(template_name)) {
    auto halves = templates.RenderHalves(template_name, data);
    if (!halves.ok()) return std::move(halves).error();
    page = std::move(halves).value();
  } else {
    auto whole = templates.Render(template_name, data);
    if (!whole.ok()) return std::move(whole).error();
    page.first = std::move(whole).value();
  }

  Data layout = Base(viewer);
  layout.set("page_title", info.title.empty() ? options.site_name : info.title + " · " + options.site_name);
  if (!info.nav.empty()) layout.set("nav_" + std::string(info.nav), true);
  layout.set("css_url", statics.Url("kindred.css"));
  layout.set("js_url", statics.Url("kindred.js"));
  layout.set("icon_url", statics.Url("icon.svg"));
  if (viewer.member) {
    Data member;
    member.set("name", viewer.member->username);
    member.set("name_url", http::UrlEncode(viewer.member->username));
    member.set("is_admin", viewer.is_admin());
    // Two small counts on every page: the header is where a moderator on duty learns that
    // someone may need them now, and where a member sees a private message waiting. A count
    // that cannot be read leaves the link plain rather than failing the page.
    if (viewer.is_moderator()) {
      auto urgent = forum.UrgentReviewCount(viewer);
      member.set("is_moderator", true);
      member.set("review_label", urgent.ok() && *urgent > 0 ? "Review queue (" + ToString(*urgent) + " urgent)"
                                                            : std::string("Review queue"));
    }
    auto unread = forum.UnreadNoticeCount(viewer);
    member.set("messages_label",
               unread.ok() && *unread > 0 ? "Messages (" + ToString(*unread) + " new)" : std::string("Messages"));
    layout.set("member", member);
  } else if (!info.path_for_next.empty() && info.path_for_next != "/") {
    layout.set("login_next", "?next=" + http::UrlEncode(info.path_for_next));
  }
  auto frame = templates.RenderHalves("layout", layout);
  if (!frame.ok()) return std::move(frame).error();
  std::string html;
  html.reserve(frame->first.size() + page.first.size() + content.size() + page.second.size() + frame->second.size());
  html.append(frame->first).append(page.first).append(content).append(page.second).append(frame->second);
  return http::Response::Html(std::move(html), info.status);
}

Result<http::Response> Site::RenderFailedForm(const forum::Viewer& viewer, PageInfo info,
                                              std::string_view template_name, const Data& data,
                                              const Error& error) const {
  info.status = http::StatusFor(error.code);
  // Screen readers announce the title first; saying there is a problem there saves a search.
  info.title = "Please check: " + info.title;
  auto response = Render(viewer, info, template_name, data);
  if (response.ok() && error.code == ErrorCode::kRateLimited && error.retry_after_seconds > 0) {
    response->AddHeader("Retry-After", ToString(error.retry_after_seconds));
  }
  return response;
}

// ---- Construction ----

Pages::Pages(forum::Forum& forum, SiteOptions options)
    : impl_(std::make_unique<Impl>(forum, options)), forum_(forum), options_(std::move(options)) {}

Pages::~Pages() = default;  // here, where Impl is complete

// ---- Reading ----

namespace {

Data TopicListItem(const Site& impl, const store::TopicRow& topic) {
  Data item;
  item.set("id", ToString(topic.id.value));
  item.set("title", topic.title);
  SetAuthor(item, topic.author_state, topic.author_name, false);
  item.set("category_slug", topic.category_slug);
  item.set("category_name", topic.category_name);
  item.set("replies_text", Plural(topic.reply_count, "reply", "replies"));
  item.set("pinned", topic.pinned);
  item.set("closed", topic.closed);
  item.set("last", impl.Time(topic.last_post_at));
  return item;
}

// The shared <ul> of topics for the home and category pages.
Result<std::string> TopicListHtml(const Site& impl, const std::vector<store::TopicRow>& topics, bool show_category,
                                  std::string_view empty_text) {
  Data data;
  Data items{Data::type::list};
  for (const auto& topic : topics) items.push_back(TopicListItem(impl, topic));
  data.set("topics", items);
  data.set("has_topics", !topics.empty());
  data.set("show_category", show_category);
  data.set("empty_text", std::string(empty_text));
  return impl.templates.Render("topic_list", data);
}

Result<std::string> PagerHtml(const Site& impl, std::string_view base, const forum::Page& page) {
  if (page.count <= 1) return std::string();  // the template shows nothing for a single page
  // A pager is a function of these three alone, so the fragment cache can keep it.
  internal::FragmentKey inputs("pager", base.size());
  inputs.Text(base).Number(page.number).Number(page.count);
  std::string key = std::move(inputs).Take();
  if (auto known = impl.fragments.Find(key)) return *known;
  auto html = impl.templates.Render("pager", PagerData(base, page));
  if (!html.ok()) return std::move(html).error();
  impl.fragments.Put(std::move(key), std::make_shared<const std::string>(*html));
  return html;
}

}  // namespace

Result<http::Response> Pages::Home(const http::Request& request, const forum::Viewer& viewer) const {
  std::unique_ptr<store::ReadScope> together = forum_.ShareReads();  // the lists and the header's counts
  auto categories = forum_.Categories(viewer, false);
  if (!categories.ok()) return std::move(categories).error();
  auto latest = forum_.LatestTopics(1, forum::kLatestOnHome);
  if (!latest.ok()) return std::move(latest).error();

  Data data = impl_->Base(viewer);
  Data list{Data::type::list};
  for (const auto& category : *categories) {
    Data item;
    item.set("slug", category.slug);
    item.set("name", category.name);
    SetIfPresent(item, "description", category.description);
    item.set("count_text", Plural(category.topic_count, "question", "questions"));
    list.push_back(item);
  }
  data.set("categories", list);
  data.set("has_categories", !categories->empty());
  auto topics = TopicListHtml(*impl_, latest->topics, true, "No questions yet. Yours could be the first.");
  if (!topics.ok()) return std::move(topics).error();
  data.set("topic_list", std::move(topics).value());
  return impl_->Render(viewer, {"", "home", "/", 200}, "home", data);
}

Result<http::Response> Pages::Category(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageParam(request);
  if (!page.ok()) return std::move(page).error();
  std::unique_ptr<store::ReadScope> together = forum_.ShareReads();  // the list and the header's counts
  auto category = forum_.CategoryBySlug(request.Param("slug"));
  if (!category.ok()) return std::move(category).error();
  auto topics = forum_.CategoryTopics(category->id, *page);
  if (!topics.ok()) return std::move(topics).error();

  Data data = impl_->Base(viewer);
  data.set("id", ToString(category->id.value));
  data.set("name", category->name);
  SetIfPresent(data, "description", category->description);
  data.set("archived", category->archived);
  std::string base = "/c/" + http::UrlEncode(category->slug);
  auto list = TopicListHtml(*impl_, topics->topics, false, "No questions here yet. Yours could be the first.");
  if (!list.ok()) return std::move(list).error();
  data.set("topic_list", std::move(list).value());
  auto pager = PagerHtml(*impl_, base, topics->page);
  if (!pager.ok()) return std::move(pager).error();
  data.set("pager", std::move(pager).value());
  std::string title = category->name;
  if (topics->page.number > 1) title += " (page " + ToString(topics->page.number) + ")";
  return impl_->Render(viewer, {title, "", PathAndQuery(request), 200}, "category", data);
}

namespace {

// What the reader may do with a post, as the guardian decides: with these, rendering a post
// needs nothing else about the reader.
struct PostControls {
  bool revisions_link = false;
  bool can_edit = false;
  bool can_delete = false;
  bool can_quote = false;
  bool can_worry = false;
  bool can_flag = false;
  bool can_react = false;
  bool can_reveal = false;
  bool can_show_again = false;
};

PostControls ControlsFor(const forum::Viewer& viewer, const store::PostRow& post) {
  PostControls c;
  c.revisions_link = forum::Guardian::CanSeeRevisions(viewer, post).ok();
  c.can_edit = forum::Guardian::MayEdit(viewer, post);
  c.can_delete = forum::Guardian::MayDelete(viewer, post);
  c.can_quote = viewer.signed_in();
  // Quiet and per post: the link reads the same on every post by someone else, so it says
  // nothing about which posts the forum noticed.
  c.can_worry = forum::Guardian::CanReportWorry(viewer, post).ok();
  c.can_flag = forum::Guardian::MayFlag(viewer, post);
  c.can_react = forum::Guardian::MayReact(viewer, post);
  c.can_reveal = ShowsRevealControl(viewer, post);  // moderators only (moderation_pages.cc)
  c.can_show_again = forum::Guardian::MayShowPostAgain(viewer, post);
  return c;
}

// One post's HTML is a function of these and nothing else (PostData reads only them), so the
// fragment cache's key, which holds all of them, can never serve a post rendered otherwise.
struct PostInputs {
  const store::PostRow& post;
  const forum::PostDisplay& display;
  const std::array<bool, store::kReactionKindCount>& own;  // the reactions the reader gave
  PostControls controls;
  // The one time text that changes as the post ages; its exact times follow from created_at.
  std::string created_relative;
};

Data PostData(const PostInputs& in) {
  const store::PostRow& post = in.post;
  const PostControls& controls = in.controls;
  Data item;
  item.set("id", ToString(post.id.value));
  item.set("number", ToString(post.number));
  item.set("topic_id", ToString(post.topic_id.value));
  SetAuthor(item, post.author_state, post.author_name, in.display.own);
  item.set("kind_label", post.number == 1 ? "Question" : "Reply");
  Data created;
  created.set("iso", FormatIso8601(post.created_at));
  created.set("human", FormatHuman(post.created_at));
  created.set("relative", in.created_relative);
  item.set("created", created);
  item.set("deleted", post.deleted_at.has_value());
  if (post.deleted_at) {
    item.set("deleted_text",
             post.number == 1 ? "This question was deleted by its author." : "This reply was deleted by its author.");
    return item;
  }
  SetPostDisplay(item, post, in.display);
  if (in.display.hidden) return item;  // the placeholder: no text, reactions or actions
  item.set("body_html", post.body_html);  // sanitised by cmark-gfm's safe mode when saved
  item.set("edited", post.edited_at.has_value());
  item.set("revisions_link", controls.revisions_link);
  item.set("can_edit", controls.can_edit);
  item.set("can_delete", controls.can_delete);
  item.set("can_quote", controls.can_quote);
  item.set("can_worry", controls.can_worry);
  item.set("can_flag", controls.can_flag);
  if (controls.can_reveal) item.set("reveal_url", "/p/" + ToString(post.id.value) + "/reveal");
  item.set("can_show_again", controls.can_show_again);

  Data reactions{Data::type::list};
  for (const auto& [kind, label] : kReactionLabels) {
    int k = static_cast<int>(kind);
    std::int64_t count = post.reactions[k];
    // Visitors and authors see what others gave; a row of zeros would only be noise.
    if (!controls.can_react && count == 0) continue;
    Data reaction;
    reaction.set("post_id", ToString(post.id.value));
    reaction.set("kind", std::string(forum::ReactionKindName(kind)));
    reaction.set("label", std::string(label));
    reaction.set("count", ToString(count));
    reaction.set("pressed", in.own[k] ? "true" : "false");
    reaction.set("action", in.own[k] ? "remove" : "add");
    reactions.push_back(reaction);
  }
  // One form for the three buttons: each button names its reaction, so the page carries the
  // form's CSRF token once per post rather than three times (about 5 KB on a 20-reply page).
  item.set("can_react", controls.can_react);
  item.set("reactions", reactions);
  return item;
}

// The inputs of PostData that come from the reader rather than the post: how it shows to them,
// the reactions they gave, what they may do with it, and how long ago it was written.
void AddReadersInputs(const PostInputs& in, internal::FragmentKey& key) {
  const forum::PostDisplay& d = in.display;
  key.Number(d.hidden).Number(d.blocked_author).Text(d.muted_word).Number(d.collapsed_warning).Number(d.own);
  for (bool given : in.own) key.Number(given);
  const PostControls& c = in.controls;
  for (bool may : {c.revisions_link, c.can_edit, c.can_delete, c.can_quote, c.can_worry, c.can_flag, c.can_react,
                   c.can_reveal, c.can_show_again})
    key.Number(may);
  key.Text(in.created_relative);
}

// Every input of PostData.
std::string PostKey(const PostInputs& in) {
  constexpr std::size_t kFieldsBytes = 256;
  internal::FragmentKey key("post", in.post.body_html.size() + kFieldsBytes);
  auto optional_time = [&key](const std::optional<UnixSeconds>& t) { key.Number(t ? *t : -1); };
  const store::PostRow& p = in.post;
  key.Number(p.id.value).Number(p.topic_id.value).Number(p.user_id.value).Number(p.number).Number(p.created_at);
  optional_time(p.edited_at);
  optional_time(p.deleted_at);
  optional_time(p.hidden_at);
  for (std::int64_t count : p.reactions) key.Number(count);
  key.Number(p.anonymous).Number(static_cast<int>(p.author_state));
  key.Text(p.author_name).Text(p.content_warning).Text(p.hidden_reason).Text(p.body_html);
  AddReadersInputs(in, key);
  return std::move(key).Take();
}

// One post as the topic page shows it: the page renders each with this, and live updates send
// the same for a new reply, so both look alike. Rendered once for everyone who may do the same
// with it, and kept (Site::fragments), with Site::csrf_stand_in where the reader's token goes.
Result<std::shared_ptr<const std::string>> PostFragment(const Site& site, const PostInputs& in) {
  std::string key = PostKey(in);
  if (auto known = site.fragments.Find(key)) return known;
  Data item = PostData(in);
  item.set("csrf", site.csrf_stand_in);  // the reaction form's
  auto rendered = site.templates.Render("post", item);
  if (!rendered.ok()) return std::move(rendered).error();
  auto html = std::make_shared<const std::string>(std::move(rendered).value());
  site.fragments.Put(std::move(key), html);
  return html;
}

// Copies kept HTML out with the reader's token in place of the stand-in.
void AppendWithToken(const Site& site, const forum::Viewer& viewer, std::string_view html, std::string& out) {
  for (auto at = html.find(site.csrf_stand_in); at != std::string_view::npos; at = html.find(site.csrf_stand_in)) {
    out.append(html.substr(0, at)).append(viewer.csrf_token);
    html.remove_prefix(at + site.csrf_stand_in.size());
  }
  out.append(html);
}

PostInputs InputsFor(const Site& site, const forum::Viewer& viewer, const store::PostRow& post,
                     const std::array<bool, store::kReactionKindCount>& own, const forum::PostDisplay& display) {
  return {post, display, own, ControlsFor(viewer, post), FormatRelative(post.created_at, site.Now())};
}

Result<void> AppendPostHtml(const Site& site, const forum::Viewer& viewer, const store::PostRow& post,
                            const std::array<bool, store::kReactionKindCount>& own, const forum::PostDisplay& display,
                            std::string& out) {
  auto html = PostFragment(site, InputsFor(site, viewer, post, own, display));
  if (!html.ok()) return std::move(html).error();
  AppendWithToken(site, viewer, **html, out);
  return {};
}

// A page's posts, as one reader sees them, from posts read at one feed position: the rows are the
// same for every reader then, so what else each post's key holds (how it shows to this reader,
// their reactions and rights, how long ago) is all that tells two readers' blocks apart.
std::string PostBlockKey(const forum::TopicView& view, const std::vector<PostInputs>& inputs) {
  constexpr std::size_t kPerPostBytes = 64;
  internal::FragmentKey key("posts", inputs.size() * kPerPostBytes);
  key.Number(view.topic.id.value).Number(view.page.number);
  for (const PostInputs& in : inputs) {
    key.Number(in.post.id.value).Number(in.post.number);
    AddReadersInputs(in, key);
  }
  return std::move(key).Take();
}

Result<std::string> PostHtml(const Site& site, const forum::Viewer& viewer, const store::PostRow& post,
                             const std::array<bool, store::kReactionKindCount>& own,
                             const forum::PostDisplay& display) {
  std::string out;
  KINDRED_TRY(AppendPostHtml(site, viewer, post, own, display, out));
  return out;
}

}  // namespace

Result<http::Response> Pages::Topic(const http::Request& request, const forum::Viewer& viewer) const {
  TopicId id(request.IdParam("id"));
  if (!id.valid()) return PageNotFound();
  // Ranking "People also asked" afresh takes tens of milliseconds at a million posts. A page whose
  // list is not kept is made on the searching lane, so that a crawler walking every topic never
  // holds the threads that serve readers.
  if (request.lane == http::Lane::kServing && !forum_.RelatedTopicsAtHand(id)) {
    return http::Response::AnswerOn(http::Lane::kSearching);
  }
  auto page = PageParam(request);
  if (!page.ok()) return std::move(page).error();
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  const std::int64_t live_position = live_ ? live_->cursor() : 0;  // before the posts: see "live" below
  const long long posted = query->GetInt("posted", 0);
  // The topic, its posts, the reader's reactions and blocks, the related topics and the header's
  // counts: about ten reads, one snapshot. Opened after the live position is read, so that the
  // snapshot is no older than it. (The writer's page right after posting waits for nothing: the
  // request that saved their reply waited for its misplaced check, so what it found is committed.)
  std::unique_ptr<store::ReadScope> together = forum_.ShareReads();
  auto view = forum_.ShowTopic(viewer, id, *page);
  if (!view.ok()) return std::move(view).error();
  const store::TopicRow& topic = view->topic;

  Data data = impl_->Base(viewer);
  // Right after posting: the writer's private support panel, when their words may speak of
  // risk. SupportFor answers only to the post's own writer, so a shared link shows nothing.
  if (posted > 0) {
    auto panel = SupportPanelForPost(*impl_, viewer, request, *view, PostId(posted));
    if (!panel.ok()) return std::move(panel).error();
    SetIfPresent(data, "support_panel", *panel);
    // And, for a reply that reads as belonging to another conversation, a private offer to move it.
    auto note = MisplacedNoteForPost(*impl_, viewer, *view, PostId(posted));
    if (!note.ok()) return std::move(note).error();
    SetIfPresent(data, "misplaced_note", *note);
  }
  data.set("id", ToString(topic.id.value));
  data.set("title", topic.title);
  data.set("category_slug", topic.category_slug);
  data.set("category_name", topic.category_name);
  SetAuthor(data, topic.author_state, topic.author_name, viewer.is(topic.user_id));
  data.set("asked", impl_->Time(topic.created_at));
  data.set("replies_text", Plural(topic.reply_count, "reply", "replies"));
  data.set("pinned", topic.pinned);
  data.set("closed", topic.closed);
  SetSlowModeNote(data, topic);  // moderation_pages.cc

  // The posts go into the page as one string, around the template engine (TemplateSet::kSlot).
  std::vector<PostInputs> inputs;
  inputs.reserve(view->posts.size());
  static const forum::PostDisplay kPlain;
  static const std::array<bool, store::kReactionKindCount> kNoneGiven{};
  for (std::size_t i = 0; i < view->posts.size(); ++i) {
    inputs.push_back(InputsFor(*impl_, viewer, view->posts[i], i < view->own_reactions.size() ? view->own_reactions[i] : kNoneGiven,
                               i < view->display.size() ? view->display[i] : kPlain));
  }
  std::string block_key;
  std::shared_ptr<const std::string> block;
  if (view->feed_position) {
    block_key = PostBlockKey(*view, inputs);
    block = impl_->post_blocks.Find(block_key, *view->feed_position);
  }
  if (!block) {
    std::string html;
    // A page of posts is about 30 KB; one allocation instead of a dozen doublings.
    constexpr std::size_t kPostsReserveBytes = 64 * 1024;
    html.reserve(kPostsReserveBytes);
    // Posts by someone the reader blocked are left out; each run of them leaves one quiet line,
    // so the conversation still reads in order.
    std::int64_t blocked_run = 0;
    auto end_blocked_run = [&]() -> Result<void> {
      if (blocked_run == 0) return {};
      Data note;
      note.set("blocked_text", BlockedPostsText(blocked_run));
      blocked_run = 0;
      auto note_html = impl_->templates.Render("blocked_note", note);
      if (!note_html.ok()) return std::move(note_html).error();
      html += *note_html;
      return {};
    };
    for (const PostInputs& in : inputs) {
      if (in.display.blocked_author) {
        ++blocked_run;
        continue;
      }
      KINDRED_TRY(end_blocked_run());
      auto fragment = PostFragment(*impl_, in);
      if (!fragment.ok()) return std::move(fragment).error();
      html += **fragment;
    }
    KINDRED_TRY(end_blocked_run());
    auto made = std::make_shared<const std::string>(std::move(html));
    if (view->feed_position) impl_->post_blocks.Keep(block_key, *view->feed_position, made, made->size());
    block = std::move(made);
  }
  std::string posts;
  posts.reserve(block->size() + 1024);
  AppendWithToken(*impl_, viewer, *block, posts);
  // New replies arrive live on the last page, where they belong; the stream starts from the feed
  // position read before the posts were, so nothing written meanwhile is missed (and the script
  // skips a reply already on the page).
  if (live_ && view->page.number == view->page.count) {
    Data live;  // the script opens the page's path + "/events" from there
    live.set("after", ToString(live_position));
    data.set("live", live);
  }
  auto pager = PagerHtml(*impl_, "/t/" + ToString(topic.id.value), view->page);
  if (!pager.ok()) return std::move(pager).error();
  data.set("pager", std::move(pager).value());

  auto related = RelatedTopicsHtml(*impl_, topic.id, view->feed_position);
  if (!related.ok()) return std::move(related).error();
  SetIfPresent(data, "related", *related);

  auto may_reply = forum::Guardian::CanReply(viewer, topic, view->reply_blocked);
  data.set("can_reply", may_reply.ok());
  if (view->reply_blocked) data.set("reply_blocked_text", may_reply.ok() ? std::string() : may_reply.error().message);
  data.set("sign_in_to_reply", !viewer.signed_in() && !topic.closed);
  data.set("login_next_url", http::UrlEncode(PathAndQuery(request)));

  if (forum::Guardian::CanModerateTopic(viewer).ok()) {
    auto categories = forum_.Categories(viewer, true);
    if (!categories.ok()) return std::move(categories).error();
    Data options{Data::type::list};
    for (const auto& category : *categories) {
      Data option;
      option.set("id", ToString(category.id.value));
      option.set("name", category.archived ? category.name + " (archived)" : category.name);
      option.set("selected", category.id == topic.category_id);
      options.push_back(option);
    }
    data.set("can_moderate", true);
    data.set("mod_categories", options);
    SetSlowModeControls(data, topic);  // moderation_pages.cc
  }

  std::string title = topic.title;
  if (view->page.number > 1) title += " (page " + ToString(view->page.number) + ")";
  return impl_->Render(viewer, {title, "", PathAndQuery(request), 200}, "topic", data, posts);
}

Result<http::Response> Pages::TopicEvents(const http::Request& request, const forum::Viewer& viewer) const {
  TopicId id(request.IdParam("id"));
  if (!id.valid()) return PageNotFound();
  if (!live_) {
    return Error{ErrorCode::kUnavailable, "live_updates_off", "Live updates are not switched on here.", {}, 0};
  }
  // The topic page's own read, so whatever decides who may see a topic decides here too.
  auto view = forum_.ShowTopic(viewer, id, 1);
  if (!view.ok()) return std::move(view).error();
  // Rendered for this viewer with the topic page's own post template, so a live reply looks
  // exactly like one loaded with the page. The reader's own reactions are not looked up: a new
  // reply has none, and for an edit the script takes only the new text.
  const Site& site = *impl_;
  auto render = [&site, id, opened_as = viewer](const live::PostChange& change) -> std::optional<live::StreamEvent> {
    // Moderation and the reader's own controls apply live as on the page: a hidden or held reply
    // reaches only its writer and the moderators, a blocked member's never reaches the blocker.
    // Who the reader is and whether they may still read the topic are asked again each time.
    auto reader = site.forum.StreamViewerNow(opened_as, id);
    if (!reader.ok()) {
      if (reader.error().code != ErrorCode::kNotFound) {
        spdlog::error("a live reply could not be checked for its reader: {}", reader.error().message);
      }
      return std::nullopt;
    }
    const forum::Viewer& reader_now = *reader;
    std::vector<store::PostRow> posts{change.post};
    auto display = site.forum.DisplayFor(reader_now, posts);
    if (!display.ok()) {
      spdlog::error("a live reply could not be checked for its reader: {}", display.error().message);
      return std::nullopt;
    }
    const forum::PostDisplay& shown = display->front();
    if (shown.blocked_author) return std::nullopt;
    if (shown.hidden && change.kind == live::PostChange::Kind::kCreated) return std::nullopt;
    const store::PostRow& post = posts.front();
    auto html = PostHtml(site, reader_now, post, {}, shown);
    if (!html.ok()) {
      spdlog::error("a live reply could not be rendered: {}", html.error().message);
      return std::nullopt;
    }
    nlohmann::json data = {{"id", post.id.value},
                           {"number", post.number},
                           {"author", AuthorPlain(post.author_state, post.author_name)},
                           {"html", std::move(html).value()}};
    return live::StreamEvent{std::string(live::EventName(change.kind)),
                             data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  };
  // Every visitor sees a post the same way; a member's view depends on who they are (their own
  // posts' Edit links) and their session (the forms' CSRF token).
  std::string share_key = viewer.signed_in() ? "" : "page:visitor";
  return live_->OpenStream(id, request, std::move(render), std::move(share_key));
}

Result<http::Response> Pages::PostLink(const http::Request& request, const forum::Viewer& viewer) const {
  PostId id(request.IdParam("id"));
  if (!id.valid()) return PageNotFound();
  auto post = forum_.ReadPost(viewer, id);
  if (!post.ok()) return std::move(post).error();
  return http::Response::Redirect("/t/" + ToString(post->topic_id.value) + "?page=" +
                                  ToString(forum::Forum::PageOfPost(post->number)) + "#p" + ToString(post->number));
}

Result<http::Response> Pages::Revisions(const http::Request& request, const forum::Viewer& viewer) const {
  PostId id(request.IdParam("id"));
  if (!id.valid()) return PageNotFound();
  auto post = forum_.ReadPost(viewer, id);
  if (!post.ok()) return std::move(post).error();
  auto revisions = forum_.Revisions(viewer, id);
  if (!revisions.ok()) return std::move(revisions).error();
  auto topic = forum_.ShowTopic(viewer, post->topic_id, 1);
  if (!topic.ok()) return std::move(topic).error();

  std::vector<store::RevisionRow> older = std::move(revisions).value();
  std::sort(older.begin(), older.end(), [](const auto& a, const auto& b) { return a.revision > b.revision; });

  Data data = impl_->Base(viewer);
  data.set("post_id", ToString(id.value));
  data.set("topic_id", ToString(post->topic_id.value));
  data.set("topic_title", topic->topic.title);
  data.set("author", AuthorPlain(post->author_state, post->author_name));
  Data list{Data::type::list};
  Data current;
  current.set("label", "Current version");
  current.set("at", impl_->Time(post->edited_at.value_or(post->created_at)));
  current.set("body_html", post->body_html);
  list.push_back(current);
  for (const auto& revision : older) {
    Data item;
    item.set("label",
             revision.revision == 1 ? std::string("As first posted") : "Version " + ToString(revision.revision));
    item.set("at", impl_->Time(revision.created_at));
    item.set("body_html", revision.body_html);
    list.push_back(item);
  }
  data.set("revisions", list);
  return impl_->Render(viewer, {"Edit history", "", PathAndQuery(request), 200}, "revisions", data);
}

Result<http::Response> Pages::Profile(const http::Request& request, const forum::Viewer& viewer) const {
  auto page = PageParam(request);
  if (!page.ok()) return std::move(page).error();
  auto profile = forum_.Profile(viewer, request.Param("name"), *page);
  if (!profile.ok()) return std::move(profile).error();

  Data data = impl_->Base(viewer);
  data.set("username", profile->user.username);
  data.set("since", impl_->Time(profile->user.created_at));
  data.set("posts_text", Plural(profile->post_count, "post", "posts"));
  if (profile->user.role == store::Role::kAdmin) data.set("role_label", "Admin");
  if (profile->user.role == store::Role::kModerator) data.set("role_label", "Moderator");
  if (forum::Guardian::CanReview(viewer).ok()) {  // moderators: suspend, trust, role (moderation_pages.cc)
    data.set("mod_panel_url", "/mod/members/" + http::UrlEncode(profile->user.username));
  }

  // Blocking, offered on the member's own page (never for oneself, or for staff, who must be
  // able to reach everyone). A blocked member's posts are left out here as everywhere.
  bool blocked = false;
  if (viewer.signed_in() && !viewer.is(profile->user.id)) {
    auto list = forum_.BlockedMembers(viewer);
    if (!list.ok()) return std::move(list).error();
    for (const auto& member : *list) blocked = blocked || member.id == profile->user.id;
    if (blocked || profile->user.role == store::Role::kMember) {
      Data block;
      block.set("blocked", blocked);
      block.set("url", "/u/" + http::UrlEncode(profile->user.username));
      block.set("next", "/u/" + http::UrlEncode(profile->user.username));
      data.set("block", block);
    }
    auto query = http::Params::Parse(request.query);
    if (query.ok() && query->Get("blocked") == "1" && blocked) {
      data.set("block_done", "Done. You won't see " + profile->user.username + "'s posts, and they can't reply to your questions.");
    } else if (query.ok() && query->Get("unblocked") == "1" && !blocked) {
      data.set("block_done", "Done: the block is lifted.");
    }
  }

  Data posts{Data::type::list};
  for (std::size_t i = 0; i < profile->posts.size() && !blocked; ++i) {
    const store::PostRow& post = profile->posts[i];
    forum::PostDisplay display;
    if (i < profile->display.size()) display = profile->display[i];
    Data item;
    item.set("id", ToString(post.id.value));
    item.set("topic_title",
             i < profile->topics_of_posts.size() ? profile->topics_of_posts[i].title : std::string("A conversation"));
    // Only the writer sees their anonymous posts here: it reminds them that others do not.
    std::string kind = post.number == 1 ? "Asked" : "Replied";
    item.set("kind", post.anonymous ? kind + " anonymously (only you see it here)" : kind);
    item.set("at", impl_->Time(post.created_at));
    std::string excerpt;
    if (post.deleted_at) {
      excerpt = "This post was deleted by its author.";
    } else if (display.hidden) {
      excerpt = forum::HiddenPostPlaceholder(post);
    } else if (!display.muted_word.empty()) {
      excerpt = "Hidden because it contains a word you muted. Open the post to read it.";
    } else if (display.collapsed_warning) {
      excerpt = "Content warning: " + post.content_warning + ". Open the post to read it.";
    } else {
      excerpt = Excerpt(PlainTextOfHtml(post.body_html), kExcerptCodepoints);
    }
    item.set("excerpt", excerpt);
    posts.push_back(item);
  }
  data.set("posts", posts);
  data.set("has_posts", !profile->posts.empty() && !blocked);
  auto pager = PagerHtml(*impl_, "/u/" + http::UrlEncode(profile->user.username), profile->page);
  if (!pager.ok()) return std::move(pager).error();
  data.set("pager", std::move(pager).value());
  return impl_->Render(viewer, {profile->user.username, "", PathAndQuery(request), 200}, "profile", data);
}

// ---- Static files ----

Result<http::Response> Pages::Static(const http::Request& request, const forum::Viewer& viewer) const {
  const internal::StaticFile* file = impl_->statics.Find(request.Param("name"));
  if (!file) return PageNotFound();
  http::Response response;
  response.status = 200;
  response.content_type = std::string(file->content_type);
  response.body = std::string(file->content);
  response.AddHeader("Cache-Control", std::string(kStaticCacheControl));
  response.AddHeader("ETag", "\"" + file->version + "\"");
  return response;
}

// ---- Errors ----

namespace {

// "example.org" of "example.org:8443", "[::1]" of "[::1]:8080".
std::string_view WithoutPort(std::string_view host) {
  const auto after = host.starts_with('[') ? host.find(']') : 0;
  if (after == std::string_view::npos) return host;
  return host.substr(0, std::min(host.find(':', after), host.size()));
}

// The path of `url` ("https://host/path") when its host is this site's; nullopt otherwise.
// A proxy that passes the Host header without its port (nginx's $host) is this site too.
std::optional<std::string> PathOnThisSite(const http::Request& request, std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  url.remove_prefix(scheme_end + 3);
  const auto path_start = std::min(url.find('/'), url.size());
  std::string_view url_host = url.substr(0, path_start);
  const std::string_view host = request.Header("host");
  if (host.empty()) return std::nullopt;
  if (url_host != host && WithoutPort(url_host) != host) return std::nullopt;
  std::string path(path_start < url.size() ? url.substr(path_start) : "/");
  if (!IsLocalPath(path)) return std::nullopt;
  return path;
}

// Whether the browser says the form was on this site. A form another site sent in someone's name
// must not get its words shown back here as theirs.
bool SentFromThisSite(const http::Request& request) {
  if (std::string_view origin = request.Header("origin"); !origin.empty()) {
    return PathOnThisSite(request, origin).has_value();
  }
  return PathOnThisSite(request, request.Header("referer")).has_value();
}

}  // namespace

http::Response Pages::FormNotSentPage(const http::Request& request, const forum::Viewer& viewer,
                                      NotSent why) const {
  // Reading back a paste of many megabytes would cost more than it helps.
  constexpr std::size_t kMostBytesShownBack = 2 << 20;
  Data data = impl_->Base(viewer);
  // Signed out meanwhile: the browser still sent a session cookie the forum no longer knows. A
  // visitor who never signed in (a sign-in form left open) gets the plain wording.
  const bool signed_out =
      why == NotSent::kExpired && !viewer.signed_in() && !request.Cookie(http::kSessionCookieName).empty();
  std::string heading;
  std::string message;
  int status = 403;
  if (why == NotSent::kTooLarge) {
    heading = "That was more than we can take at once";
    message = "It was not sent: a post can be up to " + GroupThousands(forum::kBodyMax) +
              " characters. Your words are below: copy them, then post them in parts or shorten them.";
    status = 413;
  } else if (signed_out) {
    heading = "Please sign in again";
    message = "You were signed out before this was sent, so it was not posted. Your words are below: copy them, sign "
              "in, and send them again.";
  } else {
    heading = "This page was open for a while";
    message = "For your safety, forms stop working after a while, so this was not sent. Your words are below: copy "
              "them, go back to the page, reload it and send them again.";
  }
  data.set("heading", heading);
  data.set("message", message);
  // Only what a person writes; never a password, never the form's own hidden fields.
  static constexpr std::array<std::array<std::string_view, 3>, 4> kWritten{{{"title", "Your title", "2"},
                                                                          {"body", "Your text", "12"},
                                                                          {"note", "Your note", "6"},
                                                                          {"content_warning", "Your content warning", "1"}}};
  Data kept{Data::type::list};
  auto form = request.body.size() <= kMostBytesShownBack ? http::Params::Parse(request.body)
                                                          : Result<http::Params>(Error::TooLarge(""));
  if (form.ok() && SentFromThisSite(request)) {
    for (const auto& [name, label, rows] : kWritten) {
      std::string value = TextareaValue(*form, name);
      if (!IsValidUtf8(value) || Trim(value).empty()) continue;
      Data field;
      field.set("name", std::string(name));
      field.set("label", std::string(label));
      field.set("rows", std::string(rows));
      field.set("value", std::move(value));
      kept.push_back(field);
    }
  }
  data.set("kept", kept);
  const std::string back = PathOnThisSite(request, request.Header("referer")).value_or("/");
  data.set("back", back);
  if (signed_out) {
    data.set("sign_in", true);
    data.set("back_encoded", http::UrlEncode(back));
  }
  auto response = impl_->Render(viewer, {heading, "", "", status}, "expired_form", data);
  if (!response.ok()) return ErrorPage(viewer, response.error());
  // The page holds what the person wrote: no cache keeps it.
  response->AddHeader("Cache-Control", "no-store");
  return std::move(response).value();
}

http::Response Pages::ErrorPage(const forum::Viewer& viewer, const Error& error) const {
  Data data = impl_->Base(viewer);
  std::string heading;
  std::string message = error.message;
  switch (error.code) {
    case ErrorCode::kNotFound:
      heading = "We could not find that page";
      // One wording for every missing thing: the forum's own words would repeat the heading.
      message = "It may have been moved or deleted.";
      break;
    case ErrorCode::kUnauthenticated:
      heading = "Please sign in";
      if (message.empty()) message = "You need to be signed in for this.";
      data.set("sign_in", true);
      break;
    case ErrorCode::kForbidden:
      heading = "This is not open to you";
      break;
    case ErrorCode::kInvalidInput:
      heading = "Something in that request did not look right";
      break;
    case ErrorCode::kConflict:
      heading = "That could not be done just now";
      break;
    case ErrorCode::kTooLarge:
      heading = "That was more than we can take at once";
      if (message.empty()) message = "Please try something shorter.";
      break;
    case ErrorCode::kRateLimited:
      heading = "A short pause, please";
      message = "You have done that a few times in a row. Please wait " +
                Plural(std::max(1, error.retry_after_seconds), "second", "seconds") + ", then try again.";
      break;
    case ErrorCode::kUnavailable:
      heading = "We are having trouble right now";
      message = "Please try again in a minute.";
      break;
    case ErrorCode::kInternal:
      heading = "Something went wrong on our side";
      // The message may carry internals; a person only needs to know it is not their doing.
      message = "It is not something you did. Please try again in a moment.";
      break;
  }
  data.set("heading", heading);
  SetIfPresent(data, "message", message);
  PageInfo info{heading, "", "", http::StatusFor(error.code)};
  auto response = impl_->Render(viewer, info, "error", data);
  if (!response.ok()) {
    // The templates themselves are broken: say so in the plainest page we can make.
    return http::Response::Html(
        "<!doctype html><html lang=\"en\"><title>Something went wrong</title><h1>Something went wrong on our "
        "side</h1><p>Please try again in a moment.</p></html>",
        http::StatusFor(error.code));
  }
  if (error.code == ErrorCode::kRateLimited && error.retry_after_seconds > 0) {
    response->AddHeader("Retry-After", ToString(error.retry_after_seconds));
  }
  return std::move(response).value();
}

}  // namespace kindred::web
