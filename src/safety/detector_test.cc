#include "safety/detector.h"

#include <gtest/gtest.h>

#include <chrono>

#include "safety/detector_internal.h"

namespace kindred::safety {
namespace {

struct Case {
  std::string_view text;
  Level level;
  std::string_view cue;  // a cue that must be among the reasons (raising or lowering)
};

bool HasCue(const Assessment& a, std::string_view name) {
  for (const Cue& c : a.cues) {
    if (c.name == name) return true;
  }
  return false;
}

std::string Describe(const Assessment& a) {
  std::string out(LevelName(a.level));
  for (const Cue& c : a.cues) out += std::string(" ") + (c.raises ? "+" : "-") + c.name + "(" + c.evidence + ")";
  return out;
}

// The rule stage alone, over the embedded lexicons: the DetectorTest cases pin what each cue and
// each lowering cue does. The shipped cascade (rules, then the learned stage, which may weigh a
// post otherwise) is held to its figures by evaluation_test.cc; its mechanism by ModelTest below.
const Detector& Rules() {
  static const internal::RuleDetector* rules = [] {
    auto lexicon = internal::LoadEmbeddedLexicon();
    return new internal::RuleDetector(lexicon.ok() ? std::move(lexicon).value() : internal::Lexicon());
  }();
  return *rules;
}

void Check(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    Assessment a = Rules().Assess(c.text);
    EXPECT_EQ(a.level, c.level) << c.text << " -> " << Describe(a);
    if (!c.cue.empty()) {
      EXPECT_TRUE(HasCue(a, c.cue)) << c.text << " lacks " << c.cue << ": " << Describe(a);
    }
  }
}

TEST(LexiconTest, EmbeddedLexiconLoads) {
  auto lexicon = internal::LoadEmbeddedLexicon();
  ASSERT_TRUE(lexicon.ok()) << lexicon.error().message;
}

TEST(LexiconTest, BadLinesAreNamed) {
  internal::Lexicon lexicon;
  ASSERT_TRUE(lexicon.AddNormalisations("n.tsv", "kms\tkill myself\n").ok());
  auto r = lexicon.AddPhrases("r.tsv", "# comment\nsuicide\tkms tonight\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("r.tsv line 2"), std::string::npos) << r.error().message;
  EXPECT_FALSE(lexicon.AddPhrases("r.tsv", "feelings\tsad\n").ok());
  EXPECT_FALSE(lexicon.AddPhrases("r.tsv", "suicide\t* myself\n").ok());
}

TEST(LexiconTest, NormalisesContractionsSlangEmojiAndEmphasis) {
  auto lexicon = internal::LoadEmbeddedLexicon();
  ASSERT_TRUE(lexicon.ok());
  auto words = [&](std::string_view text) {
    std::string out;
    for (const auto& t : lexicon->Tokenize(text)) out += (out.empty() ? "" : " ") + t.text;
    return out;
  };
  EXPECT_EQ(words("I’m gonna KMS rn"), "i am going to kill myself right now");
  EXPECT_EQ(words("don't won't can't she's"), "do not will not can not she is");
  EXPECT_EQ(words("soooo tired 💊💊"), "so tired emoji_pill emoji_pill");
  EXPECT_EQ(words("sucidal tonite"), "suicidal tonight");
  auto tokens = lexicon->Tokenize("one. two \"three\" four");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].clause, 0);
  EXPECT_EQ(tokens[1].clause, 1);
  EXPECT_TRUE(tokens[2].quoted);
  EXPECT_FALSE(tokens[3].quoted);
  // An unclosed quote mark is a typo, not a quotation.
  EXPECT_FALSE(lexicon->Tokenize("i want \"to die")[3].quoted);
}

TEST(DetectorTest, LevelNames) {
  EXPECT_EQ(LevelName(Level::kCrisis), "crisis");
  EXPECT_EQ(LevelName(Level::kConcern), "concern");
  EXPECT_EQ(LevelName(Level::kNone), "none");
}

