// Pages: support for people who may be at risk (../shared/SAFETY.md). The writer's private panel
// after posting, /help with the helplines for a chosen country, the community guidelines, "I'm
// worried about this person", a member's private messages and their account settings.
//
// The rule for everything here: calm, plain, kind words; help offered, never imposed; nothing
// about a post is ever hidden or marked because of what it says.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "web/pages.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

// A year: the chosen country is a preference, not a secret, and a person in a hard moment should
// not have to choose it again. Not HttpOnly, for the same reason: nothing to steal.
constexpr long long kCountryCookieMaxAgeSeconds = 365LL * 24 * 3600;

std::string CountryCookie(std::string_view code, bool secure) {
  return std::string(http::kCountryCookieName) + "=" + std::string(code) +
         "; Path=/; Max-Age=" + ToString(kCountryCookieMaxAgeSeconds) + "; SameSite=Lax" + (secure ? "; Secure" : "");
}

// Empty for the directory's "anywhere" entry, which is no place to name ("Helplines for Anywhere").
std::string CountryName(const safety::HelplineDirectory& directory, std::string_view code) {
  const safety::Country* country = directory.FindCountry(code);
  return country && code != safety::kAnywhere ? country->name : std::string();
}

// "112 or 999" as words and one-tap numbers: each run of digits becomes a tel: link, the rest
// ("or", "your local emergency number") stays text.
Data EmergencyParts(std::string_view number) {
  Data parts{Data::type::list};
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < number.size();) {
    std::size_t j = i;
    const bool digits = is_digit(number[i]);
    while (j < number.size() && is_digit(number[j]) == digits) ++j;
    Data part;
    part.set("text", std::string(number.substr(i, j - i)));
    if (digits) part.set("tel", std::string(number.substr(i, j - i)));
    parts.push_back(part);
    i = j;
  }
  return parts;
}

void SetEmergency(Data& data, const std::string& number) {
  if (number.empty()) return;
  data.set("emergency_number", true);
  data.set("emergency", EmergencyParts(number));
}

Data HelplineList(const std::vector<safety::Helpline>& helplines) {
  Data list{Data::type::list};
  for (const auto& helpline : helplines) list.push_back(HelplineData(helpline));
  return list;
}

Result<std::string> SupportPanelHtml(const Site& site, const forum::SupportOffer& offer, const std::string& close_url) {
  Data data;
  data.set("crisis", offer.level == safety::Level::kCrisis);
  // The opening words are the admins' (forum::SupportMessageTexts), one paragraph each.
  Data message{Data::type::list};
  for (const auto& paragraph : offer.message) message.push_back(Data(paragraph));
  data.set("message", message);
  data.set("helplines", HelplineList(offer.helplines));
  SetEmergency(data, offer.emergency_number);
  SetIfPresent(data, "country_name", CountryName(site.forum.Helplines(), offer.country));
  data.set("close_url", close_url);
  return site.templates.Render("support_panel", data);
}

Result<PostId> PostIdParam(const http::Request& request) {
  PostId id(request.IdParam("id"));
  if (!id.valid()) return Error::NotFound("post_not_found", "We could not find that post.");
  return id;
}

std::string PostUrl(const store::PostRow& post) { return "/p/" + ToString(post.id.value); }

// ---- "I'm worried about this person" ----

// `unwanted`: the writer's "these messages feel unwanted" rather than "I'm worried about this person".
Result<http::Response> RenderWorry(const Site& site, const forum::Viewer& viewer, const store::PostRow& post,
                                   bool unwanted, bool sent, const std::string& note, const Error* error) {
  auto topic = site.forum.ShowTopic(viewer, post.topic_id, 1);
  if (!topic.ok()) return std::move(topic).error();
  Data data = site.Base(viewer);
  data.set("post_id", ToString(post.id.value));
  data.set("post_url", PostUrl(post));
  data.set("topic_title", topic->topic.title);
  data.set("author", post.author_name);
  data.set("sent", sent);
  data.set("note", note);
  const std::string_view page = unwanted ? "worry_unwanted" : "worry";
  PageInfo info{sent              ? "Thank you"
                : unwanted        ? "Do these messages feel unwanted?"
                                  : "Worried about " + post.author_name + "?",
                "", "", 200};
  if (error) {
    ShowFormError(data, *error, {"note"});
    return site.RenderFailedForm(viewer, info, page, data, *error);
  }
  return site.Render(viewer, info, page, data);
}

// ---- Account ----

}  // namespace

