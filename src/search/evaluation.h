// Evaluation of search quality (`kindred eval-search DIR`): builds a fresh index from a directory of
// test data and measures similar-question suggestions, typo-tolerant search and misplaced-reply
// detection, for the tuned index and for a plain BM25 baseline on the same documents.
//
// DIR holds (tests/search/ is the example, README-style notes in its files' first lines):
//   threads.jsonl            threads in the import format (docs/import.md); topic ids follow file order
//   questions.tsv            title <TAB> body <TAB> expected topic title, or "-" when nothing answers it
//   queries.tsv              query as typed <TAB> expected topic title
//   misplaced.tsv            topic posted under <TAB> reply <TAB> 1|0 misplaced <TAB> right topic or "-"
//   *_holdout.tsv            optional: the same three kinds, never used for tuning, reported apart
//   *_holdout2.tsv           optional: a second held-back set, reported apart too
// Lines starting with '#' are comments.
// Thread-safety: EvaluateSearch uses its own temporary index; call it from one thread.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"

namespace kindred::search {

struct EvalFigures {
  int questions = 0;          // new questions that have an answer in the threads
  double similar_p_at_1 = 0;  // right topic first
  double similar_mrr_at_5 = 0;
  double similar_ms_mean = 0;  // wall time of one Similar call: it runs while people type
  double similar_ms_max = 0;
  int no_answer_questions = 0;
  double no_answer_confident_rate = 0;  // share of those for which anything was suggested
  int queries = 0;
  double search_p_at_1 = 0;
  double search_mrr_at_5 = 0;
  int misplaced_cases = 0;         // replies checked
  int misplaced_positives = 0;     // of which really misplaced
  double misplaced_precision = 0;  // flagged ones that were misplaced (1 when none flagged)
  double misplaced_recall = 0;
  double misplaced_right_topic = 0;  // share of true flags that named the right topic
};

// One wrong answer: `key` names the case (the same in both indexes' lists), `line` describes it.
struct EvalMiss {
  std::string key;
  std::string line;
};

struct EvalSetReport {
  std::string name;                 // "tuned", "holdout" or "holdout2"
  EvalFigures tuned;                // the index as shipped
  EvalFigures baseline;             // plain BM25, no correction, no title weighting, no threshold
  EvalFigures ranking_alone;        // the tuned index with no confidence threshold
  std::vector<EvalMiss> misses;           // the tuned index's wrong answers, for tuning
  std::vector<EvalMiss> baseline_misses;  // the baseline's, to tell regressions from hard cases
};

struct EvalReport {
  int threads = 0;
  int posts = 0;
  std::vector<EvalSetReport> sets;
};

// kInvalidInput (field "file") when DIR lacks threads.jsonl or a file is malformed (line named);
// kUnavailable when the temporary index cannot be written.
Result<EvalReport> EvaluateSearch(const std::filesystem::path& dir);

// A plain-text table of the figures, baseline beside tuned; with `verbose`, the misses too.
void PrintReport(const EvalReport& report, std::ostream& out, bool verbose = false);

}  // namespace kindred::search
