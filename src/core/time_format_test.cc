#include "core/time_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace kindred {
namespace {

TEST(TimeFormatTest, FormatsAndParsesIso8601) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1795809987), "2026-11-27T20:06:27Z");
  EXPECT_EQ(ParseIso8601("2026-11-27T20:06:27Z"), 1795809987);
  EXPECT_EQ(ParseIso8601("2026-11-27T21:06:27+01:00"), 1795809987);
  EXPECT_EQ(ParseIso8601("2026-11-27T20:06:27.123Z"), 1795809987);
  EXPECT_EQ(ParseIso8601("2026-11-27"), 1795737600);
}

TEST(TimeFormatTest, RejectsWhatIsNotADate) {
  EXPECT_FALSE(ParseIso8601(""));
  EXPECT_FALSE(ParseIso8601("yesterday"));
  EXPECT_FALSE(ParseIso8601("2026-13-01"));
  EXPECT_FALSE(ParseIso8601("2026-11-27T25:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2026-11-27T20:06:27Zjunk"));
}

TEST(TimeFormatTest, SaysHowLongAgoInWords) {
  const UnixSeconds now = 1795809987;
  EXPECT_EQ(FormatRelative(now - 10, now), "just now");
  EXPECT_EQ(FormatRelative(now - 60, now), "1 minute ago");
  EXPECT_EQ(FormatRelative(now - 5 * 60, now), "5 minutes ago");
  EXPECT_EQ(FormatRelative(now - 3 * 3600, now), "3 hours ago");
  EXPECT_EQ(FormatRelative(now - 30 * 3600, now), "yesterday");
  EXPECT_EQ(FormatRelative(now - 3 * 86400, now), "3 days ago");
  EXPECT_EQ(FormatRelative(now - 400 * 86400, now), "23 Oct 2025");
  EXPECT_EQ(FormatHuman(1795809987), "27 Nov 2026, 20:06 UTC");
}

// The calendar arithmetic stands in for gmtime_r: it must agree with it everywhere, leap days,
// century years and moments before 1970 included.
TEST(TimeFormatTest, AgreesWithTheCLibraryOnEveryKindOfDate) {
  auto expected = [](UnixSeconds at) {
    std::time_t t = static_cast<std::time_t>(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return std::string(buf);
  };
  std::vector<UnixSeconds> moments = {0, -1, 86399, 86400, 951782400 /* 2000-02-29 */, 4107456000 /* 2100-02-28 */,
                                      4107542400, -2208988800 /* 1900-01-01 */, 1798675199, 1798675200};
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    moments.push_back(static_cast<UnixSeconds>(state >> 31) % 8000000000LL - 2000000000LL);
  }
  for (UnixSeconds at : moments) ASSERT_EQ(FormatIso8601(at), expected(at)) << at;
}

}  // namespace
}  // namespace kindred
