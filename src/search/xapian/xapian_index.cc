#include "search/xapian/xapian_index.h"

#include <xapian.h>

#include <fcntl.h>
#include <stdio.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/feed_cache.h"
#include "core/text.h"
#include "search/xapian/spelling_internal.h"
#include "search/xapian/text_internal.h"

namespace kindred::search {
namespace {

using internal::Candidate;
using internal::Vocabulary;
using json = nlohmann::json;

// --- Layout of the database ------------------------------------------------------------------
constexpr Xapian::valueno kSlotTopic = 0;  // collapse key: one result per topic
const std::string kMetaAppliedSeq = "kindred.applied_seq";
const std::string kMetaFormat = "kindred.format";
// Title words, as well as unprefixed. Terms are stemmed with Xapian's "Z" marker (STEM_ALL_Z) so
// that MSet::snippet recognises them; a prefixed stem is "Z" + prefix + stem.
const std::string kTitlePrefix = "S";
// Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "Z" + std::string.
std::string ZTerm(std::string_view prefix, std::string_view stem) {
  std::string term;
  term.reserve(1 + prefix.size() + stem.size());
  term += 'Z';
  term += prefix;
  term += stem;
  return term;
}
std::string TitleTermOf(const std::string& z_term) { return ZTerm(kTitlePrefix, std::string_view(z_term).substr(1)); }
// A topic document's words (and title words) carry prefixes of their own, so that a word's posting
// list for topics holds topic documents only. Sharing the posts' terms, ranking topics walked and
// filtered every post with the word: most of a similar-question lookup at a million posts
// (bench/run, issue 7).
const std::string kThreadPrefix = "T";
const std::string kThreadTitlePrefix = "U";
std::string ThreadTermOf(const std::string& z_term) { return ZTerm(kThreadPrefix, std::string_view(z_term).substr(1)); }
std::string ThreadTitleTermOf(const std::string& z_term) {
  return ZTerm(kThreadTitlePrefix, std::string_view(z_term).substr(1));
}
const std::string kKindPost = "XKpost";
const std::string kKindTopic = "XKtopic";
const std::string kQuestionTerm = "XQ";  // the first post of a topic

std::string PostKey(PostId id) { return "Qp" + std::to_string(id.value); }
std::string TopicKey(TopicId id) { return "Qt" + std::to_string(id.value); }
std::string TopicTerm(TopicId id) { return "XT" + std::to_string(id.value); }
std::string CategoryTerm(CategoryId id) { return "XC" + std::to_string(id.value); }
std::string AuthorTerm(std::string_view name) { return "XA" + AsciiLower(name); }

// --- Limits (each one keeps a query's cost bounded whatever is typed) -----------------------------
// A question title is at most 150 characters; 200 leaves room for quotes and minus signs.
constexpr std::size_t kMaxQueryCodepoints = 200;
// Xapian's cost grows with the terms in an OR query; 16 is more than any real search here uses.
constexpr std::size_t kMaxQueryWords = 16;
constexpr int kMaxPerPage = 50;
// Results are ranked within the first 200 topics; nobody pages past 10 pages of 20, and a fixed
// window keeps the order stable between pages.
constexpr int kRankWindowTopics = 200;
// Up to three posts per topic come back, so replies count toward their topic's rank.
constexpr Xapian::doccount kPostsPerTopic = 3;
// How much the second and third matching posts of a topic add to its best post's weight.
constexpr double kExtraPostShare = 0.15;
// Title words count three times in the question post: a title says what the whole thread is about.
constexpr Xapian::termcount kTitleWdf = 3;
constexpr std::size_t kSnippetBytes = 240;
// Correction: candidates per unknown word, corrected queries tried, documents looked at per try.
constexpr std::size_t kCandidatesPerWord = 4;
constexpr std::size_t kMaxCorrectionTries = 32;
constexpr Xapian::doccount kCorrectionProbeDocs = 10;
// Choosing among corrected queries: how much of the query the best document covers comes first;
// each unit of typo cost then weighs as much as a tenth of full coverage.
constexpr double kCorrectionCostWeight = 0.1;
constexpr double kCorrectionFrequencyWeight = 0.005;
// Similar: the title says what is asked, the body mostly how the person feels about it.
constexpr double kSimilarTitleScale = 3.0;
constexpr double kSimilarBodyScale = 0.6;
constexpr std::size_t kSimilarBodyTerms = 24;
// The most topics one Similar answer holds, whatever a caller asks for.
constexpr int kSimilarMostTopics = 20;
constexpr Xapian::doccount kSimilarCandidates = 20;
// The post ranking looks only at the posts of the topic ranking's first 50 topics: a thread whose
// one reply answers the question holds that reply's words in its topic document too, so it ranks
// there as well. Ranking every post cost 50-90 ms at a million posts; checked against the
// unrestricted ranking, and 50 against 100, in docs/search.md.
constexpr Xapian::doccount kSimilarTopicPool = 50;
// A word in more than one document in five says next to nothing about which topic answers (BM25
// weighs it near nothing), yet walking its topic postings was most of the topic ranking's work:
// "help", "day", "go" and "lie" held 55% of the postings for bench/run's question at a million
// posts. The topic ranking leaves such words out (their title forms stay); that changed no result
// on tests/search, search_more or search_blind. The post ranking keeps them: there it did.
constexpr double kSimilarCommonShare = 0.2;
// The same judgement among topics alone: a word in more than three threads in ten. Counted over
// every document, posts outnumber topics fifteen to one at a million posts, and words in 80-95% of
// threads ("help", "day", "lie") stayed under the share above while holding most of the postings.
constexpr double kSimilarCommonTopicShare = 0.3;
// ...once there are enough threads for a share to mean "common": with a handful, a word two of
// them share would already pass it. The development sets have 110 threads each.
constexpr double kSimilarCommonTopicMinTopics = 100;
// Two rankings are fused by reciprocal rank (Cormack et al. 2009): the topic documents with title
// weight and synonyms, and plain BM25 over single posts (the baseline, which generalised better to
// question sets not tuned on). The offset 20 and the post ranking's double share were chosen on
// tests/search, tests/search_more and tests/search_blind together; neighbouring values differ by
// a question or two.
constexpr double kFusionRankOffset = 20;
constexpr double kFusionTopicRanking = 1.0;
constexpr double kFusionPostRanking = 2.0;
// Coverage = share of the question's information (idf) that the topic holds: the title's words
// anywhere in the topic, the title's words in the topic's title, and the body's words.
constexpr double kCoverageTitleAnywhere = 0.45;
constexpr double kCoverageTitleInTitle = 0.35;
constexpr double kCoverageBody = 0.20;
// Order: coverage at half the weight of the fused rank.
constexpr double kRankCoverage = 0.5;
// Confidence adds to coverage the lead over the next topic and a bonus when both rankings agree
// on the first place. On the three sets above, of the first-placed topics, both rankings agreed
// for 66% of right answers, 20% of wrong ones and 28% of questions with no answer.
constexpr double kConfidenceLead = 0.5;
constexpr double kConfidenceBothFirst = 0.2;
// Answers kept per index revision and asker, keyed by the question's terms. Someone typing a
// question asks again at every pause, and about half the words people type are stopwords, which
// add no term; a body word the index has never seen, or one past the body's 24 most telling, adds
// none either. An answer depends on nothing but the terms and the revision, so a kept one is
// exactly what the ranking would say again. Old revisions' answers go as newer ones push them out.
constexpr std::size_t kSimilarAnswerBytes = 2 << 20;
// The revision decides whether an answer is current; past this age one is merely ranked again.
constexpr std::chrono::seconds kSimilarAnswerMaxAge{10 * 60};
// Misplaced replies.
constexpr std::size_t kMisplacedQueryTerms = 24;
// "You're not alone, thinking of you" says nothing about which thread it belongs to.
constexpr std::size_t kMisplacedMinTerms = 4;
constexpr Xapian::doccount kMisplacedCandidates = 300;
constexpr double kMisplacedMinCoverage = 0.40;
constexpr double kMisplacedMargin = 0.25;

// How much a synonym's match counts beside the word itself: the asker's own word is the surer sign.
constexpr double kSynonymScale = 0.8;

// Z-stem -> the Z-stems of its synonyms (text_internal.h), built once.
const std::unordered_map<std::string, std::vector<std::string>>& Synonyms() {
  static const auto kMap = [] {
    Xapian::Stem stem("english");
    std::unordered_map<std::string, std::vector<std::string>> map;
    for (const auto& group : internal::SynonymGroups()) {
      std::vector<std::string> stems;
      for (const auto& w : group) {
        std::string s = ZTerm({}, stem(w));
        if (std::find(stems.begin(), stems.end(), s) == stems.end()) stems.push_back(s);
      }
      for (const auto& s : stems) {
        auto& list = map[s];
        for (const auto& other : stems) {
          if (other != s && std::find(list.begin(), list.end(), other) == list.end()) list.push_back(other);
        }
      }
    }
    return map;
  }();
  return kMap;
}

std::vector<std::string> SynonymsOf(const std::string& term) {
  auto it = Synonyms().find(term);
  return it == Synonyms().end() ? std::vector<std::string>{} : it->second;
}

// Where CompactXapianIndex writes the compacted copy: beside the index, on the same file system,
// so the copy can be swapped in with a rename.
std::filesystem::path CompactingDirOf(const std::filesystem::path& dir) {
  std::filesystem::path sibling = dir;
  sibling += ".compacting";
  return sibling;
}

// The bytes of the regular files directly in `dir` (a Xapian glass database has no subfolders).
std::uintmax_t FileBytesIn(const std::filesystem::path& dir) {
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return bytes;
}

Error Unavailable(const Xapian::Error& e) {
  return Error{ErrorCode::kUnavailable,
               "search_unavailable",
               "Search is resting for a moment. Please try again shortly.",
               {},
               0};
}

struct PostData {
  std::string title;
  std::string body;  // plain text
  std::string author;
  int number = 1;
  std::int64_t topic = 0;
  std::int64_t post = 0;
  std::int64_t category = 0;
  std::int64_t created = 0;
  bool is_topic = false;
};

PostData ParseData(const std::string& data) {
  PostData d;
  auto j = json::parse(data, nullptr, false);
  if (j.is_discarded()) return d;
  d.title = j.value("title", "");
  d.body = j.value("body", "");
  d.author = j.value("author", "");
  d.number = j.value("number", 1);
  d.topic = j.value("topic", std::int64_t{0});
  d.post = j.value("post", std::int64_t{0});
  d.category = j.value("category", std::int64_t{0});
  d.created = j.value("created", std::int64_t{0});
  d.is_topic = j.value("kind", "") == "topic";
  return d;
}

std::map<std::string, Xapian::termcount> SpellingWords(const std::string& text) {
  std::map<std::string, Xapian::termcount> counts;
  for (auto& w : internal::SplitWords(text)) {
    bool letters = w.folded.size() >= 3 && std::none_of(w.folded.begin(), w.folded.end(), [](char c) {
                     return std::isdigit(static_cast<unsigned char>(c));
                   });
    if (letters) ++counts[w.folded];
  }
  return counts;
}

// How rare a word of the posts is among all documents, topic documents (which hold it under their
// own prefix) included: the similar-question threshold and the misplaced-reply margins were
// calibrated on that count.
double IdfAmong(double documents, double holding) { return std::log((documents + 1) / (holding + 0.5)); }
double Idf(const Xapian::Database& db, const std::string& z_term) {
  return IdfAmong(db.get_doccount(), db.get_termfreq(z_term) + db.get_termfreq(ThreadTermOf(z_term)));
}

// Each term's idf, read from the database once: a term frequency is a B-tree lookup, and at a
// million posts the lookups were most of the cost of a similar-question answer already kept.
class IdfOf {
 public:
  explicit IdfOf(const Xapian::Database& db) : db_(db), documents_(db.get_doccount()) {}
  double operator()(const std::string& term) { return Counted(term).idf; }
  bool InPosts(const std::string& term) { return Counted(term).in_posts > 0; }

