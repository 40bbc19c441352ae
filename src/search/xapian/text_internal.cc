#include "search/xapian/text_internal.h"

#include <algorithm>
#include <unordered_set>

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

const std::vector<std::vector<std::string>>& SynonymGroups() {
  static const std::vector<std::vector<std::string>> kGroups = {
      {"therapy", "counselling", "counseling", "psychotherapy", "therapist", "counsellor", "counselor", "cbt"},
      {"session", "appointment"},
      {"gp", "doctor", "psychiatrist", "prescriber"},
      {"medication", "meds", "tablets", "pills", "medicine", "prescription"},
      {"antidepressant", "antidepressants", "ssri", "ssris", "sertraline", "citalopram", "fluoxetine", "venlafaxine"},
      {"mum", "mother", "mom", "mam", "mummy"},
      {"dad", "father", "daddy"},
      {"nan", "nana", "gran", "granny", "grandma", "grandmother"},
      {"grandad", "granddad", "grandpa", "grandfather"},
      {"husband", "wife", "partner", "spouse", "boyfriend", "girlfriend", "hubby", "fiance", "fiancee"},
      {"baby", "newborn", "infant"},
      {"train", "tube", "underground", "commute", "commuting"},
      {"children", "kids", "child", "son", "daughter"},
      {"died", "passed", "death", "dying", "dead"},
      {"grief", "grieving", "mourning", "bereavement", "bereaved", "loss"},
      {"anxiety", "anxious", "nervous", "nerves", "worry", "worried", "uneasy", "tense"},
      {"panic", "panicking"},
      {"sleep", "insomnia", "asleep", "sleeping"},
      {"awake", "waking", "wake"},
      {"nightmares", "dreams"},
      {"exhausted", "tired", "drained", "exhaustion", "worn", "fatigue", "shattered"},
      {"cry", "crying", "tears", "teary", "tearful", "sob", "sobbing"},
      {"dementia", "alzheimer's", "alzheimers"},
      {"carer", "caregiver", "caring", "carers"},
      {"respite", "break"},
      {"job", "work", "workplace", "employer", "office"},
      {"colleague", "coworker", "co-worker"},
      {"manager", "boss"},
      {"christmas", "holidays", "festive"},
      {"phone", "call", "calls", "ring", "calling"},
      {"online", "video", "zoom", "remote"},
      {"alcohol", "drinking", "drink", "wine", "beer"},
      {"numb", "flat", "blunting", "empty"},
      {"angry", "anger", "temper", "snapped", "frustrated", "frustration", "shouted"},
      {"redundant", "redundancy", "fired", "sacked", "unemployed"},
      {"burnout", "burnt", "burned"},
      {"fraud", "imposter", "impostor"},
      {"guilt", "guilty"},
      {"lonely", "loneliness", "isolated", "isolation", "alone"},
      {"scared", "afraid", "frightened", "terrified", "fear"},
      {"stop", "end", "finish", "ending", "quit"},
      {"symptoms", "symptom"},
      {"google", "googling", "internet"},
      {"party", "parties", "socials", "gatherings", "events"},
      {"pregnant", "pregnancy"},
      {"depression", "depressed"},
  };
  return kGroups;
}

}  // namespace kindred::search::internal
