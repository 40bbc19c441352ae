#include "search/evaluation.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/text.h"
#include "search/xapian/xapian_index.h"

namespace kindred::search {
namespace {

constexpr int kResultsLooked = 5;  // MRR@5: a person reads about five suggestions

struct Thread {
  std::string category;
  std::string title;
  std::string body;
  std::string author;
  std::vector<std::pair<std::string, std::string>> replies;  // author, body
};

Error BadFile(const std::filesystem::path& file, int line, const std::string& what) {
  return Error::Invalid("file", "eval_file_invalid",
                        file.filename().string() + " line " + std::to_string(line) + ": " + what);
}

Result<std::vector<Thread>> ReadThreads(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Error::Invalid("file", "eval_file_missing", "No threads.jsonl in " + file.parent_path().string());
  std::vector<Thread> threads;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (Trim(line).empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("title") || !j.contains("body")) {
      return BadFile(file, number, "not a thread object with a title and a body");
    }
    Thread t;
    t.category = j.value("category", "General");
    t.title = j.value("title", "");
    t.body = j.value("body", "");
    t.author = j.value("author", "former-member");
    for (const auto& r : j.value("replies", nlohmann::json::array())) {
      t.replies.emplace_back(r.value("author", "former-member"), r.value("body", ""));
    }
    threads.push_back(std::move(t));
  }
  return threads;
}

// Rows of a TSV file; an absent file is no rows (holdout files are optional).
Result<std::vector<std::vector<std::string>>> ReadTsv(const std::filesystem::path& file, std::size_t columns) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(file);
  if (!in) return rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> row;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '\t')) row.push_back(field);
    if (row.size() != columns) return BadFile(file, number, "expected " + std::to_string(columns) + " columns");
    rows.push_back(std::move(row));
  }
  return rows;
}

struct Corpus {
  std::vector<Thread> threads;
  std::map<std::string, TopicId> topic_by_title;
  int posts = 0;
};

Result<void> Fill(SearchIndex& index, Corpus& corpus) {
  std::map<std::string, CategoryId> categories;
  std::map<std::string, UserId> users;
  auto user = [&](const std::string& name) {
    auto [it, inserted] = users.try_emplace(name, UserId(static_cast<std::int64_t>(users.size()) + 1));
    return it->second;
  };
  std::int64_t post_id = 0;
  corpus.posts = 0;
  for (std::size_t i = 0; i < corpus.threads.size(); ++i) {
    const Thread& t = corpus.threads[i];
    TopicId topic(static_cast<std::int64_t>(i) + 1);
    corpus.topic_by_title[t.title] = topic;
    auto [cat, inserted] =
        categories.try_emplace(t.category, CategoryId(static_cast<std::int64_t>(categories.size()) + 1));
    IndexedPost post;
    post.topic = topic;
    post.category = cat->second;
    post.topic_title = t.title;
    post.topic_reply_count = static_cast<std::int64_t>(t.replies.size());
    post.post = PostId(++post_id);
    post.author = user(t.author);
    post.author_name = t.author;
    post.body_markdown = t.body;
    post.number = 1;
    KINDRED_TRY(index.Upsert(post));
    for (std::size_t r = 0; r < t.replies.size(); ++r) {
      post.post = PostId(++post_id);
      post.author_name = t.replies[r].first;
      post.author = user(post.author_name);
      post.body_markdown = t.replies[r].second;
      post.number = static_cast<int>(r) + 2;
      KINDRED_TRY(index.Upsert(post));
    }
  }
  corpus.posts = static_cast<int>(post_id);
  return index.Commit(1);
}

struct Files {
  std::vector<std::vector<std::string>> questions, queries, misplaced;
};

double Reciprocal(const std::vector<TopicId>& ranked, TopicId expected) {
  for (std::size_t i = 0; i < ranked.size() && i < static_cast<std::size_t>(kResultsLooked); ++i) {
    if (ranked[i] == expected) return 1.0 / static_cast<double>(i + 1);
  }
  return 0;
}

