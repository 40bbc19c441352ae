// Response encoding for the JSON API (internal to api/): the one place that turns rows into
// JSON, so a user, topic, post or category looks the same in every answer. docs/api.md shows
// these shapes; change both together.
// Privacy: nothing here ever writes a password hash or an email address.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.h"
#include "forum/forum.h"
#include "http/message.h"
#include "store/rows.h"

namespace kindred::api {

using OwnReactions = std::array<bool, store::kReactionKindCount>;

// "2026-11-27T20:06:27Z"; JSON null for a time that is absent (0 or nullopt).
nlohmann::json EncodeTime(UnixSeconds at);
nlohmann::json EncodeTime(std::optional<UnixSeconds> at);


// Addresses of the HTML twins, so a client can link a person to the page.
std::string TopicUrl(TopicId id);
std::string PostUrl(PostId id);
std::string CategoryUrl(std::string_view slug);
std::string UserUrl(std::string_view username);

// {id, username}: how a person appears beside what they wrote.
nlohmann::json EncodeUserRef(UserId id, std::string_view username);
// {id, username, role}: the signed-in person themself.
nlohmann::json EncodeSelf(const store::UserRow& user);
// Each non-empty line of a newline-separated setting (muted words), as a list.
nlohmann::json EncodeLines(std::string_view text);
// Everything about the member's own account that they may read: never the password hash.
nlohmann::json EncodeAccount(const store::UserRow& user);
// {id, username, created_at, post_count}: a profile anyone may read.
nlohmann::json EncodeProfileUser(const store::UserRow& user, std::int64_t post_count);

// {id, slug, name, description, position, topic_count, archived, url}.
nlohmann::json EncodeCategory(const store::CategoryRow& category);

// "named", "anonymous" or "former_member".
std::string_view AuthorStateName(store::AuthorState state);

// {id, title, url, category:{id, slug, name}, author:{id, username}, anonymous, author_state,
//  reply_count, created_at, last_post_at, pinned, closed}. author is null unless author_state
// is "named": an anonymous asker's id is as telling as their name.
nlohmann::json EncodeTopic(const store::TopicRow& topic);

// {id, topic_id, number, url, author, anonymous, author_state, content_warning, body_markdown,
//  body_html, created_at, edited_at, deleted, hidden, collapsed, reply_to, reactions:{helpful,
//  hug, me_too}} plus own_reactions:[kind...] when `own` is given (the viewer is signed in).
// author is null unless author_state is "named". A deleted post keeps its place but never its
// text. `display` is how the post shows to the reader (forum::Forum::DisplayFor): a hidden post
// the reader may not see is {hidden: true, placeholder} with no text; its writer and moderators
// get hidden_from_others and hidden_reason instead; "own" marks the reader's own post, and
// "muted" one with a word they muted. Without `display`, a hidden post is always a placeholder.
nlohmann::json EncodePost(const store::PostRow& post, const OwnReactions* own = nullptr,
                          const forum::PostDisplay* display = nullptr);

// {revision, body_markdown, body_html, created_at}.
nlohmann::json EncodeRevision(const store::RevisionRow& revision);

// Adds "page" and "pages" to a list answer.
void AddPage(nlohmann::json& answer, const forum::Page& page);

// The answer as a response. Strings come from the store and the JSON parser, both UTF-8 checked;
// should one slip through anyway it is replaced (U+FFFD) rather than thrown.
http::Response JsonResponse(const nlohmann::json& answer, int status = 200);
http::Response NoContent();

// {"level", "country", "emergency_number", "resources":[{name, description, checked_on, contacts:[{kind,label,href}]}]}
nlohmann::json EncodeSupport(const forum::SupportOffer& offer);
nlohmann::json EncodeCues(const std::vector<safety::Cue>& cues);
// {id, kind, status, version, actions:[...], post, topic, writer (null when anonymous_writer),
//  anonymous, reporter?, note?, ...}: see docs/api.md.
nlohmann::json EncodeReviewItem(const store::ReviewItemRow& item, bool anonymous_writer = false);
nlohmann::json EncodeNotice(const store::NoticeRow& notice);

// {"error":{"code","message","field"?}} with the given status (Retry-After for 429 is added by
// Api::ErrorJson, which chooses the status).
std::string EncodeError(const Error& error);

}  // namespace kindred::api
