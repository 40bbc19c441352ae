#include "core/text.h"

#include <gtest/gtest.h>

namespace kindred {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x9D\xA4 \xF0\x9F\x98\x8A"));  // é ❤ 😊
}

TEST(Utf8Test, RejectsMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("ok\x80"));            // stray continuation byte
}

TEST(Utf8Test, CountsCodepointsNotBytes) {
  EXPECT_EQ(CountCodepoints("abc"), 3u);
  EXPECT_EQ(CountCodepoints("caf\xC3\xA9"), 4u);
  EXPECT_EQ(CountCodepoints("\xF0\x9F\x98\x8A"), 1u);
}

TEST(TextTest, TrimsAsciiSpaceOnly) {
  EXPECT_EQ(Trim("  hello \n\t"), "hello");
  EXPECT_EQ(Trim("   "), "");
}

TEST(TextTest, NormalizesLineEndings) { EXPECT_EQ(NormalizeNewlines("a\r\nb\rc\nd"), "a\nb\nc\nd"); }

TEST(TextTest, FindsControlCharactersButAllowsTabAndNewline) {
  EXPECT_FALSE(HasControlCharacters("line\n\tindented"));
  EXPECT_TRUE(HasControlCharacters(std::string("nul\0here", 8)));
  EXPECT_TRUE(HasControlCharacters("escape\x1b[31m"));
}

TEST(TextTest, SlugifiesNames) {
  EXPECT_EQ(Slugify("Therapy and Counselling"), "therapy-and-counselling");
  EXPECT_EQ(Slugify("  Grief & loss!! "), "grief-loss");
  EXPECT_EQ(Slugify("\xC3\xA9t\xC3\xA9"), "t");
  EXPECT_EQ(Slugify("***"), "");
}

TEST(TextTest, EscapesControlCharactersForOneLogLine) {
  EXPECT_EQ(EscapeControlCharacters("/u/x\n2026 info method=POST\r\x1b[0m\x7f"),
            "/u/x\\x0a2026 info method=POST\\x0d\\x1b[0m\\x7f");
  EXPECT_EQ(EscapeControlCharacters("/t/5 café"), "/t/5 café");
}

}  // namespace
TEST(GroupThousandsTest, PutsACommaBetweenEachThreeDigits) {
  EXPECT_EQ(GroupThousands(0), "0");
  EXPECT_EQ(GroupThousands(999), "999");
  EXPECT_EQ(GroupThousands(1000), "1,000");
  EXPECT_EQ(GroupThousands(20000), "20,000");
  EXPECT_EQ(GroupThousands(1234567), "1,234,567");
}

}  // namespace kindred
