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

}  // namespace kindred::forum
