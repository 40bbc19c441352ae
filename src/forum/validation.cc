#include "forum/validation.h"

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

std::string Chars(std::size_t n) { return std::to_string(n) + " characters"; }

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
                            "A username can use letters, digits, _ and - (no spaces).");
    }
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
                              std::to_string(length) + "). The details can go in the text below.");
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
                          "Please shorten this to " + Chars(kBodyMax) + " or fewer (it has " + std::to_string(length) +
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
