// Pages: privacy and leaving (issue 5). The privacy page, "download my data" as a page a person
// can read, and deleting one's account with a kind goodbye.
//
// Leaving is never made hard: one calm page that says what each choice does, the password to
// confirm, and no guilt. Nothing here keeps anything the person asked to be erased.
#include "core/time_format.h"
#include "forum/limits.h"
#include "web/pages.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

// How long a rate-limit count tied to an address lives without use (forum/rate_limiter.cc and
// store/rate_buckets_internal.h keep it for an hour), stated on the privacy page.
constexpr long long kAddressIdleSeconds = 3600;

std::string_view StatusWord(store::ReviewStatus status) {
  switch (status) {
    case store::ReviewStatus::kOpen:
      return "waiting for a moderator";
    case store::ReviewStatus::kHandled:
      return "a moderator acted on it";
    case store::ReviewStatus::kEscalated:
      return "passed to an admin";
    case store::ReviewStatus::kDismissed:
      return "a moderator found nothing to do";
  }
  return "";
}

std::string_view ReactionWord(store::ReactionKind kind) {
  switch (kind) {
    case store::ReactionKind::kHelpful:
      return "helpful";
    case store::ReactionKind::kHug:
      return "hug";
    case store::ReactionKind::kMeToo:
      return "me too";
  }
  return "";
}

// A table section of the export: absent when there are no rows, so the template says "None."
void SetRows(Data& data, const std::string& name, Data rows) {
  if (rows.is_empty_list()) return;
  Data section;
  section.set("rows", std::move(rows));
  data.set(name, std::move(section));
}

Data ExportData(const Site& site, const forum::AccountExport& out) {
  Data data;
  data.set("site_name", site.options.site_name);
  data.set("exported_at", FormatHuman(out.exported_at));
  const store::UserRow& user = out.user;
  data.set("username", user.username);
  SetIfPresent(data, "email", user.email);
  data.set("joined", FormatHuman(user.created_at));
  data.set("role", std::string(forum::RoleName(user.role)));
  data.set("trust_level", std::string(forum::TrustLevelName(user.trust_level)));
  if (user.suspended_until) {
    data.set("suspended_until", FormatHuman(*user.suspended_until));
    data.set("suspended_reason", user.suspended_reason);
  }
  data.set("worry_opt_out", user.worry_opt_out);
  data.set("show_warned_posts", user.show_warned_posts);
  SetIfPresent(data, "muted_words", user.muted_words);
  data.set("flags_upheld", ToString(user.flags_upheld));
  data.set("flags_rejected", ToString(user.flags_rejected));

  Data posts{Data::type::list};
  for (std::size_t i = 0; i < out.posts.size(); ++i) {
    const store::PostRow& post = out.posts[i];
    Data item;
    item.set("topic_title", out.topics_of_posts[i].title);
    item.set("is_question", post.number == 1);
    item.set("created", FormatHuman(post.created_at));
    if (post.edited_at) item.set("edited", FormatHuman(*post.edited_at));
    item.set("anonymous", post.anonymous);
    item.set("deleted", post.deleted_at.has_value());
    item.set("hidden", post.hidden_at.has_value());
    item.set("hidden_reason", post.hidden_reason);
    SetIfPresent(item, "content_warning", post.content_warning);
    // The Markdown as they typed it, shown as text: the page needs nothing outside itself.
    item.set("body", post.body_markdown);
    item.set("helpful", ToString(post.reactions[0]));
    item.set("hug", ToString(post.reactions[1]));
    item.set("me_too", ToString(post.reactions[2]));
    posts.push_back(std::move(item));
  }
  data.set("post_count", ToString(static_cast<std::int64_t>(out.posts.size())));
  data.set("posts", std::move(posts));

  Data reactions{Data::type::list};
  for (const auto& reaction : out.reactions) {
    Data row;
    row.set("post_id", ToString(reaction.post.value));
    row.set("kind", std::string(ReactionWord(reaction.kind)));
    row.set("when", FormatHuman(reaction.created_at));
    reactions.push_back(std::move(row));
  }
  data.set("reaction_count", ToString(static_cast<std::int64_t>(out.reactions.size())));
  SetRows(data, "reactions", std::move(reactions));

  Data sessions{Data::type::list};
  for (const auto& session : out.sessions) {
    Data row;
    row.set("started", FormatHuman(session.created_at));
    row.set("ends", FormatHuman(session.expires_at));
    sessions.push_back(std::move(row));
  }
  data.set("session_count", ToString(static_cast<std::int64_t>(out.sessions.size())));
  SetRows(data, "sessions", std::move(sessions));

  Data notices{Data::type::list};
  for (const auto& notice : out.notices) {
    Data item;
    item.set("when", FormatHuman(notice.created_at));
    item.set("read", notice.read_at.has_value());
    item.set("title", notice.title);
    item.set("body_html", notice.body_html);  // rendered safe by its writer (store::NewNotice)
    notices.push_back(std::move(item));
  }
  data.set("notice_count", ToString(static_cast<std::int64_t>(out.notices.size())));
  data.set("notices", std::move(notices));

  Data blocked{Data::type::list};
  for (const auto& member : out.blocked) {
    Data row;
    row.set("username", member.username);
    blocked.push_back(std::move(row));
  }
  data.set("blocked_count", ToString(static_cast<std::int64_t>(out.blocked.size())));
  SetRows(data, "blocked", std::move(blocked));

  Data flags{Data::type::list};
  for (const auto& flag : out.flags) {
    Data row;
    row.set("post_id", ToString(flag.post.value));
    row.set("topic_title", flag.topic_title);
    row.set("reason", flag.reasons);
    row.set("note", flag.note);
    row.set("when", FormatHuman(flag.created_at));
    row.set("status", std::string(StatusWord(flag.status)));
    flags.push_back(std::move(row));
  }
  data.set("flag_count", ToString(static_cast<std::int64_t>(out.flags.size())));
  SetRows(data, "flags", std::move(flags));

  Data worries{Data::type::list};
  for (const auto& report : out.worry_reports) {
    Data row;
    row.set("post_id", ToString(report.post.value));
    row.set("when", FormatHuman(report.created_at));
    row.set("sent", report.message_sent);
    worries.push_back(std::move(row));
  }
  data.set("worry_count", ToString(static_cast<std::int64_t>(out.worry_reports.size())));
  SetRows(data, "worries", std::move(worries));
  return data;
}