 private:
  struct Counts {
    Xapian::doccount in_posts = 0;
    double idf = 0;
  };
  const Counts& Counted(const std::string& term) {
    auto [it, inserted] = known_.try_emplace(term);
    if (inserted) {
      it->second.in_posts = db_.get_termfreq(term);
      it->second.idf = IdfAmong(documents_, it->second.in_posts + db_.get_termfreq(ThreadTermOf(term)));
    }
    return it->second;
  }

  const Xapian::Database& db_;
  const double documents_;
  std::unordered_map<std::string, Counts> known_;
};

// Xapian 1.4's BM25 term weight for a term that `holding` of `documents` documents contain
// (weight/bm25weight.cc), leaving out the factors that do not depend on the term.
double Bm25TermWeight(double documents, double holding) {
  double tw = (documents - holding + 0.5) / (holding + 0.5);
  if (tw < 2) tw = tw * 0.5 + 1;
  return std::log(tw);
}

// `term`, weighted as if its posting list also held the documents that have `partner`, the same
// word in the other kind of document (a post's word and a topic document's, see ThreadTermOf).
// Posts and topic documents shared their terms until topic documents got prefixes of their own;
// the similar-question ranking, its fusion and its threshold were calibrated with those shared
// counts, and a word's rarity is better judged over every document than over topics alone.
Xapian::Query WeighedAsShared(const Xapian::Database& db, const std::string& term, const std::string& partner) {
  const double own = db.get_termfreq(term);
  if (own == 0) return Xapian::Query(term);
  const double documents = db.get_doccount();
  const double shared = own + db.get_termfreq(partner);
  return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term),
                       Bm25TermWeight(documents, shared) / Bm25TermWeight(documents, own));
}

// Whether the query matches documents that hold none of its words: "-word" alone is parsed as
// every document but those with the word.
bool MatchesWithoutWords(const Xapian::Query& query) {
  if (query.get_type() == Xapian::Query::LEAF_MATCH_ALL) return true;
  for (std::size_t i = 0; i < query.get_num_subqueries(); ++i) {
    if (MatchesWithoutWords(query.get_subquery(i))) return true;
  }
  return false;
}

// `query` over posts only, narrowed by `filter` when it is not empty. Only posts hold unprefixed
// words (a topic document's carry kThreadPrefix and kThreadTitlePrefix), so a query that must
// match its words needs no kKindPost filter: ANDing with a posting list that names every post was
// a third of a common word's search at a million posts.
Xapian::Query Filtered(const Xapian::Query& query, const Xapian::Query& filter) {
  Xapian::Query narrowed = filter;
  if (MatchesWithoutWords(query)) {
    narrowed = narrowed.empty() ? Xapian::Query(kKindPost)
                                : Xapian::Query(Xapian::Query::OP_AND, narrowed, Xapian::Query(kKindPost));
  }
  return narrowed.empty() ? query : Xapian::Query(Xapian::Query::OP_FILTER, query, narrowed);
}

}  // namespace

// --- Impl ------------------------------------------------------------------------------------------

struct XapianIndex::Impl {
  struct Reader {
    Xapian::Database db;
    std::uint64_t generation = 0;
  };

  std::filesystem::path dir;
  XapianIndexOptions options;
  // Xapian::Stem shares its implementation through a reference count that is not atomic, so each
  // thread keeps its own rather than copying one shared object into its parsers.
  static const Xapian::Stem& stem() {
    static thread_local const Xapian::Stem kStem("english");
    return kStem;
  }
  static const Xapian::SimpleStopper& stopper() {
    static thread_local const Xapian::SimpleStopper kStopper(internal::Stopwords().begin(),
                                                             internal::Stopwords().end());
    return kStopper;
  }

  std::mutex write_mu;
  Xapian::WritableDatabase wdb;         // GUARDED_BY(write_mu)
  std::set<std::int64_t> dirty_topics;  // GUARDED_BY(write_mu): topic documents to rebuild at Commit
  // GUARDED_BY(write_mu): new replies (plain text) to add to their topic's document at Commit,
  // for topics not rebuilt anyway. A busy forum's writes are almost all new replies; rebuilding
  // the topic document re-read every post of the topic for each, most of the indexer's time at a
  // million posts (perf on bench/run's write scenario, issue 7).
  std::map<std::int64_t, std::vector<std::string>> new_replies;

  // Held exclusively while a commit makes a new revision, shared by a read retrying after being
  // overtaken (see Read). Lock order: write_mu, then commit_mu.
  std::shared_mutex commit_mu;

  std::atomic<std::int64_t> applied_seq{0};
  std::atomic<std::uint64_t> generation{1};  // bumped at every commit; readers reopen when behind
  std::atomic<bool> needs_rebuild{false};

