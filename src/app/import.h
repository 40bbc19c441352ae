// Import: brings threads from elsewhere into the store, one JSON object a line (docs/import.md).
// Each line arrives whole or not at all; a bad line is reported with its number and skipped.
// Thread-safety: one import at a time per store (it caches categories and authors it made).
#pragma once

#include <filesystem>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace kindred::app {

struct ImportOptions {
  bool demo = false;  // mark everything made as demo content, removable with `kindred demo --remove`
  // When set, threads without dates get made-up recent times ending here, spread over the past
  // days, so a demo looks lived in. Otherwise they get the time of import.
  std::optional<UnixSeconds> spread_times_until;
  // Called after each line with (bytes read so far); for a progress bar.
  std::function<void(std::size_t)> on_progress;
};

struct ImportReport {
  int threads_imported = 0;
  int posts_imported = 0;
  std::vector<std::string> problems;  // "line 12: the title is missing"
  // Set when the store itself failed (a full disk, a lost connection): nothing after that line
  // was tried, since every later line would fail the same way and be reported as bad input.
  std::optional<std::string> stopped;  // "line 40: ..."
  int last_line_imported = 0;
};

ImportReport ImportThreads(store::Store& store, const Clock& clock, std::istream& input, const ImportOptions& options);

}  // namespace kindred::app
