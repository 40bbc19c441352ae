// Topics: asking a question, reading threads and lists, and moderating a topic's state.
#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/markdown.h"
#include "forum/validation.h"

namespace kindred::forum {
namespace {

Error TopicNotFound() {
  return Error::NotFound("topic_not_found", "We could not find that topic. It may have been moved or deleted.");
}

// Page numbers come from URLs: anything below 1 is page 1; past the end is "not found" so a
// stale link says so instead of showing an empty page.
Result<Page> PageFor(int requested, std::int64_t total, int per_page) {
  Page page;
  page.count = static_cast<int>(std::max<std::int64_t>(1, (total + per_page - 1) / per_page));
  page.number = std::max(1, requested);
  if (page.number > page.count || page.number > kMaxPage) {
    return Error::NotFound("page_not_found", "That page does not exist. The list may be shorter now.");
  }
  return page;
}

}  // namespace

Result<TopicListView> Forum::LatestTopics(int page, int per_page) {
  per_page = std::clamp(per_page, 1, kTopicsPerPage);
  int offset = (std::clamp(page, 1, kMaxPage) - 1) * per_page;
  auto list = store_.ListTopics(std::nullopt, offset, per_page);
  if (!list) return std::move(list).error();
  auto paging = PageFor(page, list->total, per_page);
  if (!paging) return std::move(paging).error();
  return TopicListView{std::move(list->topics), *paging};
}

Result<TopicListView> Forum::CategoryTopics(CategoryId category, int page) {
  int offset = (std::clamp(page, 1, kMaxPage) - 1) * kTopicsPerPage;
  auto list = store_.ListTopics(category, offset, kTopicsPerPage);
  if (!list) return std::move(list).error();
  auto paging = PageFor(page, list->total, kTopicsPerPage);
  if (!paging) return std::move(paging).error();
  return TopicListView{std::move(list->topics), *paging};
}

std::size_t Forum::BytesOf(const TopicPageRows& rows) {
  constexpr std::size_t kPerRow = 256;  // the fixed fields and the strings' own overhead
  std::size_t bytes = kPerRow + rows.topic.title.size();
  for (const auto& post : rows.posts) {
    bytes += kPerRow + post.body_markdown.size() + post.body_html.size() + post.content_warning.size() +
             post.author_name.size() + post.hidden_reason.size();
  }
  return bytes;
}

Result<std::shared_ptr<const Forum::TopicPageRows>> Forum::TopicPage(TopicId id, int page,
                                                                    std::optional<std::int64_t> position) {
  const std::string key = std::to_string(id.value) + ":" + std::to_string(page);
  auto read = [&]() -> Result<std::shared_ptr<const TopicPageRows>> {
    auto topic = store_.FindTopic(id);
    if (!topic) return topic.error().code == ErrorCode::kNotFound ? TopicNotFound() : std::move(topic).error();
    auto total = store_.CountPosts(id);
    if (!total) return std::move(total).error();
    auto paging = PageFor(page, *total, kPostsPerPage);
    if (!paging) return std::move(paging).error();
    auto posts = store_.ListPosts(id, (paging->number - 1) * kPostsPerPage, kPostsPerPage);
    if (!posts) return std::move(posts).error();
    return std::make_shared<const TopicPageRows>(
        TopicPageRows{std::move(topic).value(), std::move(posts).value(), *paging});
  };
  return topic_pages_.FindOrMake(key, position, read, [](const TopicPageRows& rows) { return BytesOf(rows); });
}

Result<std::vector<Forum::OwnReactions>> Forum::OwnReactionsOnPage(const Viewer& viewer, const TopicView& view,
                                                                   std::optional<std::int64_t> position) {
  std::vector<PostId> ids;
  for (const auto& post : view.posts) ids.push_back(post.id);
  if (!viewer.signed_in() || !position) return OwnReactionsTo(viewer, ids);
  // The post ids too: rows read a moment after the position may hold a newer page than another
  // request's at the same position, and each list of reactions belongs to its own list of posts.
  std::string key = std::to_string(viewer.member->id.value);
  for (PostId id : ids) key.append(1, ':').append(std::to_string(id.value));
  auto read = [&]() -> Result<std::shared_ptr<const std::vector<OwnReactions>>> {
    auto own = OwnReactionsTo(viewer, ids);
    if (!own) return std::move(own).error();
    return std::make_shared<const std::vector<OwnReactions>>(std::move(own).value());
  };
  constexpr std::size_t kFixed = 64;
  auto own = own_reactions_.FindOrMake(key, position, read, [](const std::vector<OwnReactions>& reactions) {
    return kFixed + reactions.size() * sizeof(OwnReactions);
  });
  if (!own) return std::move(own).error();
  return **own;
}

Result<Viewer> Forum::StreamViewerNow(const Viewer& opened_as, TopicId topic_id) {
  Viewer now = opened_as;
  if (!opened_as.session_token_hash.empty()) {
    now = AuthenticateTokenHash(opened_as.session_token_hash, opened_as.client_address);
  }
  // Every stream on the topic asks after the same change: the topic's first page, kept at the
  // feed's position, answers all of them with one read.
  std::optional<std::int64_t> position;
  if (auto latest = store_.LatestEventSeq()) position = *latest;
  auto rows = TopicPage(topic_id, 1, position);
  if (!rows) return std::move(rows).error();
  KINDRED_TRY(Guardian::CanReadTopic(now, (*rows)->topic));
  return now;
}

Result<TopicView> Forum::ShowTopic(const Viewer& viewer, TopicId id, int page) {
  // Read before the rows: a write that lands meanwhile moves the feed past what they are kept at.
  std::optional<std::int64_t> position;
  if (auto latest = store_.LatestEventSeq()) position = *latest;
  auto rows = TopicPage(id, page, position);
  if (!rows) return std::move(rows).error();
  const store::TopicRow& topic = (*rows)->topic;
  KINDRED_TRY(Guardian::CanReadTopic(viewer, topic));
  TopicView view{topic, (*rows)->posts, {}, {}, (*rows)->page};
  view.feed_position = position;
  auto display = DisplayFor(viewer, view.posts, position);
  if (!display) return std::move(display).error();
  view.display = std::move(display).value();
  auto own = OwnReactionsOnPage(viewer, view, position);
  if (!own) return std::move(own).error();
  view.own_reactions = std::move(own).value();
  auto blocked = AskerBlocked(viewer, view.topic, position);
  if (!blocked) return std::move(blocked).error();
  view.reply_blocked = *blocked;
  return view;
}

Result<ProfileView> Forum::Profile(const Viewer& viewer, std::string_view username, int page) {
  auto user = store_.FindUserByName(username);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) {
      return Error::NotFound("user_not_found", "We could not find a member with that name.");
    }
    return std::move(user).error();
  }
  // An erased account's kept posts read as "a former member" each; a profile would gather them
  // again under one name, and its numbered name lets anyone walk every former member's history.
  if (user->erased_at) return Error::NotFound("user_not_found", "We could not find a member with that name.");
  // Anonymous and hidden posts belong on a profile only as its owner sees it: anyone else
  // (moderators too: they reveal a writer only through RevealAnonymous, which is logged) would
  // learn who wrote them from where they are listed.
  const bool own = viewer.is(user->id);
  auto count = store_.CountPostsByUser(user->id, own);
  if (!count) return std::move(count).error();
  auto paging = PageFor(page, *count, kTopicsPerPage);
  if (!paging) return std::move(paging).error();
  auto posts = store_.ListPostsByUser(user->id, (paging->number - 1) * kTopicsPerPage, kTopicsPerPage, own);
  if (!posts) return std::move(posts).error();
  ProfileView view{std::move(user).value(), std::move(posts).value(), {}, {}, *count, *paging};
  auto display = DisplayFor(viewer, view.posts);
  if (!display) return std::move(display).error();
  view.display = std::move(display).value();
  for (const auto& post : view.posts) {
    auto topic = store_.FindTopic(post.topic_id);
    if (!topic) return std::move(topic).error();
    view.topics_of_posts.push_back(std::move(topic).value());
  }
  return view;
}

