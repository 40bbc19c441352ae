// Watched words: finding an admin's watched words and phrases in a post, and replacing them.
// A pattern is one or more words matched whole, ignoring ASCII case; "*" inside a word stands for
// any run of letters ("spam*" matches "spammer", "spamming"). Words are runs of letters, digits
// and apostrophes (any non-ASCII byte counts as a letter, so accented words stay whole).
// Tokenising and matching word by word keeps every check linear in the text, whatever the
// patterns: no regular expression an admin writes can make a post slow to save.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/rows.h"

namespace kindred::forum {

struct WatchedMatch {
  const store::WatchedWordRow* word = nullptr;
  std::size_t begin = 0;  // byte span of the matched words in the text
  std::size_t end = 0;
};

// Every match, in text order, never overlapping (the first pattern listed wins a tie).
std::vector<WatchedMatch> FindWatchedWords(std::string_view text, const std::vector<store::WatchedWordRow>& words);

// The text with each kReplace match replaced by its replacement.
std::string ReplaceWatchedWords(std::string_view text, const std::vector<WatchedMatch>& matches);

// A pattern as it will be stored (trimmed, inner spaces collapsed), or kInvalidInput naming "pattern".
Result<std::string> ValidateWatchedPattern(std::string_view pattern);

}  // namespace kindred::forum
