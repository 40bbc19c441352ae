#include "safety/detector.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdlib>

#include "safety/detector_internal.h"

namespace kindred::safety {

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kCrisis:
      return "crisis";
    case Level::kConcern:
      return "concern";
    case Level::kNone:
      break;
  }
  return "none";
}

const Detector& Detector::Default() {
  // Built once; a bad embedded lexicon is a build defect that the unit tests catch, so here it
  // degrades to an empty lexicon (which finds nothing) rather than taking the server down.
  static const internal::RuleDetector* detector = [] {
    auto lexicon = internal::LoadEmbeddedLexicon();
    auto model = internal::LoadEmbeddedModel();
    return new internal::RuleDetector(lexicon.ok() ? std::move(lexicon).value() : internal::Lexicon(),
                                      model.ok() ? std::move(model).value() : internal::LinearModel());
  }();
  return *detector;
}

namespace internal {
namespace {

using C = Category;
constexpr std::size_t kCategoryCount = static_cast<std::size_t>(C::kCount);
using CategorySet = std::bitset<kCategoryCount>;

// How far back a "not" or "never" reaches: "i am not going to hurt myself" puts four words
// between them; further than that it usually belongs to another thought.
constexpr std::uint32_t kNegationReach = 4;
// Cues this many clauses apart still combine ("Suicidal rn. like actually. i have the rope"):
// people split one thought over short sentences, but a whole post is too wide a window.
constexpr int kClauseWindow = 2;
// How far back "take them all" looks for the pills it means: "I have been saving my pills and I
// am going to take them all tonight" puts the means one clause before; three clauses keep a short
// post together without reaching into an unrelated paragraph.
constexpr int kAnaphoraClauses = 3;

bool Has(const CategorySet& set, C c) { return set.test(static_cast<std::size_t>(c)); }

// Cues that belong to the writer's own state and that context may lower.
bool IsSelfCue(C c) {
  switch (c) {
    case C::kSuicide:
    case C::kGenericAct:
    case C::kWishToDie:
    case C::kPlan:
    case C::kMethod:
    case C::kGoodbye:
    case C::kSelfHarmNow:
    case C::kAttemptNow:
    case C::kPassiveWish:
    case C::kHopelessness:
    case C::kBurden:
    case C::kPastAttempt:
    case C::kMeans:
    case C::kMeansRef:
    case C::kPreparation:
    case C::kVeiledAct:
    case C::kAtHand:
    case C::kConcealment:
      return true;
    default:
      return false;
  }
}

// Cues that say nothing of risk on their own and only sharpen another: a past tense lowers them
// rather than turning them into a past attempt ("i used to take pills for my migraines").
bool IsSupportingCue(C c) {
  return c == C::kMeans || c == C::kMeansRef || c == C::kPreparation || c == C::kAtHand || c == C::kConcealment;
}

bool IsRaising(C c) {
  return IsSelfCue(c) || c == C::kIntent || c == C::kTime || c == C::kGoodbyeWeak || c == C::kThirdParty ||
         c == C::kUrgency || c == C::kDistressNow;
}

// Cues whose words someone might say in jest or about a game; a real plan is never lowered so.
bool IsHyperboleProne(C c) {
  return c == C::kWishToDie || c == C::kGenericAct || c == C::kVeiledAct || c == C::kPassiveWish ||
         c == C::kHopelessness ||
         c == C::kBurden || c == C::kMethod || IsSupportingCue(c);
}

std::string_view PublicName(C c) {
  switch (c) {
    case C::kSuicide:
      return "suicidal_thoughts";
    case C::kGenericAct:
    case C::kVeiledAct:
    case C::kIntent:
      return "intent";
    case C::kWishToDie:
      return "wish_to_die";
    case C::kPlan:
    case C::kPreparation:
    case C::kConcealment:
      return "plan";
    case C::kMethod:
    case C::kMeans:
    case C::kMeansRef:
    case C::kAtHand:
      return "method";
    case C::kTime:
      return "time";
    case C::kGoodbye:
    case C::kGoodbyeWeak:
      return "goodbye";
    case C::kSelfHarmNow:
      return "self_harm_now";
    case C::kAttemptNow:
      return "attempt_now";
    case C::kThirdParty:
    case C::kUrgency:
      return "third_party";
    case C::kPassiveWish:
      return "passive_wish";
    case C::kHopelessness:
      return "hopelessness";
    case C::kBurden:
      return "burden";
    case C::kPastAttempt:
    case C::kDistressNow:
      return "past_attempt";
    case C::kIdiom:
      return "idiom";
    case C::kMediaTitle:
      return "media_title";
    case C::kNegation:
    case C::kDenial:
      return "negation";
    case C::kPast:
    case C::kRecovery:
      return "past_or_recovery";
    case C::kJoke:
      return "joke";
    case C::kGame:
      return "game";
    case C::kMedical:
      return "medical";
    case C::kNews:
      return "news";
    case C::kSupport:
    case C::kSecondPerson:
      return "supporting_other";
    default:
      return "other";
  }
}

struct Fired {
  C category;
  std::uint32_t first;
  std::uint32_t last;
  int clause;
  // For "take them all": the means it refers back to, shown in the evidence; empty otherwise.
  std::uint32_t antecedent_first = 0;
  std::uint32_t antecedent_last = 0;
};

class Assessor {
 public:
  Assessor(std::string_view text, std::vector<Token> tokens, std::vector<Match> matches)
      : text_(text), tokens_(std::move(tokens)), matches_(std::move(matches)) {}

