// Pages: safety settings for admins. The helpline directory (data an admin checks and edits, and
// can export), the message templates moderators start from, and the trusted peer supporters.
// Each section is its own form; a failed one comes back with the admin's text and the others as
// they are saved.
#include "forum/guardian.h"
#include "web/pages.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

const PageInfo kSafetyPage{"Safety settings", "admin", "", 200};

// Between two templates in the one textarea; forum::MessageTemplates splits on the same line.
constexpr std::string_view kTemplateSeparator = "\n---\n";

struct FailedSafetyForm {
  std::string_view section;  // "helplines", "templates", "supporters" or "support"
  std::string text;
  Error error;
  std::string second_text;  // "support": the concern text beside the crisis one
};

std::string SavedText(std::string_view saved) {
  if (saved == "helplines") return "The helpline directory is saved.";
  if (saved == "templates") return "The message templates are saved.";
  if (saved == "supporters") return "Saved. The member's supporter status is updated.";
  if (saved == "support") return "The support panel's words are saved.";
  return {};
}

Result<http::Response> SafetyPage(const Site& site, const forum::Viewer& viewer, std::string_view saved,
                                  const FailedSafetyForm* failed) {
  Data data = site.Base(viewer);
  SetIfPresent(data, "saved_text", SavedText(saved));
  std::string templates;
  for (const auto& text : site.forum.MessageTemplates()) {
    if (!templates.empty()) templates += kTemplateSeparator;
    templates += text;
  }
  data.set("helplines", site.forum.Helplines().ToTsv());
  data.set("templates", templates);
  data.set("supporter_name", "");
  forum::Forum::SupportMessages messages = site.forum.SupportMessageTexts();
  data.set("support_crisis", messages.crisis);
  data.set("support_concern", messages.concern);
  if (!failed) return site.Render(viewer, kSafetyPage, "admin_safety", data);

  std::string section(failed->section);
  if (section == "support") {
    // Both texts come back as typed; the one named in the error is marked.
    data.set("support_crisis", failed->text);
    data.set("support_concern", failed->second_text);
  } else {
    data.set(section == "supporters" ? "supporter_name" : section, failed->text);
  }
  ShowFormError(data, failed->error, {}, section + "_", std::nullopt);
  return site.RenderFailedForm(viewer, kSafetyPage, "admin_safety", data, failed->error);
}

Result<http::Response> SavedOrFailed(const Site& site, const forum::Viewer& viewer, Result<void> result,
                                     std::string_view section, std::string text, std::string second_text = {}) {
  if (result.ok()) {
    return http::Response::Redirect("/admin/safety?saved=" + std::string(section) + "#" + std::string(section));
  }
  if (!IsFormError(result.error().code)) return std::move(result).error();
  FailedSafetyForm failed{section, std::move(text), std::move(result).error(), std::move(second_text)};
  return SafetyPage(site, viewer, "", &failed);
}

}  // namespace

Result<http::Response> Pages::AdminSafety(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto may = forum::Guardian::CanEditSafetySettings(viewer);
  if (!may.ok()) return std::move(may).error();
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  return SafetyPage(*impl_, viewer, query->Get("saved"), nullptr);
}

Result<http::Response> Pages::SaveHelplines(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  std::string text = TextareaValue(*form, "helplines");
  return SavedOrFailed(*impl_, viewer, forum_.SaveHelplines(viewer, text), "helplines", text);
}

Result<http::Response> Pages::ExportHelplines(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto may = forum::Guardian::CanEditSafetySettings(viewer);
  if (!may.ok()) return std::move(may).error();
  http::Response response;
  response.content_type = "text/tab-separated-values; charset=utf-8";
  response.body = forum_.Helplines().ToTsv();
  response.AddHeader("Content-Disposition", "attachment; filename=\"kindred-helplines.tsv\"");
  response.AddHeader("Cache-Control", "private, no-cache");
  return response;
}

Result<http::Response> Pages::SaveMessageTemplates(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  std::string text = TextareaValue(*form, "templates");
  return SavedOrFailed(*impl_, viewer, forum_.SaveMessageTemplates(viewer, text), "templates", text);
}

Result<http::Response> Pages::SaveSupportMessages(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  forum::Forum::SupportMessages messages{TextareaValue(*form, "support_crisis"), TextareaValue(*form, "support_concern")};
  auto saved = forum_.SaveSupportMessages(viewer, messages);
  return SavedOrFailed(*impl_, viewer, std::move(saved), "support", messages.crisis, messages.concern);
}

Result<http::Response> Pages::SetTrustedSupporter(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& username = form->Get("username");
  const std::string& trusted = form->Get("trusted");
  if (trusted != "1" && trusted != "0") {
    return Error::Invalid("trusted", "unknown_choice",
                          "Please choose to mark the member as trusted or to remove them.");
  }
  return SavedOrFailed(*impl_, viewer, forum_.SetTrustedSupporter(viewer, username, trusted == "1"), "supporters",
                       username);
}

}  // namespace kindred::web
