#include "core/time_format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace kindred {
namespace {

// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm), so parsing
// never depends on the process time zone the way mktime does.
long long DaysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

// The UTC calendar fields of a moment, by the inverse of DaysFromCivil. Not gmtime_r: glibc's
// takes the process-wide time-zone lock on every call, and a topic page formats a few dozen
// times, so under load the server's threads queued on it.
std::tm ToUtc(UnixSeconds at) {
  constexpr long long kSecondsPerDay = 86400;
  long long days = at / kSecondsPerDay;
  long long seconds = at % kSecondsPerDay;
  if (seconds < 0) {
    seconds += kSecondsPerDay;
    --days;
  }
  days += 719468;
  const long long era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const long long year = static_cast<long long>(yoe) + era * 400 + (month <= 2);
  std::tm tm{};
  tm.tm_year = static_cast<int>(year - 1900);
  tm.tm_mon = static_cast<int>(month - 1);
  tm.tm_mday = static_cast<int>(day);
  tm.tm_hour = static_cast<int>(seconds / 3600);
  tm.tm_min = static_cast<int>(seconds / 60 % 60);
  tm.tm_sec = static_cast<int>(seconds % 60);
  return tm;
}

bool ReadDigits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string FormatIso8601(UnixSeconds at) {
  std::tm tm = ToUtc(at);
  char buf[64];  // room for any int the fields could hold, so nothing is ever cut short
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<UnixSeconds> ParseIso8601(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, pos, 4, year)) return std::nullopt;
  if (pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!ReadDigits(text, pos, 2, month)) return std::nullopt;
  if (pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!ReadDigits(text, pos, 2, day)) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  long long offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ' && text[pos] != 't') return std::nullopt;
    ++pos;
    if (!ReadDigits(text, pos, 2, hour)) return std::nullopt;
    if (pos >= text.size() || text[pos++] != ':') return std::nullopt;
    if (!ReadDigits(text, pos, 2, minute)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadDigits(text, pos, 2, second)) return std::nullopt;
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos, ++digits;
        if (digits == 0) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (pos < text.size()) {
      char zone = text[pos++];
      if (zone == 'Z' || zone == 'z') {
        // UTC
      } else if (zone == '+' || zone == '-') {
        int oh, om;
        if (!ReadDigits(text, pos, 2, oh)) return std::nullopt;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (!ReadDigits(text, pos, 2, om)) return std::nullopt;
        offset_seconds = (oh * 3600LL + om * 60LL) * (zone == '+' ? 1 : -1);
      } else {
        return std::nullopt;
      }
    }
  }
  if (pos != text.size()) return std::nullopt;
  long long days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600LL + minute * 60LL + second - offset_seconds;
}

std::string FormatRelative(UnixSeconds at, UnixSeconds now) {
  long long delta = now - at;
  auto plural = [](long long n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (delta < 45) return "just now";
  if (delta < 3600) return plural(std::max(1LL, delta / 60), "minute");
  if (delta < 86400) return plural(delta / 3600, "hour");
  if (delta < 2 * 86400) return "yesterday";
  if (delta < 30 * 86400) return plural(delta / 86400, "day");
  std::tm tm = ToUtc(at);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d %s %04d", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900);
  return buf;
}

std::string FormatHuman(UnixSeconds at) {
  std::tm tm = ToUtc(at);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%d %s %04d, %02d:%02d UTC", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min);
  return buf;
}

std::string FormatDuration(long long seconds) {
  constexpr long long kMinute = 60, kHour = 60 * kMinute, kDay = 24 * kHour;
  auto count = [](long long n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
  if (seconds < kMinute) return count(std::max(0LL, seconds), "second", "seconds");
  if (seconds < kHour) return count(seconds / kMinute, "minute", "minutes");
  if (seconds < kDay) {
    // "1 hour 59 minutes", not "1 hour": these often say how long something urgent has waited.
    std::string hours = count(seconds / kHour, "hour", "hours");
    const long long minutes = seconds % kHour / kMinute;
    return minutes == 0 ? hours : hours + " " + count(minutes, "minute", "minutes");
  }
  return count(seconds / kDay, "day", "days");
}

}  // namespace kindred
