#include "search/xapian/spelling_internal.h"

#include <gtest/gtest.h>

namespace kindred::search::internal {
namespace {

TEST(TypoCostTest, DroppedLettersCostLessThanWrongOnes) {
  // The case from DESIGN.md: both are two edits away, but "teray" is "therapy" with two letters left out.
  EXPECT_LT(TypoCost("teray", "therapy", 3), TypoCost("teray", "today", 3));
}

TEST(TypoCostTest, SwappedNeighboursAreOneSlip) {
  EXPECT_DOUBLE_EQ(TypoCost("nigth", "night", 3), kCostSwappedLetters);
  EXPECT_DOUBLE_EQ(TypoCost("night", "night", 3), 0);
}

TEST(TypoCostTest, GivesUpBeyondTheLimit) { EXPECT_GT(TypoCost("sleep", "medication", 2), 2); }

TEST(VocabularyTest, PrefersTheCheaperCorrectionOverTheMoreFrequentWord) {
  Vocabulary v;
  v.Add("today", 500);
  v.Add("therapy", 20);
  auto candidates = v.Candidates("teray", 4);
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates.front().word, "therapy");
}

TEST(VocabularyTest, ShortWordsAreNotCorrected) {
  Vocabulary v;
  v.Add("on", 10);
  EXPECT_TRUE(v.Candidates("no", 4).empty());
}

}  // namespace
}  // namespace kindred::search::internal
