#include "search/xapian/spelling_internal.h"

#include <algorithm>
#include <vector>

namespace kindred::search::internal {

double TypoCost(std::string_view typed, std::string_view word, double limit) {
  const std::size_t n = typed.size();
  const std::size_t m = word.size();
  const double length_gap = n > m ? (n - m) * kCostExtraLetter : (m - n) * kCostMissingLetter;
  if (length_gap > limit) return limit + 1;
  // d[i][j]: cost of turning typed[0, i) into word[0, j).
  std::vector<std::vector<double>> d(n + 1, std::vector<double>(m + 1, 0));
  for (std::size_t i = 1; i <= n; ++i) d[i][0] = i * kCostExtraLetter;
  for (std::size_t j = 1; j <= m; ++j) d[0][j] = j * kCostMissingLetter;
  for (std::size_t i = 1; i <= n; ++i) {
    double row_best = d[i][0];
    for (std::size_t j = 1; j <= m; ++j) {
      double best = std::min(d[i - 1][j] + kCostExtraLetter, d[i][j - 1] + kCostMissingLetter);
      best = std::min(best, d[i - 1][j - 1] + (typed[i - 1] == word[j - 1] ? 0 : kCostWrongLetter));
      if (i > 1 && j > 1 && typed[i - 1] == word[j - 2] && typed[i - 2] == word[j - 1]) {
        best = std::min(best, d[i - 2][j - 2] + kCostSwappedLetters);
      }
      d[i][j] = best;
      row_best = std::min(row_best, best);
    }
    if (row_best > limit) return limit + 1;
  }
  return d[n][m];
}

double MaxTypoCost(std::string_view typed) {
  // Below four letters nearly every word is one slip from another: no correction at all.
  if (typed.size() < 3) return 0;
  if (typed.size() <= 4) return 1.0;
  return 2.0;
}

void Vocabulary::Add(std::string word, std::uint32_t frequency) { words_.push_back({std::move(word), frequency}); }

std::vector<Candidate> Vocabulary::Candidates(std::string_view typed, std::size_t limit) const {
  std::vector<Candidate> found;
  const double max_cost = MaxTypoCost(typed);
  if (max_cost <= 0) return found;
  for (const auto& entry : words_) {
    // Cheap length filter before the quadratic distance.
    const std::size_t a = typed.size();
    const std::size_t b = entry.word.size();
    if ((a > b ? a - b : b - a) > 3) continue;
    double cost = TypoCost(typed, entry.word, max_cost);
    if (cost <= max_cost + 1e-9 && entry.word != typed) found.push_back({entry.word, cost, entry.frequency});
  }
  std::sort(found.begin(), found.end(), [](const Candidate& x, const Candidate& y) {
    if (x.cost != y.cost) return x.cost < y.cost;
    if (x.frequency != y.frequency) return x.frequency > y.frequency;
    return x.word < y.word;
  });
  if (found.size() > limit) found.resize(limit);
  return found;
}

}  // namespace kindred::search::internal