  Assessment Run() {
    int clause_count = tokens_.empty() ? 0 : tokens_.back().clause + 1;
    clause_context_.assign(clause_count, CategorySet());
    masked_.assign(tokens_.size(), false);
    in_raising_.assign(tokens_.size(), false);
    MaskIdiomsAndTitles();
    for (const Match& m : matches_) {
      if (IsRaising(m.category)) {
        for (auto i = m.first; i < m.last; ++i) in_raising_[i] = true;
      }
      if (!Masked(m) && m.first < m.last)
        clause_context_[tokens_[m.first].clause].set(static_cast<std::size_t>(m.category));
      if (!Masked(m) && (m.category == C::kRecovery || m.category == C::kDistressNow)) {
        post_context_.set(static_cast<std::size_t>(m.category));
      }
    }
    for (const Match& m : matches_) {
      if (!IsRaising(m.category) || Masked(m) || m.first >= m.last || InsideLongerCue(m)) continue;
      Weigh(m);
    }
    return Decide();
  }

 private:
  std::string Evidence(std::uint32_t first, std::uint32_t last) const {
    return std::string(text_.substr(tokens_[first].begin, tokens_[last - 1].end - tokens_[first].begin));
  }
  void Lower(C why, std::uint32_t first, std::uint32_t last) { LowerNamed(PublicName(why), first, last); }
  void LowerNamed(std::string_view why, std::uint32_t first, std::uint32_t last) {
    std::string name(why);
    std::string evidence = Evidence(first, last);
    for (const Cue& cue : lowered_) {
      if (cue.name == name && cue.evidence == evidence) return;
    }
    lowered_.push_back({std::move(name), std::move(evidence), false});
  }
  bool Masked(const Match& m) const {
    for (auto i = m.first; i < m.last; ++i) {
      if (masked_[i]) return true;
    }
    return false;
  }

  void MaskIdiomsAndTitles() {
    for (const Match& m : matches_) {
      if (m.category != C::kIdiom && m.category != C::kMediaTitle) continue;
      for (auto i = m.first; i < m.last; ++i) masked_[i] = true;
      // Only worth naming when it hid something that would otherwise have raised the reading.
      for (const Match& other : matches_) {
        if (IsSelfCue(other.category) && other.first < m.last && m.first < other.last) {
          Lower(m.category, m.first, m.last);
          break;
        }
      }
    }
  }

  // The longest phrase wins: "suicidal thoughts" is a passive wish, not the "suicidal" inside it.
  bool InsideLongerCue(const Match& m) const {
    for (const Match& other : matches_) {
      if (&other == &m || !IsRaising(other.category)) continue;
      if (other.first <= m.first && other.last >= m.last && other.last - other.first > m.last - m.first) return true;
    }
    return false;
  }

  bool HedgedNear(int clause) const {
    for (const Match& m : matches_) {
      if (m.category == C::kHedge && !Masked(m) && std::abs(tokens_[m.first].clause - clause) <= 1) return true;
    }
    return false;
  }

