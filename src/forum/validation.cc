#include "forum/validation.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/text.h"
#include "forum/limits.h"

namespace kindred::forum {
namespace {

// Text must be UTF-8 without control characters before any length is counted.
Result<void> CheckText(std::string_view field, std::string_view text) {
  if (!IsValidUtf8(text)) {
    return Error::Invalid(std::string(field), "invalid_utf8",
                          "Some of the text could not be read. Please try typing or pasting it again.");
  }
  if (HasControlCharacters(text)) {
    return Error::Invalid(std::string(field), "control_characters",
                          "The text contains invisible control characters. Please remove them and try again.");
  }
  return Ok();
}

std::string Chars(std::size_t n) { return GroupThousands(n) + " characters"; }

}  // namespace

Result<std::string> ValidateUsername(std::string_view username) {
  username = Trim(username);
  KINDRED_TRY(CheckText("username", username));
  if (username.size() < kUsernameMin || username.size() > kUsernameMax) {
    return Error::Invalid(
        "username", username.size() < kUsernameMin ? "username_too_short" : "username_too_long",
        "Please choose a username between " + std::to_string(kUsernameMin) + " and " + Chars(kUsernameMax) + " long.");
  }
  for (char c : username) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!allowed) {
      return Error::Invalid("username", "username_characters",
                            "A username can use the letters a to z without accents, digits, _ and - (no spaces).");
    }
  }
  // Erased accounts are renamed "former-member-<id>" (store::Store::EraseUser); nobody else may be.
  std::string lowered(username);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lowered.starts_with("former-member")) {
    return Error::Invalid("username", "username_reserved", "That name is kept for accounts that were deleted. Please choose another.");
  }
  return std::string(username);
}

Result<void> ValidatePassword(std::string_view password) {
  if (!IsValidUtf8(password)) {
    return Error::Invalid("password", "invalid_utf8", "The password could not be read. Please type it again.");
  }
  std::size_t length = CountCodepoints(password);
  if (length < kPasswordMin) {
    return Error::Invalid(
        "password", "password_too_short",
        "Please use a password of at least " + Chars(kPasswordMin) + ". A few words together make a good one.");
  }
  if (password.size() > kPasswordMax) {
    return Error::Invalid("password", "password_too_long",
                          "Please use a password shorter than " + Chars(kPasswordMax) + ".");
  }
  return Ok();
}

Result<std::string> ValidateEmail(std::string_view email) {
  email = Trim(email);
  if (email.empty()) return std::string();
  KINDRED_TRY(CheckText("email", email));
  std::size_t at = email.find('@');
  bool plausible = email.size() <= kEmailMax && at != std::string_view::npos && at > 0 && at == email.rfind('@') &&
                   email.find('.', at) != std::string_view::npos && email.back() != '.' &&
                   email.find(' ') == std::string_view::npos;
  if (!plausible) {
    return Error::Invalid("email", "email_invalid",
                          "That email address does not look complete. You can also leave it empty.");
  }
  return std::string(email);
}

Result<std::string> ValidateTitle(std::string_view title) {
  title = Trim(title);
  KINDRED_TRY(CheckText("title", title));
  if (title.find('\n') != std::string_view::npos) {
    return Error::Invalid("title", "title_multiline", "Please keep the title to one line.");
  }
  std::size_t length = CountCodepoints(title);
  if (length < kTitleMin) {
    return Error::Invalid(
        "title", "title_too_short",
        "Please give your question a title of at least " + Chars(kTitleMin) + ", so others can see what it is about.");
  }
  if (length > kTitleMax) {
    return Error::Invalid("title", "title_too_long",
                          "Please shorten the title to " + Chars(kTitleMax) + " or fewer (it has " +
                              GroupThousands(length) + "). The details can go in the text below.");
  }
  return std::string(title);
}

