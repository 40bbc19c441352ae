// Accounts: registering, signing in and out, and what a session token stands for.
#include "core/text.h"
#include "forum/forum.h"
#include "forum/limits.h"
#include "forum/passwords.h"
#include "forum/validation.h"

namespace kindred::forum {
namespace {

Error WrongCredentials() {
  // One message for an unknown name and a wrong password, so the form does not reveal who has an account.
  return Error{ErrorCode::kUnauthenticated, "wrong_credentials",
               "That username and password do not match. Please check them and try again.", "password", 0};
}

// Verifying against this when the name is unknown makes both failures take the same time.
const std::string& DummyHash() {
  static const std::string hash = HashPassword("kindred-timing-equaliser");
  return hash;
}

}  // namespace

Result<store::UserRow> Forum::Register(const Viewer& viewer, const RegisterInput& input) {
  if (int wait = limiter_.Take("register:addr:" + viewer.client_address, limits_.register_per_address)) {
    return Error::RateLimited(wait);
  }
  auto username = ValidateUsername(input.username);
  if (!username) return std::move(username).error();
  KINDRED_TRY(ValidatePassword(input.password));
  auto email = ValidateEmail(input.email);
  if (!email) return std::move(email).error();

  if (store_.FindUserByName(*username).ok()) {
    return Error::Conflict("username_taken", "That username is already taken. Please choose another.", "username");
  }
  std::string hash = HashPassword(input.password);
  if (hash.empty())
    return Error{ErrorCode::kUnavailable, "busy", "We could not finish that just now. Please try again.", {}, 0};
  auto created = store_.CreateUser({*username, *email, hash, store::Role::kMember, clock_.Now(), false});
  if (!created && created.error().code == ErrorCode::kConflict) {
    return Error::Conflict("username_taken", "That username is already taken. Please choose another.", "username");
  }
  return created;
}

Result<SignedIn> Forum::LogIn(const Viewer& viewer, std::string_view username, std::string_view password) {
  std::string account_key = "login:user:" + AsciiLower(Trim(username));
  int wait = limiter_.Take(account_key, limits_.login_per_account);
  if (wait == 0) wait = limiter_.Take("login:addr:" + viewer.client_address, limits_.login_per_address);
  if (wait > 0) return Error::RateLimited(wait);

  if (Trim(username).empty() || password.empty()) {
    return Error::Invalid(Trim(username).empty() ? "username" : "password", "missing_credentials",
                          "Please enter your username and your password.");
  }
  auto user = store_.FindUserByName(Trim(username));
  if (!user) {
    if (user.error().code != ErrorCode::kNotFound) return std::move(user).error();
    VerifyPassword(DummyHash(), password);
    return WrongCredentials();
  }
  if (user->erased_at || !VerifyPassword(user->password_hash, password)) return WrongCredentials();

  // A new token at every sign-in (session fixation), and the old session of this browser ends.
  if (!viewer.session_token_hash.empty()) (void)store_.DeleteSession(viewer.session_token_hash);
  return StartSession(std::move(user).value());
}

Result<SignedIn> Forum::StartSession(store::UserRow user) {
  SignedIn signed_in;
  signed_in.token = NewToken();
  signed_in.session = {HashToken(signed_in.token), user.id, NewToken(), clock_.Now(),
                       clock_.Now() + kSessionLifetimeSeconds};
  KINDRED_TRY(store_.CreateSession(signed_in.session));
  signed_in.user = std::move(user);
  return signed_in;
}

// What a cached session holds, roughly: its strings and the containers' overhead.
std::size_t Forum::BytesOf(const SessionMember& known) {
  constexpr std::size_t kFixed = 256;
  return kFixed + known.session.token_hash.size() + known.session.csrf_token.size() +
         known.member.username.size() + known.member.suspended_reason.size();
}

Viewer Forum::Authenticate(std::string_view token, std::string client_address) {
  if (token.empty() || token.size() > 128) {
    Viewer visitor;
    visitor.client_address = std::move(client_address);
    return visitor;
  }
  return AuthenticateTokenHash(HashToken(token), std::move(client_address));
}

Viewer Forum::AuthenticateTokenHash(std::string token_hash, std::string client_address) {
  Viewer viewer;
  viewer.client_address = std::move(client_address);
  const UnixSeconds now = clock_.Now();
  auto position = store_.LatestEventSeq();
  std::shared_ptr<const SessionMember> known = position ? sessions_.Find(token_hash, *position) : nullptr;
  if (!known) {
    // The session and its member: one read transaction, and a session ended meanwhile is not
    // joined to a member read after it. Read after the position, so kept at no newer one.
    std::unique_ptr<store::ReadScope> together = store_.ShareReads();
    auto session = store_.FindSession(token_hash, now);
    if (!session) return viewer;
    auto user = store_.FindUserById(session->user_id);
    if (!user) return viewer;
    Member member{user->id, user->username, user->role, user->trust_level, user->suspended_until,
                  user->suspended_reason};
    auto fresh = std::make_shared<const SessionMember>(
        SessionMember{std::move(session).value(), std::move(member)});
    if (position) sessions_.Keep(token_hash, *position, fresh, BytesOf(*fresh));
    known = std::move(fresh);
  }
  if (known->session.expires_at <= now) return viewer;
  viewer.member = known->member;
  if (!viewer.member->suspended_until || *viewer.member->suspended_until <= now) {
    viewer.member->suspended_until.reset();
    viewer.member->suspended_reason.clear();
  }
  viewer.session_token_hash = std::move(token_hash);
  viewer.csrf_token = known->session.csrf_token;
  return viewer;
}

Result<void> Forum::LogOut(const Viewer& viewer) {
  if (!viewer.signed_in()) return Error::Unauthenticated("You are already signed out.");
  return store_.DeleteSession(viewer.session_token_hash);
}

Result<void> Forum::LogOutEverywhere(const Viewer& viewer) {
  if (!viewer.signed_in()) return Error::Unauthenticated("You are already signed out.");
  return store_.DeleteUserSessions(viewer.member->id);
}

Result<SignedIn> Forum::ChangePassword(const Viewer& viewer, std::string_view current, std::string_view fresh) {
  if (!viewer.signed_in()) return Error::Unauthenticated("Please sign in to change your password.");
  // As many tries at the current password as at signing in, in a bucket of its own: failed
  // sign-ins by someone else must not stop a member changing a password another person knows.
  if (int wait = limiter_.Take("password:member:" + std::to_string(viewer.member->id.value), limits_.login_per_account);
      wait > 0) {
    return Error::RateLimited(wait);
  }
  auto user = store_.FindUserById(viewer.member->id);
  if (!user) return std::move(user).error();
  if (!VerifyPassword(user->password_hash, current)) {
    return Error::Invalid("current_password", "wrong_password",
                          "That is not your current password. Please type it again.");
  }
  if (auto valid = ValidatePassword(fresh); !valid) {
    Error error = std::move(valid).error();
    error.field = "new_password";
    return error;
  }
  KINDRED_TRY(store_.SetPasswordHash(user->id, HashPassword(fresh)));
  KINDRED_TRY(store_.DeleteUserSessions(user->id));
  return StartSession(std::move(user).value());
}

Result<void> Forum::ResetPassword(std::string_view username, std::string_view fresh) {
  auto user = store_.FindUserByName(Trim(username));
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) {
      return Error::NotFound("user_not_found", "There is no account called " + std::string(Trim(username)) + ".");
    }
    return std::move(user).error();
  }
  // Its owner deleted it: a password would tie its kept posts, anonymous ones too, to a sign-in again.
  if (user->erased_at) {
    return Error::Conflict("account_erased", "That account was deleted at its owner's request, so it has no password.");
  }
  KINDRED_TRY(ValidatePassword(fresh));
  KINDRED_TRY(store_.SetPasswordHash(user->id, HashPassword(fresh)));
  return store_.DeleteUserSessions(user->id);
}

Result<store::UserRow> Forum::CreateAdmin(std::string_view username, std::string_view password) {
  auto name = ValidateUsername(username);
  if (!name) return std::move(name).error();
  KINDRED_TRY(ValidatePassword(password));
  std::string hash = HashPassword(password);
  auto created = store_.CreateUser({*name, "", hash, store::Role::kAdmin, clock_.Now(), false});
  if (!created && created.error().code == ErrorCode::kConflict) {
    return Error::Conflict("username_taken", "There is already an account called " + *name + ".", "username");
  }
  return created;
}

}  // namespace kindred::forum
