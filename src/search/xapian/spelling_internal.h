// Typo candidates from the forum's own vocabulary, weighted by how people mistype.
//
// Xapian's get_spelling_suggestion() returns one word: the most frequent within two edits. On a
// support forum that turns "teray" into "today" rather than "therapy". So we list several
// candidates, cost them with an edit distance that knows dropped letters and swapped neighbours are
// the commonest slips, and let the index choose among them by what the corrected query finds
// together with the rest of the query (xapian_index.cc).
// Thread-safety: Vocabulary is immutable once built; share it freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kindred::search::internal {

// Costs of turning what was typed into a vocabulary word. A letter left out ("therpy") and two
// letters swapped ("nigth") are the most common slips in typed text, an extra letter a little less,
// a wrong letter the least likely.
inline constexpr double kCostMissingLetter = 0.6;
inline constexpr double kCostSwappedLetters = 0.6;
inline constexpr double kCostExtraLetter = 0.8;
inline constexpr double kCostWrongLetter = 1.0;

// Weighted optimal-string-alignment distance from `typed` to `word`, giving up (returning a value
// above `limit`) as soon as every path costs more than `limit`.
double TypoCost(std::string_view typed, std::string_view word, double limit);

// The most a correction may cost: short words have many close neighbours, so they get one slip.
double MaxTypoCost(std::string_view typed);

struct Candidate {
  std::string word;
  double cost = 0;
  std::uint32_t frequency = 0;
};

class Vocabulary {
 public:
  void Add(std::string word, std::uint32_t frequency);
  // Up to `limit` words within MaxTypoCost(typed), cheapest first, then most frequent.
  std::vector<Candidate> Candidates(std::string_view typed, std::size_t limit) const;
  std::size_t size() const { return words_.size(); }

 private:
  struct Entry {
    std::string word;
    std::uint32_t frequency;
  };
  std::vector<Entry> words_;
};

}  // namespace kindred::search::internal
