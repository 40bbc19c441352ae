#include "forum/watched_words.h"

#include <algorithm>

#include "core/text.h"

namespace kindred::forum {
namespace {

// Admins list words, not essays; a long pattern is a mistake, and a cap keeps matching cheap.
constexpr std::size_t kPatternMax = 100;
constexpr std::size_t kPatternWordsMax = 8;

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'' || c >= 0x80;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

struct Token {
  std::size_t begin;
  std::size_t end;
};

std::vector<Token> Words(std::string_view text, bool keep_stars) {
  std::vector<Token> words;
  std::size_t i = 0;
  while (i < text.size()) {
    auto is_word = [&](char c) { return IsWordByte(static_cast<unsigned char>(c)) || (keep_stars && c == '*'); };
    while (i < text.size() && !is_word(text[i])) ++i;
    std::size_t begin = i;
    while (i < text.size() && is_word(text[i])) ++i;
    if (i > begin) words.push_back({begin, i});
  }
  return words;
}

// Glob match of one word against one pattern word, where only '*' is special. Greedy with
// backtracking to the last star: linear for one star, and patterns are short.
bool WordMatches(std::string_view pattern, std::string_view word) {
  std::size_t p = 0, w = 0, star = std::string_view::npos, resume = 0;
  while (w < word.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = w;
    } else if (p < pattern.size() && Lower(pattern[p]) == Lower(word[w])) {
      ++p;
      ++w;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      w = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::vector<WatchedMatch> FindWatchedWords(std::string_view text, const std::vector<store::WatchedWordRow>& words) {
  std::vector<WatchedMatch> matches;
  if (words.empty()) return matches;
  std::vector<Token> tokens = Words(text, false);
  std::vector<std::vector<std::string_view>> patterns;
  for (const auto& word : words) {
    std::vector<std::string_view> parts;
    for (const auto& token : Words(word.pattern, true)) {
      parts.push_back(std::string_view(word.pattern).substr(token.begin, token.end - token.begin));
    }
    patterns.push_back(std::move(parts));
  }
  std::size_t i = 0;
  while (i < tokens.size()) {
    bool matched = false;
    for (std::size_t k = 0; k < words.size() && !matched; ++k) {
      const auto& parts = patterns[k];
      if (parts.empty() || i + parts.size() > tokens.size()) continue;
      bool all = true;
      for (std::size_t j = 0; j < parts.size() && all; ++j) {
        const Token& token = tokens[i + j];
        all = WordMatches(parts[j], text.substr(token.begin, token.end - token.begin));
      }
      if (!all) continue;
      matches.push_back({&words[k], tokens[i].begin, tokens[i + parts.size() - 1].end});
      i += parts.size();
      matched = true;
    }
    if (!matched) ++i;
  }
  return matches;
}

std::string ReplaceWatchedWords(std::string_view text, const std::vector<WatchedMatch>& matches) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const auto& match : matches) {
    if (match.word->action != store::WatchedAction::kReplace) continue;
    out.append(text.substr(at, match.begin - at));
    out.append(match.word->replacement);
    at = match.end;
  }
  out.append(text.substr(at));
  return out;
}

Result<std::string> ValidateWatchedPattern(std::string_view pattern) {
  std::string words;
  for (const auto& token : Words(pattern, true)) {
    if (!words.empty()) words += ' ';
    words.append(pattern.substr(token.begin, token.end - token.begin));
  }
  if (words.empty() || words.find_first_not_of('*') == std::string::npos) {
    return Error::Invalid("pattern", "pattern_empty", "Please give a word or phrase to watch for.");
  }
  if (!IsValidUtf8(words) || words.size() > kPatternMax ||
      static_cast<std::size_t>(std::count(words.begin(), words.end(), ' ')) + 1 > kPatternWordsMax) {
    return Error::Invalid("pattern", "pattern_too_long", "Please keep a watched phrase to 8 words and 100 characters.");
  }
  return words;
}

}  // namespace kindred::forum
