// Internals of the crisis-language detector, exposed for its tests and benchmark only: the
// normaliser that turns a post into a token stream, and the phrase matcher over that stream.
// The lexicons (src/safety/lexicon/*.tsv) are data; this file knows only their format.
// Thread-safety: every type here is immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "safety/detector.h"

namespace kindred::safety::internal {

// One word of the normalised stream: lowercase ASCII (or the word's own UTF-8 bytes), contractions
// split ("don't" -> "do" "not"), slang and misspellings replaced ("kms" -> "kill" "myself"),
// emoji named ("💊" -> "emoji_pill").
struct Token {
  std::string text;
  std::uint32_t begin = 0;  // byte offsets of the written word in the original text, for evidence
  std::uint32_t end = 0;
  std::uint16_t clause = 0;  // clauses end at . ! ? ; : … and line breaks
  bool quoted = false;       // inside "double quotes": someone else's words, a title, a term
};

// Every lexicon category; the `Category` column of the lexicon files spells these names.
enum class Category : std::uint8_t {
  // Raising: the act itself, spoken of in the first person.
  kSuicide,       // "kill myself", "end my life", "suicidal", "kms", "sewer slide"
  kGenericAct,    // "do it", "end it", "go through with it": risky only beside another cue
  kWishToDie,     // present-tense "i want to die"
  kIntent,        // "going to", "decided", "ready", "can not stop thinking about"
  kPlan,          // "have a plan", "wrote my note", "everything is ready"
  kMethod,        // "the rope", "all my pills", "jump off", "into oncoming traffic"
  kTime,          // "tonight", "right now", "after everyone is asleep"
  kGoodbye,       // "this is my last post", "goodbye everyone"
  kGoodbyeWeak,   // "i am sorry", "take care of", "thank you for everything": only beside goodbye
  kSelfHarmNow,   // "cut again", "self harming right now", "the urge to cut"
  kAttemptNow,    // "took a bunch of pills", "swallowed a whole packet"
  kThirdParty,    // "she is going to kill herself", "he wants to die"
  kUrgency,       // "not answering", "locked", "home alone": only beside third_party
  kPassiveWish,   // "wish i was dead", "never wake up", "stop existing"
  kHopelessness,  // "no point in living", "hopeless", "no way out"
  kBurden,        // "better off without me", "a burden", "no one would miss me"
  kPastAttempt,   // "tried to kill myself", "used to cut", "my scars"
  kDistressNow,   // "lately", "scared", "coming back": turns a past attempt into concern
  kMeans,         // "pills", "rope", "gun": a means named bare; raises only beside the act, a plan or
                  // a goodbye, or when a later "take them all" refers back to it
  kMeansRef,      // "take them all", "swallow them", "use it": the act on a means named earlier
  kPreparation,   // "gave away my", "giving my cat to", "sorted out my affairs": C-SSRS preparatory
                  // behaviour; raises only beside another cue or a second preparation
  kVeiledAct,     // "end it", "go through with it", "ctb": the act without its name; unlike "do it" it
                  // stands alone as concern and is crisis beside intent, a time, a means or secrecy
  kAtHand,        // "in my hand", "next to me", "out of the safe": a means named bare beside it is a
                  // method ready to use (C-SSRS preparatory behaviour)
  kConcealment,   // "while everyone sleeps", "so nobody notices": secrecy around an act (Crisis Text
                  // Line: planning around others' absence marks imminence); only sharpens another cue
  // Lowering.
  kIdiom,         // masks its words: "killing me", "dying to", "to death"
  kMediaTitle,    // masks its words: "13 reasons why", "suicide squad"
  kNegation,      // "not", "never": within a few words before a cue
  kDenial,        // "asked if", "asked me whether": a question put to the writer, not a statement
  kHedge,         // "sometimes", "part of me": turns "want to die" into a passive wish
  kPast,          // "years ago", "used to", "back when"
  kRecent,        // "an hour ago", "just now": overrides kPast
  kRecovery,      // "doing well", "clean", "it gets better", "glad i am still here"
  kJoke,          // "lol", "haha", "emoji_laugh": lowers hyperbole, never a plan
  kGame,          // "boss", "level", "respawn"
  kMedical,       // "dose", "pharmacist", "vitamin"
  kNews,          // "article", "study", "statistics", "essay"
  kSupport,       // "please call", "reach out", "988", "samaritans": help offered to another
  kSecondPerson,  // "you", "your": the clause speaks to someone else
  kFirstPerson,   // "i", "me", "my"
  kOtherPerson,   // "she", "he", "my friend": the nearest subject decides whose risk it is
  kCount,
};

Result<Category> ParseCategory(std::string_view name);
std::string_view CategoryName(Category category);

// A phrase of the lexicon: each position holds alternatives ("kill|killing"), "*" matches any one
// word, "$" matches the end of a clause without consuming a word.
struct Phrase {
  Category category;
  std::vector<std::vector<std::string>> words;
};

struct Match {
  Category category;
  std::uint32_t first = 0;  // token range [first, last)
  std::uint32_t last = 0;
};

class Lexicon {
 public:
  // Reads "category<TAB>phrase" lines (# comments, blank lines) and "from<TAB>to" normalisation
  // lines. Errors name the file and line.
  Result<void> AddPhrases(std::string_view file_name, std::string_view text);
  Result<void> AddNormalisations(std::string_view file_name, std::string_view text);

