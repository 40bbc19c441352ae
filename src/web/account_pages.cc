// Pages: signing in, joining, signing out.
#include "forum/limits.h"
#include "forum/validation.h"
#include "web/pages.h"
#include "web/pages_internal.h"

namespace kindred::web {

http::Response SignedInRedirect(const http::Request& request, const std::string& token, std::string location) {
  http::Response response = http::Response::Redirect(std::move(location));
  response.AddHeader("Set-Cookie", http::SessionCookie(token, request.secure, forum::kSessionLifetimeSeconds));
  return response;
}

namespace {

// Where to go after signing in: `next` when it is a path on this site, else home. Anything
// else would make the sign-in page an open redirect for phishing links.
std::string SafeNext(const std::string& next) { return IsLocalPath(next) ? next : "/"; }

http::Response SignedOutRedirect(const http::Request& request) {
  http::Response response = http::Response::Redirect("/");
  response.AddHeader("Set-Cookie", http::SessionCookie("", request.secure, 0));
  return response;
}

// Where to go once signed in, carried through the sign-in and join forms (and between them).
void SetNext(Data& data, const std::string& next) {
  if (!IsLocalPath(next) || next == "/") return;
  data.set("next", next);
  data.set("next_encoded", http::UrlEncode(next));
}

// The sign-in form. The password is never written back into the page: it would then sit in
// the HTML (and any cache or saved copy of it); browsers and password managers refill it.
Data LoginData(const Site& site, const forum::Viewer& viewer, const std::string& username, const std::string& next) {
  Data data = site.Base(viewer);
  data.set("username", username);
  SetNext(data, next);
  return data;
}

Data RegisterData(const Site& site, const forum::Viewer& viewer, const std::string& username,
                  const std::string& email, const std::string& next) {
  Data data = site.Base(viewer);
  SetNext(data, next);
  data.set("username", username);
  data.set("email", email);
  data.set("username_min", ToString(forum::kUsernameMin));
  data.set("username_max", ToString(forum::kUsernameMax));
  data.set("password_min", ToString(forum::kPasswordMin));
  return data;
}

}  // namespace

Result<http::Response> Pages::LoginForm(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  if (viewer.signed_in()) return http::Response::Redirect(SafeNext(query->Get("next")));
  return impl_->Render(viewer, {"Sign in", "login", "", 200}, "login",
                       LoginData(*impl_, viewer, "", query->Get("next")));
}

Result<http::Response> Pages::Login(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& username = form->Get("username");
  auto signed_in = forum_.LogIn(viewer, username, form->Get("password"));
  if (signed_in.ok()) return SignedInRedirect(request, signed_in->token, SafeNext(form->Get("next")));

  const Error& error = signed_in.error();
  // A wrong name or password comes back as kUnauthenticated: that too is "look at the form again".
  if (!IsFormError(error.code) && error.code != ErrorCode::kUnauthenticated) return std::move(signed_in).error();
  Data data = LoginData(*impl_, viewer, username, form->Get("next"));
  ShowFormError(data, error, {"username", "password"});
  return impl_->RenderFailedForm(viewer, {"Sign in", "login", "", 200}, "login", data, error);
}

Result<http::Response> Pages::RegisterForm(const http::Request& request, const forum::Viewer& viewer) const {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  if (viewer.signed_in()) return http::Response::Redirect(SafeNext(query->Get("next")));
  return impl_->Render(viewer, {"Join " + options_.site_name, "register", "", 200}, "register",
                       RegisterData(*impl_, viewer, "", "", query->Get("next")));
}

Result<http::Response> Pages::Register(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  forum::RegisterInput input{form->Get("username"), form->Get("password"), form->Get("email")};
  auto user = forum_.Register(viewer, input);
  if (!user.ok()) {
    const Error& error = user.error();
    if (!IsFormError(error.code)) return std::move(user).error();
    Data data = RegisterData(*impl_, viewer, input.username, input.email, form->Get("next"));
    ShowFormError(data, error, {"username", "password", "email"});
    std::vector<Error> more;
    if (auto name = forum::ValidateUsername(input.username); !name) more.push_back(name.error());
    if (auto password = forum::ValidatePassword(input.password); !password) more.push_back(password.error());
    if (auto email = forum::ValidateEmail(input.email); !email) more.push_back(email.error());
    ShowMoreFieldErrors(data, error, more, {"username", "password", "email"});
    return impl_->RenderFailedForm(viewer, {"Join " + options_.site_name, "register", "", 200}, "register", data,
                                   error);
  }
  auto signed_in = forum_.LogIn(viewer, input.username, input.password);
  // The account exists either way; if signing in right away did not work (a rate limit, say),
  // the sign-in page takes it from here rather than an error page.
  if (!signed_in.ok()) return http::Response::Redirect("/login");
  return SignedInRedirect(request, signed_in->token, SafeNext(form->Get("next")));
}

Result<http::Response> Pages::Logout(const http::Request& request, const forum::Viewer& viewer) const {
  if (viewer.signed_in()) {
    auto done = forum_.LogOut(viewer);
    if (!done.ok()) return std::move(done).error();
  }
  return SignedOutRedirect(request);
}

Result<http::Response> Pages::LogoutEverywhere(const http::Request& request, const forum::Viewer& viewer) const {
  if (viewer.signed_in()) {
    auto done = forum_.LogOutEverywhere(viewer);
    if (!done.ok()) return std::move(done).error();
  }
  return SignedOutRedirect(request);
}

}  // namespace kindred::web