  // The nearest person named before the cue in its clause says whose words these are.
  bool SpokenOfSomeoneElse(const Match& cue) const { return NearestPerson(cue) == C::kOtherPerson; }
  bool SpokenByWriter(const Match& cue) const { return NearestPerson(cue) == C::kFirstPerson; }
  // kFirstPerson or kOtherPerson for the nearest person before the cue in its clause; kCount
  // when the clause names nobody before it.
  C NearestPerson(const Match& cue) const {
    std::uint32_t best_end = 0;
    C best = C::kCount;
    int clause = tokens_[cue.first].clause;
    for (const Match& m : matches_) {
      if (m.category != C::kFirstPerson && m.category != C::kOtherPerson) continue;
      if (m.last > cue.first || tokens_[m.first].clause != clause) continue;
      if (m.last > best_end || (m.last == best_end && m.category == C::kOtherPerson)) {
        best_end = m.last;
        best = m.category;
      }
    }
    return best;
  }

  // "kill herself" names its own person; "said goodbye" or "took pills" needs a subject.
  bool NamesOtherPersonInside(const Match& cue) const {
    return std::any_of(matches_.begin(), matches_.end(), [&](const Match& m) {
      return m.category == C::kOtherPerson && m.first >= cue.first && m.last <= cue.last;
    });
  }

  bool Negated(const Match& cue) const {
    int clause = tokens_[cue.first].clause;
    for (const Match& m : matches_) {
      if (m.category != C::kNegation || Masked(m)) continue;
      if (tokens_[m.first].clause != clause || m.last > cue.first) continue;
      if (cue.first - m.last >= kNegationReach) continue;
      // "i don't know why i'm still here": not knowing negates nothing that follows.
      if (m.last < tokens_.size() && tokens_[m.last].text == "know") continue;
      bool inside_other_cue = false;
      for (auto i = m.first; i < m.last; ++i) inside_other_cue = inside_other_cue || in_raising_[i];
      if (inside_other_cue) continue;
      bool but_between = false;
      for (auto i = m.last; i < cue.first; ++i) but_between = but_between || tokens_[i].text == "but";
      if (!but_between) return true;
    }
    return false;
  }

  bool DeniedByQuestion(const Match& cue) const {
    int clause = tokens_[cue.first].clause;
    for (const Match& m : matches_) {
      if (m.category == C::kDenial && tokens_[m.first].clause == clause && m.last <= cue.first) return true;
    }
    return false;
  }

  void Weigh(const Match& m) {
    C c = m.category;
    int clause = tokens_[m.first].clause;
    const CategorySet& context = clause_context_[clause];
    if (tokens_[m.first].quoted) return LowerNamed("quotation", m.first, m.last);
    // "I said goodbye to my old flat": a third-party phrase with the writer as its subject
    // speaks of nobody at risk (the writer's own risk has its own cues).
    // "Said goodbye to my team today", "took my pills on time": with nobody else named inside or
    // before it, a third-party phrase has no one at risk either.
    if (c == C::kThirdParty && !NamesOtherPersonInside(m) && !SpokenOfSomeoneElse(m)) return;
    if (IsSelfCue(c) || c == C::kIntent) {
      if (Negated(m)) return Lower(C::kNegation, m.first, m.last);
      if (DeniedByQuestion(m)) return Lower(C::kDenial, m.first, m.last);
      if ((Has(context, C::kSupport) || Has(context, C::kSecondPerson)) && !Has(context, C::kFirstPerson)) {
        return Lower(C::kSupport, m.first, m.last);
      }
      if (Has(context, C::kGame)) return Lower(C::kGame, m.first, m.last);
      if (Has(context, C::kMedical) && c != C::kSuicide && c != C::kWishToDie) {
        return Lower(C::kMedical, m.first, m.last);
      }
      if (Has(context, C::kNews) && !Has(context, C::kFirstPerson)) return Lower(C::kNews, m.first, m.last);
      if (Has(context, C::kJoke) && IsHyperboleProne(c)) return Lower(C::kJoke, m.first, m.last);
      if ((c == C::kSuicide || c == C::kGenericAct || c == C::kVeiledAct || c == C::kWishToDie || c == C::kMethod ||
           c == C::kGoodbye || c == C::kAttemptNow) &&
          SpokenOfSomeoneElse(m)) {
        c = C::kThirdParty;
      }
    }
    // "she texted sorry for everything": a farewell someone else is making.
    if (c == C::kGoodbyeWeak && SpokenOfSomeoneElse(m)) c = C::kThirdParty;
    if (IsSupportingCue(c) && Has(context, C::kPast) && !Has(context, C::kRecent)) {
      return Lower(C::kPast, m.first, m.last);
    }
    if (c == C::kThirdParty && Has(context, C::kPast) && !Has(context, C::kRecent)) {
      return Lower(C::kPast, m.first, m.last);
    }
    if (IsSelfCue(c) && c != C::kPastAttempt && c != C::kGoodbye && Has(context, C::kPast) &&
        !Has(context, C::kRecent)) {
      c = C::kPastAttempt;
    }
    if (c == C::kPastAttempt && Has(context, C::kRecent)) c = C::kAttemptNow;
    if ((c == C::kWishToDie || c == C::kSuicide) && HedgedNear(clause)) c = C::kPassiveWish;
    fired_.push_back({c, m.first, m.last, clause});
  }

