// The private half of Pages: the state behind Pages::Impl and the helpers its page files share
// (layout, forms, times, pagers). Only src/web/*.cc include this.
// Thread-safety: Impl is immutable after construction except for TemplateSet's pool and the
// post fragment cache, which lock; the helpers are pure.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/feed_cache.h"
#include "core/result.h"
#include "forum/forum.h"
#include "http/message.h"
#include "forum/passwords.h"
#include "web/fragment_cache.h"
#include "web/pages.h"
#include "web/static_files.h"
#include "web/template_set.h"

namespace kindred::web {

using internal::Data;

// What the layout needs to know about the page inside it.
struct PageInfo {
  std::string title;          // "" for the home page: then the title is the site name alone
  std::string_view nav;       // which main-nav link is the current page: "home", "ask", "admin", ...
  std::string path_for_next;  // where "Sign in" should bring the person back to ("" for none)
  int status = 200;
};

// Everything the page files share: the forum, the options, templates and static files, and
// the layout. Pages::Impl is this (a private nested type cannot be named by the free helper
// functions of the page files, so they take a Site).
struct Site {
  Site(forum::Forum& forum, const SiteOptions& options) : forum(forum), options(options) {}

  forum::Forum& forum;
  const SiteOptions options;
  internal::TemplateSet templates;
  internal::StaticFiles statics;
  // Posts as rendered for any reader with the same rights over them (see PostHtml in pages.cc),
  // and pagers. 16 MB holds about 5,000 posts, the pages read in any recent stretch of a busy forum.
  static constexpr std::size_t kFragmentBytes = std::size_t{16} << 20;
  mutable internal::FragmentCache fragments{kFragmentBytes};
  // A topic page's posts whole, as each kind of reader sees them (PostBlockKey in pages.cc), kept
  // while the change feed stays where they were read; a busy forum's pages go first, and on a
  // write their posts come back from `fragments` one by one.
  static constexpr std::size_t kPostBlockBytes = std::size_t{8} << 20;
  static constexpr std::chrono::seconds kPostBlockMaxAge{30};
  mutable FeedCache<std::string> post_blocks{kPostBlockBytes, kPostBlockMaxAge};
  // Cached posts carry this in place of the reader's CSRF token, replaced as the page is served:
  // random per process, so no text a member writes can contain it. It starts with a control
  // character that rendered HTML otherwise never holds, so looking for it is one memchr over the
  // post rather than a comparison at every letter the token starts with.
  const std::string csrf_stand_in = forum::NewToken().insert(0, 1, '\x01');

