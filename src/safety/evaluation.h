// Evaluation of a Detector on a labelled set: a TSV with a header line and the columns `label`
// (crisis, concern or none) and `text`. Gives the confusion matrix and the figures the safety
// issue sets targets for. Used by `kindred safety-eval FILE.tsv` and by safety_test.
// Thread-safety: pure functions over their arguments.
#pragma once

#include <array>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/result.h"
#include "safety/detector.h"

namespace kindred::safety {

struct Misread {
  Level expected = Level::kNone;
  Level got = Level::kNone;
  std::string text;
};

struct EvalReport {
  // confusion[expected][got], indexed by Level (none 0, concern 1, crisis 2).
  std::array<std::array<int, 3>, 3> confusion{};
  int total = 0;
  double nanoseconds_per_post = 0;
  std::vector<Misread> misreads;    // every post read at another level than its label
  std::vector<std::string> errors;  // lines that could not be read, naming the line

  double Precision(Level level) const;  // of the posts read at `level`, the share labelled so
  double Recall(Level level) const;     // of the posts labelled `level`, the share read so
  double CrisisRecall() const { return Recall(Level::kCrisis); }
  // Crisis and concern posts read at crisis or concern.
  double CrisisOrConcernRecall() const;
  // Share of "none" posts read at crisis or concern: the false alarms.
  double NoneFlagged() const;
};

// Reads the TSV and assesses every post. Bad lines are listed in `errors` and skipped.
EvalReport Evaluate(const Detector& detector, std::istream& tsv);

// The confusion matrix, per-level precision and recall, the headline figures and the misreads.
void PrintReport(const EvalReport& report, std::ostream& out);

}  // namespace kindred::safety
