#include "safety/helplines.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::safety::embedded)

namespace kindred::safety {

namespace {

constexpr std::string_view kDefaultFile = "helplines_default.tsv";
// The header written by ToTsv, so an exported file explains itself as the shipped one does.
constexpr std::string_view kTsvHeader =
    "# Kindred helpline directory.\n"
    "# One record a line; fields are separated by a TAB. Lines starting with # are comments.\n"
    "#   country   CODE  Name  Emergency number\n"
    "#   helpline  CODE  Name  Description  checked_on (YYYY-MM-DD)\n"
    "#   contact   kind  Label  link          (belongs to the helpline above it)\n"
    "# CODE is the two-letter country code (ISO 3166-1), or ZZ for \"anywhere\".\n"
    "# kind is call, text, chat, email or web. link starts with tel:, sms:, https:// or mailto:.\n"
    "# A text keyword goes in the link as sms:NUMBER?&body=WORD, the form that works on iOS and Android.\n";

constexpr std::array<std::pair<ContactKind, std::string_view>, 5> kKinds = {{
    {ContactKind::kCall, "call"},
    {ContactKind::kText, "text"},
    {ContactKind::kChat, "chat"},
    {ContactKind::kEmail, "email"},
    {ContactKind::kWeb, "web"},
}};

std::string_view KindName(ContactKind kind) {
  for (auto [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "web";
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    std::size_t at = line.find('\t', start);
    std::string_view field = line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
    while (!field.empty() && (field.front() == ' ')) field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\r')) field.remove_suffix(1);
    fields.push_back(field);
    if (at == std::string_view::npos) return fields;
    start = at + 1;
  }
}

Error LineError(int line, std::string message) {
  return Error::Invalid("helplines", "bad_helpline_line", "Line " + std::to_string(line) + ": " + std::move(message));
}

bool IsCountryCode(std::string_view code) {
  return code.size() == 2 && std::isupper(static_cast<unsigned char>(code[0])) &&
         std::isupper(static_cast<unsigned char>(code[1]));
}

bool IsDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  }
  return true;
}

bool IsAllowedHref(std::string_view href) {
  return (href.starts_with("tel:") || href.starts_with("sms:") || href.starts_with("https://") ||
          href.starts_with("mailto:")) &&
         href.find_first_of(" \"'<>") == std::string_view::npos;
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<HelplineDirectory> HelplineDirectory::Parse(std::string_view tsv) {
  HelplineDirectory directory;
  int line_number = 0;
  std::size_t start = 0;
  while (start <= tsv.size()) {
    std::size_t end = tsv.find('\n', start);
    std::string_view line = tsv.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? tsv.size() + 1 : end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view trimmed = line;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    auto fields = SplitTabs(trimmed);
    std::string_view type = fields[0];
    if (type == "country") {
      if (fields.size() != 4)
        return LineError(line_number, "a country line has 4 fields: country, code, name, emergency number.");
      if (!IsCountryCode(fields[1]))
        return LineError(line_number, "the country code should be two capital letters, like GB.");
      if (directory.FindCountry(fields[1]))
        return LineError(line_number, "country " + std::string(fields[1]) + " is listed twice.");
      if (fields[2].empty() || fields[3].empty())
        return LineError(line_number, "the name and emergency number are needed.");
      directory.countries_.push_back({std::string(fields[1]), std::string(fields[2]), std::string(fields[3])});
    } else if (type == "helpline") {
      if (fields.size() != 5) {
        return LineError(line_number, "a helpline line has 5 fields: helpline, code, name, description, checked_on.");
      }
      if (!IsCountryCode(fields[1]))
        return LineError(line_number, "the country code should be two capital letters, like GB.");
      if (fields[2].empty()) return LineError(line_number, "the helpline needs a name.");
      if (!IsDate(fields[4])) return LineError(line_number, "checked_on should be a date like 2026-11-01.");
      if (!directory.helplines_.empty() && directory.helplines_.back().contacts.empty()) {
        return LineError(line_number, "the helpline before this line has no contact lines.");
      }
      directory.helplines_.push_back(
          {std::string(fields[1]), std::string(fields[2]), std::string(fields[3]), {}, std::string(fields[4])});
    } else if (type == "contact") {
      if (fields.size() != 4) return LineError(line_number, "a contact line has 4 fields: contact, kind, label, link.");
      if (directory.helplines_.empty()) return LineError(line_number, "a contact line must follow a helpline line.");
      auto kind = std::find_if(kKinds.begin(), kKinds.end(), [&](const auto& k) { return k.second == fields[1]; });
      if (kind == kKinds.end()) return LineError(line_number, "the kind should be call, text, chat, email or web.");
      if (fields[2].empty()) return LineError(line_number, "the contact needs a label.");
      if (!IsAllowedHref(fields[3])) {
        return LineError(line_number, "the link should start with tel:, sms:, https:// or mailto: and have no spaces.");
      }
      directory.helplines_.back().contacts.push_back({kind->first, std::string(fields[2]), std::string(fields[3])});
    } else {
      return LineError(line_number, "lines start with country, helpline or contact.");
    }
  }
  if (!directory.helplines_.empty() && directory.helplines_.back().contacts.empty()) {
    return LineError(line_number, "the last helpline has no contact lines.");
  }
  return directory;
}

std::string HelplineDirectory::ToTsv() const {
  std::string out(kTsvHeader);
  out += '\n';
  for (const Country& c : countries_) out += "country\t" + c.code + '\t' + c.name + '\t' + c.emergency_number + '\n';
  for (const Helpline& h : helplines_) {
    out += "\nhelpline\t" + h.country + '\t' + h.name + '\t' + h.description + '\t' + h.checked_on + '\n';
    for (const Contact& c : h.contacts) {
      out += "contact\t" + std::string(KindName(c.kind)) + '\t' + c.label + '\t' + c.href + '\n';
    }
  }
  return out;
}

std::vector<Helpline> HelplineDirectory::ForCountry(std::string_view country) const {
  std::string code = UpperAscii(country);
  std::vector<Helpline> out;
  if (code != kAnywhere) {
    for (const Helpline& h : helplines_) {
      if (h.country == code) out.push_back(h);
    }
  }
  for (const Helpline& h : helplines_) {
    if (h.country == kAnywhere) out.push_back(h);
  }
  return out;
}

const Country* HelplineDirectory::FindCountry(std::string_view code) const {
  std::string upper = UpperAscii(code);
  for (const Country& c : countries_) {
    if (c.code == upper) return &c;
  }
  return nullptr;
}

const HelplineDirectory& HelplineDirectory::Default() {
  // The shipped file is checked by helplines_test; should it ever fail to parse, an empty
  // directory is safer than a crash, and /help still names the local emergency number.
  static const HelplineDirectory* directory = [] {
    for (int i = 0; i < embedded::kEmbeddedFileCount; ++i) {
      auto [name, text] = embedded::kEmbeddedFiles[i];
      if (name != kDefaultFile) continue;
      auto parsed = Parse(text);
      if (parsed) return new HelplineDirectory(std::move(parsed).value());
    }
    return new HelplineDirectory();
  }();
  return *directory;
}

}  // namespace kindred::safety