Result<http::Response> RenderAccount(const Site& site, const forum::Viewer& viewer, std::string_view notice,
                                     const Error* error) {
  auto me = site.forum.Me(viewer);
  if (!me.ok()) return std::move(me).error();
  Data data = site.Base(viewer);
  SetIfPresent(data, "notice", std::string(notice));
  data.set("password_min", ToString(forum::kPasswordMin));
  data.set("worry_opt_out", me->worry_opt_out);
  auto personal = PersonalControlsHtml(site, viewer, nullptr);
  if (!personal.ok()) return std::move(personal).error();
  data.set("personal_controls", std::move(personal).value());
  PageInfo info{"Your account", "account", "", 200};
  if (error) {
    ShowFormError(data, *error, {"current_password", "new_password"});
    return site.RenderFailedForm(viewer, info, "account", data, *error);
  }
  return site.Render(viewer, info, "account", data);
}

// ---- Shared with the topic page ----

Data HelplineData(const safety::Helpline& helpline) {
  Data item;
  item.set("name", helpline.name);
  SetIfPresent(item, "description", helpline.description);
  Data contacts{Data::type::list};
  for (const auto& contact : helpline.contacts) {
    Data entry;
    entry.set("label", contact.label);
    entry.set("href", contact.href);  // tel:, sms:, mailto: or https: from the admin-checked directory
    contacts.push_back(entry);
  }
  item.set("contacts", contacts);
  SetIfPresent(item, "checked", HumanDate(helpline.checked_on));
  return item;
}

Result<std::string> SupportPanelForPost(const Site& site, const forum::Viewer& viewer, const http::Request& request,
                                        const forum::TopicView& view, PostId post) {
  auto offer = site.forum.SupportFor(viewer, post, http::PreferredCountry(request));
  if (!offer.ok()) {
    spdlog::warn("support panel for post {} not shown: {}", post.value, offer.error().message);
    return std::string();
  }
  if (!offer->has_value()) return std::string();
  // "Close" is the same page without `posted`, at the writer's own post when it is on this page.
  std::string close_url = "/t/" + ToString(view.topic.id.value);
  if (view.page.number > 1) close_url += "?page=" + ToString(view.page.number);
  auto own = std::find_if(view.posts.begin(), view.posts.end(), [&](const auto& p) { return p.id == post; });
  if (own != view.posts.end()) close_url += "#p" + ToString(own->number);
  return SupportPanelHtml(site, **offer, close_url);
}

// ---- /help and /guidelines ----

Result<http::Response> Pages::Help(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  safety::HelplineDirectory directory = forum_.Helplines();
  std::string chosen(Trim(query->Get("country")));
  std::transform(chosen.begin(), chosen.end(), chosen.begin(), [](unsigned char c) { return std::toupper(c); });
  const bool choosing = !chosen.empty() && directory.FindCountry(chosen) != nullptr;
  forum::SupportOffer offer = forum_.HelplinesFor(choosing ? chosen : http::PreferredCountry(request));

  Data data = impl_->Base(viewer);
  data.set("helplines", HelplineList(offer.helplines));
  data.set("has_helplines", !offer.helplines.empty());
  SetEmergency(data, offer.emergency_number);
  SetIfPresent(data, "country_name", CountryName(directory, offer.country));
  Data countries{Data::type::list};
  for (const auto& country : directory.countries()) {
    Data option;
    option.set("code", country.code);
    option.set("name", country.name);
    option.set("selected", country.code == offer.country);
    countries.push_back(option);
  }
  data.set("countries", countries);
  auto response = impl_->Render(viewer, {"Talk to someone now", "help", PathAndQuery(request), 200}, "help", data);
  if (response.ok() && choosing) response->AddHeader("Set-Cookie", CountryCookie(offer.country, request.secure));
  return response;
}

Result<http::Response> Pages::Guidelines(const http::Request& request, const forum::Viewer& viewer) const {
  return impl_->Render(viewer, {"Community guidelines", "guidelines", "/guidelines", 200}, "guidelines",
                       impl_->Base(viewer));
}

// ---- "I'm worried about this person" ----

Result<http::Response> Pages::WorryForm(const http::Request& request, const forum::Viewer& viewer) const {
  return ShowWorryForm(request, viewer, WorryPage::kWorry);
}

Result<http::Response> Pages::Worry(const http::Request& request, const forum::Viewer& viewer) const {
  return SendWorryForm(request, viewer, WorryPage::kWorry);
}