  bool Fires(C c) const {
    return std::any_of(fired_.begin(), fired_.end(), [c](const Fired& f) { return f.category == c; });
  }
  bool Near(C a, std::initializer_list<C> others) const {
    for (const Fired& f : fired_) {
      if (f.category != a) continue;
      for (const Fired& g : fired_) {
        if (&f == &g || std::abs(f.clause - g.clause) > kClauseWindow) continue;
        for (C o : others) {
          if (g.category == o) return true;
        }
      }
    }
    return false;
  }

  // Resolves the cues that only count beside others: "take them all" becomes a method when a
  // means was named shortly before it (the pronoun's antecedent), and a bare means ("my pills")
  // becomes a method beside the act, a plan, a goodbye or a preparation. Otherwise both go.
  // A cue that names a means: a method, a bare means, or a plan or attempt with a means inside
  // ("saving my pills", "took 30 of my sleeping pills").
  bool NamesMeans(const Fired& f) const {
    if (f.category == C::kMeans || f.category == C::kMethod) return true;
    if (f.category != C::kPlan && f.category != C::kAttemptNow && f.category != C::kPreparation) return false;
    return std::any_of(matches_.begin(), matches_.end(), [&](const Match& m) {
      return m.category == C::kMeans && m.first >= f.first && m.last <= f.last;
    });
  }

  void ResolveMeans() {
    for (Fired& f : fired_) {
      if (f.category != C::kMeansRef) continue;
      for (const Fired& g : fired_) {
        if (g.first >= f.first || f.clause - g.clause > kAnaphoraClauses || !NamesMeans(g)) continue;
        f.antecedent_first = g.first;
        f.antecedent_last = g.last;
      }
      if (f.antecedent_last > 0) f.category = C::kMethod;
    }
    bool means_sharpened =
        Near(C::kMeans, {C::kSuicide, C::kWishToDie, C::kPlan, C::kGoodbye, C::kGoodbyeWeak, C::kAttemptNow,
                         C::kPreparation, C::kMethod, C::kVeiledAct, C::kAtHand, C::kConcealment});
    for (Fired& f : fired_) {
      if (f.category == C::kMeans && means_sharpened) f.category = C::kMethod;
    }
    std::erase_if(fired_, [](const Fired& f) { return f.category == C::kMeans || f.category == C::kMeansRef; });
  }

