// Pages: personal controls (issue 5). Blocking and unblocking a member, muted words and the
// content-warning preference on the account page, and the helpers every page uses to show an
// author and a post the way this reader should see them (anonymous, hidden, muted, warned).
//
// Collapsed posts are <details>: they open with one click, without script, and a screen reader
// announces them as collapsed with the summary as their name.

#include "core/text.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/validation.h"
#include "web/pages.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

constexpr std::string_view kAnonymousMember = "Anonymous member";
constexpr std::string_view kFormerMember = "A former member";

// What a hidden post's writer and the moderators read above it, by why it is hidden.
// Why a hidden post is hidden, in words for its writer (`own`) or a moderator.
std::string HiddenNote(std::string_view reason, bool own) {
  if (reason == "moderator") {
    return own ? "A moderator hid this post: only you and the moderators can see it. Their message to you says why."
               : "A moderator hid this post: members cannot see it.";
  }
  const std::string while_ = reason == "held" ? "it waits for a moderator's first look" : "a moderator looks at it";
  return own ? "Only you and the moderators can see this post while " + while_ + "."
             : "Members cannot see this post while " + while_ + ".";
}

std::string ProfileUrl(std::string_view username) { return "/u/" + http::UrlEncode(username); }

// Where a block or unblock form goes back to: the page it came from, when that is on this site.
std::string BackTo(const http::Params& form, std::string fallback) {
  const std::string& next = form.Get("next");
  return IsLocalPath(next) ? next : fallback;
}

// Muted words come from a textarea, one word or phrase per line.
std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

// ---- Shared with the page files ----

std::string AuthorPlain(store::AuthorState state, const std::string& name) {
  switch (state) {
    case store::AuthorState::kAnonymous:
      return std::string(kAnonymousMember);
    case store::AuthorState::kFormerMember:
      return std::string(kFormerMember);
    case store::AuthorState::kNamed:
      break;
  }
  return name;
}

void SetAuthor(Data& data, store::AuthorState state, const std::string& name, bool own) {
  switch (state) {
    case store::AuthorState::kAnonymous:
      data.set("author", own ? std::string(kAnonymousMember) + " (you)" : std::string(kAnonymousMember));
      data.set("author_plain", std::string(kAnonymousMember));
      data.set("author_linked", false);
      return;
    case store::AuthorState::kFormerMember:
      data.set("author", std::string(kFormerMember));
      data.set("author_plain", std::string(kFormerMember));
      data.set("author_linked", false);
      return;
    case store::AuthorState::kNamed:
      break;
  }
  data.set("author", name);
  data.set("author_plain", name);
  data.set("author_url", http::UrlEncode(name));
  data.set("author_linked", true);
}

void SetPostDisplay(Data& item, const store::PostRow& post, const forum::PostDisplay& display) {
  if (post.deleted_at) return;  // the partial shows "deleted" and nothing else
  if (display.hidden) {
    item.set("hidden", true);
    item.set("hidden_text", std::string(forum::HiddenPostPlaceholder(post)));
    return;
  }
  item.set("visible", true);
  if (post.hidden_at) {
    item.set("hidden_note", HiddenNote(post.hidden_reason, display.own));
  }
  if (!display.muted_word.empty()) {
    // The word itself stays out of the summary: it is the word the reader asked not to see.
    item.set("fold", true);
    item.set("fold_summary", "Hidden because it contains a word you muted. Show it");
  } else if (display.collapsed_warning) {
    item.set("fold", true);
    item.set("fold_summary", "Content warning: " + post.content_warning + ". Show the post");
  }
  // Inside the fold, or above an open post, the author's warning stays readable.
  if (!post.content_warning.empty() && !display.collapsed_warning) {
    item.set("warning_label", post.content_warning);
  }
}

std::string BlockedPostsText(std::int64_t count) {
  return count == 1 ? std::string("1 post from someone you blocked is not shown.")
                    : ToString(count) + " posts from someone you blocked are not shown.";
}

void SetComposeChoices(Data& data, const http::Params& form) {
  data.set("anonymous", form.Get("anonymous") == "1");
  data.set("content_warning", std::string(Trim(form.Get("content_warning"))));
}

bool HoldForOvershareLook(Data& data, const http::Params& form, std::string_view text) {
  if (form.Get("overshare_ok") == "1" || !forum::LooksLikeContactDetails(text)) return false;
  data.set("overshare",
           "Your post seems to include an email address or a phone number. Everyone who reads this forum "
           "can see it, and it may be hard to take back later. You may want to remove it, or you can post "
           "it as it is.");
  return true;
}

namespace {

// The section, with `typed_words` instead of the saved ones when a save failed.
Result<std::string> ControlsHtml(const Site& site, const forum::Viewer& viewer, const Error* error,
                                 const std::string* typed_words) {
  auto me = site.forum.Me(viewer);
  if (!me.ok()) return std::move(me).error();
  auto blocked = site.forum.BlockedMembers(viewer);
  if (!blocked.ok()) return std::move(blocked).error();
  Data data = site.Base(viewer);
  Data members{Data::type::list};
  for (const auto& member : *blocked) {
    Data item;
    item.set("name", member.username);
    item.set("url", ProfileUrl(member.username));
    members.push_back(item);
  }
  data.set("blocked", members);
  data.set("has_blocked", !blocked->empty());
  data.set("muted_words", typed_words ? *typed_words : me->muted_words);
  data.set("show_warned_posts", me->show_warned_posts);
  data.set("max_muted", ToString(forum::kMaxMutedWords));
  if (error) ShowFormError(data, *error, {"muted_words"}, "personal_", "personal-");
  return site.templates.Render("account_personal", data);
}

}  // namespace

Result<std::string> PersonalControlsHtml(const Site& site, const forum::Viewer& viewer, const Error* error) {
  return ControlsHtml(site, viewer, error, nullptr);
}

// ---- Pages ----

Result<http::Response> Pages::BlockMember(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& name = request.Param("name");
  KINDRED_TRY(forum_.Block(viewer, name));
  return http::Response::Redirect(BackTo(*form, ProfileUrl(name)) + "?blocked=1");
}

Result<http::Response> Pages::UnblockMember(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  KINDRED_TRY(forum_.Unblock(viewer, request.Param("name")));
  std::string back = BackTo(*form, "/account");
  return http::Response::Redirect(back == "/account" ? "/account?saved=1#h-blocked" : back + "?unblocked=1");
}

Result<http::Response> Pages::SavePersonalControls(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  std::string words = TextareaValue(*form, "muted_words");
  auto saved = forum_.SetMutedWords(viewer, Lines(words));
  if (saved.ok()) saved = forum_.SetShowWarnedPosts(viewer, form->Get("show_warned_posts") == "1");
  if (saved.ok()) return http::Response::Redirect("/account?saved=1#h-muted");

  Error error = std::move(saved).error();
  if (!IsFormError(error.code)) return error;
  // The words come back as typed, with the problem named beside them.
  auto html = ControlsHtml(*impl_, viewer, &error, &words);
  if (!html.ok()) return std::move(html).error();
  Data data = impl_->Base(viewer);
  data.set("personal_controls", std::move(html).value());
  return impl_->RenderFailedForm(viewer, {"Your account", "account", "", 200}, "account_personal_page", data, error);
}

}  // namespace kindred::web