Result<std::string> ValidateBody(std::string_view body) {
  // Browsers send a textarea's line breaks as CR LF: normalise before looking for control characters.
  std::string normalized = NormalizeNewlines(body);
  KINDRED_TRY(CheckText("body", normalized));
  if (Trim(normalized).empty()) {
    return Error::Invalid("body", "body_empty", "Please write something before posting.");
  }
  std::size_t length = CountCodepoints(normalized);
  if (length > kBodyMax) {
    return Error::Invalid("body", "body_too_long",
                          "Please shorten this to " + Chars(kBodyMax) + " or fewer (it has " + GroupThousands(length) +
                              "). You could split it into a second reply.");
  }
  return normalized;
}

Result<std::string> ValidateCategoryName(std::string_view name) {
  name = Trim(name);
  KINDRED_TRY(CheckText("name", name));
  std::size_t length = CountCodepoints(name);
  if (length < kCategoryNameMin || length > kCategoryNameMax || name.find('\n') != std::string_view::npos) {
    return Error::Invalid("name", "category_name_length",
                          "A category name needs between " + std::to_string(kCategoryNameMin) + " and " +
                              Chars(kCategoryNameMax) + " on one line.");
  }
  return std::string(name);
}

Result<std::string> ValidateCategoryDescription(std::string_view description) {
  std::string normalized = NormalizeNewlines(Trim(description));
  KINDRED_TRY(CheckText("description", normalized));
  if (CountCodepoints(normalized) > kCategoryDescriptionMax) {
    return Error::Invalid("description", "category_description_too_long",
                          "Please keep the description to " + Chars(kCategoryDescriptionMax) + " or fewer.");
  }
  return normalized;
}

}  // namespace kindred::forum