  std::mutex pool_mu;
  std::vector<std::unique_ptr<Reader>> pool;  // GUARDED_BY(pool_mu)

  // Similar's answers; the position is the generation the reader was opened at or after.
  FeedCache<std::vector<SimilarTopic>> similar_answers{kSimilarAnswerBytes, kSimilarAnswerMaxAge};

  std::mutex vocab_mu;
  std::shared_ptr<const Vocabulary> vocab;  // GUARDED_BY(vocab_mu)
  std::uint64_t vocab_generation = 0;       // GUARDED_BY(vocab_mu)

  // A read handle for the duration of one call, returned to the pool after.
  class Lease {
   public:
    explicit Lease(Impl& impl) : impl_(impl) {
      {
        std::lock_guard lock(impl_.pool_mu);
        if (!impl_.pool.empty()) {
          reader_ = std::move(impl_.pool.back());
          impl_.pool.pop_back();
        }
      }
      std::uint64_t now = impl_.generation.load();
      if (!reader_) {
        reader_ = std::make_unique<Reader>(Reader{Xapian::Database(impl_.dir.string()), now});
      } else if (reader_->generation != now) {
        reader_->db.reopen();
        reader_->generation = now;
      }
    }
    ~Lease() {
      if (!reader_) return;
      std::lock_guard lock(impl_.pool_mu);
      impl_.pool.push_back(std::move(reader_));
    }
    Xapian::Database& db() { return reader_->db; }
    // After DatabaseModifiedError: the handle is not returned to the pool.
    void Discard() { reader_.reset(); }

   private:
    Impl& impl_;
    std::unique_ptr<Reader> reader_;
  };