Result<EvalFigures> Measure(SearchIndex& index, const Corpus& corpus, const Files& files,
                            std::vector<EvalMiss>* misses) {
  EvalFigures f;
  auto topic_of = [&](const std::string& title) -> std::optional<TopicId> {
    auto it = corpus.topic_by_title.find(title);
    if (it == corpus.topic_by_title.end()) return std::nullopt;
    return it->second;
  };
  auto title_of = [&](TopicId id) { return corpus.threads[id.value - 1].title; };

  int confident_no_answer = 0;
  for (const auto& row : files.questions) {
    const auto started = std::chrono::steady_clock::now();
    auto similar = index.Similar(row[0], row[1], kResultsLooked, std::nullopt, "evaluation");
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    f.similar_ms_mean += ms;
    f.similar_ms_max = std::max(f.similar_ms_max, ms);
    if (!similar.ok()) return std::move(similar).error();
    if (row[2] == "-") {
      ++f.no_answer_questions;
      if (!similar->empty()) {
        ++confident_no_answer;
        if (misses)
          misses->push_back({"q:" + row[0], "no-answer question got " + similar->front().title + " (" +
                                                std::to_string(similar->front().score) + "): " + row[0]});
      }
      continue;
    }
    auto expected = topic_of(row[2]);
    if (!expected) return Error::Invalid("file", "eval_unknown_topic", "No thread titled: " + row[2]);
    std::vector<TopicId> ranked;
    for (const auto& s : *similar) ranked.push_back(s.topic);
    ++f.questions;
    double rr = Reciprocal(ranked, *expected);
    f.similar_p_at_1 += rr == 1.0 ? 1 : 0;
    f.similar_mrr_at_5 += rr;
    if (rr != 1.0 && misses) {
      misses->push_back({"q:" + row[0], "question \"" + row[0] + "\" -> " +
                                            (ranked.empty() ? std::string("(nothing)")
                                                            : title_of(ranked[0]) + " (" +
                                                                  std::to_string(similar->front().score) + ")") +
                                            ", expected " + row[2]});
    }
  }
  if (!files.questions.empty()) f.similar_ms_mean /= static_cast<double>(files.questions.size());
  if (f.questions) {
    f.similar_p_at_1 /= f.questions;
    f.similar_mrr_at_5 /= f.questions;
  }
  if (f.no_answer_questions)
    f.no_answer_confident_rate = static_cast<double>(confident_no_answer) / f.no_answer_questions;

  for (const auto& row : files.queries) {
    auto expected = topic_of(row[1]);
    if (!expected) return Error::Invalid("file", "eval_unknown_topic", "No thread titled: " + row[1]);
    SearchQuery q;
    q.text = row[0];
    q.per_page = kResultsLooked;
    auto results = index.Search(q);
    if (!results.ok()) return std::move(results).error();
    std::vector<TopicId> ranked;
    for (const auto& h : results->hits) ranked.push_back(h.topic);
    ++f.queries;
    double rr = Reciprocal(ranked, *expected);
    f.search_p_at_1 += rr == 1.0 ? 1 : 0;
    f.search_mrr_at_5 += rr;
    if (rr != 1.0 && misses) {
      misses->push_back({"s:" + row[0], "query \"" + row[0] + "\" [" + results->corrected_query + "] -> " +
                                            (ranked.empty() ? std::string("(nothing)") : title_of(ranked[0])) +
                                            ", expected " + row[1]});
    }
  }
  if (f.queries) {
    f.search_p_at_1 /= f.queries;
    f.search_mrr_at_5 /= f.queries;
  }

  int flagged = 0, true_flags = 0, right_topic = 0;
  for (const auto& row : files.misplaced) {
    auto topic = topic_of(row[0]);
    if (!topic) return Error::Invalid("file", "eval_unknown_topic", "No thread titled: " + row[0]);
    bool misplaced = row[2] == "1";
    auto check = index.CheckMisplaced(*topic, row[1]);
    if (!check.ok()) return std::move(check).error();
    ++f.misplaced_cases;
    if (misplaced) ++f.misplaced_positives;
    bool flag = check->likely_topic.has_value();
    if (flag) ++flagged;
    if (flag && misplaced) {
      ++true_flags;
      if (check->likely_title == row[3]) ++right_topic;
    }
    if (flag != misplaced && misses) {
      misses->push_back({"m:" + row[1], std::string(flag ? "false alarm" : "missed misplaced") + " (" +
                                            std::to_string(check->score) + "): " + row[1]});
    }
  }
  f.misplaced_precision = flagged ? static_cast<double>(true_flags) / flagged : 1.0;
  f.misplaced_recall = f.misplaced_positives ? static_cast<double>(true_flags) / f.misplaced_positives : 1.0;
  f.misplaced_right_topic = true_flags ? static_cast<double>(right_topic) / true_flags : 1.0;
  return f;
}

// A directory under the system's temporary folder, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kindred-eval-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

