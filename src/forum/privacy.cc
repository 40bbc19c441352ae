// Privacy and leaving: "download my data" and self-service account deletion (issue 5).
// Deletion is immediate and whole: the store erases the account in one transaction
// (Store::EraseUser), the change feed tells the search index, and the caches this Forum keeps
// are cleared here, so nothing derived can show what was erased.
#include <spdlog/spdlog.h>

#include <unordered_map>

#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/passwords.h"

namespace kindred::forum {
namespace {

// Rows read per store call while gathering an export: an account of any size is read in bounded
// steps rather than one unbounded query.
constexpr int kExportBatch = 500;

Error WrongPassword() {
  return Error::Invalid("password", "wrong_password",
                        "That password does not match your account. Please check it and try again.");
}

Error LastAdmin() {
  return Error::Conflict("last_admin",
                         "You are the only admin, so no one would be left to look after the community. "
                         "Please make someone else an admin first (whoever runs the server can add one with "
                         "kindred admin create), then you can delete your account.");
}

// Reads every page of a list the store hands out `kExportBatch` rows at a time.
template <typename Row, typename ReadPage>
Result<std::vector<Row>> ReadAll(ReadPage read_page) {
  std::vector<Row> all;
  for (int offset = 0;; offset += kExportBatch) {
    auto page = read_page(offset, kExportBatch);
    if (!page) return std::move(page).error();
    const bool last = static_cast<int>(page->size()) < kExportBatch;
    for (auto& row : *page) all.push_back(std::move(row));
    if (last) return all;
  }
}

}  // namespace

Result<AccountExport> Forum::ExportAccount(const Viewer& viewer) {
  KINDRED_TRY(Guardian::CanManageOwnAccount(viewer));
  const UserId id = viewer.member->id;
  AccountExport out;
  out.exported_at = clock_.Now();
  auto user = store_.FindUserById(id);
  if (!user) return std::move(user).error();
  out.user = std::move(user).value();

  // Their posts, anonymous and hidden ones too: whatever others see of them, they are theirs.
  auto posts = ReadAll<store::PostRow>(
      [&](int offset, int limit) { return store_.ListPostsByUser(id, offset, limit, /*include_anonymous=*/true); });
  if (!posts) return std::move(posts).error();
  out.posts = std::move(posts).value();
  std::unordered_map<std::int64_t, store::TopicRow> topics;
  out.topics_of_posts.reserve(out.posts.size());
  for (const auto& post : out.posts) {
    auto known = topics.find(post.topic_id.value);
    if (known == topics.end()) {
      auto topic = store_.FindTopic(post.topic_id);
      if (!topic) return std::move(topic).error();
      known = topics.emplace(post.topic_id.value, std::move(topic).value()).first;
    }
    out.topics_of_posts.push_back(known->second);
  }

  auto reactions = store_.ListReactionsByUser(id);
  if (!reactions) return std::move(reactions).error();
  out.reactions = std::move(reactions).value();
  auto sessions = store_.ListSessionsOfUser(id);
  if (!sessions) return std::move(sessions).error();
  out.sessions = std::move(sessions).value();
  auto notices =
      ReadAll<store::NoticeRow>([&](int offset, int limit) { return store_.ListNotices(id, offset, limit); });
  if (!notices) return std::move(notices).error();
  out.notices = std::move(notices).value();
  auto blocked = store_.ListBlocked(id);
  if (!blocked) return std::move(blocked).error();
  out.blocked = std::move(blocked).value();
  auto flags = store_.ListFlagsByReporter(id);
  if (!flags) return std::move(flags).error();
  out.flags = std::move(flags).value();
  auto worries = store_.ListWorryReportsBy(id);
  if (!worries) return std::move(worries).error();
  out.worry_reports = std::move(worries).value();
  return out;
}

Result<void> Forum::DeleteAccount(const Viewer& viewer, std::string_view password, bool delete_posts) {
  KINDRED_TRY(Guardian::CanManageOwnAccount(viewer));
  const UserId id = viewer.member->id;
  // The password stands between a borrowed, still signed-in device and a whole history gone, so
  // guessing it here is limited exactly like signing in.
  if (int wait = limiter_.Take("delete:user:" + std::to_string(id.value), limits_.login_per_account)) {
    return Error::RateLimited(wait);
  }
  if (password.empty()) {
    return Error::Invalid("password", "password_required", "Please type your password to confirm.");
  }
  auto user = store_.FindUserById(id);
  if (!user) return std::move(user).error();
  if (!VerifyPassword(user->password_hash, password)) return WrongPassword();

  if (user->role == store::Role::kAdmin) {
    auto staff = store_.ListResponders(/*include_trusted_supporters=*/false);
    if (!staff) return std::move(staff).error();
    bool another_admin = false;
    for (const auto& other : *staff) {
      another_admin |= other.role == store::Role::kAdmin && other.id != id && !other.erased_at;
    }
    if (!another_admin) return LastAdmin();
  }

  // Sessions go with the account, so every device is signed out in the same transaction.
  KINDRED_TRY(store_.EraseUser(id, delete_posts, clock_.Now()));
  ForgetErasedContent();
  spdlog::info("an account was deleted by its owner ({} posts)", delete_posts ? "with its" : "keeping its");
  return Ok();
}

void Forum::ForgetErasedContent() {
  // "People also asked" answers name topics by id and are rechecked against the store on every
  // view, but an erased topic's id may sit in any topic's answer: start the cache over rather
  // than hunt for it, which costs one index query per topic viewed in the next minutes.
  std::lock_guard lock(related_mutex_);
  related_cache_.clear();
}

}  // namespace kindred::forum
