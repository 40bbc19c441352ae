// The learned second stage of the detector: features, the linear model's file, and how its
// reading is folded into the rules' assessment.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "safety/detector_internal.h"
#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::safety::embedded)

namespace kindred::safety::internal {
namespace {

// How many words the "model" cue names: enough for a moderator to see why, short enough to read
// at a glance in the queue.
constexpr std::size_t kEvidenceWords = 3;
// Five letters keep "pills"/"pill" apart from nothing useful yet join "goodbye"/"goodbyes";
// shorter prefixes merged unrelated words in out-of-fold tests.
constexpr std::size_t kPrefixLength = 5;
// A post of fewer words is short: the model weighs it with thresholds of its own. A bag of a few
// words is read differently from a forum post where the risk is one sentence among many, and one
// threshold pair for both either missed short posts or flagged safe long ones (out of fold; 8 to
// 20 words gave the same figures within a post or two).
constexpr int kShortPostWords = 16;

Error BadLine(std::string_view file_name, int line, std::string_view why) {
  return Error::Invalid("model", "bad_model_line",
                        std::string(file_name) + ":" + std::to_string(line) + ": " + std::string(why));
}

}  // namespace

std::vector<Feature> ModelFeatures(const std::vector<Token>& tokens, const std::vector<Match>& matches) {
  std::vector<Feature> out;
  out.reserve(tokens.size() * 3 + matches.size());
  // Words inside an idiom or a title the rules recognised ("the death of me", "13 reasons why")
  // say nothing of the writer: the model sees the idiom's category, not its alarming words.
  std::vector<bool> unseen(tokens.size(), false);
  for (std::uint32_t i = 0; i < tokens.size(); ++i) unseen[i] = tokens[i].quoted;
  for (const Match& m : matches) {
    if (m.category != Category::kIdiom && m.category != Category::kMediaTitle) continue;
    for (auto i = m.first; i < m.last && i < tokens.size(); ++i) unseen[i] = true;
  }
  for (std::uint32_t i = 0; i < tokens.size(); ++i) {
    if (unseen[i]) continue;
    out.push_back({"w:" + tokens[i].text, i, i + 1});
    if (i + 1 < tokens.size() && !unseen[i + 1] && tokens[i + 1].clause == tokens[i].clause) {
      out.push_back({"b:" + tokens[i].text + "_" + tokens[i + 1].text, i, i + 2});
    }
  }
  for (const Match& m : matches) out.push_back({"c:" + std::string(CategoryName(m.category)), 0, 0});
  // A word's first letters join its forms ("counted", "counting"; "goodbyes") where a set of a
  // couple of thousand posts has seen only one of them.
  for (std::uint32_t i = 0; i < tokens.size(); ++i) {
    if (!unseen[i] && tokens[i].text.size() > kPrefixLength) {
      out.push_back({"p:" + tokens[i].text.substr(0, kPrefixLength), i, i + 1});
    }
  }
  // Binary features: a word said twice is no more evidence than once, and the trainer agrees.
  std::sort(out.begin(), out.end(), [](const Feature& a, const Feature& b) { return a.name < b.name; });
  out.erase(std::unique(out.begin(), out.end(), [](const Feature& a, const Feature& b) { return a.name == b.name; }),
            out.end());
  return out;
}

Result<void> LinearModel::Load(std::string_view file_name, std::string_view text) {
  int line_number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    std::size_t tab1 = line.find('\t');
    std::size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos) return BadLine(file_name, line_number, "expected head<TAB>feature<TAB>weight");
    std::string_view head_name = line.substr(0, tab1);
    std::string_view feature = line.substr(tab1 + 1, tab2 - tab1 - 1);
    std::string_view number = line.substr(tab2 + 1);
    if (head_name != "crisis" && head_name != "any") return BadLine(file_name, line_number, "head is crisis or any");
    double weight = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), weight);
    if (ec != std::errc() || ptr != number.data() + number.size() || !std::isfinite(weight)) {
      return BadLine(file_name, line_number, "weight is not a number");
    }
    Head& head = mutable_head(head_name);
    if (feature == "__bias__") {
      head.bias = weight;
    } else if (feature == "__threshold__") {
      head.threshold = weight;
    } else if (feature == "__short_threshold__") {
      head.short_threshold = weight;
      decides_short_posts_ = true;
    } else {
      head.weights[std::string(feature)] = weight;
    }
  }
  return {};
}

