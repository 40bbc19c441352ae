// The lexicon: loading the data files, normalising text into tokens, and matching phrases.
#include <array>
#include <cctype>
#include <utility>

#include "safety/detector_internal.h"
#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::safety::embedded)

namespace kindred::safety::internal {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(Category::kCount)> kCategoryNames = {
    "suicide",      "generic_act",  "wish_to_die",   "intent",       "plan",        "method",    "time",
    "goodbye",      "goodbye_weak", "self_harm_now", "attempt_now",  "third_party", "urgency",   "passive_wish",
    "hopelessness", "burden",       "past_attempt",  "distress_now", "means",       "means_ref", "preparation",
    "veiled_act",   "at_hand",      "concealment",
    "idiom",        "media_title",  "negation",      "denial",       "hedge",       "past",      "recent",
    "recovery",     "joke",         "game",          "medical",      "news",        "support",   "second_person",
    "first_person", "other_person",
};

// A letter repeated this often is emphasis ("soooo", "pleeease"); two keeps "too" and "all".
constexpr int kMaxRepeat = 2;

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Error LineError(std::string_view file, int line, std::string_view what) {
  return Error::Invalid("lexicon", "bad_lexicon_line",
                        std::string(file) + " line " + std::to_string(line) + ": " + std::string(what));
}

// Decodes one UTF-8 code point at `i`; malformed bytes come back as U+FFFD of length one.
std::pair<char32_t, std::size_t> Decode(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {c, 1};
  std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return {0xFFFD, 1};
  char32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len};
}

bool IsApostrophe(char32_t cp) { return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == '`'; }
bool IsClauseEnd(char32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == ';' || cp == ':' || cp == '\n' || cp == 0x2026;
}
bool IsQuote(char32_t cp) { return cp == '"' || cp == 0x201C || cp == 0x201D; }
// Letters of Latin, Greek and Cyrillic scripts stay inside words; higher code points are symbols
// and emoji, looked up by name.
bool IsWordLetter(char32_t cp) { return (cp >= 0xC0 && cp < 0x2000 && cp != 0xD7 && cp != 0xF7); }
// Presentation selectors and joiners carry no meaning for us ("⚰️" is "⚰" + U+FE0F).
bool IsIgnorable(char32_t cp) {
  return cp == 0xFE0F || cp == 0xFE0E || cp == 0x200D || (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

bool IsPronounForIs(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kWords = {"he",  "she",   "it",   "that",       "there",   "what",
                                                              "who", "where", "here", "everything", "nothing", "life"};
  for (auto k : kWords) {
    if (k == w) return true;
  }
  return false;
}

}  // namespace

Result<Category> ParseCategory(std::string_view name) {
  for (std::size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == name) return static_cast<Category>(i);
  }
  return Error::Invalid("category", "unknown_category", "unknown category " + std::string(name));
}

std::string_view CategoryName(Category category) { return kCategoryNames[static_cast<std::size_t>(category)]; }

Result<void> Lexicon::AddNormalisations(std::string_view file_name, std::string_view text) {
  int line_number = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_number;
    line = TrimSpaces(line);
    if (line.empty() || line.front() == '#') continue;
    auto fields = Split(line, '\t');
    if (fields.size() != 2 || TrimSpaces(fields[0]).empty()) {
      return LineError(file_name, line_number, "expected: from<TAB>to");
    }
    std::vector<std::string> to;
    for (std::string_view w : Split(TrimSpaces(fields[1]), ' ')) {
      if (!w.empty()) to.emplace_back(w);
    }
    normalisations_[std::string(TrimSpaces(fields[0]))] = std::move(to);
  }
  return Ok();
}