Result<http::Response> Pages::UnwantedWorryForm(const http::Request& request, const forum::Viewer& viewer) const {
  return ShowWorryForm(request, viewer, WorryPage::kUnwanted);
}

Result<http::Response> Pages::UnwantedWorry(const http::Request& request, const forum::Viewer& viewer) const {
  return SendWorryForm(request, viewer, WorryPage::kUnwanted);
}

Result<http::Response> Pages::ShowWorryForm(const http::Request& request, const forum::Viewer& viewer,
                                            WorryPage which) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto id = PostIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  auto post = forum_.ReadPost(viewer, *id);
  if (!post.ok()) return std::move(post).error();
  // Worrying is about someone else's post; finding the worries unwanted, about one's own.
  if (which == WorryPage::kWorry) {
    KINDRED_TRY(forum::Guardian::CanReportWorry(viewer, *post));
  } else if (!viewer.is(post->user_id)) {
    return Error::Forbidden("not_your_post", "Only the person who wrote this post can send this.");
  }
  return RenderWorry(*impl_, viewer, *post, which == WorryPage::kUnwanted, query->Get("sent") == "1", "", nullptr);
}

Result<http::Response> Pages::SendWorryForm(const http::Request& request, const forum::Viewer& viewer,
                                            WorryPage which) const {
  auto id = PostIdParam(request);
  if (!id.ok()) return std::move(id).error();
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  std::string note = TextareaValue(*form, "note");
  auto reported = which == WorryPage::kWorry ? forum_.ReportWorry(viewer, *id, note)
                                             : forum_.ReportUnwantedWorry(viewer, *id, note);
  if (reported.ok()) {
    return http::Response::Redirect("/p/" + ToString(id->value) +
                                    (which == WorryPage::kWorry ? "/worry?sent=1" : "/worry-unwanted?sent=1"));
  }
  Error error = std::move(reported).error();
  if (!IsFormError(error.code)) return error;
  auto post = forum_.FindPost(*id);
  if (!post.ok()) return error;
  return RenderWorry(*impl_, viewer, *post, which == WorryPage::kUnwanted, false, note, &error);
}

// ---- Messages and account ----

Result<http::Response> Pages::Notices(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto page = PageParam(request);
  if (!page.ok()) return std::move(page).error();
  auto notices = forum_.Notices(viewer, *page);
  if (!notices.ok()) return std::move(notices).error();

  Data data = impl_->Base(viewer);
  Data list{Data::type::list};
  for (const auto& notice : *notices) {
    Data item;
    item.set("title", notice.title);
    item.set("body_html", notice.body_html);  // written by the forum through the safe Markdown renderer
    if (IsLocalPath(notice.link)) item.set("link", notice.link);
    item.set("at", impl_->Time(notice.created_at));
    item.set("unread", !notice.read_at.has_value());
    list.push_back(item);
  }
  data.set("notices", list);
  data.set("has_notices", !notices->empty());
  // Marked read after listing, so this page still shows which ones are new; the header's count
  // is rendered after this and so already leaves them out. Only those shown: a safety alert on
  // the next page stays unread until its page is opened.
  if (auto marked = forum_.MarkNoticesRead(viewer, *notices); !marked.ok()) {
    spdlog::warn("could not mark notices read: {}", marked.error().message);
  }
  return impl_->Render(viewer, {"Messages", "messages", "", 200}, "notices", data);
}

Result<http::Response> Pages::AccountForm(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  std::string_view notice;
  if (query->Get("saved") == "1") notice = "Your settings are saved.";
  if (query->Get("password") == "changed") notice = "Your password is changed. Every other device is signed out.";
  return RenderAccount(*impl_, viewer, notice, nullptr);
}

Result<http::Response> Pages::SaveAccount(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  // A checkbox: present with "1" when ticked, absent when not.
  auto saved = forum_.SetWorryOptOut(viewer, form->Get("worry_opt_out") == "1");
  if (saved.ok()) return http::Response::Redirect("/account?saved=1");
  Error error = std::move(saved).error();
  if (!IsFormError(error.code)) return error;
  return RenderAccount(*impl_, viewer, "", &error);
}

Result<http::Response> Pages::ChangePassword(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  auto changed = forum_.ChangePassword(viewer, form->Get("current_password"), form->Get("new_password"));
  if (changed.ok()) return SignedInRedirect(request, changed->token, "/account?password=changed#password");
  Error error = std::move(changed).error();
  if (!IsFormError(error.code)) return error;
  return RenderAccount(*impl_, viewer, "", &error);
}

}  // namespace kindred::web
