// Helplines: the directory of crisis services shown to a writer who may be at risk, by country,
// with the local emergency number. Data, not code: defaults ship in
// src/safety/helplines_default.tsv (from ../shared/SAFETY.md), each entry with the date it was
// last checked; admins can edit the directory (kept in the store) and export it.
// Thread-safety: immutable value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kindred::safety {

enum class ContactKind { kCall, kText, kChat, kEmail, kWeb };

// The code of helplines for anywhere in the world, shown beside every country's own.
inline constexpr std::string_view kAnywhere = "ZZ";

struct Contact {
  ContactKind kind = ContactKind::kCall;
  std::string label;  // "Call 116 123 (free)", "Text SHOUT to 85258"
  std::string href;   // "tel:116123", "sms:85258?body=SHOUT", "https://988lifeline.org/chat"
};

struct Helpline {
  std::string country;      // ISO 3166-1 alpha-2 ("GB"), or "ZZ" for anywhere
  std::string name;         // "Samaritans"
  std::string description;  // "Free, confidential, 24 hours a day"
  std::vector<Contact> contacts;
  std::string checked_on;  // "2026-11-01"
};

struct Country {
  std::string code;              // "GB"
  std::string name;              // "United Kingdom"
  std::string emergency_number;  // "999"
};

class HelplineDirectory {
 public:
  // The shipped defaults.
  static const HelplineDirectory& Default();
  // Parses the TSV format of helplines_default.tsv; errors name the line.
  static Result<HelplineDirectory> Parse(std::string_view tsv);
  std::string ToTsv() const;  // for export, and for saving an admin's edits

  const std::vector<Helpline>& helplines() const { return helplines_; }
  const std::vector<Country>& countries() const { return countries_; }
  // The helplines for `country`, then the ones for anywhere; unknown countries get those for anywhere.
  std::vector<Helpline> ForCountry(std::string_view country) const;
  const Country* FindCountry(std::string_view code) const;

 private:
  std::vector<Helpline> helplines_;
  std::vector<Country> countries_;
};

}  // namespace kindred::safety
