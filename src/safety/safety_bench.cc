// Micro-benchmark of Detector::Assess: nanoseconds per post over the evaluation sets, repeated so
// that the timer's resolution does not matter. Usage: safety_bench [FILE.tsv...]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "safety/detector.h"

int main(int argc, char** argv) {
  // Enough passes over ~500 posts for a stable figure in about a second.
  constexpr int kRounds = 200;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) files.emplace_back(argv[i]);
  if (files.empty()) {
    files = {KINDRED_SOURCE_DIR "/tests/safety/eval.tsv", KINDRED_SOURCE_DIR "/tests/safety/holdout.tsv"};
  }
  std::vector<std::string> posts;
  for (const std::string& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      auto tab = line.find('\t');
      if (tab != std::string::npos && line.compare(0, tab, "label") != 0) posts.push_back(line.substr(tab + 1));
    }
  }
  if (posts.empty()) {
    std::fprintf(stderr, "no posts read\n");
    return 1;
  }
  const auto& detector = kindred::safety::Detector::Default();
  std::size_t flagged = 0, bytes = 0;
  for (const auto& p : posts) bytes += p.size();
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < kRounds; ++r) {
    for (const auto& p : posts) flagged += detector.Assess(p).level != kindred::safety::Level::kNone;
  }
  double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  double per_post = ns / (static_cast<double>(kRounds) * posts.size());
  std::printf("posts: %zu (mean %zu bytes)\nns per post: %.0f\nflagged: %zu\n", posts.size(), bytes / posts.size(),
              per_post, flagged / kRounds);
  return 0;
}