  // The fields every page template may use: csrf, site_name, signed_in.
  Data Base(const forum::Viewer& viewer) const;
  // Renders `template_name` with `data` and wraps it in the layout. A template with a
  // TemplateSet::kSlot gets `content` there, joined in as it is rather than through the engine
  // (the topic page's posts).
  Result<http::Response> Render(const forum::Viewer& viewer, const PageInfo& info, std::string_view template_name,
                                const Data& data, std::string_view content = {}) const;
  // A form that failed: the same page again, with the status for the error (and Retry-After).
  Result<http::Response> RenderFailedForm(const forum::Viewer& viewer, PageInfo info, std::string_view template_name,
                                          const Data& data, const Error& error) const;
  // {iso, human, relative} for <time datetime="{{iso}}" title="{{human}}">{{relative}}</time>.
  Data Time(UnixSeconds at) const;
  UnixSeconds Now() const { return forum.clock().Now(); }
};

struct Pages::Impl : Site {
  using Site::Site;
};

// ---- Small helpers shared by the page files (page_helpers.cc). ----

// Errors that mean "this form needs another look": the form comes back with the text kept.
bool IsFormError(ErrorCode code);

// Shows `error` above the form as "<prefix>form_error", and when error.field is one of `fields`
// also beside that field as "<prefix><field>_error", with "<prefix>form_error_for" naming the
// field's element id (field_id_prefix + field) for the summary's link, when ids follow that rule.
void ShowFormError(Data& data, const Error& error, std::initializer_list<std::string_view> fields,
                   std::string_view prefix = "", std::optional<std::string_view> field_id_prefix = "");

// Also shows, beside their own fields, the other problems `more` found in the same form, so a
// person on a slow connection mends them all in one go rather than one per round trip. Call
// after ShowFormError; the summary then says how many fields need a look.
void ShowMoreFieldErrors(Data& data, const Error& error, const std::vector<Error>& more,
                         std::initializer_list<std::string_view> fields);

// Sets data[name] only when `value` is not empty: kainjow renders a {{#section}} for any string,
// even "", so optional text must be absent rather than empty.
void SetIfPresent(Data& data, const std::string& name, const std::string& value);

// 303 to the sign-in page, which brings the person back to `request`'s page afterwards.
http::Response SignInFirst(const http::Request& request);

// The request's path and query, as a "next" for the sign-in page.
std::string PathAndQuery(const http::Request& request);

// True for "/t/5?page=2": a path on this site. Refuses "//evil.example" and "/\evil.example",
// which browsers treat as another host, and anything with control characters.
bool IsLocalPath(std::string_view next);

// "1 reply", "3 replies".
std::string Plural(std::int64_t count, std::string_view one, std::string_view many);

// The first `max_codepoints` characters of plain text, cut at a word when one is near, with
// "…" when anything was cut. REQUIRES: valid UTF-8.
std::string Excerpt(std::string_view text, std::size_t max_codepoints);

// A <textarea>'s value with LF line ends: browsers submit every line break as CR LF (HTML's
// form submission rules), and CR is a control character the forum refuses.
std::string TextareaValue(const http::Params& form, std::string_view name);

// The words of rendered (cmark-gfm, safe mode) HTML without its tags, for excerpts: an excerpt of
// the Markdown would show its ** and > to the reader.
std::string PlainTextOfHtml(std::string_view html);

// ?page=N from the query, clamped to 1..forum::kMaxPage; a malformed query is an error.
Result<int> PageParam(const http::Request& request);

// The pager fragment for `base` ("/c/slug"), empty when there is only one page.
Data PagerData(std::string_view base, const forum::Page& page);

std::string ToString(std::int64_t value);

// "1 Nov 2026" for "2026-11-01"; the text unchanged when it is not such a date.
std::string HumanDate(std::string_view iso_date);

// ---- Accounts ----

// A redirect to `location` that also sets the session cookie for `token` (account_pages.cc).
http::Response SignedInRedirect(const http::Request& request, const std::string& token, std::string location);

// The account page, with `notice` (a success) or `error` (a form's) shown (safety_pages.cc).
Result<http::Response> RenderAccount(const Site& site, const forum::Viewer& viewer, std::string_view notice,
                                     const Error* error);

// ---- Support for a writer who may be at risk (safety_pages.cc) ----

// The id of the support panel's heading, so that a redirect after posting lands on it. The
// heading, not the panel: it is focusable (tabindex=-1), and a browser following a fragment
// focuses its target when it can, so screen readers start there too, without script.
inline constexpr std::string_view kSupportPanelId = "support";

// The panel for the writer of `post` on the topic page, or "" when there is none to show (the
// viewer did not write it, or nothing in it suggests risk). A failure to look is logged and
// shows no panel: the conversation itself must still open.
Result<std::string> SupportPanelForPost(const Site& site, const forum::Viewer& viewer, const http::Request& request,
                                        const forum::TopicView& view, PostId post);

// One helpline as the templates show it: name, description, one-tap contacts, checked date.
Data HelplineData(const safety::Helpline& helpline);

// ---- Finding what is already there (finding_pages.cc) ----

// The id of the misplaced-reply note's heading: a redirect after posting lands there, like
// kSupportPanelId.
inline constexpr std::string_view kMisplacedNoteId = "misplaced";

// The words around a list of topics: "People also asked", "These questions may already have
// answers". new_tab: the links open in a new tab, so a half-written question is not lost.
struct SimilarListText {
  std::string_view heading;
  std::string_view heading_id;
  std::string_view hint;  // "" for none
  bool new_tab = false;
};

// A <section> listing `topics` with their reply counts, or "" when there are none.
Result<std::string> SimilarListHtml(const Site& site, const std::vector<search::SimilarTopic>& topics,
                                    const SimilarListText& text);

// "People also asked" for the foot of a topic, or "" when nothing is close (or the index cannot
// say: logged, and the topic still opens).
// `feed_position`: the topic page's, read with its posts (TopicView::feed_position).
Result<std::string> RelatedTopicsHtml(const Site& site, TopicId topic, std::optional<std::int64_t> feed_position);

// The private "Did you mean to reply to ...?" note for the writer of `post`, or "" when the forum
// has no suggestion for them (not theirs, too late, already moved, nothing noticed).
Result<std::string> MisplacedNoteForPost(const Site& site, const forum::Viewer& viewer, const forum::TopicView& view,
                                         PostId post, std::string_view move_error = {});

// ---- Personal controls and how authors and posts show (personal_pages.cc) ----

// Sets "author" (what to show), "author_plain" (for quotes: never "(you)"), "author_url" and
// "author_linked": a named member links to their profile; an anonymous writer shows as
// "Anonymous member" ("Anonymous member (you)" to themself) and a member who left as "A former
// member", neither with a link.
void SetAuthor(Data& data, store::AuthorState state, const std::string& name, bool own);
// The same as plain text, for announcements: "Anonymous member", "A former member" or the name.
std::string AuthorPlain(store::AuthorState state, const std::string& name);

// The post partial's fields for how `post` shows to this reader: "visible" or "hidden" (the
// placeholder), a note for its writer and moderators while it is hidden, and "fold" with its
// summary for a muted word or a content warning (a <details>, so it opens without script).
void SetPostDisplay(Data& item, const store::PostRow& post, const forum::PostDisplay& display);

// "1 post from someone you blocked is not shown."
std::string BlockedPostsText(std::int64_t count);

// The compose forms' "Post anonymously" and "Content warning" fields, as typed.
void SetComposeChoices(Data& data, const http::Params& form);

// The oversharing check (issue 5): when `text` looks like it holds an email address or phone
// number and the writer has not yet said "post anyway" (overshare_ok=1), sets the form's gentle
// note and returns true: the handler shows the form again with everything kept, saving nothing.
bool HoldForOvershareLook(Data& data, const http::Params& form, std::string_view text);

// The account page's personal controls (blocked members, muted words, content warnings).
Result<std::string> PersonalControlsHtml(const Site& site, const forum::Viewer& viewer, const Error* error);

// ---- Moderator controls on the topic page (moderation_pages.cc) ----

// The slow-mode choices of the topic's moderator tools: slow_mode_options, slow_mode_custom(_minutes).
void SetSlowModeControls(Data& data, const store::TopicRow& topic);
// "slow_mode_text", the note every reader sees while a topic is in slow mode (absent when off).
void SetSlowModeNote(Data& data, const store::TopicRow& topic);
// Whether the post shows moderators "Reveal who wrote this" (an anonymous post not their own;
// the reveal asks for a reason and is logged).
bool ShowsRevealControl(const forum::Viewer& viewer, const store::PostRow& post);

}  // namespace kindred::web
