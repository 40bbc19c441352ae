// SyntheticCommunity: makes up a believable peer-support community for the load benchmarks
// (issue 7): categories, member names, threads with varied reply counts and lengths, Markdown
// (emphasis, lists, links, quotes) and reactions. The same seed always gives the same community.
// It only makes text; generate_main.cc writes it through the Store.
// Thread-safety: not thread-safe (one random generator inside); use one per thread.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace kindred::bench {

// Words the benchmark searches for. The generator controls how often each appears, so the three
// searches mean the same thing at every size: many matches, a handful, and a typo to correct.
inline constexpr std::string_view kCommonWord = "sleep";        // in roughly one post in five
inline constexpr std::string_view kRareWord = "lighthouse";     // in one post in kRareWordEvery
inline constexpr std::string_view kMisspelledWord = "anxeity";  // "anxiety" is common
inline constexpr int kRareWordEvery = 4000;

struct SyntheticCategory {
  std::string name;
  std::string description;
};

struct SyntheticPost {
  int author = 0;  // index into Usernames()
  std::string markdown;
};

struct SyntheticThread {
  int category = 0;  // index into Categories()
  std::string title;
  SyntheticPost question;
  std::vector<SyntheticPost> replies;
};

struct SyntheticReaction {
  int user = 0;  // index into Usernames()
  int kind = 0;  // store::ReactionKind as an int: helpful, hug, me_too
};

class SyntheticCommunity {
 public:
  SyntheticCommunity(std::uint64_t seed, int user_count);

  const std::vector<SyntheticCategory>& Categories() const { return categories_; }
  const std::vector<std::string>& Usernames() const { return usernames_; }

  // The next thread: its reply count follows a long-tailed spread (most threads get a few
  // replies, about one in eight gets 20 or more, so it fills a topic page).
  SyntheticThread NextThread();

  // Reactions for one post written by `author`; never by the author.
  std::vector<SyntheticReaction> ReactionsFor(int author);

  // A question title and body that resemble many threads, for the similar-question API.
  static std::string_view SimilarTitle();
  static std::string_view SimilarBody();

 private:
  int PickAuthor();
  int ReplyCount();
  std::string Title(int category);
  std::string Body(int category, bool question, std::string_view quotable);
  std::string Sentence(int category, bool question);
  std::string Fill(std::string_view pattern, int category);
  std::string Word(int category, char slot);
  std::string MadeUpPlace();
  void MaybeTypo(std::string& sentence);
  void MaybeEmphasise(std::string& sentence);

  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng_)];
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int Between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }

  std::mt19937_64 rng_;
  std::vector<SyntheticCategory> categories_;
  std::vector<std::vector<std::string>> category_nouns_;
  std::vector<std::string> usernames_;
  // A few members write most posts, as on every forum (Zipf-like weights, exponent 1).
  std::discrete_distribution<int> author_weights_;
  std::int64_t posts_made_ = 0;
};

}  // namespace kindred::bench
