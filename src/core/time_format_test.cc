#include "core/time_format.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kindred