Result<std::pair<store::TopicRow, store::PostRow>> Forum::Ask(const Viewer& viewer, const AskInput& input) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to ask a question.");
  auto category = store_.FindCategoryById(input.category_id);
  if (!category) {
    if (category.error().code == ErrorCode::kNotFound) {
      return Error::Invalid("category_id", "category_not_found", "Please choose a category for your question.");
    }
    return std::move(category).error();
  }
  KINDRED_TRY(Guardian::CanAsk(viewer, *category));
  auto title = ValidateTitle(input.title);
  if (!title) return std::move(title).error();
  auto body = ValidateBody(input.body);
  if (!body) return std::move(body).error();
  auto screening = Screen(viewer, *title, std::move(body).value(), input.content_warning);
  if (!screening) return std::move(screening).error();
  // Someone reaching out is never told to wait (SAFETY.md): limits are for everything else.
  if (!screening->may_speak_of_risk) KINDRED_TRY(TakePostingToken(viewer));

  store::NewTopic topic{category->id, viewer.member->id, *title, screening->body, RenderMarkdown(screening->body),
                        clock_.Now(), false};
  topic.anonymous = input.anonymous;
  topic.content_warning = screening->content_warning;
  topic.held = screening->held;
  auto created = store_.CreateTopic(topic);
  if (created) {
    AfterPostSaved(created->second, created->first.title);
    AfterScreenedPostSaved(viewer, created->second, *screening);
  }
  return created;
}

