// Validation of what people type, one function per field, each naming the field and the limit
// in calm words. Trims where surrounding space means nothing (names, titles), never inside bodies.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace kindred::forum {

Result<std::string> ValidateUsername(std::string_view username);
Result<void> ValidatePassword(std::string_view password);
Result<std::string> ValidateEmail(std::string_view email);  // "" is allowed: email is optional
Result<std::string> ValidateTitle(std::string_view title);
Result<std::string> ValidateBody(std::string_view body);
Result<std::string> ValidateCategoryName(std::string_view name);
Result<std::string> ValidateCategoryDescription(std::string_view description);
// A reason or note (trimmed) for the form field `field`; `why_required` is the message when one is
// needed and missing.
Result<std::string> ValidateReason(std::string_view text, bool required = false, std::string_view why_required = {},
                                   std::string_view field = "reason");

// True when `text` holds what looks like an email address or a telephone number: people share
// them when upset and regret it later, so the compose forms offer a gentle second look (issue 5).
// A hint, never a gate: it errs towards silence for dates, times, years, sums of money, "24/7",
// short numbers ("3 weeks", "116 123") and free helpline numbers (0800, 1-800...), which are
// organisations' rather than people's.
bool LooksLikeContactDetails(std::string_view text);

}  // namespace kindred::forum
