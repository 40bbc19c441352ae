// Pages: the HTML side of Kindred. One method per page or form; each decodes its input, calls
// the forum, and renders a template. Forms that fail come back with what the person typed and
// the problem named beside its field (status 422/409/429), never a blank form.
// Errors that are not about a form (not found, forbidden...) are returned as values and the
// route table renders them with ErrorPage.
// Thread-safety: every method is const and may run on any thread at once.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "forum/forum.h"
#include "http/message.h"

namespace kindred::live {
class Hub;
}

namespace kindred::web {

struct SiteOptions {
  std::string site_name = "Kindred";
  std::string site_description = "A place to ask, listen and be heard.";
};

class Pages {
 public:
  Pages(forum::Forum& forum, SiteOptions options);
  ~Pages();
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;

  using Handler = Result<http::Response> (Pages::*)(const http::Request&, const forum::Viewer&) const;

  // Reading.
  Result<http::Response> Home(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> Category(const http::Request& request, const forum::Viewer& viewer) const;  // /c/{slug}?page=
  Result<http::Response> Topic(const http::Request& request, const forum::Viewer& viewer) const;     // /t/{id}?page=
  // New replies to a topic as they are written (Server-Sent Events; live/hub.h), each as the
  // topic page would show it to this viewer. 503 until a hub is attached.
  Result<http::Response> TopicEvents(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // /t/{id}/events
  Result<http::Response> PostLink(const http::Request& request,
                                  const forum::Viewer& viewer) const;  // /p/{id} -> 303 to its page and anchor
  Result<http::Response> Revisions(const http::Request& request,
                                   const forum::Viewer& viewer) const;                              // /p/{id}/revisions
  Result<http::Response> Profile(const http::Request& request, const forum::Viewer& viewer) const;  // /u/{name}?page=

  // Accounts.
  Result<http::Response> LoginForm(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> Login(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> RegisterForm(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> Register(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> Logout(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> LogoutEverywhere(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> ChangePassword(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // POST /account/password

  // Writing.
  Result<http::Response> NewTopicForm(const http::Request& request,
                                      const forum::Viewer& viewer) const;                            // /new?category=ID
  Result<http::Response> NewTopic(const http::Request& request, const forum::Viewer& viewer) const;  // POST /new
  Result<http::Response> ReplyForm(const http::Request& request,
                                   const forum::Viewer& viewer) const;  // /t/{id}/reply?quote=POST
  Result<http::Response> Reply(const http::Request& request, const forum::Viewer& viewer) const;  // POST /t/{id}/reply
  Result<http::Response> EditForm(const http::Request& request, const forum::Viewer& viewer) const;  // /p/{id}/edit
  Result<http::Response> Edit(const http::Request& request, const forum::Viewer& viewer) const;  // POST /p/{id}/edit
  Result<http::Response> DeleteForm(const http::Request& request,
                                    const forum::Viewer& viewer) const;  // /p/{id}/delete (confirm)
  Result<http::Response> Delete(const http::Request& request,
                                const forum::Viewer& viewer) const;                               // POST /p/{id}/delete
  Result<http::Response> React(const http::Request& request, const forum::Viewer& viewer) const;  // POST /p/{id}/react

  // Admin and moderation.
  Result<http::Response> AdminCategories(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> CreateCategory(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> UpdateCategory(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // POST /admin/categories/{id}
  Result<http::Response> MoveCategory(const http::Request& request,
                                      const forum::Viewer& viewer) const;  // POST /admin/categories/{id}/move
  Result<http::Response> ArchiveCategory(const http::Request& request,
                                         const forum::Viewer& viewer) const;  // POST /admin/categories/{id}/archive
  Result<http::Response> ModerateTopic(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /t/{id}/moderate

  // Safety and support (safety_pages.cc). None of these ever blocks or hides a post.
  Result<http::Response> Help(const http::Request& request,
                              const forum::Viewer& viewer) const;  // /help?country=GB (remembers the choice)
  Result<http::Response> Guidelines(const http::Request& request, const forum::Viewer& viewer) const;  // /guidelines
  Result<http::Response> WorryForm(const http::Request& request,
                                   const forum::Viewer& viewer) const;  // /p/{id}/worry (?sent=1: thank you)
  Result<http::Response> Worry(const http::Request& request, const forum::Viewer& viewer) const;  // POST /p/{id}/worry
  // Its writer's "these messages feel unwanted" (Forum::ReportUnwantedWorry).
  Result<http::Response> UnwantedWorryForm(const http::Request& request,
                                           const forum::Viewer& viewer) const;  // GET /p/{id}/worry-unwanted
  Result<http::Response> UnwantedWorry(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /p/{id}/worry-unwanted
  Result<http::Response> Notices(const http::Request& request, const forum::Viewer& viewer) const;      // /notices
  Result<http::Response> AccountForm(const http::Request& request, const forum::Viewer& viewer) const;  // /account
  Result<http::Response> SaveAccount(const http::Request& request, const forum::Viewer& viewer) const;  // POST /account

  // The review queue (review_pages.cc): moderators and admins.
  Result<http::Response> ReviewQueue(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // /mod/queue?status=open|resolved
  Result<http::Response> ActOnReview(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // POST /mod/review/{id}/action
  Result<http::Response> MessageWriter(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /mod/review/{id}/message
  Result<http::Response> Modlog(const http::Request& request, const forum::Viewer& viewer) const;  // /mod/log?page=

  // Moderation (moderation_pages.cc): moderators, and admins where it says so.
  Result<http::Response> MemberPanel(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // /mod/members/{name}?done=
  Result<http::Response> SuspendMember(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /mod/members/{name}/suspend (days, reason)
  Result<http::Response> LiftSuspension(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // POST /mod/members/{name}/unsuspend
  Result<http::Response> SetMemberTrust(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // POST /mod/members/{name}/trust (level): admins
  Result<http::Response> SetMemberRole(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /mod/members/{name}/role (role): admins
  Result<http::Response> WatchedWords(const http::Request& request,
                                      const forum::Viewer& viewer) const;  // /admin/watched-words: admins
  Result<http::Response> AddWatchedWord(const http::Request& request,
                                        const forum::Viewer& viewer) const;  // POST /admin/watched-words
  Result<http::Response> RemoveWatchedWord(const http::Request& request,
                                           const forum::Viewer& viewer) const;  // POST /admin/watched-words/{id}/remove
  Result<http::Response> SetSlowMode(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // POST /t/{id}/slow-mode (minutes|custom)
  Result<http::Response> RevealForm(const http::Request& request,
                                    const forum::Viewer& viewer) const;  // /p/{id}/reveal
  // POST /p/{id}/reveal (reason): answers with the writer's name on the page itself (logged).
  Result<http::Response> Reveal(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> ShowPostAgain(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> FlagForm(const http::Request& request,
                                  const forum::Viewer& viewer) const;  // /p/{id}/flag (?sent=1: thank you)
  Result<http::Response> Flag(const http::Request& request,
                              const forum::Viewer& viewer) const;  // POST /p/{id}/flag (reason, note)

  // Safety settings (safety_admin_pages.cc): admins.
  Result<http::Response> AdminSafety(const http::Request& request, const forum::Viewer& viewer) const;  // /admin/safety
  Result<http::Response> SaveHelplines(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /admin/safety/helplines
  Result<http::Response> ExportHelplines(const http::Request& request,
                                         const forum::Viewer& viewer) const;  // /admin/safety/helplines.tsv
  Result<http::Response> SaveMessageTemplates(const http::Request& request,
                                              const forum::Viewer& viewer) const;  // POST /admin/safety/templates
  Result<http::Response> SaveSupportMessages(const http::Request& request, const forum::Viewer& viewer) const;  // POST /admin/safety/support
  Result<http::Response> SetTrustedSupporter(const http::Request& request,
                                             const forum::Viewer& viewer) const;  // POST /admin/safety/supporters

  // Finding what is already there (finding_pages.cc).
  Result<http::Response> Search(const http::Request& request,
                                const forum::Viewer& viewer) const;  // /search?q=&category=&author=&page=&exact=1
  Result<http::Response> MoveReply(const http::Request& request,
                                   const forum::Viewer& viewer) const;  // POST /p/{id}/move (topic_id)

  // Privacy and leaving (privacy_pages.cc).
  Result<http::Response> Privacy(const http::Request& request, const forum::Viewer& viewer) const;  // /privacy
  // Everything stored about the viewer as one self-contained page, downloaded (the JSON twin is
  // GET /api/v1/me/export).
  Result<http::Response> ExportPage(const http::Request& request,
                                    const forum::Viewer& viewer) const;  // /account/export.html
  Result<http::Response> DeleteAccountForm(const http::Request& request,
                                           const forum::Viewer& viewer) const;  // /account/delete
  // POST /account/delete (password, posts=keep|delete): erased at once, then 303 to /goodbye.
  Result<http::Response> DeleteAccount(const http::Request& request, const forum::Viewer& viewer) const;
  Result<http::Response> Goodbye(const http::Request& request,
                                 const forum::Viewer& viewer) const;  // /goodbye?posts=kept

  // Personal controls (personal_pages.cc). Forms; each goes back where it came from (`next`).
  Result<http::Response> BlockMember(const http::Request& request,
                                     const forum::Viewer& viewer) const;  // POST /u/{name}/block
  Result<http::Response> UnblockMember(const http::Request& request,
                                       const forum::Viewer& viewer) const;  // POST /u/{name}/unblock
  Result<http::Response> SavePersonalControls(const http::Request& request,
                                              const forum::Viewer& viewer) const;  // POST /account/personal

  // Static files embedded in the binary: /static/{name}, cached for a year (names carry a version).
  Result<http::Response> Static(const http::Request& request, const forum::Viewer& viewer) const;

  // Live updates: the topic page's last page then opens a stream, and TopicEvents answers.
  // Call before serving; the hub must outlive the pages.
  void AttachLiveHub(live::Hub* hub) { live_ = hub; }

  // The friendly page for an error that reached the route table (404, 403, 429, 500...).
  http::Response ErrorPage(const forum::Viewer& viewer, const Error& error) const;
  // A form that could not be taken: sent with a token that no longer matches (the sign-in ended,
  // or the page was open for days), or more than a form may carry. What the person wrote, to
  // copy, and the way back. Nothing is saved.
  enum class NotSent { kExpired, kTooLarge };
  http::Response FormNotSentPage(const http::Request& request, const forum::Viewer& viewer, NotSent why) const;

 private:
  // The new-question form's "Preview" step (writing_pages.cc).
  Result<http::Response> PreviewQuestion(const forum::Viewer& viewer, const forum::AskInput& input) const;
  // "I'm worried about this person" (kWorry), or its writer's "these messages feel unwanted"
  // (safety_pages.cc): the form, and sending it.
  enum class WorryPage { kWorry, kUnwanted };
  Result<http::Response> ShowWorryForm(const http::Request& request, const forum::Viewer& viewer, WorryPage which) const;
  Result<http::Response> SendWorryForm(const http::Request& request, const forum::Viewer& viewer, WorryPage which) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
  forum::Forum& forum_;
  SiteOptions options_;
  live::Hub* live_ = nullptr;
};

}  // namespace kindred::web