Result<EvalReport> EvaluateSearch(const std::filesystem::path& dir) {
  auto threads = ReadThreads(dir / "threads.jsonl");
  if (!threads.ok()) return std::move(threads).error();
  Corpus corpus;
  corpus.threads = std::move(threads).value();

  ScratchDir scratch;
  if (scratch.path().empty())
    return Error{ErrorCode::kUnavailable, "eval_tmp", "Could not make a temporary directory.", {}, 0};
  auto tuned = XapianIndex::Open(scratch.path() / "tuned");
  if (!tuned.ok()) return std::move(tuned).error();
  auto baseline = XapianIndex::Open(scratch.path() / "baseline", XapianIndexOptions::Baseline());
  if (!baseline.ok()) return std::move(baseline).error();
  // The tuned ranking without its confidence threshold: tells a wrong order from a withheld answer.
  XapianIndexOptions unthresholded;
  unthresholded.similar_threshold = 0;
  auto ranking = XapianIndex::Open(scratch.path() / "ranking", unthresholded);
  if (!ranking.ok()) return std::move(ranking).error();
  KINDRED_TRY(Fill(**tuned, corpus));
  KINDRED_TRY(Fill(**baseline, corpus));
  KINDRED_TRY(Fill(**ranking, corpus));

  EvalReport report;
  report.threads = static_cast<int>(corpus.threads.size());
  report.posts = corpus.posts;
  // "holdout2" was written later by someone who had not read the ranking code, as a second check.
  for (std::string suffix : {"", "_holdout", "_holdout2"}) {
    Files files;
    auto questions = ReadTsv(dir / ("questions" + suffix + ".tsv"), 3);
    if (!questions.ok()) return std::move(questions).error();
    auto queries = ReadTsv(dir / ("queries" + suffix + ".tsv"), 2);
    if (!queries.ok()) return std::move(queries).error();
    auto misplaced = ReadTsv(dir / ("misplaced" + suffix + ".tsv"), 4);
    if (!misplaced.ok()) return std::move(misplaced).error();
    files = {std::move(questions).value(), std::move(queries).value(), std::move(misplaced).value()};
    if (files.questions.empty() && files.queries.empty() && files.misplaced.empty()) continue;
    EvalSetReport set;
    set.name = suffix.empty() ? "tuned" : suffix.substr(1);
    auto t = Measure(**tuned, corpus, files, &set.misses);
    if (!t.ok()) return std::move(t).error();
    auto b = Measure(**baseline, corpus, files, &set.baseline_misses);
    if (!b.ok()) return std::move(b).error();
    auto r = Measure(**ranking, corpus, files, nullptr);
    if (!r.ok()) return std::move(r).error();
    set.tuned = *t;
    set.baseline = *b;
    set.ranking_alone = *r;
    report.sets.push_back(std::move(set));
  }
  return report;
}

void PrintReport(const EvalReport& report, std::ostream& out, bool verbose) {
  out << "Search evaluation: " << report.threads << " threads, " << report.posts << " posts\n";
  auto row = [&](const std::string& name, double tuned, double base) {
    out << "  " << std::left << std::setw(44) << name << std::right << std::fixed << std::setprecision(2)
        << std::setw(8) << base << std::setw(8) << tuned << "\n";
  };
  for (const auto& set : report.sets) {
    const EvalFigures& t = set.tuned;
    const EvalFigures& b = set.baseline;
    out << "\n[" << set.name << " set] " << t.questions << " questions with an answer, " << t.no_answer_questions
        << " without, " << t.queries << " queries, " << t.misplaced_cases << " replies (" << t.misplaced_positives
        << " misplaced)\n";
    out << "  " << std::left << std::setw(44) << "" << std::right << std::setw(8) << "BM25" << std::setw(8) << "Kindred"
        << "\n";
    row("similar questions P@1", t.similar_p_at_1, b.similar_p_at_1);
    row("similar questions MRR@5", t.similar_mrr_at_5, b.similar_mrr_at_5);
    row("  the same, without the threshold: P@1", set.ranking_alone.similar_p_at_1, b.similar_p_at_1);
    row("  the same, without the threshold: MRR@5", set.ranking_alone.similar_mrr_at_5, b.similar_mrr_at_5);
    row("no-answer questions given a suggestion", t.no_answer_confident_rate, b.no_answer_confident_rate);
    row("search with typos P@1", t.search_p_at_1, b.search_p_at_1);
    row("search with typos MRR@5", t.search_mrr_at_5, b.search_mrr_at_5);
    row("misplaced replies precision", t.misplaced_precision, b.misplaced_precision);
    row("misplaced replies recall", t.misplaced_recall, b.misplaced_recall);
    row("misplaced flags naming the right topic", t.misplaced_right_topic, b.misplaced_right_topic);
    row("similar questions: mean ms per call", t.similar_ms_mean, b.similar_ms_mean);
    row("similar questions: slowest call, ms", t.similar_ms_max, b.similar_ms_max);
    if (verbose) {
      std::set<std::string> baseline_missed;
      for (const auto& m : set.baseline_misses) baseline_missed.insert(m.key);
      // Marked: what the plain baseline got right, the first place to look for a regression.
      for (const auto& m : set.misses)
        out << "    miss: " << (baseline_missed.contains(m.key) ? "" : "[BM25 right] ") << m.line << "\n";
    }
  }
}

}  // namespace kindred::search