  // Runs `fn(db)` on a pooled reader. Xapian keeps only the previous revision readable, so a read
  // that two commits overtake fails with DatabaseModifiedError; a burst of commits (a reindex, a busy
  // feed) could do that to every retry. So the retry holds commit_mu shared, which Commit takes
  // exclusively: the common path takes no lock, and the retry cannot be overtaken again.
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<Xapian::Database&>())) {
    try {
      {
        std::optional<Lease> lease;
        try {
          lease.emplace(*this);  // opening or reopening can be overtaken too
          return fn(lease->db());
        } catch (const Xapian::DatabaseModifiedError&) {
          if (lease) lease->Discard();  // its state is unknown; the pool gets a fresh handle later
        }
      }
      std::shared_lock no_commits(commit_mu);
      Xapian::Database fresh(dir.string());
      return fn(fresh);
    } catch (const Xapian::Error& e) {
      return Unavailable(e);
    }
  }

  // --- Writing ---

  Xapian::TermGenerator Generator(Xapian::Document& doc) {
    Xapian::TermGenerator tg;
    tg.set_stemmer(stem());
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
    tg.set_document(doc);
    return tg;
  }

  // Positions serve phrase searches and snippets, which read post documents only. A topic
  // document has none: adding a reply to it then leaves the positions of every word of the
  // thread untouched, which Xapian would otherwise rewrite on each change.
  enum class Positions { kKept, kNone };
  static void IndexText(Xapian::TermGenerator& tg, const std::string& text, Positions positions,
                        Xapian::termcount wdf = 1, const std::string& prefix = {}) {
    if (positions == Positions::kKept) {
      tg.index_text(text, wdf, prefix);
      tg.increase_termpos();
    } else {
      tg.index_text_without_positions(text, wdf, prefix);
    }
  }

  void IndexTitle(Xapian::TermGenerator& tg, const std::string& title, bool is_question, Positions positions,
                  const std::string& words_prefix = {}, const std::string& title_prefix = kTitlePrefix) {
    if (is_question) {
      IndexText(tg, title, positions, options.title_weighting ? kTitleWdf : 1, words_prefix);
      if (options.title_weighting) IndexText(tg, title, positions, 1, title_prefix);
    } else if (options.title_weighting) {
      // A reply answers its title: "hangover" in a reply under "...cry after therapy?" should
      // find it for "therapy hangover". Once, so the question post still ranks first for the title.
      IndexText(tg, title, positions, 1, words_prefix);
    }
  }

  void ForgetSpelling(const PostData& d) {
    std::string text = d.number == 1 ? d.title + " " + d.body : d.body;
    for (const auto& [word, count] : SpellingWords(text)) wdb.remove_spelling(word, count);
  }

  void LearnSpelling(const std::string& text) {
    for (const auto& [word, count] : SpellingWords(text)) wdb.add_spelling(word, count);
  }

  // REQUIRES: write_mu held.
  std::optional<PostData> StoredPost(const std::string& key) {
    auto it = wdb.postlist_begin(key);
    if (it == wdb.postlist_end(key)) return std::nullopt;
    return ParseData(wdb.get_document(*it).get_data());
  }

  // REQUIRES: write_mu held. Rebuilds the aggregate document Similar compares against.
  void RebuildTopic(std::int64_t topic_id) {
    TopicId topic(topic_id);
    std::vector<PostData> posts;
    const std::string term = TopicTerm(topic);
    for (auto it = wdb.postlist_begin(term); it != wdb.postlist_end(term); ++it) {
      PostData d = ParseData(wdb.get_document(*it).get_data());
      if (!d.is_topic) posts.push_back(std::move(d));
    }
    if (posts.empty()) {
      wdb.delete_document(TopicKey(topic));
      return;
    }
    std::sort(posts.begin(), posts.end(), [](const PostData& a, const PostData& b) { return a.number < b.number; });
    Xapian::Document doc;
    auto tg = Generator(doc);
    IndexTitle(tg, posts.front().title, true, Positions::kNone, kThreadPrefix, kThreadTitlePrefix);
    for (const auto& p : posts) IndexText(tg, p.body, Positions::kNone, 1, kThreadPrefix);
    doc.add_boolean_term(TopicKey(topic));
    doc.add_boolean_term(kKindTopic);
    doc.add_boolean_term(term);
    doc.add_boolean_term(CategoryTerm(CategoryId(posts.front().category)));
    doc.add_value(kSlotTopic, std::to_string(topic_id));
    json data = {{"kind", "topic"},
                 {"title", posts.front().title},
                 {"topic", topic_id},
                 {"category", posts.front().category},
                 {"number", 0}};
    doc.set_data(data.dump());
    wdb.replace_document(TopicKey(topic), doc);
  }

  // REQUIRES: write_mu held. Adds replies to the topic's aggregate document. Term frequencies and
  // the document's length come out exactly as a rebuild would make them.
  void AddToTopic(std::int64_t topic_id, const std::vector<std::string>& replies) {
    const std::string key = TopicKey(TopicId(topic_id));
    auto posting = wdb.postlist_begin(key);
    if (posting == wdb.postlist_end(key)) {
      RebuildTopic(topic_id);
      return;
    }
    const Xapian::docid id = *posting;
    // A new document with the stored one's terms, values and data: adding terms to the stored
    // document itself first loads every term's positions (Xapian 1.4's Document::Internal::
    // need_terms), a position-table lookup for each distinct word of the thread, though a topic
    // document has none. That was most of the indexer's time at a million posts.
    const Xapian::Document stored = wdb.get_document(id);
    Xapian::Document doc;
    for (auto term = wdb.termlist_begin(id); term != wdb.termlist_end(id); ++term) doc.add_term(*term, term.get_wdf());
    for (auto value = stored.values_begin(); value != stored.values_end(); ++value) {
      doc.add_value(value.get_valueno(), *value);
    }
    doc.set_data(stored.get_data());
    auto tg = Generator(doc);
    for (const auto& body : replies) IndexText(tg, body, Positions::kNone, 1, kThreadPrefix);
    wdb.replace_document(id, doc);
  }

  // --- Reading helpers ---

  Xapian::QueryParser Parser(Xapian::Database& db) {
    Xapian::QueryParser qp;
    qp.set_stemmer(stem());
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL_Z);
    qp.set_stopper(&stopper());
    qp.set_database(db);
    qp.set_default_op(Xapian::Query::OP_OR);
    return qp;
  }

  // Phrases and -exclusion; no wildcards (a "*" expansion over the vocabulary is the classic way
  // to make one query cost the whole index) and no boolean syntax to trip over.
  static constexpr unsigned kParseFlags = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE;

  Xapian::Query Parse(Xapian::Database& db, const std::string& text) {
    return Parser(db).parse_query(text, kParseFlags);
  }

  // `gen`: the generation loaded before `db` was leased. `db` may be at a later revision, so a
  // vocabulary is never labelled newer than what it was read from; at worst one is read again.
  std::shared_ptr<const Vocabulary> VocabularyOf(Xapian::Database& db, std::uint64_t gen) {
    std::lock_guard lock(vocab_mu);
    if (!vocab || vocab_generation != gen) {
      auto v = std::make_shared<Vocabulary>();
      for (auto it = db.spellings_begin(); it != db.spellings_end(); ++it) v->Add(*it, it.get_termfreq());
      vocab = std::move(v);
      vocab_generation = gen;
    }
    return vocab;
  }

  bool Known(Xapian::Database& db, const std::string& folded) {
    // Every word of the vocabulary is indexed, so its stem being a term is the test.
    return db.term_exists(ZTerm({}, stem()(folded)));
  }

  // Share of the query's information (idf of its terms) that the best of the top documents holds,
  // and how many documents match: what a corrected query is judged by.
  struct Probe {
    double coverage = 0;
    Xapian::doccount estimated = 0;
  };
  Probe ProbeQuery(Xapian::Database& db, const Xapian::Query& query, const Xapian::Query& filter) {
    Probe probe;
    std::vector<std::string> terms(query.get_unique_terms_begin(), query.get_unique_terms_end());
    if (terms.empty()) return probe;
    std::unordered_map<std::string, double> idf;
    double total = 0;
    for (const auto& t : terms) total += idf[t] = Idf(db, t);
    Xapian::Enquire enquire(db);
    enquire.set_query(Filtered(query, filter));
    Xapian::MSet mset = enquire.get_mset(0, kCorrectionProbeDocs);
    probe.estimated = mset.get_matches_estimated();
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      double covered = 0;
      for (auto t = enquire.get_matching_terms_begin(it); t != enquire.get_matching_terms_end(it); ++t) {
        auto found = idf.find(*t);
        if (found != idf.end()) covered += found->second;
      }
      probe.coverage = std::max(probe.coverage, total > 0 ? covered / total : 0);
    }
    return probe;
  }

  // The query with its unknown words corrected, choosing among candidate corrections by what each
  // corrected query finds together with the rest of the query; `text` itself when no correction
  // finds anything.
  std::string CorrectQuery(Xapian::Database& db, std::uint64_t opened_at, const std::string& text,
                           const Xapian::Query& filter) {
    auto words = internal::SplitWords(text);
    struct Slot {
      const internal::Word* word;
      std::vector<Candidate> candidates;
    };
    std::vector<Slot> slots;
    std::shared_ptr<const Vocabulary> vocabulary;
    for (const auto& w : words) {
      bool has_digit = std::any_of(w.folded.begin(), w.folded.end(),
                                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      if (has_digit || internal::IsStopword(w.folded) || Known(db, w.folded)) continue;
      if (!vocabulary) vocabulary = VocabularyOf(db, opened_at);
      auto candidates = vocabulary->Candidates(w.folded, kCandidatesPerWord);
      if (!candidates.empty()) slots.push_back({&w, std::move(candidates)});
    }
    if (slots.empty()) return text;
    // Keep the number of tries bounded: fewer candidates per word when many words are unknown.
    std::size_t per_word = kCandidatesPerWord;
    auto tries = [&] {
      std::size_t n = 1;
      for (const auto& s : slots) n *= std::min(per_word, s.candidates.size());
      return n;
    };
    while (per_word > 1 && tries() > kMaxCorrectionTries) --per_word;
    for (auto& s : slots) s.candidates.resize(std::min(per_word, s.candidates.size()));
    if (slots.size() > 5) slots.resize(5);  // 1^n tries beyond: only the cheapest per word anyway

    std::string best_text = text;
    double best_score = -1e9;
    std::vector<std::size_t> choice(slots.size(), 0);
    for (;;) {
      std::string candidate;
      std::size_t at = 0;
      double cost = 0, frequency = 0;
      for (std::size_t i = 0; i < slots.size(); ++i) {
        const auto& c = slots[i].candidates[choice[i]];
        candidate += text.substr(at, slots[i].word->begin - at);
        candidate += c.word;
        at = slots[i].word->begin + slots[i].word->length;
        cost += c.cost;
        frequency += std::log1p(c.frequency);
      }
      candidate += text.substr(at);
      Probe probe = ProbeQuery(db, Parse(db, candidate), filter);
      double score = probe.coverage - kCorrectionCostWeight * cost + kCorrectionFrequencyWeight * frequency;
      if (probe.estimated > 0 && score > best_score) {
        best_score = score;
        best_text = candidate;
      }
      std::size_t i = 0;
      while (i < slots.size() && ++choice[i] == slots[i].candidates.size()) choice[i++] = 0;
      if (i == slots.size()) break;
    }
    return best_text;
  }

  // Stems of the topic-bearing words of `text` (stopwords dropped), in order of first appearance,
  // unknown words corrected to their cheapest vocabulary neighbour when `correct_at` gives the
  // generation `db` was leased at (see VocabularyOf).
  std::vector<std::string> Terms(Xapian::Database& db, const std::string& text,
                                 std::optional<std::uint64_t> correct_at) {
    std::vector<std::string> terms;
    std::unordered_set<std::string> seen;
    std::shared_ptr<const Vocabulary> vocabulary;
    for (auto& w : internal::SplitWords(internal::MarkdownToPlain(text))) {
      if (internal::IsStopword(w.folded) || w.folded.size() < 2) continue;
      std::string word = w.folded;
      if (correct_at && !Known(db, word)) {
        if (!vocabulary) vocabulary = VocabularyOf(db, *correct_at);
        auto candidates = vocabulary->Candidates(word, 1);
        if (!candidates.empty()) word = candidates.front().word;
      }
      std::string term = ZTerm({}, stem()(word));
      if (seen.insert(term).second) terms.push_back(term);
    }
    return terms;
  }

  std::int64_t ReplyCount(Xapian::Database& db, std::int64_t topic) {
    // Documents carrying the topic's term: its posts plus its aggregate document.
    auto n = static_cast<std::int64_t>(db.get_termfreq(TopicTerm(TopicId(topic))));
    return std::max<std::int64_t>(0, n - 2);
  }

  // Similar's kept answers are keyed by who asks and what they may be shown (the scope), then by
  // the text as asked, or by the terms it comes to (SimilarIn).
  static std::string SimilarScope(int limit, std::optional<TopicId> exclude, const std::string& asker);
  static std::string AskedKey(const std::string& scope, const std::string& title, const std::string& body);
  // `opened_at`: the generation loaded before `db` was leased, so `db` is at that revision or later.
  Result<std::vector<SimilarTopic>> SimilarIn(Xapian::Database& db, std::uint64_t opened_at, const std::string& title,
                                              const std::string& body, int limit, std::optional<TopicId> exclude,
                                              const std::string& asker);
  std::vector<SimilarTopic> RankSimilar(Xapian::Database& db, IdfOf& idf, const std::vector<std::string>& title_terms,
                                        const std::vector<std::string>& body_terms, int limit,
                                        std::optional<TopicId> exclude);
  Result<SearchResults> SearchIn(Xapian::Database& db, const SearchQuery& query, const std::string& text,
                                 const Xapian::Query& filter);
  Result<MisplacedCheck> MisplacedIn(Xapian::Database& db, TopicId topic, const std::string& reply);
};

// --- Search --------------------------------------------------------------------------------------------