double LinearModel::Probability(const Head& head, const std::vector<Feature>& features) {
  double z = head.bias;
  for (const Feature& f : features) {
    auto it = head.weights.find(f.name);
    if (it != head.weights.end()) z += it->second;
  }
  return 1.0 / (1.0 + std::exp(-z));
}

std::string RulesFeature(Level rules) { return "r:" + std::string(LevelName(rules)); }

bool IsShortPost(int words) { return words < kShortPostWords; }

double LinearModel::Head::ThresholdFor(int words) const { return IsShortPost(words) ? short_threshold : threshold; }

Level CombinedLevel(const RulesReading& rules, bool crisis_head_above, bool any_head_above) {
  // The model decides, with the rules' verdict among its features; a rules' crisis stays crisis
  // while the model sees any risk at all, so only a post the model reads as safe is lowered.
  if (crisis_head_above) return Level::kCrisis;
  if (any_head_above) return rules.level == Level::kCrisis ? Level::kCrisis : Level::kConcern;
  return Level::kNone;
}

RulesReading ReadingOf(const Assessment& assessment) {
  RulesReading reading;
  reading.level = assessment.level;
  for (const Cue& c : assessment.cues) {
    reading.lowered_a_cue = reading.lowered_a_cue || !c.raises;
  }
  return reading;
}

void RuleDetector::ApplyModel(std::string_view text, const std::vector<Token>& tokens,
                              const std::vector<Match>& matches, Assessment* assessment) const {
  if (model_.empty()) return;
  // No gate on the rules' lowering cues: they are features the model has weighed. A gate that
  // silenced it wherever an idiom, a past-tense or a medical word appeared kept it out of nearly
  // every forum-length post (lexicon/README.md).
  RulesReading reading = ReadingOf(*assessment);
  reading.words = static_cast<int>(tokens.size());
  // A model file without short-post thresholds leaves short posts to the rules.
  if (IsShortPost(reading.words) && !model_.decides_short_posts()) return;
  std::vector<Feature> features = ModelFeatures(tokens, matches);
  features.push_back({RulesFeature(assessment->level), 0, 0});
  const double p_crisis = LinearModel::Probability(model_.crisis(), features);
  const double p_any = LinearModel::Probability(model_.any(), features);
  const Level level = CombinedLevel(reading, p_crisis > model_.crisis().ThresholdFor(reading.words),
                                    p_any > model_.any().ThresholdFor(reading.words));
  if (level == assessment->level) return;
  const bool raises = level > assessment->level;
  const LinearModel::Head& head = raises && level == Level::kCrisis ? model_.crisis() : model_.any();
  // Evidence: the written words behind the features that pushed hardest the way the model read.
  std::vector<std::pair<double, const Feature*>> pushes;
  for (const Feature& f : features) {
    auto it = head.weights.find(f.name);
    if (it == head.weights.end() || f.last <= f.first) continue;
    const double push = raises ? it->second : -it->second;
    if (push > 0) pushes.emplace_back(push, &f);
  }
  std::sort(pushes.begin(), pushes.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string evidence;
  std::size_t named = 0;
  for (const auto& [weight, f] : pushes) {
    if (named == kEvidenceWords) break;
    std::string words(text.substr(tokens[f->first].begin, tokens[f->last - 1].end - tokens[f->first].begin));
    if (evidence.find(words) != std::string::npos) continue;
    evidence += (named == 0 ? "" : ", ") + words;
    ++named;
  }
  assessment->level = level;
  // Raising cues come before lowering ones. A lowered reading keeps the rules' cues in view, so a
  // moderator who looks sees both what was found and what outweighed it.
  auto lowering = std::find_if(assessment->cues.begin(), assessment->cues.end(), [](const Cue& c) { return !c.raises; });
  assessment->cues.insert(raises ? lowering : assessment->cues.end(), Cue{"model", std::move(evidence), raises});
}

Result<LinearModel> LoadEmbeddedModel() {
  LinearModel model;
  for (int i = 0; i < embedded::kEmbeddedFileCount; ++i) {
    auto [name, text] = embedded::kEmbeddedFiles[i];
    if (!name.ends_with(kModelFile)) continue;
    if (auto r = model.Load(name, text); !r) return std::move(r).error();
  }
  return model;
}

}  // namespace kindred::safety::internal
