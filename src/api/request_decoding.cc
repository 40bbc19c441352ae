#include "api/request_decoding.h"

#include <cstdint>
#include <limits>

#include "forum/limits.h"
#include "http/message.h"

namespace kindred::api {
namespace {

// Appended rather than `"\"" + std::string(field)`, which GCC 12 at -O3 warns about (-Wrestrict).
std::string Quoted(std::string_view field) {
  std::string quoted;
  quoted.reserve(field.size() + 2);
  quoted.append(1, '"').append(field).append(1, '"');
  return quoted;
}

}  // namespace

bool IsRequestShapeError(const Error& error) {
  return error.key == kMalformedJsonKey || error.key == kMissingFieldKey || error.key == kWrongTypeKey ||
         error.key == kMalformedQueryKey;
}

Error JsonBody::MissingField(std::string_view field) {
  return Error::Invalid(std::string(field), std::string(kMissingFieldKey),
                        "The field " + Quoted(field) + " is missing.");
}

Error JsonBody::WrongType(std::string_view field, std::string_view expected) {
  return Error::Invalid(std::string(field), std::string(kWrongTypeKey),
                        "The field " + Quoted(field) + " should be " + std::string(expected) + ".");
}

Result<JsonBody> JsonBody::Parse(std::string_view body) {
  nlohmann::json value;
  try {
    // The parser checks UTF-8 inside strings too, so every string we hand on is valid UTF-8.
    value = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception&) {
    return Error::Invalid("", std::string(kMalformedJsonKey), "The request body is not valid JSON.");
  }
  if (!value.is_object()) {
    return Error::Invalid("", std::string(kMalformedJsonKey),
                          "The request body should be a JSON object, such as {\"body\": \"...\"}.");
  }
  return JsonBody(std::move(value));
}

const nlohmann::json* JsonBody::Find(std::string_view field) const {
  auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> JsonBody::RequiredString(std::string_view field) const {
  auto value = OptionalString(field);
  if (!value.ok()) return std::move(value).error();
  if (!value.value()) return MissingField(field);
  return std::move(*value.value());
}

Result<std::optional<std::string>> JsonBody::OptionalString(std::string_view field) const {
  const nlohmann::json* value = Find(field);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return WrongType(field, "text (a JSON string)");
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::optional<bool>> JsonBody::OptionalBool(std::string_view field) const {
  const nlohmann::json* value = Find(field);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return WrongType(field, "true or false");
  return std::optional<bool>(value->get<bool>());
}

Result<std::optional<int>> JsonBody::OptionalInt(std::string_view field) const {
  const nlohmann::json* value = Find(field);
  if (value == nullptr) return std::optional<int>();
  constexpr std::string_view kExpected = "a whole number";
  if (!value->is_number_integer()) return WrongType(field, kExpected);
  if (value->is_number_unsigned()) {
    auto number = value->get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return WrongType(field, kExpected);
    return std::optional<int>(static_cast<int>(number));
  }
  auto number = value->get<std::int64_t>();
  if (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max()) {
    return WrongType(field, kExpected);
  }
  return std::optional<int>(static_cast<int>(number));
}

Result<std::optional<std::vector<std::string>>> JsonBody::OptionalStringList(std::string_view field) const {
  const nlohmann::json* value = Find(field);
  if (value == nullptr) return std::optional<std::vector<std::string>>();
  constexpr std::string_view kExpected = "a list of strings";
  if (!value->is_array()) return WrongType(field, kExpected);
  std::vector<std::string> list;
  list.reserve(value->size());
  for (const auto& item : *value) {
    if (!item.is_string()) return WrongType(field, kExpected);
    list.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(list));
}

Result<std::optional<std::int64_t>> JsonBody::OptionalIdValue(std::string_view field) const {
  const nlohmann::json* value = Find(field);
  if (value == nullptr) return std::optional<std::int64_t>();
  constexpr std::string_view kExpected = "a positive whole number (an id)";
  // is_number_integer() is false for 1.5 and for 1.0 alike: an id is never written with a point.
  if (!value->is_number_integer()) return WrongType(field, kExpected);
  if (value->is_number_unsigned()) {
    auto number = value->get<std::uint64_t>();
    if (number == 0 || number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return WrongType(field, kExpected);
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(number));
  }
  auto number = value->get<std::int64_t>();
  if (number < 1) return WrongType(field, kExpected);
  return std::optional<std::int64_t>(number);
}

Result<int> PageFromQuery(std::string_view query) {
  auto params = http::Params::Parse(query);
  if (!params.ok()) {
    return Error::Invalid("", std::string(kMalformedQueryKey),
                          "The query string could not be read. Please check the address.");
  }
  long long page = params->GetInt("page", 1);
  if (page > forum::kMaxPage) page = static_cast<long long>(forum::kMaxPage) + 1;
  return static_cast<int>(page);
}

}  // namespace kindred::api
