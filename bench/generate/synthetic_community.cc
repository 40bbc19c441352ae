#include "synthetic_community.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace kindred::bench {
namespace {

struct CategorySeed {
  const char* name;
  std::vector<std::string> nouns;  // what threads in it talk about; fills the {n} slot
};

// Twenty-four categories of the kind support communities have, each with its own words, so that
// categories differ in vocabulary as they do on a real forum.
const std::vector<CategorySeed>& CategorySeeds() {
  static const std::vector<CategorySeed> seeds = {
      {"Anxiety and worry",
       {"panic attacks", "health anxiety", "racing thoughts", "social anxiety", "anxiety", "worrying about the future",
        "a tight chest", "dread on Sunday nights"}},
      {"Low mood and depression",
       {"low mood", "depression", "having no motivation", "the grey days", "antidepressants", "feeling flat",
        "getting out of bed", "numbness"}},
      {"Sleep",
       {"insomnia", "nightmares", "waking at 4am", "a bedtime routine", "poor sleep", "night sweats",
        "a racing mind at night", "napping"}},
      {"Grief and loss",
       {"losing my dad", "grief", "the first anniversary", "a miscarriage", "losing a pet", "the funeral",
        "clearing the house", "the empty chair at dinner"}},
      {"Caring for someone",
       {"caring for my mum", "dementia", "respite care", "carer's guilt", "hospital visits", "the care home",
        "power of attorney", "burnout as a carer"}},
      {"Relationships",
       {"a breakup", "arguments at home", "trust issues", "my marriage", "dating again", "a controlling ex",
        "loneliness in a relationship", "couples counselling"}},
      {"Work and study stress",
       {"exams", "a new job", "my manager", "burnout", "redundancy", "imposter syndrome", "deadlines",
        "working from home"}},
      {"Therapy and counselling",
       {"therapy", "CBT", "the waiting list", "a new counsellor", "EMDR", "homework from therapy", "ending therapy",
        "a therapy hangover"}},
      {"Medication questions",
       {"sertraline", "side effects", "coming off medication", "a dose change", "the pharmacy", "propranolol",
        "feeling foggy", "a medication review"}},
      {"Loneliness",
       {"loneliness", "making friends as an adult", "empty weekends", "moving to a new town", "the holidays alone",
        "being an introvert", "group chats", "community groups"}},
      {"Parenting",
       {"a toddler who will not settle", "teenagers", "postnatal depression", "school refusal", "being a single parent",
        "parent guilt", "a new baby", "bedtime battles"}},
      {"Chronic pain and illness",
       {"chronic pain", "fibromyalgia", "flare-ups", "a new diagnosis", "fatigue", "pacing", "hospital appointments",
        "long covid"}},
      {"Body image",
       {"body image", "eating difficulties", "mirrors", "clothes shopping", "comparison on social media",
        "recovery meals", "the gym", "comments from family"}},
      {"Money worries",
       {"debt", "bills", "the rent going up", "a benefits assessment", "budgeting", "payday", "the food bank",
        "an overdraft"}},
      {"Neurodivergence",
       {"an ADHD diagnosis", "autism", "sensory overload", "masking", "executive function", "burnout after socialising",
        "routines", "waiting for an assessment"}},
      {"LGBTQ+ support",
       {"coming out", "family acceptance", "gender identity", "finding community", "a first Pride", "being misgendered",
        "dating as a queer person", "faith and identity"}},
      {"Addiction and recovery",
       {"drinking too much", "sobriety", "cravings", "a relapse", "the first thirty days", "meetings", "gambling",
        "smoking"}},
      {"Trauma and PTSD",
       {"flashbacks", "PTSD", "hypervigilance", "grounding", "triggers", "talking about the past",
        "nightmares about it", "feeling safe"}},
      {"Students",
       {"university", "homesickness", "first year", "dissertation stress", "flatmates", "student loans", "lectures",
        "freshers week"}},
      {"Later life",
       {"retirement", "losing friends", "hearing loss", "living alone", "grandchildren", "mobility", "the allotment",
        "feeling invisible"}},
      {"Self-care and small wins",
       {"small wins", "journaling", "morning routines", "walking", "hobbies", "self-compassion", "rest days",
        "cooking for one"}},
      {"Introductions",
       {"joining the forum", "a first post", "saying hello", "a bit about me", "finding this place",
        "lurking for months", "being new here", "what brought me here"}},
      {"Off-topic and chat",
       {"what we are reading", "pets", "music that helps", "the weather", "gardening", "films", "baking", "cats"}},
      {"About the forum",
       {"the forum", "notifications", "the search", "dark mode", "the guidelines", "the moderators", "the mobile site",
        "accessibility"}},
  };
  return seeds;
}

const std::vector<std::string> kFeelings = {
    "anxious",  "exhausted", "numb",     "overwhelmed",   "low",    "on edge",  "lonely",   "hopeful", "stuck",
    "restless", "tearful",   "flat",     "angry",         "guilty", "relieved", "calmer",   "scared",  "drained",
    "ashamed",  "hollow",    "wound up", "a bit lighter", "raw",    "fragile",  "worn out", "jittery"};
const std::vector<std::string> kTimes = {"in the evenings",
                                         "most mornings",
                                         "since the spring",
                                         "after work",
                                         "at night",
                                         "on Sundays",
                                         "for about three weeks",
                                         "since my last appointment",
                                         "when the house is quiet",
                                         "before big meetings",
                                         "over the winter",
                                         "since Christmas",
                                         "every few days",
                                         "for months now",
                                         "at weekends",
                                         "first thing in the morning",
                                         "since the summer",
                                         "after visiting family"};
const std::vector<std::string> kHelpers = {"a short walk",
                                           "writing things down",
                                           "slow breathing",
                                           "a warm bath",
                                           "talking to my sister",
                                           "the 5-4-3-2-1 grounding trick",
                                           "cutting down on caffeine",
                                           "a podcast with a calm voice",
                                           "getting outside early",
                                           "keeping a mood diary",
                                           "seeing my GP",
                                           "a peer group on Thursdays",
                                           "cold water on my face",
                                           "a weighted blanket",
                                           "gentle yoga",
                                           "an audiobook",
                                           "colouring",
                                           "gardening",
                                           "baking bread",
                                           "swimming",
                                           "a set bedtime",
                                           "turning my phone off at nine",
                                           "a crisis plan",
                                           "a list of small tasks",
                                           "music",
                                           "stretching",
                                           "a hot drink and a blanket",
                                           "volunteering"};
const std::vector<std::string> kPeople = {
    "my partner", "my mum",         "a friend",    "my therapist", "my manager",        "my GP",
    "my brother", "my flatmate",    "my daughter", "a neighbour",  "my counsellor",     "the nurse",
    "my dad",     "my best friend", "my son",      "a colleague",  "my support worker", "my gran"};
const std::vector<std::string> kVerbs = {"cry",
                                         "freeze",
                                         "overthink everything",
                                         "shut down",
                                         "snap at people",
                                         "avoid my phone",
                                         "lie awake",
                                         "cancel plans",
                                         "feel sick",
                                         "replay conversations",
                                         "go quiet",
                                         "eat too little",
                                         "eat too much",
                                         "hide in my room",
                                         "apologise for everything",
                                         "stay in bed"};

// Sentence patterns. Slots: {f} a feeling, {t} a time, {n} a word of the thread's category,
// {h} something that helps, {p} a person, {v} a behaviour, {P} a made-up place name.
const std::vector<std::string> kQuestionSentences = {
    "I have been feeling {f} {t} and I am not sure what to do.",
    "Lately I {v} whenever {n} comes up.",
    "{p} says I should try {h}, but I am not sure it is for me.",
    "Does anyone else find that {n} gets worse {t}?",
    "I keep telling myself it will pass, but it has been going on {t}.",
    "I do not really want to worry {p} with it.",
    "It started with {n} and now I can barely sleep.",
    "Most nights I lie awake thinking about {n}, and then I am {f} all day.",
    "I feel {f} and a bit silly for posting this.",
    "How do other people manage {n} without it taking over?",
    "I tried {h} {t} and it helped a little.",
    "Some days are fine, then out of nowhere I {v}.",
    "My sleep has gone to pieces since {n} started.",
    "I moved to {P} last year and I do not know many people yet.",
    "I have an appointment about {n} next week and I am {f} about it.",
    "Has anyone been through {n} and come out the other side?",
    "I think my anxiety is making {n} harder than it needs to be.",
    "I just want to feel like myself again.",
};
const std::vector<std::string> kReplySentences = {
    "What helped me was {h}, especially {t}.",
    "I know that feeling of being {f}. You are not alone in this.",
    "Have you been able to talk to someone you trust about {n}?",
    "It took me a while, but {h} made a real difference.",
    "Be gentle with yourself; this is a lot to carry.",
    "I used to {v} too, and it did ease with time.",
    "Thank you for writing this, I could have written it myself.",
    "My sleep was terrible for months and {h} is what finally helped me sleep again.",
    "When {n} gets loud I try {h} and give it ten minutes.",
    "{p} was the first person I told, and it felt lighter afterwards.",
    "There is no wrong way to feel about {n}.",
    "I am near {P} too, and there is a drop-in group that meets on Wednesdays.",
    "Good sleep came back slowly for me, a bit at a time.",
    "It might be worth mentioning {n} to your GP; they have heard it all before.",
    "I still have {f} days, but fewer than before.",
    "Anxiety lies to us about how things will go.",
    "Small steps count, even the ones nobody else sees.",
    "I found that {h} before bed helped me sleep better.",
};
const std::vector<std::string> kShortReplies = {
    "Sending you a hug.",          "Same here, you are not alone.", "This helped, thank you.",
    "Thinking of you today.",      "Me too. Glad you posted.",      "How are you doing now?",
    "Well done for reaching out.", "This is such a kind thread.",   "Following, as I feel the same."};
const std::vector<std::string> kTitles = {"How do you cope with {n}?",    "Is it normal to {v} {t}?",
                                          "Feeling {f} about {n}",        "Does anyone else {v} because of {n}?",
                                          "What helped you with {n}?",    "Struggling with {n} {t}",
                                          "Any advice about {n}?",        "First time posting: {n}",
                                          "Can't sleep because of {n}",   "Small win with {n} today",
                                          "Is {h} worth trying for {n}?", "Talking to {p} about {n}"};
const std::vector<std::string> kListIntros = {"A few things that help me:", "What I tried, in order:",
                                              "Things I wish I had known sooner:", "My list for bad days:"};
const std::vector<std::string> kFirstNames = {
    "willow", "sam",   "maya", "alex",  "jo",   "river", "robin", "ash",  "kit",  "noor", "priya", "lena", "tom",
    "ellie",  "finn",  "rosa", "jamie", "sky",  "ada",   "leo",   "mina", "omar", "zoe",  "ivy",   "theo", "nia",
    "cal",    "hana",  "rory", "bea",   "dev",  "lou",   "max",   "ruth", "amir", "isla", "joel",  "kemi", "lucy",
    "marek",  "nadia", "owen", "pia",   "ravi", "sara",  "tariq", "una",  "vic",  "wren", "yusuf"};
const std::vector<std::string> kNatureWords = {"quiet",   "river",   "meadow", "harbour", "ember", "fern",  "moss",
                                               "birch",   "tide",    "cloud",  "heron",   "maple", "stone", "pebble",
                                               "sparrow", "lantern", "oak",    "thistle", "otter", "rain"};
const std::vector<std::string> kSyllables = {
    "ash", "ber",    "brook", "by",   "ca",  "ches",  "combe", "dale", "den",  "don", "ford", "gate",  "ham", "hol",
    "ing", "kirk",   "ley",   "low",  "mar", "mere",  "mouth", "ness", "nor",  "pen", "port", "ridge", "sey", "stow",
    "ter", "thorpe", "ton",   "wick", "win", "worth", "yar",   "bryn", "caer", "lan", "tre",  "strath"};

std::string Capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

SyntheticCommunity::SyntheticCommunity(std::uint64_t seed, int user_count) : rng_(seed) {
  for (const CategorySeed& category : CategorySeeds()) {
    std::string lower = category.name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    categories_.push_back({category.name, "A place to talk about " + lower + ", and to listen."});
    category_nouns_.push_back(category.nouns);
  }
  std::set<std::string> taken;
  std::vector<double> weights;
  for (int i = 0; i < user_count; ++i) {
    std::string name;
    switch (Between(0, 3)) {
      case 0:
        name = Pick(kFirstNames) + std::to_string(Between(1, 99));
        break;
      case 1:
        name = Pick(kFirstNames) + "_" + static_cast<char>('a' + Between(0, 25));
        break;
      case 2:
        name = Pick(kNatureWords) + "-" + Pick(kNatureWords);
        break;
      default:
        name = Pick(kFirstNames) + "-" + Pick(kNatureWords);
        break;
    }
    if (!taken.insert(name).second) {
      name += std::to_string(i);
      taken.insert(name);
    }
    usernames_.push_back(name);
    weights.push_back(1.0 / (i + 1));
  }
  author_weights_ = std::discrete_distribution<int>(weights.begin(), weights.end());
}

std::string_view SyntheticCommunity::SimilarTitle() { return "How do you cope with racing thoughts at night?"; }
std::string_view SyntheticCommunity::SimilarBody() {
  return "Most nights I lie awake going over everything and then I am exhausted all day. What helped you?";
}

int SyntheticCommunity::PickAuthor() { return author_weights_(rng_); }

int SyntheticCommunity::ReplyCount() {
  // Measured shapes of support forums: many threads with a few replies, a long tail of busy ones.
  double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (roll < 0.30) return Between(0, 3);
  if (roll < 0.70) return Between(4, 12);
  if (roll < 0.88) return Between(13, 24);
  return Between(25, 80);
}

SyntheticThread SyntheticCommunity::NextThread() {
  SyntheticThread thread;
  thread.category = Between(0, static_cast<int>(categories_.size()) - 1);
  thread.title = Title(thread.category);
  thread.question = {PickAuthor(), Body(thread.category, true, {})};
  std::string quotable = Sentence(thread.category, true);
  int replies = ReplyCount();
  for (int i = 0; i < replies; ++i) {
    int author = PickAuthor();
    if (author == thread.question.author && Chance(0.5)) author = PickAuthor();  // askers answer too
    thread.replies.push_back({author, Body(thread.category, false, quotable)});
  }
  return thread;
}

std::vector<SyntheticReaction> SyntheticCommunity::ReactionsFor(int author) {
  // About half of posts get none; a few get many (mean about 1.2 a post).
  std::vector<SyntheticReaction> reactions;
  int count = Chance(0.5) ? 0 : std::geometric_distribution<int>(0.4)(rng_) + 1;
  for (int i = 0; i < count; ++i) {
    int user = Between(0, static_cast<int>(usernames_.size()) - 1);
    if (user == author) continue;
    double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
    reactions.push_back({user, roll < 0.45 ? 0 : roll < 0.8 ? 1 : 2});
  }
  return reactions;
}

std::string SyntheticCommunity::Title(int category) {
  std::string title = Capitalised(Fill(Pick(kTitles), category));
  if (title.size() > 150) title.resize(150);
  return title;
}

std::string SyntheticCommunity::Body(int category, bool question, std::string_view quotable) {
  ++posts_made_;
  std::string body;
  if (!question && Chance(0.2)) {
    body = Pick(kShortReplies);
  } else {
    if (!question && Chance(0.15)) body += "> " + std::string(quotable) + "\n\n";
    int paragraphs = Chance(0.05) ? Between(6, 10) : Between(1, question ? 4 : 3);
    for (int p = 0; p < paragraphs; ++p) {
      if (p > 0) body += "\n\n";
      int sentences = Between(1, 4);
      for (int s = 0; s < sentences; ++s) {
        if (s > 0) body += ' ';
        body += Sentence(category, question);
      }
    }
    if (Chance(0.12)) {
      bool numbered = Chance(0.4);
      body += "\n\n" + Pick(kListIntros) + "\n\n";
      int items = Between(3, 5);
      for (int i = 0; i < items; ++i) {
        body += numbered ? std::to_string(i + 1) + ". " : "- ";
        body += Capitalised(Pick(kHelpers)) + "\n";
      }
    }
    if (Chance(0.05)) {
      std::string noun = Pick(category_nouns_[category]);
      std::string slug;
      for (char c : noun)
        slug += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
      body += "\n\nThere is a [short guide on " + noun + "](https://www.example.org/guides/" + slug +
              ") that I found useful.";
    }
  }
  if (posts_made_ % kRareWordEvery == kRareWordEvery / 2) {
    body += "\n\nLast week I walked out to the old " + std::string(kRareWord) + " and just sat for a while.";
  }
  return body;
}

std::string SyntheticCommunity::Sentence(int category, bool question) {
  std::string sentence = Fill(Pick(question ? kQuestionSentences : kReplySentences), category);
  sentence = Capitalised(std::move(sentence));
  MaybeEmphasise(sentence);
  MaybeTypo(sentence);
  return sentence;
}

std::string SyntheticCommunity::Fill(std::string_view pattern, int category) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      out += Word(category, pattern[i + 1]);
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string SyntheticCommunity::Word(int category, char slot) {
  switch (slot) {
    case 'f':
      return Pick(kFeelings);
    case 't':
      return Pick(kTimes);
    case 'n':
      return Pick(category_nouns_[category]);
    case 'h':
      return Pick(kHelpers);
    case 'p':
      return Pick(kPeople);
    case 'v':
      return Pick(kVerbs);
    case 'P':
      return MadeUpPlace();
    default:
      return {};
  }
}

// Place names from syllables: tens of thousands of possible words, so the vocabulary keeps growing
// with the store as a real forum's does (names, places, typos), rather than stopping at the
// few hundred words of the patterns.
std::string SyntheticCommunity::MadeUpPlace() {
  std::string place = Pick(kSyllables) + Pick(kSyllables);
  if (Chance(0.3)) place += Pick(kSyllables);
  return Capitalised(place);
}

// One sentence in fifty has two neighbouring letters swapped, as typed on a phone.
void SyntheticCommunity::MaybeTypo(std::string& sentence) {
  if (!Chance(0.02) || sentence.size() < 8) return;
  std::size_t at = static_cast<std::size_t>(Between(1, static_cast<int>(sentence.size()) - 3));
  if (std::isalpha(static_cast<unsigned char>(sentence[at])) &&
      std::isalpha(static_cast<unsigned char>(sentence[at + 1]))) {
    std::swap(sentence[at], sentence[at + 1]);
  }
}

// One sentence in ten gets a word in *emphasis* or **strong emphasis**.
void SyntheticCommunity::MaybeEmphasise(std::string& sentence) {
  if (!Chance(0.1)) return;
  std::size_t start = sentence.find(' ');
  if (start == std::string::npos) return;
  std::size_t end = sentence.find(' ', start + 1);
  if (end == std::string::npos || end == start + 1) return;
  std::string word = sentence.substr(start + 1, end - start - 1);
  if (!std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::isalpha(c); })) return;
  std::string mark = Chance(0.5) ? "*" : "**";
  sentence.replace(start + 1, word.size(), mark + word + mark);
}

}  // namespace kindred::bench