Result<void> Lexicon::AddPhrases(std::string_view file_name, std::string_view text) {
  int line_number = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_number;
    line = TrimSpaces(line);
    if (line.empty() || line.front() == '#') continue;
    auto fields = Split(line, '\t');
    if (fields.size() != 2) return LineError(file_name, line_number, "expected: category<TAB>phrase");
    auto category = ParseCategory(TrimSpaces(fields[0]));
    if (!category) return LineError(file_name, line_number, category.error().message);
    Phrase phrase{*category, {}};
    for (std::string_view word : Split(TrimSpaces(fields[1]), ' ')) {
      if (word.empty()) continue;
      std::vector<std::string> alternatives;
      for (std::string_view alt : Split(word, '|')) {
        if (alt.empty()) return LineError(file_name, line_number, "empty alternative");
        // A word the normaliser rewrites never reaches the matcher: the phrase could not match.
        if (normalisations_.contains(std::string(alt))) {
          std::string what(alt);
          what += " is normalised away; write its normal form";
          return LineError(file_name, line_number, what);
        }
        alternatives.emplace_back(alt);
      }
      phrase.words.push_back(std::move(alternatives));
    }
    if (phrase.words.empty()) return LineError(file_name, line_number, "empty phrase");
    const auto& first = phrase.words.front();
    if (first.size() == 1 && (first[0] == "*" || first[0] == "$")) {
      return LineError(file_name, line_number, "a phrase cannot start with * or $");
    }
    auto index = static_cast<std::uint32_t>(phrases_.size());
    for (const std::string& alt : first) phrases_by_first_word_[alt].push_back(index);
    phrases_.push_back(std::move(phrase));
  }
  return Ok();
}

void Lexicon::EmitWord(std::string word, std::uint32_t begin, std::uint32_t end, std::uint16_t clause, bool quoted,
                       std::vector<Token>* out) const {
  // Emphasis: "soooo" -> "soo", "pleeease" -> "pleease"; the normaliser maps the common ones.
  std::string squeezed;
  int run = 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    run = (i > 0 && word[i] == word[i - 1]) ? run + 1 : 1;
    if (run <= kMaxRepeat || static_cast<unsigned char>(word[i]) >= 0x80) squeezed += word[i];
  }
  std::vector<std::string> parts;
  std::size_t apostrophe = squeezed.find('\'');
  if (apostrophe == std::string::npos) {
    parts.push_back(std::move(squeezed));
  } else {
    std::string stem = squeezed.substr(0, apostrophe);
    std::string suffix = squeezed.substr(apostrophe + 1);
    if (suffix == "t" && stem.ends_with('n')) {
      if (stem == "won")
        stem = "will";
      else if (stem == "can")
        stem = "can";
      else if (stem == "shan")
        stem = "shall";
      else
        stem.pop_back();
      parts = {stem, "not"};
    } else if (suffix == "m") {
      parts = {stem, "am"};
    } else if (suffix == "ll") {
      parts = {stem, "will"};
    } else if (suffix == "re") {
      parts = {stem, "are"};
    } else if (suffix == "ve") {
      parts = {stem, "have"};
    } else if (suffix == "d") {
      parts = {stem, "would"};
    } else if (suffix == "s") {
      parts = {stem};
      if (IsPronounForIs(stem)) parts.push_back("is");
    } else {
      parts = {stem + suffix};
    }
  }
  for (std::string& part : parts) {
    if (part.empty()) continue;
    auto it = normalisations_.find(part);
    if (it == normalisations_.end()) {
      out->push_back({std::move(part), begin, end, clause, quoted});
      continue;
    }
    for (const std::string& replacement : it->second) out->push_back({replacement, begin, end, clause, quoted});
  }
}

