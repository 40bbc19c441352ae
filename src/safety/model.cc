// The learned second stage of the detector: features, the linear model's file, and how its
// reading is folded into the rules' assessment.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "safety/detector_internal.h"
#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::safety::embedded)

namespace kindred::safety::internal {
namespace {

// How many words the "model" cue names: enough for a moderator to see why, short enough to read
// at a glance in the queue.
constexpr std::size_t kEvidenceWords = 3;

// Contexts in which the learned stage keeps quiet even when the rules named nothing they lowered.
// A bare "not" is left out: crisis posts are full of it ("i won't be here tomorrow"), and a
// negation that did lower a rule cue already silences the model through the lowered cue.
bool IsLowering(Category c) {
  switch (c) {
    case Category::kIdiom:
    case Category::kMediaTitle:
    case Category::kDenial:
    case Category::kPast:
    case Category::kRecovery:
    case Category::kJoke:
    case Category::kGame:
    case Category::kMedical:
    case Category::kNews:
    case Category::kSupport:
      return true;
    default:
      return false;
  }
}

Error BadLine(std::string_view file_name, int line, std::string_view why) {
  return Error::Invalid("model", "bad_model_line",
                        std::string(file_name) + ":" + std::to_string(line) + ": " + std::string(why));
}

}  // namespace

std::vector<Feature> ModelFeatures(const std::vector<Token>& tokens, const std::vector<Match>& matches) {
  std::vector<Feature> out;
  out.reserve(tokens.size() * 2 + matches.size());
  for (std::uint32_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].quoted) continue;
    out.push_back({"w:" + tokens[i].text, i, i + 1});
    if (i + 1 < tokens.size() && !tokens[i + 1].quoted && tokens[i + 1].clause == tokens[i].clause) {
      out.push_back({"b:" + tokens[i].text + "_" + tokens[i + 1].text, i, i + 2});
    }
  }
  for (const Match& m : matches) out.push_back({"c:" + std::string(CategoryName(m.category)), 0, 0});
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

bool ModelMaySpeak(const Assessment& assessment, const std::vector<Match>& matches) {
  return std::none_of(assessment.cues.begin(), assessment.cues.end(), [](const Cue& c) { return !c.raises; }) &&
         std::none_of(matches.begin(), matches.end(), [](const Match& m) { return IsLowering(m.category); });
}

void RuleDetector::ApplyModel(std::string_view text, const std::vector<Token>& tokens,
                              const std::vector<Match>& matches, Assessment* assessment) const {
  if (model_.empty() || assessment->level == Level::kCrisis) return;
  // The rules' lowering reading stands: an idiom, a denial, a past story or a supportive reply
  // is exactly where a bag of words is most often wrong.
  if (!ModelMaySpeak(*assessment, matches)) return;
  std::vector<Feature> features = ModelFeatures(tokens, matches);
  const LinearModel::Head* head = nullptr;
  Level level = assessment->level;
  if (LinearModel::Probability(model_.crisis(), features) > model_.crisis().threshold) {
    head = &model_.crisis();
    level = Level::kCrisis;
  } else if (assessment->level == Level::kNone &&
             LinearModel::Probability(model_.any(), features) > model_.any().threshold) {
    head = &model_.any();
    level = Level::kConcern;
  }
  if (head == nullptr) return;
  // Evidence: the written words behind the features that pushed hardest towards risk.
  std::vector<std::pair<double, const Feature*>> pushes;
  for (const Feature& f : features) {
    auto it = head->weights.find(f.name);
    if (it != head->weights.end() && it->second > 0 && f.last > f.first) pushes.emplace_back(it->second, &f);
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
  // Raising cues come before lowering ones; there are none of the latter here.
  assessment->cues.push_back({"model", std::move(evidence), true});
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