TEST(DetectorTest, RaisingCues) {
  Check({
      {"i'm going to kill myself", Level::kCrisis, "suicidal_thoughts"},
      {"i want to die", Level::kCrisis, "wish_to_die"},
      {"i have decided, i will do it when everyone is out. i cant take it any more", Level::kCrisis, "intent"},
      {"i have a plan", Level::kCrisis, "plan"},
      {"got the rope, doing it tonight", Level::kCrisis, "method"},
      {"the pills are in front of me right now", Level::kCrisis, "time"},
      {"this is my last post. sorry for everything", Level::kCrisis, "goodbye"},
      {"cutting again and i can't stop", Level::kCrisis, "self_harm_now"},
      {"i just took 20 pills", Level::kCrisis, "attempt_now"},
      {"my friend said she is going to kill herself tonight", Level::kCrisis, "third_party"},
      {"my sister wants to die and she is not answering her phone", Level::kCrisis, "third_party"},
      {"some days i wish i was dead", Level::kConcern, "passive_wish"},
      {"everything is hopeless", Level::kConcern, "hopelessness"},
      {"they would be better off without me", Level::kConcern, "burden"},
      {"i attempted suicide in 2019 and lately i'm scared it's coming back", Level::kConcern, "past_attempt"},
  });
}

TEST(DetectorTest, SlangMisspellingsEmojiAndRunOns) {
  Check({
      {"kms", Level::kCrisis, "suicidal_thoughts"},
      {"gonna unalive myself", Level::kCrisis, "suicidal_thoughts"},
      {"thinking about sewer slide tbh", Level::kCrisis, "suicidal_thoughts"},
      {"might self delete", Level::kCrisis, "suicidal_thoughts"},
      {"gonna off myself", Level::kCrisis, "suicidal_thoughts"},
      {"i just want to end it all", Level::kCrisis, "suicidal_thoughts"},
      {"im so sucidal tonite", Level::kCrisis, "time"},
      {"idk anymore im just gonna take all my pills 💊", Level::kCrisis, "method"},
      {"honestly i dont see the point in anything i am so tired of living and nobody would even notice if i was gone",
       Level::kConcern, "passive_wish"},
      {"wish i could sleep and not wake up", Level::kConcern, "passive_wish"},
      {"going tonight 🪦 sorry for everything", Level::kCrisis, "method"},
  });
}

TEST(DetectorTest, LoweringCues) {
  Check({
      {"i'm not suicidal, just tired", Level::kNone, "negation"},
      {"my therapist asked if i had thoughts of killing myself and i said no", Level::kNone, "negation"},
      {"two years ago i tried to kill myself. now i'm doing well", Level::kNone, "past_or_recovery"},
      {"she said \"i want to die\" in the film", Level::kNone, "quotation"},
      {"this week is killing me", Level::kNone, ""},
      {"I'd die for a coffee", Level::kNone, ""},
      {"killed it at work today", Level::kNone, ""},
      {"I could just die of embarrassment", Level::kNone, ""},
      {"dying to see you", Level::kNone, ""},
      {"we watched 13 reasons why", Level::kNone, ""},
      {"suicide squad was fun", Level::kNone, ""},
      {"finally killed the boss lol", Level::kNone, ""},
      {"killing myself over and over on this level", Level::kNone, "game"},
      {"is it possible to overdose on vitamin d", Level::kNone, "medical"},
      {"the doctor said to cut my dose", Level::kNone, ""},
      {"cut my hair and chopped onions", Level::kNone, ""},
      {"if you're thinking of suicide please call 988", Level::kNone, ""},
      {"if you ever feel suicidal, text HOME to 741741", Level::kNone, "supporting_other"},
      {"the article on suicidal teens was good", Level::kNone, "news"},
      {"i want to die lol my hair is orange", Level::kNone, "joke"},
      {"this is killing my feet", Level::kNone, ""},
  });
}

TEST(DetectorTest, SupportiveReplyStillCountsTheWritersOwnRisk) {
  Check({
      {"please call 988 if you need to. i feel the same, i'm going to kill myself tonight", Level::kCrisis,
       "suicidal_thoughts"},
  });
}

TEST(DetectorTest, GenericWordsNeedAnotherCue) {
  Check({
      {"i'm going to do it tonight, finally cleaning the garage", Level::kNone, ""},
      {"nothing ever changes. i'm going to do it tonight", Level::kCrisis, "intent"},
  });
}

TEST(DetectorTest, ThirdPartyWithoutUrgencyIsNone) {
  Check({{"my ex used to say he'd kill himself if i left", Level::kNone, ""}});
}