std::vector<Token> Lexicon::Tokenize(std::string_view text) const {
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 4 + 4);
  std::string word;
  std::uint32_t word_begin = 0;
  std::uint16_t clause = 0;
  bool boundary_pending = false;
  bool quoted = false;
  std::size_t quote_opened_at = 0;
  auto next_clause = [&] {
    if (boundary_pending && !tokens.empty() && tokens.back().clause == clause) ++clause;
    boundary_pending = false;
  };
  auto flush = [&](std::size_t at) {
    if (word.empty()) return;
    next_clause();
    EmitWord(std::move(word), word_begin, static_cast<std::uint32_t>(at), clause, quoted, &tokens);
    word.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    auto [cp, len] = Decode(text, i);
    if (cp < 0x80 && std::isalnum(static_cast<int>(cp))) {
      if (word.empty()) word_begin = static_cast<std::uint32_t>(i);
      word += static_cast<char>(std::tolower(static_cast<int>(cp)));
    } else if (IsApostrophe(cp) && !word.empty() && i + len < text.size() &&
               std::isalpha(static_cast<unsigned char>(text[i + len]))) {
      word += '\'';
    } else if (IsWordLetter(cp)) {
      if (word.empty()) word_begin = static_cast<std::uint32_t>(i);
      word.append(text.substr(i, len));
    } else if (IsIgnorable(cp)) {
      // Nothing: part of the symbol before it.
    } else {
      flush(i);
      if (IsClauseEnd(cp)) {
        boundary_pending = true;
        // A quotation never runs past a line: a stray quote mark must not silence a whole post.
        if (cp == '\n') quoted = false;
      } else if (IsQuote(cp)) {
        quoted = !quoted;
        if (quoted) quote_opened_at = tokens.size();
      } else if (cp >= 0x2000) {
        auto it = normalisations_.find(std::string(text.substr(i, len)));
        if (it != normalisations_.end()) {
          next_clause();
          for (const std::string& name : it->second) {
            tokens.push_back({name, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + len), clause, false});
          }
        }
      }
    }
    i += len;
  }
  flush(text.size());
  // An unclosed quote mark is a typo, not a quotation.
  if (quoted) {
    for (std::size_t k = quote_opened_at; k < tokens.size(); ++k) tokens[k].quoted = false;
  }
  return tokens;
}

bool Lexicon::MatchesAt(const Phrase& phrase, const std::vector<Token>& tokens, std::size_t at,
                        std::uint32_t* last) const {
  std::size_t pos = at;
  const std::uint16_t clause = tokens[at].clause;
  for (const auto& alternatives : phrase.words) {
    if (alternatives.size() == 1 && alternatives[0] == "$") {
      if (pos < tokens.size() && tokens[pos].clause == clause) return false;
      continue;
    }
    if (pos >= tokens.size() || tokens[pos].clause != clause) return false;
    if (!(alternatives.size() == 1 && alternatives[0] == "*")) {
      bool any = false;
      for (const std::string& alt : alternatives) any = any || alt == tokens[pos].text;
      if (!any) return false;
    }
    ++pos;
  }
  *last = static_cast<std::uint32_t>(pos);
  return true;
}

std::vector<Match> Lexicon::MatchAll(const std::vector<Token>& tokens) const {
  std::vector<Match> matches;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto it = phrases_by_first_word_.find(tokens[i].text);
    if (it == phrases_by_first_word_.end()) continue;
    for (std::uint32_t index : it->second) {
      std::uint32_t last = 0;
      if (MatchesAt(phrases_[index], tokens, i, &last)) {
        matches.push_back({phrases_[index].category, static_cast<std::uint32_t>(i), last});
      }
    }
  }
  return matches;
}

Result<Lexicon> LoadEmbeddedLexicon() {
  Lexicon lexicon;
  // Normalisations first: the phrase loader checks phrases against them.
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < embedded::kEmbeddedFileCount; ++i) {
      auto [name, text] = embedded::kEmbeddedFiles[i];
      if (!name.starts_with("lexicon/") || !name.ends_with(".tsv")) continue;
      if (name.ends_with(kModelFile)) continue;  // weights, not phrases: LoadEmbeddedModel reads it
      bool is_normalisation = name.ends_with("normalise.tsv");
      if (pass == 0 && is_normalisation) {
        if (auto r = lexicon.AddNormalisations(name, text); !r) return std::move(r).error();
      } else if (pass == 1 && !is_normalisation) {
        if (auto r = lexicon.AddPhrases(name, text); !r) return std::move(r).error();
      }
    }
  }
  return lexicon;
}

}  // namespace kindred::safety::internal