Result<store::TopicRow> Forum::ModerateTopic(const Viewer& viewer, TopicId id, const TopicStateInput& input) {
  KINDRED_TRY(Guardian::CanModerateTopic(viewer));
  auto topic = store_.FindTopic(id);
  if (!topic) return topic.error().code == ErrorCode::kNotFound ? TopicNotFound() : std::move(topic).error();
  auto reason = ValidateReason(input.reason);
  if (!reason) return std::move(reason).error();
  CategoryId category = input.category_id.value_or(topic->category_id);
  std::string category_name;
  if (category != topic->category_id) {
    auto target = store_.FindCategoryById(category);
    if (!target) {
      return Error::Invalid("category_id", "category_not_found", "Please choose a category that exists.");
    }
    category_name = target->name;
  }
  auto changed =
      store_.SetTopicState(id, input.pinned.value_or(topic->pinned), input.closed.value_or(topic->closed), category);
  if (!changed) return changed;
  // Pinning, closing and moving are moderation decisions too: on the record, as before -> after.
  auto state = [](const store::TopicRow& t) {
    return std::string(t.pinned ? "pinned" : "not pinned") + ", " + (t.closed ? "closed" : "open") + ", category " +
           std::to_string(t.category_id.value);
  };
  if (state(*topic) != state(*changed)) {
    if (auto logged = store_.AppendModlog({0, viewer.member->id, "topic.moderated", "topic", id.value, state(*topic),
                                           state(*changed), *reason, clock_.Now(), ""});
        !logged) {
      return std::move(logged).error();
    }
  }
  // The writer hears of what changes where their question can be found or answered. Pinning
  // takes nothing from them and is not worth a message.
  const bool closing = changed->closed != topic->closed;
  const bool moving = changed->category_id != topic->category_id;
  if ((closing || moving) && topic->user_id != viewer.member->id) {
    const std::string question = "your question \"" + topic->title + "\"";
    std::string title, text;
    if (closing && changed->closed) {
      title = "A moderator closed your question to new replies";
      text = "A moderator closed " + question + " to new replies. It stays up, and everything in it can still be read.";
    } else if (closing) {
      title = "Your question is open to replies again";
      text = "A moderator opened " + question + " to new replies again.";
    } else {
      title = "A moderator moved your question";
    }
    if (moving) {
      text.append(text.empty() ? "A moderator moved " + question + " to " : " It is now in ")
          .append("the category \"" + category_name + "\". Its link stays the same.");
    }
    if (!reason->empty()) text.append("\n\nTheir note: " + *reason);
    if (auto told = TellWriter(topic->user_id, title, text, "/t/" + std::to_string(id.value)); !told) {
      spdlog::error("could not tell the writer of topic {} about a moderator's change: {}", id.value,
                    told.error().message);
    }
  }
  return changed;
}

}  // namespace kindred::forum
