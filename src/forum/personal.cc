// Personal controls (issue 5): blocking a member, muting words, the content-warning preference,
// and DisplayFor, which applies them (with moderation) to what one reader sees of each post.
//
// The order of DisplayFor's decisions matters and goes from the community's to the reader's:
//   1. hidden or held by moderation: a placeholder for everyone but the writer and moderators;
//   2. written by someone the reader blocked: left out (the page says how many, quietly);
//   3. containing a word the reader muted: collapsed, one click to open;
//   4. carrying the author's content warning: collapsed, unless the reader chose "always show".
// The reader's own posts are never collapsed or left out for them.
#include <algorithm>
#include <unordered_set>

#include "core/text.h"
#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/limits.h"
#include "forum/validation.h"

namespace kindred::forum {
namespace {

Error SignInForControls() { return Error::Unauthenticated("Please sign in to change your own settings."); }

Error MemberNotFound() { return Error::NotFound("user_not_found", "We could not find a member with that name."); }

// Muted words are matched whole and ignoring (ASCII) case, so "cat" leaves "category" alone.
// Bytes of non-ASCII letters count as word characters: "café" is one word.
bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

bool ContainsWholeWord(std::string_view lowered_text, std::string_view lowered_word) {
  if (lowered_word.empty()) return false;
  for (std::size_t at = lowered_text.find(lowered_word); at != std::string_view::npos;
       at = lowered_text.find(lowered_word, at + 1)) {
    std::size_t end = at + lowered_word.size();
    // A boundary is needed only where the muted word itself starts or ends with a letter:
    // a muted "#tw" or "c-ptsd" still matches beside punctuation.
    bool starts_word = IsWordByte(static_cast<unsigned char>(lowered_word.front()));
    bool ends_word = IsWordByte(static_cast<unsigned char>(lowered_word.back()));
    bool left_ok = !starts_word || at == 0 || !IsWordByte(static_cast<unsigned char>(lowered_text[at - 1]));
    bool right_ok =
        !ends_word || end == lowered_text.size() || !IsWordByte(static_cast<unsigned char>(lowered_text[end]));
    if (left_ok && right_ok) return true;
  }
  return false;
}

// The stored list (one per line) as the words to look for, lowered once per page.
std::vector<std::pair<std::string, std::string>> MutedList(std::string_view stored) {
  std::vector<std::pair<std::string, std::string>> words;  // {as typed, lowered}
  std::size_t start = 0;
  while (start <= stored.size()) {
    std::size_t end = stored.find('\n', start);
    if (end == std::string_view::npos) end = stored.size();
    std::string_view word = Trim(stored.substr(start, end - start));
    if (!word.empty()) words.emplace_back(std::string(word), AsciiLower(word));
    start = end + 1;
  }
  return words;
}

}  // namespace

std::size_t Forum::BytesOf(const ReadingControls& controls) {
  constexpr std::size_t kFixed = 128;
  constexpr std::size_t kPerBlocked = 32;  // a hash-set node
  std::size_t bytes = kFixed + controls.blocked.size() * kPerBlocked;
  for (const auto& [typed, lowered] : controls.muted_words) bytes += typed.size() + lowered.size();
  return bytes;
}

Result<std::shared_ptr<const Forum::ReadingControls>> Forum::ReadingControlsOf(const Viewer& viewer,
                                                                               std::optional<std::int64_t> position) {
  static const auto kVisitors = std::make_shared<const ReadingControls>();
  if (!viewer.signed_in()) return kVisitors;
  auto read = [&]() -> Result<std::shared_ptr<const ReadingControls>> {
    auto me = store_.FindUserById(viewer.member->id);
    if (!me) return std::move(me).error();
    auto controls = std::make_shared<ReadingControls>();
    controls->muted_words = MutedList(me->muted_words);
    controls->show_warned_posts = me->show_warned_posts;
    auto list = store_.ListBlocked(viewer.member->id);
    if (!list) return std::move(list).error();
    for (const auto& blocked : *list) controls->blocked.insert(blocked.id.value);
    return std::shared_ptr<const ReadingControls>(std::move(controls));
  };
  return reading_controls_.FindOrMake(std::to_string(viewer.member->id.value), position, read,
                                      [](const ReadingControls& controls) { return BytesOf(controls); });
}

Result<std::vector<PostDisplay>> Forum::DisplayFor(const Viewer& viewer, std::vector<store::PostRow>& posts) {
  // Live pages call this with a viewer made when they opened: the controls are looked up anew,
  // so a block made meanwhile in another tab applies to what arrives next.
  std::optional<std::int64_t> position;
  if (viewer.signed_in()) {
    auto latest = store_.LatestEventSeq();
    if (latest) position = *latest;
  }
  return DisplayFor(viewer, posts, position);
}

Result<std::vector<PostDisplay>> Forum::DisplayFor(const Viewer& viewer, std::vector<store::PostRow>& posts,
                                                   std::optional<std::int64_t> position) {
  std::vector<PostDisplay> display(posts.size());
  auto controls = ReadingControlsOf(viewer, position);
  if (!controls) return std::move(controls).error();
  const auto& blocked = (*controls)->blocked;
  const auto& muted = (*controls)->muted_words;
  const bool show_warned = (*controls)->show_warned_posts;

  for (std::size_t i = 0; i < posts.size(); ++i) {
    store::PostRow& post = posts[i];
    PostDisplay& shown = display[i];
    shown.own = viewer.is(post.user_id);
    if (post.deleted_at) continue;  // its text is gone already; its place shows as deleted

    if (post.hidden_at && !Guardian::MaySeeHiddenPost(viewer, post)) {
      shown.hidden = true;
    } else if (!shown.own && !post.anonymous && blocked.contains(post.user_id.value)) {
      // Never for an anonymous post: leaving it out would tell the blocker who wrote it.
      shown.blocked_author = true;
    }
    if (shown.hidden || shown.blocked_author) {
      post.body_markdown.clear();
      post.body_html.clear();
      post.content_warning.clear();
      continue;
    }
    if (shown.own) continue;
    if (!muted.empty()) {
      std::string lowered = AsciiLower(post.body_markdown);
      for (const auto& [typed, word] : muted) {
        if (ContainsWholeWord(lowered, word)) {
          shown.muted_word = typed;
          break;
        }
      }
    }
    shown.collapsed_warning = !post.content_warning.empty() && !show_warned;
  }
  return display;
}

Result<bool> Forum::AskerBlocked(const Viewer& viewer, const store::TopicRow& topic,
                                 std::optional<std::int64_t> position) {
  if (!viewer.signed_in() || topic.anonymous || viewer.is(topic.user_id)) return false;
  auto read = [&]() -> Result<std::shared_ptr<const bool>> {
    auto blocked = store_.IsBlocked(topic.user_id, viewer.member->id);
    if (!blocked) return std::move(blocked).error();
    return std::make_shared<const bool>(*blocked);
  };
  const std::string key = std::to_string(topic.user_id.value) + " " + std::to_string(viewer.member->id.value);
  auto blocked = asker_blocks_.FindOrMake(key, position, read, [](bool) { return sizeof(bool); });
  if (!blocked) return std::move(blocked).error();
  return **blocked;
}

Result<void> Forum::TakeControlsToken(const Viewer& viewer) {
  if (int wait = limiter_.Take("controls:user:" + std::to_string(viewer.member->id.value),
                               limits_.personal_controls_per_account)) {
    return Error::RateLimited(wait);
  }
  return Ok();
}

Result<store::UserRow> Forum::Block(const Viewer& viewer, std::string_view username) {
  // Not limited: someone targeted by many accounts at once must be able to block every one. A
  // block that changes nothing moves nothing, so repeating one needs the limited unblock.
  if (!viewer.signed_in()) return SignInForControls();
  auto user = store_.FindUserByName(Trim(username));
  if (!user) return user.error().code == ErrorCode::kNotFound ? MemberNotFound() : std::move(user).error();
  KINDRED_TRY(Guardian::CanBlock(viewer, *user));
  KINDRED_TRY(store_.AddBlock(viewer.member->id, user->id, clock_.Now()));
  return user;
}

Result<void> Forum::Unblock(const Viewer& viewer, std::string_view username) {
  if (!viewer.signed_in()) return SignInForControls();
  KINDRED_TRY(TakeControlsToken(viewer));
  auto user = store_.FindUserByName(Trim(username));
  if (!user) return user.error().code == ErrorCode::kNotFound ? MemberNotFound() : std::move(user).error();
  return store_.RemoveBlock(viewer.member->id, user->id);
}

Result<std::vector<store::UserRow>> Forum::BlockedMembers(const Viewer& viewer) {
  if (!viewer.signed_in()) return SignInForControls();
  return store_.ListBlocked(viewer.member->id);
}

Result<void> Forum::SetMutedWords(const Viewer& viewer, const std::vector<std::string>& words) {
  if (!viewer.signed_in()) return SignInForControls();
  KINDRED_TRY(TakeControlsToken(viewer));
  std::vector<std::string> kept;
  std::unordered_set<std::string> seen;
  for (const auto& raw : words) {
    // One word or phrase per line is how they are kept, so a line break splits an entry.
    for (const auto& line : MutedList(NormalizeNewlines(raw))) {
      const std::string& word = line.first;
      if (!IsValidUtf8(word) || HasControlCharacters(word)) {
        return Error::Invalid("muted_words", "muted_word_unreadable",
                              "One of the muted words could not be read. Please type it again.");
      }
      if (CountCodepoints(word) > kMutedWordMax) {
        return Error::Invalid("muted_words", "muted_word_too_long",
                              "Please keep each muted word or phrase to " + std::to_string(kMutedWordMax) +
                                  " characters or fewer.");
      }
      if (seen.insert(line.second).second) kept.push_back(word);
    }
  }
  if (kept.size() > kMaxMutedWords) {
    return Error::Invalid("muted_words", "too_many_muted_words",
                          "You can mute up to " + std::to_string(kMaxMutedWords) + " words or phrases.");
  }
  std::string stored;
  for (const auto& word : kept) stored += (stored.empty() ? "" : "\n") + word;
  auto me = store_.FindUserById(viewer.member->id);
  if (!me) return std::move(me).error();
  return store_.SetPersonalControls(me->id, stored, me->show_warned_posts);
}

Result<void> Forum::SetShowWarnedPosts(const Viewer& viewer, bool show) {
  if (!viewer.signed_in()) return SignInForControls();
  auto me = store_.FindUserById(viewer.member->id);
  if (!me) return std::move(me).error();
  return store_.SetPersonalControls(me->id, me->muted_words, show);
}

Result<store::UserRow> Forum::Me(const Viewer& viewer) {
  if (!viewer.signed_in()) return SignInForControls();
  return store_.FindUserById(viewer.member->id);
}

}  // namespace kindred::forum