  std::vector<Token> Tokenize(std::string_view text) const;
  // Every phrase matching at every position, in order of position.
  std::vector<Match> MatchAll(const std::vector<Token>& tokens) const;

 private:
  bool MatchesAt(const Phrase& phrase, const std::vector<Token>& tokens, std::size_t at, std::uint32_t* last) const;
  void EmitWord(std::string word, std::uint32_t begin, std::uint32_t end, std::uint16_t clause, bool quoted,
                std::vector<Token>* out) const;

  std::vector<Phrase> phrases_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> phrases_by_first_word_;
  std::unordered_map<std::string, std::vector<std::string>> normalisations_;
};

// One feature of the learned stage, with the tokens it came from (for the moderator's evidence).
struct Feature {
  std::string name;  // "w:plan" (word), "b:the_rope" (two words in one clause), "c:kMethod" (lexicon cue)
  std::uint32_t first = 0;  // token range [first, last); empty for cue features
  std::uint32_t last = 0;
};

// The features the learned stage sees: the normalised words and adjacent pairs within a clause
// (quoted words left out: someone else's words) and the name of every lexicon category matched.
// Shared by the detector and the trainer (train_model.cc) so both see the same thing.
std::vector<Feature> ModelFeatures(const std::vector<Token>& tokens, const std::vector<Match>& matches);

// The second stage of the cascade (SAFETY.md: keywords, then logistic regression, as in CMD-1):
// two one-vs-rest logistic heads over ModelFeatures, "crisis" and "any" (crisis or concern).
// Trained offline by train_model.cc into lexicon/model.tsv; see lexicon/README.md.
class LinearModel {
 public:
  struct Head {
    std::unordered_map<std::string, double> weights;
    double bias = 0;
    double threshold = 1;  // probability above which the head may raise; 1 never raises
    // The same for a short post (IsShortPost): a few words are weighed against other short posts,
    // so the trainer chooses this pair apart from the long-post pair.
    double short_threshold = 1;
    double ThresholdFor(int words) const;
  };
  // Reads "head<TAB>feature<TAB>weight" lines; the features "__bias__", "__threshold__" and
  // "__short_threshold__" carry the head's bias and thresholds. Errors name the file and line.
  Result<void> Load(std::string_view file_name, std::string_view text);
  bool empty() const { return crisis_.weights.empty() && any_.weights.empty(); }
  // Whether the file gave short-post thresholds; without them short posts are the rules' alone.
  bool decides_short_posts() const { return decides_short_posts_; }
  static double Probability(const Head& head, const std::vector<Feature>& features);
  const Head& crisis() const { return crisis_; }
  const Head& any() const { return any_; }
  Head& mutable_head(std::string_view name) { return name == "crisis" ? crisis_ : any_; }

 private:
  Head crisis_;
  Head any_;
  bool decides_short_posts_ = false;
};

// What the learned stage needs of the rules' reading: their level, whether they lowered a cue of
// their own, and how long the post is.
struct RulesReading {
  Level level = Level::kNone;
  bool lowered_a_cue = false;  // a negation, denial, past story, joke... lowered one of their cues
  int words = 0;                // normalised words in the post
};
RulesReading ReadingOf(const Assessment& rules);
// The model's feature for the rules' verdict: it weighs the rules as one witness among the words.
std::string RulesFeature(Level rules);
// A post of fewer than kShortPostWords normalised words (model.cc says why).
bool IsShortPost(int words);
// The level the cascade settles on, given whether each head passed its threshold for the post's
// length (Head::ThresholdFor): the model decides, weighing the rules' verdict as one feature (it
// may raise a post the rules missed or lower one the rest of the post outweighs); a rules' crisis
// stays crisis while the "any" head sees risk.
Level CombinedLevel(const RulesReading& rules, bool crisis_head_above, bool any_head_above);

// The rule cascade over a Lexicon, then (when a model is given) the learned stage, which reads
// the rules' verdict and cues (lowering ones included) among its features and settles the level
// (CombinedLevel), naming the words that weighed most as the cue "model".
// Detector::Default() is one of these over the embedded files.
class RuleDetector final : public Detector {
 public:
  explicit RuleDetector(Lexicon lexicon, LinearModel model = {})
      : lexicon_(std::move(lexicon)), model_(std::move(model)) {}
  Assessment Assess(std::string_view text) const override;

 private:
  void ApplyModel(std::string_view text, const std::vector<Token>& tokens, const std::vector<Match>& matches,
                  Assessment* assessment) const;

  Lexicon lexicon_;
  LinearModel model_;
};

// The learned stage's weights, embedded beside the lexicons; the lexicon loader skips it.
inline constexpr std::string_view kModelFile = "lexicon/model.tsv";

// Builds the detector from the embedded lexicon files; an error names the bad line.
Result<Lexicon> LoadEmbeddedLexicon();
// The embedded lexicon/model.tsv, or an empty model (the learned stage off) when none is shipped.
Result<LinearModel> LoadEmbeddedModel();

}  // namespace kindred::safety::internal