// "take them all" refers back to a means named a few clauses before; without one, or when the
// means is a prescription, it is nothing.
TEST(DetectorTest, PronounRefersBackToMeansNamedEarlier) {
  Check({
      {"I have been saving my pills and I am going to take them all tonight. I just wanted to say goodbye.",
       Level::kCrisis, "method"},
      {"i'm so tired. i have the vodka and my mum's sleeping pills. i'm going to have them together tonight.",
       Level::kCrisis, "method"},
      {"im going to take them all tonight", Level::kNone, ""},
      {"I signed up for five courses and I'm going to take them all this term, am I crazy?", Level::kNone, ""},
      {"My doctor put me on three new tablets and says to take them all together in the morning", Level::kNone,
       "medical"},
  });
  Assessment a = Rules().Assess("got my pills here. going to swallow them all tonight");
  bool quoted_both = false;
  for (const Cue& c : a.cues) quoted_both = quoted_both || c.evidence == "pills ... swallow them all";
  EXPECT_TRUE(quoted_both) << Describe(a);
}

TEST(DetectorTest, IntentMeansAndTimeCombineAcrossSentences) {
  Check({
      {"I can't do this anymore. I have been saving my pills and I am going to take them all tonight.", Level::kCrisis,
       "plan"},
      {"The rope is in the garage. I checked that it holds. I don't think I can wait much longer.", Level::kCrisis,
       "method"},
      {"the gun is loaded and on the table in front of me", Level::kCrisis, "method"},
  });
}

TEST(DetectorTest, GoodbyeWithMeansOrPreparationIsCrisis) {
  Check({
      {"not gonna be here much longer. giving my cat to my neighbour tomorrow", Level::kCrisis, "goodbye"},
      {"The pills are in my pocket. I'm going for a walk and I'm not coming back.", Level::kCrisis, "goodbye"},
      {"final post. thank you to the few people here who were kind to me. i'm sorry.", Level::kCrisis, "goodbye"},
      {"tonight im finally ending it. sorry mum", Level::kCrisis, "intent"},
      {"Final post of my 30-day gratitude challenge! Thanks for following along.", Level::kNone, ""},
      {"I said goodbye to my old flat today, moving into a new place tomorrow.", Level::kNone, ""},
  });
}

TEST(DetectorTest, PreparationNeedsASecondSign) {
  Check({
      {"I gave away my guitar and my books this week. Sorted out my bank stuff. I'm ready now.", Level::kCrisis,
       "plan"},
      {"I gave away my old clothes to charity today, feels good to declutter", Level::kNone, ""},
      {"Giving my cat to my neighbour for the week while I'm on holiday, any tips?", Level::kNone, ""},
  });
}

// "lately" or "scared" are distress only beside a past attempt; alone they name no cue.
TEST(DetectorTest, DistressWordsAloneAreNoPastAttempt) {
  Assessment a = Rules().Assess("Lately I feel like such a burden to my family");
  EXPECT_EQ(a.level, Level::kConcern);
  EXPECT_FALSE(HasCue(a, "past_attempt")) << Describe(a);
  Check({{"I tried to kill myself two years ago and lately I've been feeling the same way again.", Level::kConcern,
          "past_attempt"}});
}

TEST(DetectorTest, ThirdPartyPhrasesNeedSomeoneElseAsSubject) {
  Check({
      {"my best friend just sent me a text saying sorry for everything and she's not picking up", Level::kCrisis,
       "third_party"},
      {"My friend posted that she's saying goodbye to everyone and she has her dad's gun. I can't reach her.",
       Level::kCrisis, "third_party"},
      {"my flatmate took pills for her migraine and went to bed", Level::kNone, ""},
  });
}

TEST(DetectorTest, AttemptWithARoughCount) {
  Check(
      {{"i took like 30 of my sleeping pills about an hour ago. i feel really weird", Level::kCrisis, "attempt_now"}});
}

TEST(DetectorTest, NotKnowingWhyNegatesNothing) {
  Check({{"idk why i'm even still here tbh", Level::kConcern, "passive_wish"}});
}

// The upside-down face marks irony or masking far more often than laughter.
TEST(DetectorTest, IronicEmojiIsNoJoke) {
  Check({{"I bought a rope today 🙃 won't need it for long", Level::kCrisis, "method"}});
}

TEST(DetectorTest, MoreIdiomsAndNews) {
  Check({
      {"I hope I don't wake up late for my interview tomorrow, setting three alarms.", Level::kNone, ""},
      {"A local man died after jumping from the bridge on Tuesday, police said.", Level::kNone, ""},
      {"In my psychology class we discussed risk factors for self-harm in teenagers.", Level::kNone, ""},
      {"self harming right now and i dont want to stop", Level::kCrisis, "self_harm_now"},
  });
}

TEST(DetectorTest, EvidenceQuotesTheWrittenWords) {
  Assessment a = Rules().Assess("I’m gonna KMS tonight");
  ASSERT_TRUE(HasCue(a, "suicidal_thoughts"));
  for (const Cue& c : a.cues) {
    if (c.name == "suicidal_thoughts") {
      EXPECT_EQ(c.evidence, "KMS");
    } else if (c.name == "time") {
      EXPECT_EQ(c.evidence, "tonight");
    }
  }
}

