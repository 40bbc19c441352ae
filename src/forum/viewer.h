// Viewer: who is acting, and from where. Every domain call takes one; the guardian decides
// with it. A visitor without an account is a Viewer with no member.
// Thread-safety: plain value.
#pragma once

#include <optional>
#include <string>

#include "core/ids.h"
#include "store/rows.h"

namespace kindred::forum {

struct Member {
  UserId id;
  std::string username;
  store::Role role = store::Role::kMember;
  store::TrustLevel trust_level = store::TrustLevel::kNew;
  // Set while suspended (read as of when the viewer was made): they can read, not post.
  std::optional<UnixSeconds> suspended_until;
  std::string suspended_reason;
};

struct Viewer {
  std::optional<Member> member;
  // Identifies the client for rate limits (the peer address, or the proxy's word for it).
  std::string client_address;
  // The session's token hash, when signed in through a session (log out needs it).
  std::string session_token_hash;
  // What every form this viewer submits must carry: the session's token when signed in,
  // else the visitor's own random token from a cookie (so sign-in forms are covered too).
  std::string csrf_token;

  bool signed_in() const { return member.has_value(); }
  bool is_admin() const { return member && member->role == store::Role::kAdmin; }
  bool is_moderator() const { return member && member->role >= store::Role::kModerator; }
  bool is(UserId user) const { return member && member->id == user; }
  bool is_suspended() const { return member && member->suspended_until.has_value(); }
};

}  // namespace kindred::forum
