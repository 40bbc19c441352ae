// The thesaurus file format: what a maintainer writes is what search uses.
#include "search/xapian/text_internal.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kindred::search::internal {
namespace {

using Groups = std::vector<std::vector<std::string>>;

TEST(ThesaurusTest, ReadsGroupsAndSkipsCommentsAndWordsTheIndexerWouldSplit) {
  Groups groups = ParseThesaurus(
      "# a comment\n"
      "therapist Counsellor counselor\n"
      "\n"
      "er casualty a&e\n"
      "lonely\n"
      "mum mother mum\r\n");
  EXPECT_EQ(groups, (Groups{{"therapist", "counsellor", "counselor"}, {"er", "casualty"}, {"mum", "mother"}}));
}

TEST(ThesaurusTest, TheShippedThesaurusIsLoaded) {
  const Groups& groups = SynonymGroups();
  EXPECT_GT(groups.size(), 200u);
  bool found = std::any_of(groups.begin(), groups.end(), [](const std::vector<std::string>& g) {
    return std::find(g.begin(), g.end(), "sertraline") != g.end() && std::find(g.begin(), g.end(), "zoloft") != g.end();
  });
  EXPECT_TRUE(found) << "sertraline and its brand name share a group";
}

}  // namespace
}  // namespace kindred::search::internal