  Assessment Decide() {
    ResolveMeans();
    // Generic words ("do it", "doing it") count as the act only when the post speaks of risk
    // elsewhere, so "i am going to do it tonight, finally cleaning the garage" stays none.
    bool other_risk = false;
    for (const Fired& f : fired_) {
      // A farewell ("sorry mum") is risk enough: "tonight i'm finally ending it. sorry mum".
      // A means in reach ("in my hand") is no risk without the means, which counts on its own.
      other_risk = other_risk || f.category == C::kGoodbyeWeak ||
                   (IsSelfCue(f.category) && f.category != C::kGenericAct && f.category != C::kPastAttempt &&
                    f.category != C::kAtHand);
    }
    if (!other_risk) {
      std::erase_if(fired_, [](const Fired& f) { return f.category == C::kGenericAct; });
    }
    bool recovered = Has(post_context_, C::kRecovery);
    bool distressed = Has(post_context_, C::kDistressNow);
    bool present_concern = Fires(C::kPassiveWish) || Fires(C::kHopelessness) || Fires(C::kBurden);
    // SAFETY.md: a past attempt is concern only with distress now; told as a past or a
    // recovery story it lowers the reading to none.
    bool past_only = Fires(C::kPastAttempt) && !(distressed || present_concern);
    if (past_only) {
      for (const Fired& f : fired_) {
        if (f.category == C::kPastAttempt) Lower(recovered ? C::kRecovery : C::kPast, f.first, f.last);
      }
      std::erase_if(fired_, [](const Fired& f) { return f.category == C::kPastAttempt; });
    }
    // "lately" or "scared" matter only as distress beside a past attempt; alone they are no cue.
    if (!Fires(C::kPastAttempt)) {
      std::erase_if(fired_, [](const Fired& f) { return f.category == C::kDistressNow; });
    }
    int preparations = 0;
    for (const Fired& f : fired_) preparations += f.category == C::kPreparation;
    int goodbyes = 0;
    for (const Fired& f : fired_) goodbyes += f.category == C::kGoodbye || f.category == C::kGoodbyeWeak;

    Level level = Level::kNone;
    // What turns "do it" or "end it" into the act: intent, a plan, a means, a time, a farewell,
    // secrecy ("while everyone sleeps") or a preparation.
    const std::initializer_list<C> kSharpeners = {C::kIntent, C::kPlan,        C::kMethod,     C::kTime,
                                                  C::kGoodbye, C::kConcealment, C::kPreparation};
    bool crisis =
        Fires(C::kSuicide) || Fires(C::kWishToDie) || Fires(C::kSelfHarmNow) || Fires(C::kAttemptNow) ||
        Fires(C::kPlan) || Near(C::kGenericAct, kSharpeners) || Near(C::kVeiledAct, kSharpeners) ||
        Near(C::kVeiledAct, {C::kGoodbyeWeak}) ||
        // A means within reach only makes it a method ("the pills are in my pocket" is how people
        // carry medicine); it takes intent, a time or secrecy beside it to read as crisis.
        Near(C::kMethod, {C::kTime, C::kIntent, C::kPlan, C::kSuicide, C::kGenericAct, C::kVeiledAct,
                          C::kConcealment}) ||
        // A farewell with secrecy or the act veiled: "this is my last post. ctb tonight".
        Near(C::kGoodbye, {C::kConcealment, C::kVeiledAct}) ||
        (Fires(C::kGoodbye) && (goodbyes >= 2 || present_concern || Fires(C::kMethod))) ||
        // Intent, means and time together, even in different sentences of one post.
        (Fires(C::kMethod) && Fires(C::kIntent) && Fires(C::kTime)) ||
        // Preparation (giving things away, letters, affairs in order) beside a second
        // preparation or any other sign of risk; with intent only if a time is set.
        (preparations > 0 && (preparations >= 2 || Fires(C::kGoodbye) || Fires(C::kMethod) || Fires(C::kGenericAct) ||
                              Fires(C::kVeiledAct) || Fires(C::kConcealment) ||
                              present_concern || (Fires(C::kIntent) && Fires(C::kTime)))) ||
        (Fires(C::kThirdParty) && (Near(C::kThirdParty, {C::kTime, C::kUrgency, C::kMethod}) ||
                                   std::count_if(fired_.begin(), fired_.end(),
                                                 [](const Fired& f) { return f.category == C::kThirdParty; }) >= 2));
    if (crisis) {
      level = Level::kCrisis;
    } else if (present_concern || (Fires(C::kPastAttempt) && distressed) || Fires(C::kGenericAct) ||
               Fires(C::kVeiledAct)) {
      level = Level::kConcern;
    }

    Assessment out;
    out.level = level;
    for (const Fired& f : fired_) {
      std::string evidence = Evidence(f.first, f.last);
      if (f.antecedent_last > 0) evidence = Evidence(f.antecedent_first, f.antecedent_last) + " ... " + evidence;
      Cue cue{std::string(PublicName(f.category)), std::move(evidence), true};
      bool seen = std::any_of(out.cues.begin(), out.cues.end(),
                              [&](const Cue& c) { return c.name == cue.name && c.evidence == cue.evidence; });
      if (!seen) out.cues.push_back(std::move(cue));
    }
    for (Cue& cue : lowered_) out.cues.push_back(std::move(cue));
    return out;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::vector<Match> matches_;
  std::vector<bool> masked_;
  std::vector<bool> in_raising_;
  std::vector<CategorySet> clause_context_;
  CategorySet post_context_;
  std::vector<Fired> fired_;
  std::vector<Cue> lowered_;
};

}  // namespace

Assessment RuleDetector::Assess(std::string_view text) const {
  std::vector<Token> tokens = lexicon_.Tokenize(text);
  std::vector<Match> matches = lexicon_.MatchAll(tokens);
  if (model_.empty()) return Assessor(text, std::move(tokens), std::move(matches)).Run();
  // The assessor consumes its inputs; the learned stage reads the same tokens and matches after.
  Assessment assessment = Assessor(text, tokens, matches).Run();
  ApplyModel(text, tokens, matches, &assessment);
  return assessment;
}

}  // namespace internal
}  // namespace kindred::safety