Result<SearchResults> XapianIndex::Impl::SearchIn(Xapian::Database& db, const SearchQuery& query,
                                                  const std::string& text, const Xapian::Query& filter) {
  SearchResults results;
  Xapian::Query parsed = Parse(db, text);
  if (parsed.empty()) return results;
  Xapian::Enquire enquire(db);
  enquire.set_query(Filtered(parsed, filter));
  enquire.set_weighting_scheme(Xapian::BM25Weight());
  enquire.set_collapse_key(kSlotTopic, kPostsPerTopic);
  Xapian::MSet mset = enquire.get_mset(0, kRankWindowTopics * kPostsPerTopic);

  struct Group {
    Xapian::MSetIterator best;
    double score = 0;
    std::size_t order = 0;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> by_topic;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    // The collapse key is the topic slot, and the match already carries it: reading it from each
    // document instead cost a document fetch per match, most of a common word's search.
    std::string key = it.get_collapse_key();
    auto [found, inserted] = by_topic.try_emplace(key, groups.size());
    if (inserted) {
      groups.push_back({it, it.get_weight(), groups.size()});
    } else if (options.title_weighting) {
      groups[found->second].score += kExtraPostShare * it.get_weight();
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) { return a.score > b.score; });
  results.total = groups.size() < static_cast<std::size_t>(kRankWindowTopics)
                      ? static_cast<std::int64_t>(groups.size())
                      : static_cast<std::int64_t>(mset.get_matches_estimated() / kPostsPerTopic);
  results.total = std::max<std::int64_t>(results.total, groups.size());

  const int per_page = std::clamp(query.per_page, 1, kMaxPerPage);
  const std::size_t first = static_cast<std::size_t>(std::max(query.page, 1) - 1) * per_page;
  for (std::size_t i = first; i < groups.size() && i < first + per_page; ++i) {
    const auto& it = groups[i].best;
    PostData d = ParseData(it.get_document().get_data());
    SearchHit hit;
    hit.topic = TopicId(d.topic);
    hit.post = PostId(d.post);
    hit.post_number = d.number;
    hit.topic_title = d.title;
    hit.title_html = mset.snippet(d.title, d.title.size() + 16, stem(), 0, "<mark>", "</mark>", "");
    // Without SNIPPET_BACKGROUND_MODEL: weighing every other word of the body by its frequency
    // in the index cost a term lookup per word, most of a common word's search (perf, issue 7),
    // for a window the matched words alone choose about as well.
    hit.snippet_html =
        mset.snippet(d.body, kSnippetBytes, stem(), Xapian::MSet::SNIPPET_EXHAUSTIVE, "<mark>", "</mark>", "…");
    hit.author_name = d.author;
    hit.category = CategoryId(d.category);
    hit.created_at = d.created;
    hit.reply_count = ReplyCount(db, d.topic);
    hit.score = groups[i].score;
    results.hits.push_back(std::move(hit));
  }
  return results;
}

// --- Similar ---------------------------------------------------------------------------------------------

std::string XapianIndex::Impl::SimilarScope(int limit, std::optional<TopicId> exclude, const std::string& asker) {
  std::string scope = std::to_string(asker.size());
  scope.append(":").append(asker).append(" ").append(std::to_string(limit));
  scope.append(" ").append(exclude ? std::to_string(exclude->value) : "-");
  return scope;
}

std::string XapianIndex::Impl::AskedKey(const std::string& scope, const std::string& title, const std::string& body) {
  std::string asked = scope;
  asked.append(" ").append(std::to_string(title.size())).append("\n").append(title).append(body);
  return asked;
}

Result<std::vector<SimilarTopic>> XapianIndex::Impl::SimilarIn(Xapian::Database& db, std::uint64_t opened_at,
                                                               const std::string& title, const std::string& body,
                                                               int limit, std::optional<TopicId> exclude,
                                                               const std::string& asker) {
  std::vector<SimilarTopic> out;
  limit = std::clamp(limit, 0, kSimilarMostTopics);
  if (limit == 0) return out;

  if (!options.calibrated_similar) {
    // Baseline: the whole question as one plain BM25 query over posts, best topic first, no threshold.
    Xapian::Enquire enquire(db);
    Xapian::Query parsed = Parse(db, internal::MarkdownToPlain(title + "\n" + body));
    enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, parsed, Xapian::Query(kKindPost)));
    enquire.set_collapse_key(kSlotTopic, 1);
    Xapian::MSet mset = enquire.get_mset(0, limit + 1);
    for (auto it = mset.begin(); it != mset.end() && static_cast<int>(out.size()) < limit; ++it) {
      PostData d = ParseData(it.get_document().get_data());
      if (exclude && exclude->value == d.topic) continue;
      out.push_back({TopicId(d.topic), d.title, ReplyCount(db, d.topic), it.get_percent() / 100.0});
    }
    return out;
  }

  // Kept answers are found by the text as asked first, and then by the terms it comes to: typing
  // on past a stopword, or past a body word the forum has never used, asks the same question
  // again. Both keys start with who asks, so no one is ever answered from another's questions.
  const auto position = static_cast<std::int64_t>(opened_at);
  const std::string scope = SimilarScope(limit, exclude, asker);
  const std::string asked = AskedKey(scope, title, body);
  if (auto kept = similar_answers.Find(asked, position)) return *kept;

  IdfOf idf(db);
  const bool correct = options.spelling_correction;
  std::vector<std::string> title_terms = Terms(db, title, correct ? std::optional(opened_at) : std::nullopt);
  std::vector<std::string> body_terms;
  {
    std::unordered_set<std::string> in_title(title_terms.begin(), title_terms.end());
    for (auto& t : Terms(db, body, std::nullopt)) {
      if (!in_title.contains(t) && idf.InPosts(t)) body_terms.push_back(t);
    }
    std::stable_sort(body_terms.begin(), body_terms.end(),
                     [&](const std::string& a, const std::string& b) { return idf(a) > idf(b); });
    if (body_terms.size() > kSimilarBodyTerms) body_terms.resize(kSimilarBodyTerms);
  }
  if (title_terms.empty() && body_terms.empty()) return out;

  // Terms are stems, which hold no spaces, and the text as asked starts with a digit.
  std::string terms = "terms " + scope + "\n";
  for (const auto& t : title_terms) terms.append(" ").append(t);
  terms.append("\n");
  for (const auto& t : body_terms) terms.append(" ").append(t);
  auto answer = similar_answers.Find(terms, position);
  const bool ranked = !answer;
  if (ranked) {
    answer = std::make_shared<const std::vector<SimilarTopic>>(
        RankSimilar(db, idf, title_terms, body_terms, limit, exclude));
  }
  std::size_t bytes = sizeof(*answer);
  for (const auto& topic : *answer) bytes += sizeof(topic) + topic.title.size();
  if (ranked) similar_answers.Keep(terms, position, answer, bytes);
  similar_answers.Keep(asked, position, answer, bytes);
  return *answer;
}