namespace kindred::forum {
namespace {

// A telephone number has 10 digits or more in every national plan we know of (UK 11, US/Canada
// 10, Ireland 9-10 after the 0, Australia 10, France 10, Germany 10-11); with a "+" and country
// code at least 8. E.164 caps a number at 15 digits; a longer run is something else (an order
// number, a card).
constexpr int kPhoneMinDigits = 10;
constexpr int kPhoneMinDigitsInternational = 8;
constexpr int kPhoneMaxDigits = 15;
// Free numbers are charities', helplines' and companies': sharing one is never oversharing.
constexpr std::string_view kFreephonePrefixes[] = {"0800", "0808", "1800", "800", "888", "877", "866", "855", "844",
                                                   "833"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Bytes of non-ASCII letters count as letters: "número123456789" is a word, not a number.
bool IsWordByte(char c) { return IsAsciiLetter(c) || IsDigit(c) || static_cast<unsigned char>(c) >= 0x80; }

bool IsEmailLocalChar(char c) {
  return IsAsciiLetter(c) || IsDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool IsDomainChar(char c) { return IsAsciiLetter(c) || IsDigit(c) || c == '.' || c == '-'; }

// name@example.org: a local part, one "@", a domain with a dot and a top-level part of letters.
bool HasEmailAddress(std::string_view text) {
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t start = at;
    while (start > 0 && IsEmailLocalChar(text[start - 1])) --start;
    std::size_t end = at + 1;
    while (end < text.size() && IsDomainChar(text[end])) ++end;
    std::string_view local = text.substr(start, at - start);
    std::string_view domain = text.substr(at + 1, end - at - 1);
    while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) domain.remove_suffix(1);
    std::size_t dot = domain.rfind('.');
    if (local.empty() || dot == std::string_view::npos || dot == 0) continue;
    std::string_view top = domain.substr(dot + 1);
    if (top.size() >= 2 && std::all_of(top.begin(), top.end(), IsAsciiLetter)) return true;
  }
  return false;
}

// One run of digits with the separators phone numbers are written with: "+44 (0)20 7946 0958",
// "(555) 123-4567", "555.123.4567", "07700900123".
struct NumberRun {
  std::string digits;
  std::vector<std::string> groups;  // the digits between separators
  bool plus = false;
  bool dots = false;  // some separator was a "."
};

bool IsYearList(const NumberRun& run) {
  // "1990 2000 2010": years side by side, which a list of dates can produce.
  return std::all_of(run.groups.begin(), run.groups.end(), [](const std::string& group) {
    return group.size() == 4 && (group.starts_with("19") || group.starts_with("20"));
  });
}

bool IsThousands(const NumberRun& run) {
  // "1.000.000": a sum written the continental way.
  return run.dots && run.groups.size() > 1 && run.groups.front().size() <= 3 &&
         std::all_of(run.groups.begin() + 1, run.groups.end(), [](const std::string& g) { return g.size() == 3; });
}

bool LooksLikePhone(const NumberRun& run) {
  int digits = static_cast<int>(run.digits.size());
  if (digits > kPhoneMaxDigits || digits < (run.plus ? kPhoneMinDigitsInternational : kPhoneMinDigits)) return false;
  if (IsYearList(run) || IsThousands(run)) return false;
  std::string national = run.digits;
  if (!run.plus && national.starts_with("1") && digits == 11) national.erase(0, 1);  // 1-800-...
  for (std::string_view prefix : kFreephonePrefixes) {
    if (!run.plus && national.starts_with(prefix)) return false;
  }
  return true;
}

bool HasPhoneNumber(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    bool plus = text[i] == '+' && i + 1 < text.size() && IsDigit(text[i + 1]);
    bool opens = text[i] == '(' && i + 1 < text.size() && IsDigit(text[i + 1]);
    if (!IsDigit(text[i]) && !plus && !opens) {
      ++i;
      continue;
    }
    // A number glued to a word ("ref12345678901", "£100000000") or money is not a phone.
    if (i > 0 && (IsWordByte(text[i - 1]) || text[i - 1] == '$' || text[i - 1] == '/' || text[i - 1] == ':')) {
      while (i < text.size() && (IsWordByte(text[i]) || text[i] == '+')) ++i;
      continue;
    }
    NumberRun run;
    run.plus = plus;
    std::size_t j = plus ? i + 1 : i;
    std::string group;
    while (j < text.size()) {
      char c = text[j];
      if (IsDigit(c)) {
        group.push_back(c);
        run.digits.push_back(c);
        ++j;
        continue;
      }
      // One separator between digits (a space, "-", ".", or parentheses around an area code).
      bool separator = c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
      std::size_t next = j;
      while (next < text.size() && next - j < 3 &&
             (text[next] == ' ' || text[next] == '-' || text[next] == '.' || text[next] == '(' || text[next] == ')')) {
        ++next;
      }
      if (!separator || next >= text.size() || !IsDigit(text[next])) break;
      if (text.substr(j, next - j).find('.') != std::string_view::npos) run.dots = true;
      if (!group.empty()) run.groups.push_back(std::move(group));
      group.clear();
      j = next;
    }
    if (!group.empty()) run.groups.push_back(std::move(group));
    bool glued_after = j < text.size() && (IsWordByte(text[j]) || text[j] == '%' || text[j] == '/' || text[j] == ':');
    if (!glued_after && LooksLikePhone(run)) return true;
    i = std::max(j, i + 1);
  }
  return false;
}

}  // namespace

bool LooksLikeContactDetails(std::string_view text) { return HasEmailAddress(text) || HasPhoneNumber(text); }

Result<std::string> ValidateReason(std::string_view text, bool required, std::string_view why_required,
                                   std::string_view field) {
  std::string reason(Trim(text));
  if (required && reason.empty()) return Error::Invalid(std::string(field), "reason_required", std::string(why_required));
  if (!IsValidUtf8(reason) || CountCodepoints(reason) > kNoteMax) {
    return Error::Invalid(std::string(field), "note_too_long", "Please keep the note under 2,000 characters.");
  }
  return reason;
}

}  // namespace kindred::forum
