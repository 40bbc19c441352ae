// Prints the evaluation report (confusion matrix, precision, recall, misreads) of the built-in
// detector on labelled TSV files, without building the whole server: the quick loop for tuning.
// Usage: safety_eval [--explain] FILE.tsv...   (--explain lists the cues behind every misread)
//        safety_eval --text "a post"           (the level and cues of one text)
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "safety/detector.h"
#include "safety/evaluation.h"

namespace {

using kindred::safety::Assessment;
using kindred::safety::Detector;

std::string Describe(const Assessment& a) {
  std::string out(kindred::safety::LevelName(a.level));
  for (const auto& c : a.cues) out += std::string(" ") + (c.raises ? "+" : "-") + c.name + "(" + c.evidence + ")";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: safety_eval [--explain] FILE.tsv... | safety_eval --text TEXT\n";
    return 2;
  }
  if (std::string_view(argv[1]) == "--text") {
    for (int i = 2; i < argc; ++i) std::cout << Describe(Detector::Default().Assess(argv[i])) << "\n";
    return 0;
  }
  bool explain = false;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--explain") {
      explain = true;
      continue;
    }
    std::ifstream in(argv[i]);
    if (!in) {
      std::cerr << "cannot open " << argv[i] << "\n";
      status = 1;
      continue;
    }
    std::cout << "== " << argv[i] << "\n";
    auto report = kindred::safety::Evaluate(Detector::Default(), in);
    kindred::safety::PrintReport(report, std::cout);
    if (explain) {
      std::cout << "\ncues behind the misreads:\n";
      for (const auto& m : report.misreads) {
        std::cout << "  " << kindred::safety::LevelName(m.expected) << ": " << m.text << "\n    -> "
                  << Describe(Detector::Default().Assess(m.text)) << "\n";
      }
    }
  }
  return status;
}