std::vector<SimilarTopic> XapianIndex::Impl::RankSimilar(Xapian::Database& db, IdfOf& idf,
                                                         const std::vector<std::string>& title_terms,
                                                         const std::vector<std::string>& body_terms, int limit,
                                                         std::optional<TopicId> exclude) {
  std::vector<SimilarTopic> out;

  // Each word of the question in topic documents, its title form, and at a discount its synonyms.
  const double topic_count = db.get_termfreq(kKindTopic);
  auto thread_word = [&](const std::string& t) {
    const std::string thread_term = ThreadTermOf(t);
    const double in_topics = db.get_termfreq(thread_term);
    const double holding = db.get_termfreq(t) + in_topics;
    // Left out: an empty query matches nothing.
    if (holding > kSimilarCommonShare * db.get_doccount()) return Xapian::Query();
    if (topic_count >= kSimilarCommonTopicMinTopics && in_topics > kSimilarCommonTopicShare * topic_count) {
      return Xapian::Query();
    }
    return WeighedAsShared(db, thread_term, t);
  };
  auto thread_title_word = [&](const std::string& t) {
    return WeighedAsShared(db, ThreadTitleTermOf(t), TitleTermOf(t));
  };
  auto concept_query = [&](const std::string& t, bool with_title) {
    std::vector<Xapian::Query> own = {thread_word(t)};
    if (with_title) own.push_back(thread_title_word(t));
    std::vector<Xapian::Query> others;
    for (const auto& s : SynonymsOf(t)) {
      others.push_back(thread_word(s));
      if (with_title) others.push_back(thread_title_word(s));
    }
    Xapian::Query q(Xapian::Query::OP_OR, own.begin(), own.end());
    if (others.empty()) return q;
    return Xapian::Query(
        Xapian::Query::OP_OR, q,
        Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(Xapian::Query::OP_OR, others.begin(), others.end()),
                      kSynonymScale));
  };
  std::vector<Xapian::Query> parts;
  for (const auto& t : title_terms) {
    parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, concept_query(t, true), kSimilarTitleScale);
  }
  for (const auto& t : body_terms)
    parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, concept_query(t, false), kSimilarBodyScale);
  // Only topic documents hold the prefixed words, so no filter is needed.
  Xapian::Enquire topics_enquire(db);
  topics_enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end()));
  Xapian::MSet by_topic = topics_enquire.get_mset(0, kSimilarTopicPool);
  if (by_topic.empty()) return out;
  std::vector<std::int64_t> pool;
  std::vector<Xapian::Query> pool_terms;
  for (auto it = by_topic.begin(); it != by_topic.end(); ++it) {
    pool.push_back(std::stoll(it.get_document().get_value(kSlotTopic)));
    pool_terms.emplace_back(TopicTerm(TopicId(pool.back())));
  }

  // The second opinion: every word of the question, plainly, against single posts, so a thread
  // whose one reply says it all ranks high even when the rest of the thread wanders. The pool's
  // topic terms also mark their topic documents, which hold none of these unprefixed words.
  std::vector<Xapian::Query> all_terms;
  for (const auto& t : title_terms) all_terms.push_back(WeighedAsShared(db, t, ThreadTermOf(t)));
  for (const auto& t : body_terms) all_terms.push_back(WeighedAsShared(db, t, ThreadTermOf(t)));
  Xapian::Enquire posts_enquire(db);
  posts_enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER,
                                        Xapian::Query(Xapian::Query::OP_OR, all_terms.begin(), all_terms.end()),
                                        Xapian::Query(Xapian::Query::OP_OR, pool_terms.begin(), pool_terms.end())));
  posts_enquire.set_collapse_key(kSlotTopic, 1);
  Xapian::MSet by_post = posts_enquire.get_mset(0, kSimilarCandidates);

  // Reciprocal rank fusion: robust to the two rankings' weights being on different scales.
  struct Candidate {
    double fused = 0;
    int firsts = 0;  // rankings that put it first
  };
  std::map<std::int64_t, Candidate> candidates;
  {
    for (std::size_t rank = 0; rank < pool.size() && rank < kSimilarCandidates; ++rank) {
      auto& c = candidates[pool[rank]];
      c.fused += kFusionTopicRanking / (kFusionRankOffset + rank);
      if (rank == 0) ++c.firsts;
    }
    int rank = 0;
    for (auto it = by_post.begin(); it != by_post.end(); ++it, ++rank) {
      auto& c = candidates[std::stoll(it.get_collapse_key())];
      c.fused += kFusionPostRanking / (kFusionRankOffset + rank);
      if (rank == 0) ++c.firsts;
    }
  }
  double top_fused = 0;
  for (const auto& [id, c] : candidates) top_fused = std::max(top_fused, c.fused);

  // Which of the question's words (and their title forms and synonyms) a topic holds: one walk
  // of the topic document's term list, in sorted order.
  std::vector<std::string> wanted;
  for (const auto& t : title_terms) {
    wanted.push_back(ThreadTermOf(t));
    wanted.push_back(ThreadTitleTermOf(t));
    for (const auto& syn : SynonymsOf(t)) {
      wanted.push_back(ThreadTermOf(syn));
      wanted.push_back(ThreadTitleTermOf(syn));
    }
  }
  for (const auto& t : body_terms) {
    wanted.push_back(ThreadTermOf(t));
    for (const auto& syn : SynonymsOf(t)) wanted.push_back(ThreadTermOf(syn));
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  auto information = [&](const std::vector<std::string>& terms) {
    double sum = 0;
    for (const auto& t : terms) sum += idf(t);
    return sum;
  };
  const double title_info = information(title_terms);
  const double body_info = information(body_terms);

  struct Scored {
    SimilarTopic topic;
    double coverage = 0;
    double rank = 0;
    bool first_in_both = false;
  };
  std::vector<Scored> scored;
  for (const auto& [topic_id, candidate] : candidates) {
    if (exclude && exclude->value == topic_id) continue;
    const std::string key = TopicKey(TopicId(topic_id));
    auto posting = db.postlist_begin(key);
    if (posting == db.postlist_end(key)) continue;
    Xapian::Document doc = db.get_document(*posting);
    std::unordered_set<std::string> present;
    auto terms = doc.termlist_begin();
    for (const auto& w : wanted) {
      terms.skip_to(w);
      if (terms == doc.termlist_end()) break;
      if (*terms == w) present.insert(w);
    }
    // A word counts as covered when it or one of its synonyms is there.
    auto covered = [&](const std::string& t, bool in_title) {
      if (present.contains(in_title ? ThreadTitleTermOf(t) : ThreadTermOf(t))) return true;
      for (const auto& syn : SynonymsOf(t)) {
        if (present.contains(in_title ? ThreadTitleTermOf(syn) : ThreadTermOf(syn))) return true;
      }
      return false;
    };
    double title_anywhere = 0, title_in_title = 0, body_covered = 0;
    for (const auto& t : title_terms) {
      if (covered(t, false)) title_anywhere += idf(t);
      if (covered(t, true)) title_in_title += idf(t);
    }
    for (const auto& t : body_terms) {
      if (covered(t, false)) body_covered += idf(t);
    }
    double coverage = 0;
    if (title_info > 0) {
      coverage += kCoverageTitleAnywhere * title_anywhere / title_info +
                  kCoverageTitleInTitle * title_in_title / title_info;
    }
    coverage += kCoverageBody * (body_info > 0 ? body_covered / body_info : 0);
    if (title_info <= 0) coverage /= kCoverageBody;  // a body alone is all there is to judge by
    coverage = std::clamp(coverage, 0.0, 1.0);
    Scored s;
    s.topic = {TopicId(topic_id), ParseData(doc.get_data()).title, ReplyCount(db, topic_id), 0};
    s.coverage = coverage;
    s.rank = kRankCoverage * coverage + candidate.fused / top_fused;
    s.first_in_both = candidate.firsts == 2;
    scored.push_back(std::move(s));
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.rank > b.rank; });

  // Confidence: how much of the question the topic covers, how clearly it leads the next one, and
  // whether both rankings put it first. Near-miss neighbours (same medicine, another question)
  // cover as much as the right thread but rarely lead clearly or win both rankings.
  for (std::size_t i = 0; i < scored.size(); ++i) {
    const double lead = scored[i].rank - (i + 1 < scored.size() ? scored[i + 1].rank : 0);
    scored[i].topic.score = std::clamp(scored[i].coverage + kConfidenceLead * lead +
                                           (scored[i].first_in_both ? kConfidenceBothFirst : 0),
                                       0.0, 1.0);
  }
  // In rank order, and no further than the first topic below the threshold: a lower topic that
  // covers the question as well as a doubtful first one is no surer an answer.
  for (auto& s : scored) {
    if (static_cast<int>(out.size()) >= limit || s.topic.score < options.similar_threshold) break;
    out.push_back(std::move(s.topic));
  }
  return out;
}

// --- Misplaced replies -----------------------------------------------------------------------------------

