// kindred-bench-generate: writes a synthetic community of a given number of posts into a fresh
// SQLite store through the Store interface (the same calls `kindred import` and the forum make:
// CreateUser, CreateCategory, ImportThread, AddReaction), and describes what it made in a JSON
// manifest that bench/run reads (the topic to load, the category, the words to search).
//
//   kindred-bench-generate --posts 100000 --out /dev/shm/x/kindred.db --manifest /dev/shm/x/manifest.json
//
// Every write is a committed transaction, as in the forum; bench/run writes to a tmpfs so that
// the commits' fsyncs cost nothing, then moves the finished file into bench/data/.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/text.h"
#include "forum/markdown.h"
#include "store/sqlite/sqlite_store.h"
#include "synthetic_community.h"

namespace {

using kindred::UnixSeconds;
namespace store = kindred::store;
namespace bench = kindred::bench;

// "Several hundred members" for the smallest store, growing with it as a real forum's do, to a
// ceiling where the member list no longer changes what the benchmark measures.
constexpr int kMinUsers = 400;
constexpr int kMaxUsers = 20000;
constexpr int kPostsPerUser = 50;
// The community's history: two years of threads, ending now.
constexpr UnixSeconds kHistorySeconds = 2 * 365 * 86400;
// Mean posts per thread from SyntheticCommunity::ReplyCount (about 13.6), to spread the threads
// evenly over the history before knowing how many there will be.
constexpr double kMeanPostsPerThread = 13.6;
// The topic the benchmark loads must fill a page of 20 posts (forum::kPostsPerPage) and more.
constexpr int kPageTopicMinReplies = 24;

int Fail(const std::string& what, const kindred::Error& error) {
  std::cerr << "kindred-bench-generate: " << what << ": " << error.message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Writes a synthetic community into a fresh SQLite store for the benchmarks"};
  long long target_posts = 10000;
  std::filesystem::path out;
  std::filesystem::path manifest_path;
  std::uint64_t seed = 7;
  cli.add_option("--posts", target_posts, "number of posts (questions and replies)")
      ->required()
      ->check(CLI::Range(1LL, 100000000LL));
  cli.add_option("--out", out, "the kindred.db file to make (must not exist)")->required();
  cli.add_option("--manifest", manifest_path, "where to write the JSON manifest")->required();
  cli.add_option("--seed", seed, "random seed (the same seed makes the same community)");
  CLI11_PARSE(cli, argc, argv);

  if (std::filesystem::exists(out)) {
    std::cerr << "kindred-bench-generate: " << out << " exists already; give a new path\n";
    return 1;
  }
  auto opened = store::OpenSqliteStore(out);
  if (!opened) return Fail("cannot open the store", opened.error());
  store::Store& db = **opened;

  const auto started = std::chrono::steady_clock::now();
  const UnixSeconds now = kindred::SystemClock().Now();
  const UnixSeconds history_start = now - kHistorySeconds;
  const int user_count = static_cast<int>(std::clamp<long long>(target_posts / kPostsPerUser, kMinUsers, kMaxUsers));
  bench::SyntheticCommunity community(seed, user_count);

  std::vector<kindred::UserId> users;
  for (const std::string& name : community.Usernames()) {
    auto user = db.CreateUser({name, "", "", store::Role::kMember, history_start, false});
    if (!user) return Fail("cannot make member " + name, user.error());
    users.push_back(user->id);
  }
  std::vector<store::CategoryRow> categories;
  for (const auto& category : community.Categories()) {
    auto row = db.CreateCategory({kindred::Slugify(category.name), category.name, category.description, false});
    if (!row) return Fail("cannot make category " + category.name, row.error());
    categories.push_back(*row);
  }

  const double thread_spacing = kHistorySeconds / std::max(1.0, target_posts / kMeanPostsPerThread);
  long long posts = 0, topics = 0, reactions = 0, next_report = target_posts / 10;
  std::optional<store::TopicRow> page_topic;
  std::mt19937_64 gaps(seed + 1);
  while (posts < target_posts) {
    bench::SyntheticThread thread = community.NextThread();
    // The last thread is cut so the store holds exactly the posts asked for.
    long long room = target_posts - posts - 1;
    if (static_cast<long long>(thread.replies.size()) > room) thread.replies.resize(static_cast<std::size_t>(room));

    UnixSeconds asked_at = std::min(now - 3600, history_start + static_cast<UnixSeconds>(topics * thread_spacing));
    store::NewTopic topic{categories[thread.category].id,
                          users[thread.question.author],
                          thread.title,
                          thread.question.markdown,
                          kindred::forum::RenderMarkdown(thread.question.markdown),
                          asked_at,
                          false};
    std::vector<store::NewPost> replies;
    UnixSeconds at = asked_at;
    for (const bench::SyntheticPost& reply : thread.replies) {
      at = std::min(now, at + 60 + static_cast<UnixSeconds>(std::exponential_distribution<double>(1.0 / 5400)(gaps)));
      replies.push_back({kindred::TopicId{}, users[reply.author], std::nullopt, reply.markdown,
                         kindred::forum::RenderMarkdown(reply.markdown), at});
    }
    auto written = db.ImportThread(topic, replies);
    if (!written) return Fail("cannot write thread " + std::to_string(topics + 1), written.error());

    auto written_posts = db.ListPosts(written->id, 0, static_cast<int>(replies.size()) + 1);
    if (!written_posts) return Fail("cannot read back thread " + std::to_string(topics + 1), written_posts.error());
    std::vector<int> authors{thread.question.author};
    for (const auto& reply : thread.replies) authors.push_back(reply.author);
    for (std::size_t i = 0; i < written_posts->size() && i < authors.size(); ++i) {
      const store::PostRow& post = (*written_posts)[i];
      for (const bench::SyntheticReaction& reaction : community.ReactionsFor(authors[i])) {
        auto added = db.AddReaction(post.id, users[reaction.user], static_cast<store::ReactionKind>(reaction.kind),
                                    std::min(now, post.created_at + 600));
        if (!added) return Fail("cannot add a reaction", added.error());
        ++reactions;
      }
    }

    ++topics;
    posts += static_cast<long long>(replies.size()) + 1;
    if (!page_topic && posts >= target_posts / 2 && written->reply_count >= kPageTopicMinReplies) page_topic = *written;
    if (posts >= next_report) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "  %lld of %lld posts (%.0f s)\n", posts, target_posts, seconds);
      next_report += target_posts / 10;
    }
  }
  if (!page_topic) {
    // A tiny store may have no busy thread past its middle; take the busiest there is.
    auto latest = db.ListTopics(std::nullopt, 0, 1000);
    if (!latest) return Fail("cannot list topics", latest.error());
    for (const auto& row : latest->topics)
      if (!page_topic || row.reply_count > page_topic->reply_count) page_topic = row;
  }

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json manifest = {
      {"posts", posts},
      {"topics", topics},
      {"users", users.size()},
      {"categories", categories.size()},
      {"reactions", reactions},
      {"seed", seed},
      {"generate_seconds", seconds},
      {"topic_id", page_topic ? page_topic->id.value : 1},
      {"topic_replies", page_topic ? page_topic->reply_count : 0},
      {"category_slug", page_topic ? categories[0].slug : ""},
      {"common_word", bench::kCommonWord},
      {"rare_word", bench::kRareWord},
      {"misspelled_word", bench::kMisspelledWord},
      {"similar_title", bench::SyntheticCommunity::SimilarTitle()},
      {"similar_body", bench::SyntheticCommunity::SimilarBody()},
  };
  for (const auto& category : categories)
    if (page_topic && category.id == page_topic->category_id) manifest["category_slug"] = category.slug;
  std::ofstream(manifest_path) << manifest.dump(2) << "\n";
  std::fprintf(stderr, "  %lld posts in %lld topics, %lld reactions, %d members: %.1f s\n", posts, topics, reactions,
               user_count, seconds);
  return 0;
}