Data DeleteFormData(const Site& site, const forum::Viewer& viewer, const std::string& posts) {
  Data data = site.Base(viewer);
  data.set("is_admin", viewer.is_admin());
  data.set("keep", posts == "keep");
  data.set("delete", posts == "delete");
  return data;
}

const PageInfo kDeletePage{"Delete your account", "account", "/account/delete", 200};

}  // namespace

Result<http::Response> Pages::Privacy(const http::Request& request, const forum::Viewer& viewer) const {
  Data data = impl_->Base(viewer);
  data.set("session_lifetime", FormatDuration(forum::kSessionLifetimeSeconds));
  data.set("address_idle", FormatDuration(kAddressIdleSeconds));
  return impl_->Render(viewer, {"Privacy", "privacy", "/privacy", 200}, "privacy", data);
}

Result<http::Response> Pages::ExportPage(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto out = forum_.ExportAccount(viewer);
  if (!out.ok()) return std::move(out).error();
  // A whole document of its own, not the site's layout: it is saved and opened later, offline,
  // so it carries its own styles and links to nothing.
  auto html = impl_->templates.Render("account_export", ExportData(*impl_, *out));
  if (!html.ok()) return std::move(html).error();
  http::Response response = http::Response::Html(std::move(html).value());
  const std::string day = FormatIso8601(out->exported_at).substr(0, 10);
  response.AddHeader("Content-Disposition", "attachment; filename=\"kindred-data-" + day + ".html\"");
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

Result<http::Response> Pages::DeleteAccountForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  return impl_->Render(viewer, kDeletePage, "account_delete", DeleteFormData(*impl_, viewer, ""));
}

Result<http::Response> Pages::DeleteAccount(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& posts = form->Get("posts");
  Result<void> deleted = Ok();
  if (posts != "keep" && posts != "delete") {
    deleted = Error::Invalid("posts", "posts_choice", "Please choose what should happen to your posts.");
  } else {
    deleted = forum_.DeleteAccount(viewer, form->Get("password"), posts == "delete");
  }
  if (deleted.ok()) {
    http::Response response = http::Response::Redirect(posts == "keep" ? "/goodbye?posts=kept" : "/goodbye");
    response.AddHeader("Set-Cookie", http::SessionCookie("", request.secure, 0));
    return response;
  }
  Error error = std::move(deleted).error();
  if (!IsFormError(error.code)) return error;
  Data data = DeleteFormData(*impl_, viewer, posts);
  ShowFormError(data, error, {"password", "posts"});
  return impl_->RenderFailedForm(viewer, kDeletePage, "account_delete", data, error);
}

Result<http::Response> Pages::Goodbye(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  Data data = impl_->Base(viewer);
  data.set("kept", query->Get("posts") == "kept");
  return impl_->Render(viewer, {"Goodbye", "", "", 200}, "goodbye", data);
}

}  // namespace kindred::web
