// Text helpers for the Xapian index: Markdown to plain text for indexing and snippets, the words of
// a query as typed (for spelling correction), and the English stopword list.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kindred::search::internal {

// Drops Markdown syntax a reader doesn't see (emphasis marks, heading hashes, link targets, code
// fences) so that snippets read as text and URLs don't pollute the vocabulary. Not a renderer.
std::string MarkdownToPlain(std::string_view markdown);

// One word of a text: its byte span and its case-folded form (ASCII lowercased, curly apostrophes
// made straight; non-ASCII bytes are kept as letters so accented words stay whole).
struct Word {
  std::size_t begin = 0;
  std::size_t length = 0;
  std::string folded;
};
std::vector<Word> SplitWords(std::string_view text);

// Common English function words: they carry no topic, so they are neither corrected nor counted
// when judging how much of a question another topic covers.
bool IsStopword(std::string_view folded_word);
const std::vector<std::string>& Stopwords();

}  // namespace kindred::search::internal

namespace kindred::search::internal {

// Groups of words that people on a support forum use for the same thing ("counselling" for
// "therapy", "nan" for "grandmother"). Similar questions are asked in other words, and BM25 alone
// cannot know these are one. The groups are data: src/search/thesaurus.tsv, built into the binary,
// one group a line, words split as SplitWords splits them (so "a&e" is two words), `#` comments.
// Single words only, in their plain spelling; stems are taken by the caller.
const std::vector<std::vector<std::string>>& SynonymGroups();
std::vector<std::vector<std::string>> ParseThesaurus(std::string_view text);

}  // namespace kindred::search::internal
