// Api: the JSON API v1, the same operations as the pages for programs. Shapes are documented in
// docs/api.md. Each method decodes a JSON body (malformed JSON or a wrong type is a 400 naming
// the field), calls the forum and encodes the answer. Errors are returned as values; the route
// table encodes them as {"error":{"code","message","field"?}} with ErrorJson.
// Thread-safety: every method is const and may run on any thread at once.
#pragma once

#include "core/result.h"
#include "forum/forum.h"
#include "http/message.h"

namespace kindred::live {
class Hub;
}

namespace kindred::api {

class Api {
 public:
  explicit Api(forum::Forum& forum) : forum_(forum) {}

  using Handler = Result<http::Response> (Api::*)(const http::Request&, const forum::Viewer&) const;

  Result<http::Response> CreateUser(const http::Request& request,
                                    const forum::Viewer& viewer) const;  // POST /api/v1/users
  Result<http::Response> CreateSession(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /api/v1/sessions
  Result<http::Response> DeleteSession(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // DELETE /api/v1/sessions/current
  Result<http::Response> ListCategories(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // GET /api/v1/categories
  Result<http::Response> CreateCategory(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // POST /api/v1/categories
  // {name?, description?, archived?, move?: "up"|"down"}: what is given changes, the rest stays.
  Result<http::Response> UpdateCategory(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // PATCH /api/v1/categories/{id}
  Result<http::Response> CategoryTopics(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // GET /api/v1/categories/{slug}/topics
  Result<http::Response> LatestTopics(const http::Request& request,
                                      const forum::Viewer& viewer) const;  // GET /api/v1/topics
  Result<http::Response> CreateTopic(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // POST /api/v1/topics
  Result<http::Response> ShowTopic(const http::Request& request,
                                   const forum::Viewer& viewer) const;  // GET /api/v1/topics/{id}
  Result<http::Response> ModerateTopic(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // PATCH /api/v1/topics/{id}
  // Server-Sent Events: {"post": ...} as ShowPost encodes it, for each new ("reply"), edited
  // ("edit") or deleted ("delete") post of the topic; resumes after Last-Event-ID. 503 until a
  // hub is attached.
  Result<http::Response> TopicEvents(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // GET /api/v1/topics/{id}/events
  Result<http::Response> CreatePost(const http::Request& request,
                                    const forum::Viewer& viewer) const;  // POST /api/v1/topics/{id}/posts
  Result<http::Response> ShowPost(const http::Request& request,
                                  const forum::Viewer& viewer) const;  // GET /api/v1/posts/{id}
  Result<http::Response> EditPost(const http::Request& request,
                                  const forum::Viewer& viewer) const;  // PATCH /api/v1/posts/{id}
  Result<http::Response> DeletePost(const http::Request& request,
                                    const forum::Viewer& viewer) const;  // DELETE /api/v1/posts/{id}
  Result<http::Response> ListRevisions(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // GET /api/v1/posts/{id}/revisions
  Result<http::Response> AddReaction(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // POST /api/v1/posts/{id}/reactions
  Result<http::Response> RemoveReaction(
      const http::Request& request, const forum::Viewer& viewer) const;  // DELETE /api/v1/posts/{id}/reactions/{kind}
  Result<http::Response> ShowUser(const http::Request& request,
                                  const forum::Viewer& viewer) const;  // GET /api/v1/users/{name}

  // Finding (finding_api.cc).
  Result<http::Response> Search(const http::Request& request, const forum::Viewer& viewer) const;   // GET /api/v1/search?q=&category=&author=&page=
  Result<http::Response> Similar(const http::Request& request, const forum::Viewer& viewer) const;  // GET /api/v1/similar?title=&body=
  Result<http::Response> Related(const http::Request& request, const forum::Viewer& viewer) const;  // GET /api/v1/topics/{id}/related
  Result<http::Response> MovePost(const http::Request& request, const forum::Viewer& viewer) const; // POST /api/v1/posts/{id}/move {topic_id}

  // Safety and moderation (care_api.cc).
  Result<http::Response> CheckSafety(const http::Request& request, const forum::Viewer& viewer) const;     // POST /api/v1/safety/check
  Result<http::Response> Helplines(const http::Request& request, const forum::Viewer& viewer) const;       // GET /api/v1/helplines?country=
  Result<http::Response> FlagPost(const http::Request& request, const forum::Viewer& viewer) const;        // POST /api/v1/posts/{id}/flags
  Result<http::Response> ReportUnwantedWorry(const http::Request& request,
                                             const forum::Viewer& viewer) const;  // POST /api/v1/posts/{id}/worry-unwanted
  Result<http::Response> ReviewQueue(const http::Request& request, const forum::Viewer& viewer) const;     // GET /api/v1/review?status=&page=
  Result<http::Response> ActOnReview(const http::Request& request, const forum::Viewer& viewer) const;     // POST /api/v1/review/{id}/actions
  Result<http::Response> MyNotices(const http::Request& request, const forum::Viewer& viewer) const;       // GET /api/v1/me/notices

  // Moderation (moderation_api.cc): moderators and admins, each call in the modlog.
  Result<http::Response> RevealAnonymous(const http::Request& request, const forum::Viewer& viewer) const;   // POST /api/v1/posts/{id}/reveal {reason}
  Result<http::Response> ShowPostAgain(const http::Request& request, const forum::Viewer& viewer) const;     // POST /api/v1/posts/{id}/show {reason?}
  Result<http::Response> SuspendUser(const http::Request& request, const forum::Viewer& viewer) const;       // POST /api/v1/users/{name}/suspend {days, reason}
  Result<http::Response> LiftSuspension(const http::Request& request, const forum::Viewer& viewer) const;    // DELETE /api/v1/users/{name}/suspend
  Result<http::Response> SetTrust(const http::Request& request, const forum::Viewer& viewer) const;          // PUT /api/v1/users/{name}/trust {level}
  Result<http::Response> SetRole(const http::Request& request, const forum::Viewer& viewer) const;           // PUT /api/v1/users/{name}/role {role}
  Result<http::Response> ListWatchedWords(const http::Request& request, const forum::Viewer& viewer) const;  // GET /api/v1/admin/watched-words
  Result<http::Response> AddWatchedWord(const http::Request& request, const forum::Viewer& viewer) const;    // POST /api/v1/admin/watched-words
  Result<http::Response> RemoveWatchedWord(const http::Request& request, const forum::Viewer& viewer) const; // DELETE /api/v1/admin/watched-words/{id}
  Result<http::Response> Modlog(const http::Request& request, const forum::Viewer& viewer) const;            // GET /api/v1/modlog?page=
  Result<http::Response> UserStanding(const http::Request& request, const forum::Viewer& viewer) const;      // GET /api/v1/users/{name}/standing

  // Privacy and leaving (privacy_api.cc).
  // Everything stored about the viewer, as a download (Content-Disposition: attachment); never
  // the password hash or session tokens.
  Result<http::Response> ExportAccount(const http::Request& request, const forum::Viewer& viewer) const;  // GET /api/v1/me/export
  // {password, posts: "delete"|"keep"}: erases the account at once; 204, signed out everywhere.
  Result<http::Response> DeleteAccount(const http::Request& request, const forum::Viewer& viewer) const;  // DELETE /api/v1/me
  Result<http::Response> ChangePassword(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // POST /api/v1/me/password

  // Personal controls (personal_api.cc).
  // 201 {blocked:{username, url}}; 403 "staff" for a moderator or admin, 422 for oneself.
  Result<http::Response> BlockUser(const http::Request& request, const forum::Viewer& viewer) const;    // POST /api/v1/users/{name}/block
  Result<http::Response> UnblockUser(const http::Request& request, const forum::Viewer& viewer) const;  // DELETE /api/v1/users/{name}/block
  // {words:[...], always_show_content_warnings?} -> the list as kept, and the preference.
  Result<http::Response> SetMutedWords(const http::Request& request, const forum::Viewer& viewer) const;  // PUT /api/v1/me/muted-words
  // {account:{...}, blocked:[{username, url}]}; PATCH takes worry_messages_off and
  // show_posts_with_content_warnings (each optional) and answers the same.
  Result<http::Response> ShowMe(const http::Request& request, const forum::Viewer& viewer) const;    // GET /api/v1/me
  Result<http::Response> UpdateMe(const http::Request& request, const forum::Viewer& viewer) const;  // PATCH /api/v1/me
  Result<http::Response> DeleteAllSessions(const http::Request& request,
                                           const forum::Viewer& viewer) const;  // DELETE /api/v1/sessions

  // {"error":{"code":key,"message":...,"field":...}} with the status for its code.
  static http::Response ErrorJson(const Error& error);

  // Live updates for TopicEvents, and last_event_id in ShowTopic. Call before serving; the hub
  // must outlive the API.
  void AttachLiveHub(live::Hub* hub) { live_ = hub; }

 private:
  forum::Forum& forum_;
  live::Hub* live_ = nullptr;
};

}  // namespace kindred::api