Result<MisplacedCheck> XapianIndex::Impl::MisplacedIn(Xapian::Database& db, TopicId topic, const std::string& reply) {
  MisplacedCheck check;
  const std::string plain = internal::MarkdownToPlain(reply);
  std::vector<std::string> terms;
  for (auto& t : Terms(db, reply, std::nullopt)) {
    if (db.term_exists(t)) terms.push_back(t);
  }
  if (terms.size() < kMisplacedMinTerms) return check;
  // Each word's rarity is two B-tree lookups; read once, not at every comparison of the sort.
  std::unordered_map<std::string, double> idf;
  for (const auto& t : terms) idf[t] = Idf(db, t);
  std::stable_sort(terms.begin(), terms.end(),
                   [&](const std::string& a, const std::string& b) { return idf[a] > idf[b]; });
  if (terms.size() > kMisplacedQueryTerms) terms.resize(kMisplacedQueryTerms);
  Xapian::Query query(Xapian::Query::OP_OR, terms.begin(), terms.end());

  if (!options.calibrated_similar) {
    // Baseline: flag whenever another topic's aggregate document outranks the reply's own.
    std::vector<std::string> thread_terms;
    for (const auto& t : terms) thread_terms.push_back(ThreadTermOf(t));
    Xapian::Enquire enquire(db);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, thread_terms.begin(), thread_terms.end()));
    Xapian::MSet mset = enquire.get_mset(0, 1);
    if (mset.empty()) return check;
    PostData d = ParseData(mset.begin().get_document().get_data());
    if (d.topic != topic.value) {
      check.score = mset.begin().get_percent() / 100.0;
      check.likely_topic = TopicId(d.topic);
      check.likely_title = d.title;
    }
    return check;
  }

  double total = 0;
  for (const auto& t : terms) total += idf[t];

  // Coverage of the reply's words by each topic: the union over the topic's posts, leaving out the
  // reply itself if it is already indexed (the check may run before or after the indexer).
  struct Cover {
    std::unordered_set<std::string> terms;
  };
  std::unordered_map<std::int64_t, Cover> covers;
  auto collect = [&](const Xapian::Query& filter, Xapian::doccount count) {
    Xapian::Enquire enquire(db);
    enquire.set_query(Filtered(query, filter));
    Xapian::MSet mset = enquire.get_mset(0, count);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      Xapian::Document doc = it.get_document();
      const std::int64_t doc_topic = std::stoll(doc.get_value(kSlotTopic));
      // Only the reply's own topic can hold the reply itself; parsing every candidate's stored
      // data was most of the check's cost.
      if (doc_topic == topic.value && ParseData(doc.get_data()).body == plain) continue;
      Cover& cover = covers[doc_topic];
      for (auto t = enquire.get_matching_terms_begin(it); t != enquire.get_matching_terms_end(it); ++t)
        cover.terms.insert(*t);
    }
  };
  collect(Xapian::Query(), kMisplacedCandidates);
  collect(Xapian::Query(TopicTerm(topic)),
          kMisplacedCandidates);

  auto coverage = [&](const Cover& c) {
    double sum = 0;
    for (const auto& t : c.terms) {
      auto found = idf.find(t);
      if (found != idf.end()) sum += found->second;
    }
    return total > 0 ? sum / total : 0;
  };
  double own = covers.contains(topic.value) ? coverage(covers[topic.value]) : 0;
  double best = 0;
  std::int64_t best_topic = 0;
  for (const auto& [id, cover] : covers) {
    if (id == topic.value) continue;
    double c = coverage(cover);
    if (c > best || (c == best && id < best_topic)) {
      best = c;
      best_topic = id;
    }
  }
  check.score = std::clamp(best - own, 0.0, 1.0);
  if (best_topic != 0 && best >= kMisplacedMinCoverage && best - own >= kMisplacedMargin) {
    check.likely_topic = TopicId(best_topic);
    const std::string key = TopicKey(TopicId(best_topic));
    if (auto posting = db.postlist_begin(key); posting != db.postlist_end(key)) {
      check.likely_title = ParseData(db.get_document(*posting).get_data()).title;
    }
  }
  return check;
}

// --- XapianIndex -----------------------------------------------------------------------------------------

XapianIndex::XapianIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XapianIndex::~XapianIndex() = default;

Result<std::unique_ptr<XapianIndex>> XapianIndex::Open(const std::filesystem::path& dir, XapianIndexOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = options;
  try {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    impl->wdb = Xapian::WritableDatabase(dir.string(), Xapian::DB_CREATE_OR_OPEN);
    // A compaction interrupted by a crash left a whole index there that nothing will use; with
    // the lock held, no compaction of this index is running.
    std::filesystem::remove_all(CompactingDirOf(dir), ec);
    std::string format = impl->wdb.get_metadata(kMetaFormat);
    if (format.empty()) {
      if (impl->wdb.get_doccount() > 0) {
        impl->needs_rebuild = true;
      } else {
        impl->wdb.set_metadata(kMetaFormat, std::to_string(kXapianIndexFormatVersion));
        impl->wdb.commit();
      }
    } else if (format != std::to_string(kXapianIndexFormatVersion)) {
      impl->needs_rebuild = true;
    }
    std::string seq = impl->wdb.get_metadata(kMetaAppliedSeq);
    impl->applied_seq = seq.empty() ? 0 : std::stoll(seq);
    impl->wdb.begin_transaction();
  } catch (const Xapian::Error& e) {
    return Error{ErrorCode::kUnavailable,
                 "search_unavailable",
                 "The search index could not be opened: " + e.get_description(),
                 {},
                 0};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kUnavailable, "search_unavailable", "The search index could not be opened.", {}, 0};
  }
  return std::unique_ptr<XapianIndex>(new XapianIndex(std::move(impl)));
}

bool XapianIndex::NeedsRebuild() const { return impl_->needs_rebuild.load(); }

Result<void> XapianIndex::Clear() {
  std::lock_guard lock(impl_->write_mu);
  try {
    {
      // Readers of the old files must not outlive them.
      std::lock_guard pool_lock(impl_->pool_mu);
      impl_->pool.clear();
    }
    std::unique_lock no_retrying_readers(impl_->commit_mu);
    impl_->wdb.cancel_transaction();
    impl_->wdb.close();
    impl_->wdb = Xapian::WritableDatabase(impl_->dir.string(), Xapian::DB_CREATE_OR_OVERWRITE);
    impl_->wdb.set_metadata(kMetaFormat, std::to_string(kXapianIndexFormatVersion));
    impl_->wdb.commit();
    impl_->wdb.begin_transaction();
    impl_->dirty_topics.clear();
    impl_->new_replies.clear();
    impl_->applied_seq = 0;
    impl_->needs_rebuild = false;
    ++impl_->generation;
  } catch (const Xapian::Error& e) {
    return Unavailable(e);
  }
  return Ok();
}

Result<void> XapianIndex::Upsert(const IndexedPost& post) {
  Impl& m = *impl_;
  std::lock_guard lock(m.write_mu);
  try {
    const std::string key = PostKey(post.post);
    const bool is_question = post.number == 1;
    const std::string body = internal::MarkdownToPlain(post.body_markdown);
    if (auto old = m.StoredPost(key)) {
      m.ForgetSpelling(*old);
      if (old->topic != post.topic.value) m.dirty_topics.insert(old->topic);
      m.dirty_topics.insert(post.topic.value);
    } else if (is_question) {
      m.dirty_topics.insert(post.topic.value);  // the topic document starts from its title
    } else {
      m.new_replies[post.topic.value].push_back(body);
    }
    Xapian::Document doc;
    auto tg = m.Generator(doc);
    m.IndexTitle(tg, post.topic_title, is_question, Impl::Positions::kKept);
    tg.index_text(body);
    doc.add_boolean_term(key);
    doc.add_boolean_term(kKindPost);
    doc.add_boolean_term(TopicTerm(post.topic));
    doc.add_boolean_term(CategoryTerm(post.category));
    if (!post.author_name.empty()) doc.add_boolean_term(AuthorTerm(post.author_name));
    if (is_question) doc.add_boolean_term(kQuestionTerm);
    doc.add_value(kSlotTopic, std::to_string(post.topic.value));
    json data = {{"title", post.topic_title},       {"body", body},
                 {"author", post.author_name},      {"number", post.number},
                 {"topic", post.topic.value},       {"post", post.post.value},
                 {"category", post.category.value}, {"created", post.created_at}};
    doc.set_data(data.dump());
    m.wdb.replace_document(key, doc);
    m.LearnSpelling(is_question ? post.topic_title + " " + body : body);
  } catch (const Xapian::Error& e) {
    return Unavailable(e);
  }
  return Ok();
}

Result<void> XapianIndex::Remove(PostId post) {
  Impl& m = *impl_;
  std::lock_guard lock(m.write_mu);
  try {
    const std::string key = PostKey(post);
    auto old = m.StoredPost(key);
    if (!old) return Ok();  // already gone: removing twice is harmless
    m.ForgetSpelling(*old);
    m.wdb.delete_document(key);
    m.dirty_topics.insert(old->topic);
  } catch (const Xapian::Error& e) {
    return Unavailable(e);
  }
  return Ok();
}

Result<void> XapianIndex::RemoveTopic(TopicId topic) {
  Impl& m = *impl_;
  std::lock_guard lock(m.write_mu);
  try {
    const std::string term = TopicTerm(topic);
    for (auto it = m.wdb.postlist_begin(term); it != m.wdb.postlist_end(term); ++it) {
      PostData d = ParseData(m.wdb.get_document(*it).get_data());
      if (!d.is_topic) m.ForgetSpelling(d);
    }
    m.wdb.delete_document(term);
    m.dirty_topics.erase(topic.value);
    m.new_replies.erase(topic.value);
  } catch (const Xapian::Error& e) {
    return Unavailable(e);
  }
  return Ok();
}

