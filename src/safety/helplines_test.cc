#include "safety/helplines.h"

#include <gtest/gtest.h>

namespace kindred::safety {
namespace {

TEST(HelplinesTest, DefaultsHoldEveryRowOfSafetyMd) {
  const auto& d = HelplineDirectory::Default();
  EXPECT_EQ(d.helplines().size(), 17u);
  EXPECT_EQ(d.countries().size(), 11u);
  for (const Helpline& h : d.helplines()) {
    EXPECT_EQ(h.checked_on, "2026-11-01") << h.name;
    EXPECT_FALSE(h.contacts.empty()) << h.name;
    EXPECT_FALSE(h.description.empty()) << h.name;
    EXPECT_NE(d.FindCountry(h.country), nullptr) << h.name;
  }
}

TEST(HelplinesTest, ForCountryGivesLocalLinesThenAnywhere) {
  const auto& d = HelplineDirectory::Default();
  auto us = d.ForCountry("us");
  ASSERT_EQ(us.size(), 3u);
  EXPECT_EQ(us[0].name, "988 Suicide & Crisis Lifeline");
  EXPECT_EQ(us[0].contacts[0].href, "tel:988");
  EXPECT_EQ(us[1].contacts[0].href, "sms:741741?&body=HOME");
  EXPECT_EQ(us[2].country, "ZZ");
  auto unknown = d.ForCountry("XX");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].contacts[0].href, "https://findahelpline.com");
  EXPECT_EQ(d.ForCountry("ZZ").size(), 1u);
}

TEST(HelplinesTest, EmergencyNumbers) {
  const auto& d = HelplineDirectory::Default();
  EXPECT_EQ(d.FindCountry("GB")->emergency_number, "999");
  EXPECT_EQ(d.FindCountry("au")->emergency_number, "000");
  EXPECT_EQ(d.FindCountry("NZ")->emergency_number, "111");
  EXPECT_EQ(d.FindCountry("ZZ")->emergency_number, "your local emergency number");
  EXPECT_EQ(d.FindCountry("XX"), nullptr);
}

TEST(HelplinesTest, RoundTripsThroughTsv) {
  const auto& d = HelplineDirectory::Default();
  auto again = HelplineDirectory::Parse(d.ToTsv());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->ToTsv(), d.ToTsv());
  ASSERT_EQ(again->helplines().size(), d.helplines().size());
  EXPECT_EQ(again->helplines()[2].contacts[1].kind, ContactKind::kEmail);
}

TEST(HelplinesTest, AcceptsCrLfAndSpacesAroundFields) {
  auto d = HelplineDirectory::Parse(
      "country\tGB\tUnited Kingdom\t999\r\n"
      "helpline\tGB\tSamaritans \tFree.\t2026-11-01\r\n"
      "contact\tcall\tCall 116 123\ttel:116123\r\n");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->helplines()[0].name, "Samaritans");
}

void ExpectErrorOnLine(std::string_view tsv, std::string_view line) {
  auto d = HelplineDirectory::Parse(tsv);
  ASSERT_FALSE(d.ok()) << tsv;
  EXPECT_EQ(d.error().field, "helplines");
  EXPECT_NE(d.error().message.find(line), std::string::npos) << d.error().message;
}

TEST(HelplinesTest, ErrorsNameTheLine) {
  ExpectErrorOnLine("# c\nphone\tGB\tx\n", "Line 2");
  ExpectErrorOnLine("country\tgb\tUK\t999\n", "Line 1");
  ExpectErrorOnLine("country\tGB\tUK\t999\ncountry\tGB\tUK\t999\n", "Line 2");
  ExpectErrorOnLine("contact\tcall\tCall\ttel:1\n", "Line 1");
  ExpectErrorOnLine("helpline\tGB\tS\tFree\t1 Nov 2026\n", "Line 1");
  ExpectErrorOnLine("helpline\tGB\tS\tFree\t2026-11-01\ncontact\tpigeon\tx\ttel:1\n", "Line 2");
  ExpectErrorOnLine("helpline\tGB\tS\tFree\t2026-11-01\ncontact\tweb\tx\tjavascript:alert(1)\n", "Line 2");
  ExpectErrorOnLine("helpline\tGB\tS\tFree\t2026-11-01\nhelpline\tGB\tT\tFree\t2026-11-01\n", "Line 2");
  ExpectErrorOnLine("helpline\tGB\tS\tFree\t2026-11-01\n", "has no contact");
}

}  // namespace
}  // namespace kindred::safety
