#include "search/xapian/text_internal.h"

#include <algorithm>
#include <unordered_set>

#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::search::embedded)

namespace kindred::search::internal {
namespace {

bool IsWordByte(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

}  // namespace

std::string MarkdownToPlain(std::string_view markdown) {
  std::string out;
  out.reserve(markdown.size());
  for (std::size_t i = 0; i < markdown.size(); ++i) {
    char c = markdown[i];
    // [text](url): keep the text, drop the target.
    if (c == ']' && i + 1 < markdown.size() && markdown[i + 1] == '(') {
      std::size_t close = markdown.find(')', i + 2);
      if (close != std::string_view::npos) {
        i = close;
        out.push_back(' ');
        continue;
      }
    }
    switch (c) {
      case '*':
      case '_':
      case '`':
      case '#':
      case '[':
      case ']':
      case '>':
      case '|':
      case '~':
        // '>' only starts a quote in Markdown; "a > b" in prose loses nothing that matters for search.
        out.push_back(' ');
        break;
      default:
        out.push_back(c);
    }
  }
  // Collapse runs of spaces so snippets don't show gaps where syntax was.
  std::string collapsed;
  collapsed.reserve(out.size());
  for (char c : out) {
    if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed.push_back(c);
  }
  return collapsed;
}

std::vector<Word> SplitWords(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsWordByte(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    Word word;
    word.begin = i;
    while (i < text.size()) {
      auto c = static_cast<unsigned char>(text[i]);
      if (IsWordByte(c) && !(c == 0xE2 && text.substr(i, 3) == "\xE2\x80\x99")) {
        word.folded.push_back(static_cast<char>(std::tolower(c)));
        ++i;
        continue;
      }
      // An apostrophe inside a word ("can't", "can’t") belongs to it.
      std::size_t apostrophe = 0;
      if (c == '\'') apostrophe = 1;
      if (text.substr(i, 3) == "\xE2\x80\x99") apostrophe = 3;
      if (apostrophe > 0 && i + apostrophe < text.size() &&
          IsWordByte(static_cast<unsigned char>(text[i + apostrophe])) && !word.folded.empty()) {
        word.folded.push_back('\'');
        i += apostrophe;
        continue;
      }
      break;
    }
    word.length = i - word.begin;
    words.push_back(std::move(word));
  }
  return words;
}

const std::vector<std::string>& Stopwords() {
  // The Snowball English stop list, minus negations ("not", "no", "nor") and "again", which change
  // what a support question asks, plus a few chat fillers.
  static const std::vector<std::string> kWords = {
      "i",       "me",         "my",       "myself",     "we",      "our",    "ours",     "ourselves", "you",
      "your",    "yours",      "yourself", "yourselves", "he",      "him",    "his",      "himself",   "she",
      "her",     "hers",       "herself",  "it",         "its",     "itself", "they",     "them",      "their",
      "theirs",  "themselves", "what",     "which",      "who",     "whom",   "this",     "that",      "these",
      "those",   "am",         "is",       "are",        "was",     "were",   "be",       "been",      "being",
      "have",    "has",        "had",      "having",     "do",      "does",   "did",      "doing",     "would",
      "should",  "could",      "ought",    "i'm",        "you're",  "he's",   "she's",    "it's",      "we're",
      "they're", "i've",       "you've",   "we've",      "they've", "i'd",    "you'd",    "he'd",      "she'd",
      "we'd",    "they'd",     "i'll",     "you'll",     "he'll",   "she'll", "we'll",    "they'll",   "isn't",
      "aren't",  "wasn't",     "weren't",  "hasn't",     "haven't", "hadn't", "doesn't",  "don't",     "didn't",
      "won't",   "wouldn't",   "shan't",   "shouldn't",  "can't",   "cannot", "couldn't", "mustn't",   "let's",
      "that's",  "who's",      "what's",   "here's",     "there's", "when's", "where's",  "why's",     "how's",
      "a",       "an",         "the",      "and",        "but",     "if",     "or",       "because",   "as",
      "until",   "while",      "of",       "at",         "by",      "for",    "with",     "about",     "against",
      "between", "into",       "through",  "during",     "before",  "after",  "above",    "below",     "to",
      "from",    "up",         "down",     "in",         "out",     "on",     "off",      "over",      "under",
      "further", "then",       "once",     "here",       "there",   "when",   "where",    "why",       "how",
      "all",     "any",        "both",     "each",       "few",     "more",   "most",     "other",     "some",
      "such",    "only",       "own",      "same",       "so",      "than",   "too",      "very",      "s",
      "t",       "can",        "will",     "just",       "now",     "also",   "even",     "get",       "got",
      "really",  "anyone",     "anybody",  "someone",    "people",  "thing",  "things",   "feel",      "know",
      "like",    "im",         "ive",      "dont",       "cant",    "doesnt", "didnt",    "wont",      "isnt"};
  return kWords;
}

bool IsStopword(std::string_view folded_word) {
  static const std::unordered_set<std::string_view> kSet = [] {
    std::unordered_set<std::string_view> set;
    for (const auto& w : Stopwords()) set.insert(w);
    return set;
  }();
  return kSet.contains(folded_word);
}

}  // namespace kindred::search::internal

namespace kindred::search::internal {

std::vector<std::vector<std::string>> ParseThesaurus(std::string_view text) {
  std::vector<std::vector<std::string>> groups;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with('#')) continue;
    std::vector<std::string> group;
    for (std::size_t at = 0; at < line.size();) {
      std::size_t space = std::min(line.find_first_of(" \t\r", at), line.size());
      // A token the indexer splits ("a&e", "me/cfs") can never equal one indexed term: skip it.
      std::vector<Word> words = SplitWords(line.substr(at, space - at));
      if (words.size() == 1 && std::find(group.begin(), group.end(), words[0].folded) == group.end()) {
        group.push_back(std::move(words[0].folded));
      }
      at = space + 1;
    }
    if (group.size() > 1) groups.push_back(std::move(group));
  }
  return groups;
}

const std::vector<std::vector<std::string>>& SynonymGroups() {
  static const auto kGroups = [] {
    for (int i = 0; i < embedded::kEmbeddedFileCount; ++i) {
      if (embedded::kEmbeddedFiles[i].first == "thesaurus.tsv") return ParseThesaurus(embedded::kEmbeddedFiles[i].second);
    }
    return std::vector<std::vector<std::string>>{};
  }();
  return kGroups;
}

}  // namespace kindred::search::internal