Result<void> XapianIndex::Commit(std::int64_t applied_seq) {
  Impl& m = *impl_;
  std::lock_guard lock(m.write_mu);
  try {
    for (std::int64_t topic : m.dirty_topics) m.RebuildTopic(topic);
    for (const auto& [topic, replies] : m.new_replies) {
      if (!m.dirty_topics.contains(topic)) m.AddToTopic(topic, replies);
    }
    m.wdb.set_metadata(kMetaAppliedSeq, std::to_string(applied_seq));
    m.wdb.set_metadata(kMetaFormat, std::to_string(kXapianIndexFormatVersion));
    {
      // One Xapian commit: documents and applied_seq become durable together.
      std::unique_lock no_retrying_readers(m.commit_mu);
      m.wdb.commit_transaction();
    }
    m.wdb.begin_transaction();
    m.dirty_topics.clear();
    m.new_replies.clear();
    // Readers reopen before anyone can see the new position: a page kept under a position
    // (http/page_cache.h) is then never made from an index older than it says.
    ++m.generation;
    m.applied_seq = applied_seq;
  } catch (const Xapian::Error& e) {
    return Unavailable(e);
  }
  return Ok();
}

std::int64_t XapianIndex::AppliedSeq() const { return impl_->applied_seq.load(); }

Result<void> XapianIndex::DiscardUncommitted() {
  Impl& m = *impl_;
  std::lock_guard lock(m.write_mu);
  m.dirty_topics.clear();
  m.new_replies.clear();
  try {
    // Xapian ends the transaction before it writes, so after a failed commit_transaction none is
    // open and every later one would fail; and a handle whose write failed may hold half-written
    // state. A fresh handle on the files starts from the last commit that reached the disk.
    try {
      m.wdb.cancel_transaction();
    } catch (const Xapian::Error&) {
      // None was open (the failed commit had ended it), or the handle is closed already.
    }
    std::unique_lock no_retrying_readers(m.commit_mu);
    m.wdb.close();
    m.wdb = Xapian::WritableDatabase(m.dir.string(), Xapian::DB_OPEN);
    std::string seq = m.wdb.get_metadata(kMetaAppliedSeq);
    m.applied_seq = seq.empty() ? 0 : std::stoll(seq);
    m.wdb.begin_transaction();
    ++m.generation;
  } catch (const Xapian::Error& e) {
    return Unavailable(e);
  }
  return Ok();
}

Result<SearchResults> XapianIndex::Search(const SearchQuery& query) {
  const std::string& text = query.text;
  if (!IsValidUtf8(text)) {
    return Error::Invalid("q", "query_invalid", "That search has characters we can't read. Try typing it again.");
  }
  if (CountCodepoints(text) > kMaxQueryCodepoints) {
    return Error::Invalid("q", "query_too_long", "Searches can be up to 200 characters. A few key words work best.");
  }
  if (internal::SplitWords(text).size() > kMaxQueryWords) {
    return Error::Invalid("q", "query_too_many_words", "Searches can use up to 16 words. A few key words work best.");
  }
  Impl& m = *impl_;
  const std::uint64_t opened_at = m.generation.load();
  return m.Read([&](Xapian::Database& db) -> Result<SearchResults> {
    // Empty when nothing narrows the search: the words alone find only posts (see Filtered).
    std::vector<Xapian::Query> filters;
    if (query.category) filters.emplace_back(CategoryTerm(*query.category));
    if (!query.author.empty()) filters.emplace_back(AuthorTerm(query.author));
    Xapian::Query filter(Xapian::Query::OP_AND, filters.begin(), filters.end());
    try {
      if (m.options.spelling_correction && query.correct_spelling) {
        std::string corrected = m.CorrectQuery(db, opened_at, text, filter);
        if (corrected != text) {
          auto original_probe = m.ProbeQuery(db, m.Parse(db, text), filter);
          auto corrected_probe = m.ProbeQuery(db, m.Parse(db, corrected), filter);
          if (corrected_probe.coverage > original_probe.coverage ||
              corrected_probe.estimated > original_probe.estimated) {
            auto results = m.SearchIn(db, query, corrected, filter);
            if (results.ok()) {
              results->corrected_query = corrected;
              results->original_query = text;
            }
            return results;
          }
        }
      }
      return m.SearchIn(db, query, text, filter);
    } catch (const Xapian::QueryParserError&) {
      return Error::Invalid("q", "query_unreadable", "We couldn't read that search. Try plain words without symbols.");
    }
  });
}

Result<std::vector<SimilarTopic>> XapianIndex::Similar(const std::string& title, const std::string& body, int limit,
                                                       std::optional<TopicId> exclude, const std::string& asker) {
  Impl& m = *impl_;
  const std::uint64_t opened_at = m.generation.load();
  return m.Read([&](Xapian::Database& db) { return m.SimilarIn(db, opened_at, title, body, limit, exclude, asker); });
}

std::optional<std::vector<SimilarTopic>> XapianIndex::KeptSimilar(const std::string& title, const std::string& body,
                                                                  int limit, std::optional<TopicId> exclude,
                                                                  const std::string& asker) {
  Impl& m = *impl_;
  limit = std::clamp(limit, 0, kSimilarMostTopics);
  if (limit == 0) return std::vector<SimilarTopic>();
  if (!m.options.calibrated_similar) return std::nullopt;  // the baseline keeps nothing
  // Similar keeps its answer at the generation its reader was opened at or after; a reader opened
  // now is at the current one, so an answer kept there is exactly what Similar would find.
  const auto position = static_cast<std::int64_t>(m.generation.load());
  auto kept = m.similar_answers.FindFresh(Impl::AskedKey(Impl::SimilarScope(limit, exclude, asker), title, body),
                                          position);
  if (!kept) return std::nullopt;
  return *kept;
}

Result<std::vector<SimilarTopic>> XapianIndex::Related(TopicId topic, int limit) {
  Impl& m = *impl_;
  const std::uint64_t opened_at = m.generation.load();
  return m.Read([&](Xapian::Database& db) -> Result<std::vector<SimilarTopic>> {
    Xapian::Enquire enquire(db);
    enquire.set_query(
        Xapian::Query(Xapian::Query::OP_AND, Xapian::Query(TopicTerm(topic)), Xapian::Query(kQuestionTerm)));
    Xapian::MSet mset = enquire.get_mset(0, 1);
    if (mset.empty()) return Error::NotFound("topic_not_indexed", "That conversation isn't in the search index yet.");
    PostData question = ParseData(mset.begin().get_document().get_data());
    // A topic's own text is public, and so is what is related to it.
    return m.SimilarIn(db, opened_at, question.title, question.body, limit, topic, "related");
  });
}

Result<MisplacedCheck> XapianIndex::CheckMisplaced(TopicId topic, const std::string& reply_markdown) {
  Impl& m = *impl_;
  return m.Read([&](Xapian::Database& db) { return m.MisplacedIn(db, topic, reply_markdown); });
}

Result<std::unique_ptr<SearchIndex>> OpenXapianIndex(const std::filesystem::path& dir) {
  auto index = XapianIndex::Open(dir);
  if (!index.ok()) return std::move(index).error();
  return std::unique_ptr<SearchIndex>(std::move(index).value());
}

Result<IndexCompaction> CompactXapianIndex(const std::filesystem::path& dir) {
  const std::filesystem::path compacted = CompactingDirOf(dir);
  std::error_code ignored;
  IndexCompaction report;
  report.bytes_before = FileBytesIn(dir);
  try {
    // Opening for writing takes Xapian's lock, so a server with the index open makes this fail
    // here, before anything changed.
    Xapian::WritableDatabase db(dir.string(), Xapian::DB_OPEN);
    std::filesystem::remove_all(compacted, ignored);  // left by an interrupted compaction
    db.compact(compacted.string(), Xapian::Compactor::FULL);
    db.close();
  } catch (const Xapian::Error& e) {
    std::filesystem::remove_all(compacted, ignored);
    return Error{ErrorCode::kUnavailable,
                 "search_compact_failed",
                 "The search index could not be compacted (it is unchanged): " + e.get_description(),
                 {},
                 0};
  }
  // One atomic step: a crash leaves either index whole in `dir`, and the other in `compacted`.
  if (renameat2(AT_FDCWD, compacted.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) != 0) {
    const std::string reason = std::strerror(errno);
    std::filesystem::remove_all(compacted, ignored);
    return Error{ErrorCode::kUnavailable,
                 "search_compact_failed",
                 "The compacted search index could not be put in place (the index is unchanged): " + reason,
                 {},
                 0};
  }
  std::filesystem::remove_all(compacted, ignored);  // the files from before
  report.bytes_after = FileBytesIn(dir);
  return report;
}

}  // namespace kindred::search