TEST(DetectorTest, HandlesEmptyAndOddInput) {
  EXPECT_EQ(Detector::Default().Assess("").level, Level::kNone);
  EXPECT_EQ(Detector::Default().Assess("\xff\xfe\"\"...").level, Level::kNone);
  EXPECT_EQ(Detector::Default().Assess(std::string(100000, 'a')).level, Level::kNone);
}

// Issue 4 asks for well under a millisecond for a typical post; Debug builds are slower, so the
// bound here is loose and the real figure comes from bench/safety/run.
TEST(DetectorTest, IsFastEnough) {
  constexpr auto kBudget = std::chrono::milliseconds(1);
  std::string post =
      "honestly i don't know why i'm posting. work has been killing me and i feel like such a burden on my "
      "family. my therapist says it gets better but some days i wish i could just not wake up.";
  auto start = std::chrono::steady_clock::now();
  constexpr int kRuns = 100;
  for (int i = 0; i < kRuns; ++i) (void)Detector::Default().Assess(post);
  EXPECT_LT((std::chrono::steady_clock::now() - start) / kRuns, kBudget);
}

// The learned stage (model.cc). These tests pin the mechanism with a small hand-written model
// (the rules' verdict weighs heavily, a few words push either way), so they hold whatever the
// shipped lexicon/model.tsv learned.
constexpr std::string_view kTinyModel =
    "# a hand-written model for the tests\n"
    "crisis\t__bias__\t-3\n"
    "crisis\t__threshold__\t0.8\n"
    "crisis\tr:crisis\t6\n"
    "crisis\tw:overpass\t5\n"
    "crisis\tb:the_noose\t4.5\n"
    "crisis\tw:death\t6\n"
    "crisis\tw:karaoke\t-12\n"
    "any\t__bias__\t-3\n"
    "any\t__threshold__\t0.8\n"
    "any\tr:crisis\t6\n"
    "any\tr:concern\t6\n"
    "any\tw:drain\t4.5\n"
    "any\tw:karaoke\t-12\n";

// Words that make a post long (not IsShortPost), so the long-post thresholds apply.
constexpr std::string_view kEverydayOpening = "work was the usual grind today and my manager was on at me again about the rota. ";

internal::RuleDetector TinyModelDetector() {
  auto lexicon = internal::LoadEmbeddedLexicon();
  internal::LinearModel model;
  EXPECT_TRUE(model.Load("tiny.tsv", kTinyModel).ok());
  return internal::RuleDetector(lexicon.ok() ? std::move(lexicon).value() : internal::Lexicon(), std::move(model));
}

TEST(ModelTest, EmbeddedModelLoads) {
  auto model = internal::LoadEmbeddedModel();
  ASSERT_TRUE(model.ok()) << model.error().message;
  // The lexicon loader must not read the weights as phrases.
  EXPECT_TRUE(internal::LoadEmbeddedLexicon().ok());
}

