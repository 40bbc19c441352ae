// Small text helpers every layer needs: UTF-8 validity and length, trimming, case folding.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kindred {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Number of Unicode code points; limits people see ("150 characters") count these, not bytes.
// REQUIRES: IsValidUtf8(text).
std::size_t CountCodepoints(std::string_view text);

// Removes ASCII white space at both ends.
std::string_view Trim(std::string_view text);

// Lowercases ASCII letters only: usernames are ASCII, so this is the whole of their case folding.
std::string AsciiLower(std::string_view text);

// Replaces CR LF and lone CR with LF, so stored text has one line ending whatever the browser sent.
std::string NormalizeNewlines(std::string_view text);

// True when the text holds control characters other than tab and newline (NUL, escape codes...).
bool HasControlCharacters(std::string_view text);

// `text` with every control character (newlines and tabs too) written as \xNN, for one log line.
std::string EscapeControlCharacters(std::string_view text);

// A URL-safe lowercase slug: letters and digits kept, runs of anything else become one '-'.
std::string Slugify(std::string_view text);

// A count as people read it in messages: 20000 is "20,000".
std::string GroupThousands(std::uint64_t n);

}  // namespace kindred
