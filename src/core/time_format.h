// Times as people and programs read them: ISO 8601 for the API and import, "3 hours ago" for pages.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace kindred {

// "2026-11-27T20:06:27Z".
std::string FormatIso8601(UnixSeconds at);

// Accepts "2026-11-27", "2026-11-27T20:06:27Z", fractions and "+01:00" style offsets.
// Returns nullopt for anything else, so import can name the bad line.
std::optional<UnixSeconds> ParseIso8601(std::string_view text);

// "just now", "5 minutes ago", "yesterday", "3 days ago", then the date: "12 Mar 2025".
std::string FormatRelative(UnixSeconds at, UnixSeconds now);

// "27 Nov 2026, 20:06 UTC": the exact time shown on hover.
std::string FormatHuman(UnixSeconds at);

// A length of time in its largest whole unit: "1 minute", "30 minutes", "2 hours", "3 days".
std::string FormatDuration(long long seconds);

}  // namespace kindred