TEST(ModelTest, LoadsHeadsAndNamesBadLines) {
  internal::LinearModel model;
  ASSERT_TRUE(model.Load("tiny.tsv", kTinyModel).ok());
  EXPECT_DOUBLE_EQ(model.crisis().bias, -3);
  EXPECT_DOUBLE_EQ(model.crisis().threshold, 0.8);
  EXPECT_DOUBLE_EQ(model.any().weights.at("w:drain"), 4.5);
  auto bad = internal::LinearModel().Load("m.tsv", "crisis\tw:x\tmany\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("m.tsv:1"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(internal::LinearModel().Load("m.tsv", "other\tw:x\t1\n").ok());
}

TEST(ModelTest, RaisesWhatTheRulesMissedOnALongPostWithAVisibleCue) {
  auto detector = TinyModelDetector();
  for (std::string_view risk : {"standing on the overpass right now. cars are loud", "I drove past the overpass an hour back"}) {
    std::string text = std::string(kEverydayOpening) + std::string(risk);
    Assessment a = detector.Assess(text);
    EXPECT_EQ(a.level, Level::kCrisis) << text << ": " << Describe(a);
    ASSERT_TRUE(HasCue(a, "model")) << Describe(a);
  }
  Assessment a = detector.Assess(std::string(kEverydayOpening) + "standing on the Overpass right now");
  ASSERT_FALSE(a.cues.empty());
  EXPECT_EQ(a.cues.back().name, "model");
  EXPECT_EQ(a.cues.back().evidence, "Overpass");  // the written word, for the moderator
  Assessment concern = detector.Assess(std::string(kEverydayOpening) + "i'm a drain on everyone who knows me");
  EXPECT_EQ(concern.level, Level::kConcern) << Describe(concern);
  // Without the model the same detector misses it: the stage is what raised it.
  auto lexicon = internal::LoadEmbeddedLexicon();
  ASSERT_TRUE(lexicon.ok());
  internal::RuleDetector rules(std::move(lexicon).value());
  EXPECT_EQ(rules.Assess(std::string(kEverydayOpening) + "standing on the overpass right now. cars are loud").level,
            Level::kNone);
}

TEST(ModelTest, OnAShortPostTheRulesDecide) {
  auto detector = TinyModelDetector();
  for (std::string_view text : {"standing on the overpass right now. cars are loud",
                                "the overpass scene in that movie was wild lol",
                                "five years ago I stood on an overpass; today I am doing well"}) {
    Assessment a = detector.Assess(text);
    EXPECT_EQ(a.level, Level::kNone) << text << ": " << Describe(a);
    EXPECT_FALSE(HasCue(a, "model")) << Describe(a);
  }
  Assessment a = detector.Assess("i want to kill myself tonight, karaoke or not");
  EXPECT_EQ(a.level, Level::kCrisis) << Describe(a);
  EXPECT_FALSE(HasCue(a, "model"));
}

TEST(ModelTest, ShortPostThresholdsLetTheModelDecideShortPosts) {
  auto lexicon = internal::LoadEmbeddedLexicon();
  ASSERT_TRUE(lexicon.ok());
  internal::LinearModel model;
  ASSERT_TRUE(model.Load("tiny.tsv", std::string(kTinyModel) +
                                         "crisis\t__short_threshold__\t0.9\n"
                                         "any\t__short_threshold__\t0.9\n")
                  .ok());
  EXPECT_TRUE(model.decides_short_posts());
  internal::RuleDetector detector(std::move(lexicon).value(), std::move(model));
  // Raised past the short-post threshold; "overpass" alone (p = 0.88) would pass the long-post
  // 0.8 but not the short-post 0.9...
  Assessment raised = detector.Assess("the overpass. death");
  EXPECT_EQ(raised.level, Level::kCrisis) << Describe(raised);
  EXPECT_TRUE(HasCue(raised, "model")) << Describe(raised);
  Assessment held = detector.Assess("standing on the overpass");
  EXPECT_EQ(held.level, Level::kNone) << Describe(held);
  // ...and a rules' reading the model weighs as safe is lowered, with the word that outweighed it.
  Assessment lowered = detector.Assess("i want to kill myself tonight, karaoke or not");
  EXPECT_EQ(lowered.level, Level::kNone) << Describe(lowered);
  ASSERT_FALSE(lowered.cues.empty());
  EXPECT_EQ(lowered.cues.back().name, "model");
  EXPECT_FALSE(lowered.cues.back().raises);
}

TEST(ModelTest, IdiomWordsAreNotTheModelsEvidence) {
  auto detector = TinyModelDetector();
  // "death" weighs heavily in the tiny model, but inside the idiom the model never sees it.
  std::string text = std::string(kEverydayOpening) + "honestly this commute is going to be the death of me";
  Assessment a = detector.Assess(text);
  EXPECT_EQ(a.level, Level::kNone) << Describe(a);
  EXPECT_FALSE(HasCue(a, "model")) << Describe(a);
}

TEST(ModelTest, OnALongPostTheModelWeighsTheRulesVerdict) {
  auto detector = TinyModelDetector();
  // The rules' crisis carries the model along...
  Assessment kept = detector.Assess(std::string(kEverydayOpening) + "i want to kill myself tonight");
  EXPECT_EQ(kept.level, Level::kCrisis) << Describe(kept);
  // ...unless the rest of the post weighs against it (here, a word the tiny model distrusts).
  Assessment lowered = detector.Assess(std::string(kEverydayOpening) + "i want to kill myself tonight, karaoke");
  EXPECT_EQ(lowered.level, Level::kNone) << Describe(lowered);
  ASSERT_FALSE(lowered.cues.empty());
  EXPECT_EQ(lowered.cues.back().name, "model");
  EXPECT_FALSE(lowered.cues.back().raises);
  EXPECT_EQ(lowered.cues.back().evidence, "karaoke");
}

}  // namespace
}  // namespace kindred::safety
