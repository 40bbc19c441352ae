// Detector: reads a post (or a draft) and says whether it speaks of suicide or self-harm now
// (crisis), of a passive wish to die or hopelessness (concern), or neither (none), with the cues
// that raised or lowered that reading. Levels follow ../shared/SAFETY.md (anchored to C-SSRS).
// It never blocks anything: its answer only decides whether the writer is offered help and
// whether a moderator is asked to look.
// Thread-safety: immutable after construction; Assess may run on any thread at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kindred::safety {

enum class Level { kNone = 0, kConcern = 1, kCrisis = 2 };

std::string_view LevelName(Level level);  // "none", "concern", "crisis"

// One cue that fired, with the words that fired it, for moderators and for tuning.
struct Cue {
  std::string name;      // stable: "suicidal_thoughts", "wish_to_die", "intent", "plan", "method",
                         // "time", "goodbye", "self_harm_now", "attempt_now", "third_party",
                         // "passive_wish", "hopelessness", "burden", "past_attempt";
                         // lowering: "negation", "past_or_recovery", "quotation", "idiom",
                         // "media_title", "supporting_other", "joke", "game", "medical", "news"
  std::string evidence;  // the matched words, as written
  bool raises = true;    // false for the cues that lowered the reading
};

struct Assessment {
  Level level = Level::kNone;
  std::vector<Cue> cues;  // the raising cues that stood, then the lowering ones
};

class Detector {
 public:
  // The detector with the lexicons built into the binary (src/safety/lexicon/).
  static const Detector& Default();

  virtual ~Detector() = default;
  virtual Assessment Assess(std::string_view text) const = 0;
};

}  // namespace kindred::safety
